"""Proceedings recorded by the secretary: saved as it goes, idempotent against double submit."""
from decimal import Decimal

from hearings.extensions import db
from hearings.meetings.models import AgendaItem, Decision, Proposal, Question, Speech, Vote

BASE = "/m/teploklyuchenka/hearings"


def url(hearing, item, kind):
    return f"{BASE}/{hearing.id}/proceedings/{item.id}/{kind}"


def test_rows_saved_idempotently(client, users, login_as, hearing):
    item = hearing.agenda[0]
    login_as(users["secretary"])
    assert client.get(f"{BASE}/{hearing.id}/proceedings/{item.id}").status_code == 200
    data = {"questionnew-client_key": "q-1", "questionnew-asked_by": "Иванов",
            "questionnew-question": "Жол качан оңдолот?"}
    assert client.post(url(hearing, item, "question"), data=data).status_code == 302
    assert client.post(url(hearing, item, "question"), data=data).status_code == 302   # double submit
    data["questionnew-answer"] = "Келерки жылы."                                         # autosave goes on
    response = client.post(url(hearing, item, "question"), data=data, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200 and response.json["ok"] is True
    q = db.session.query(Question).one()
    assert q.answer == "Келерки жылы." and q.asked_by == "Иванов"

    client.post(url(hearing, item, "speech"), data={"speechnew-client_key": "s-1",
                                                    "speechnew-speaker_name": "Мамытов Б.",
                                                    "speechnew-speaker_position": "депутат",
                                                    "speechnew-summary": "Колдойм."})
    p = {"proposalnew-client_key": "p-1", "proposalnew-author_name": "Кудайбергенова Ч.",
         "proposalnew-content": "Спорт аянтчасы", "proposalnew-budget_line": "Жаштар жана спорт",
         "proposalnew-amount": "1200000.50", "proposalnew-decision": "rejected",
         "proposalnew-decision_reason": ""}
    response = client.post(url(hearing, item, "proposal"), data=p, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 400 and "Give the reason" in response.json["error"]
    p["proposalnew-decision_reason"] = "Каражат жок"
    for _ in range(3):
        client.post(url(hearing, item, "proposal"), data=p)
    p2 = dict(p, **{"proposalnew-client_key": "p-2", "proposalnew-decision": "accepted",
                    "proposalnew-amount": ""})
    client.post(url(hearing, item, "proposal"), data=p2)
    proposals = db.session.query(Proposal).order_by(Proposal.number).all()
    assert [(x.number, x.decision) for x in proposals] == [(1, "rejected"), (2, "accepted")]
    assert proposals[0].amount == Decimal("1200000.50") and proposals[1].amount is None
    v = {"votenew-client_key": "v-1", "votenew-subject": "Отчётту жактыруу", "votenew-votes_for": "12",
         "votenew-votes_against": "1", "votenew-votes_abstained": "2"}
    client.post(url(hearing, item, "vote"), data=v)
    client.post(url(hearing, item, "vote"), data=v)
    assert [(x.votes_for, x.votes_against, x.votes_abstained) for x in db.session.query(Vote)] == [(12, 1, 2)]
    bad = client.post(url(hearing, item, "vote"), data=dict(v, **{"votenew-votes_for": "-4",
                                                                   "votenew-client_key": "v-2"}),
                      headers={"X-Requested-With": "fetch"})
    assert bad.status_code == 400 and "Number must be" in bad.json["error"]
    client.post(url(hearing, item, "decision"), data={"decisionnew-client_key": "d-1",
                                                      "decisionnew-text": "Кеңешке сунуштоо."})
    client.post(f"{BASE}/{hearing.id}/proceedings/{item.id}/report",
                data={"rapporteur": "Осмонова Ж.", "summary": "Кирешелер 98 %."})
    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    assert item.summary == "Кирешелер 98 %." and len(item.speeches) == 1 and len(item.decisions) == 1
    assert db.session.query(Speech).count() == 1 and db.session.query(Decision).count() == 1
    page = client.get(f"{BASE}/{hearing.id}/proceedings/{item.id}").get_data(as_text=True)
    assert "Жол качан оңдолот?" in page and "Спорт аянтчасы" in page
    # editing an existing row: its own prefix and client key
    client.post(url(hearing, item, "question") + f"?prefix=question{q.id}",
                data={f"question{q.id}-client_key": "q-1", f"question{q.id}-question": "Жол?",
                      f"question{q.id}-answer": "Жазында."})
    db.session.expire_all()
    assert db.session.query(Question).one().answer == "Жазында."
    assert client.post(url(hearing, item, "nonsense"), data={}).status_code == 404


def test_online_proposal_before_deadline(client, users, login_as, new_hearing):
    hearing = new_hearing(days=10)
    login_as(users["resident"])
    data = {"client_key": "o-1", "agenda_item_id": str(hearing.agenda[0].id),
            "content": "Көчө жарыгы", "budget_line": "Көчө жарыгы", "amount": "350000"}
    assert client.post(f"{BASE}/{hearing.id}/proposals", data=data).status_code == 302
    assert client.post(f"{BASE}/{hearing.id}/proposals", data=data).status_code == 302
    p = db.session.query(Proposal).one()
    assert p.source == "online" and p.user_id == users["resident"].id and p.agenda_item_id == hearing.agenda[0].id
    # the secretary sees it on the agenda item and decides on it
    login_as(users["secretary"])
    page = client.get(f"{BASE}/{hearing.id}/proceedings/{hearing.agenda[0].id}").get_data(as_text=True)
    assert "Көчө жарыгы" in page
    late = new_hearing(days=1)       # deadline (2 days before) has passed
    login_as(users["resident"])
    response = client.post(f"{BASE}/{late.id}/proposals", data=dict(data, client_key="o-2"))
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
