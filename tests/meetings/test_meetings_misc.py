"""Official copies in the document registry, status changes, bad input never gives a 500."""
from datetime import timedelta

from hearings.core.models import utcnow
from hearings.extensions import db
from hearings.meetings import services

BASE = "/m/teploklyuchenka/hearings"


def test_held_attendance_list_is_issued_once_until_it_changes(client, users, login_as, new_hearing):
    from hearings.documents.models import IssuedDocument

    hearing = new_hearing()
    r = services.register(hearing, full_name="Асанова Айгүл", phone="+996555000001")
    services.check_in(hearing, r.code, users["secretary"])
    hearing.starts_at = utcnow() - timedelta(hours=1)  # it has started: it can be marked held
    db.session.commit()
    login_as(users["staff"])
    assert client.post(f"{BASE}/{hearing.id}/status/held",
                       data={"step": "confirm", "confirm": "y"}).status_code == 302
    first = client.get(f"{BASE}/{hearing.id}/attendance.pdf?form=list&lang=ky")
    again = client.get(f"{BASE}/{hearing.id}/attendance.pdf?form=list&lang=ky")
    assert first.data == again.data
    docs = db.session.query(IssuedDocument).filter_by(kind="attendance").all()
    assert len(docs) == 1 and docs[0].object_id == str(hearing.id)
    # a paper sheet typed in later changes the list: a new copy is issued
    services.register(hearing, full_name="Кагаздан", channel="paper", check_in=True,
                      actor=users["secretary"], allow_closed=True)
    client.get(f"{BASE}/{hearing.id}/attendance.pdf?form=list&lang=ky")
    assert db.session.query(IssuedDocument).filter_by(kind="attendance").count() == 2
    # internal copies (full phones) are never registered
    client.get(f"{BASE}/{hearing.id}/attendance.pdf?form=list&copy=internal")
    assert db.session.query(IssuedDocument).filter_by(kind="attendance").count() == 2
    # a held hearing cannot be marked held again, nor edited
    assert client.post(f"{BASE}/{hearing.id}/status/held").status_code == 409
    assert client.get(f"{BASE}/{hearing.id}/edit").status_code == 409


def test_bad_input_is_4xx_never_500(client, users, login_as, hearing):
    r = services.register(hearing, full_name="Асанова Айгүл", phone="+996555000001")
    login_as(users["staff"])
    cases = [
        ("get", f"{BASE}/999999", None, 404),
        ("get", f"{BASE}/ticket/nonsense", None, 404),
        ("get", f"/m/ak-bulun/hearings/{hearing.id}", None, 404),
        ("get", f"{BASE}/{hearing.id}/register.pdf", None, 404),
        ("get", f"{BASE}/{hearing.id}/door?code=%00%ff<script>", None, 404),
        ("post", f"{BASE}/{hearing.id}/status/exploded", {}, 409),
        ("post", f"{BASE}/{hearing.id}/registrations/{r.id}/merge", {"other": "abc"}, 404),
        ("post", f"{BASE}/{hearing.id}/registrations/{r.id}/merge", {"other": str(r.id)}, 400),
        ("post", f"{BASE}/{hearing.id}/capacity", {"capacity": "1e9"}, 400),
        ("post", f"{BASE}/{hearing.id}/proceedings/{hearing.agenda[0].id}/vote?prefix=question",
         {"questionnew-client_key": "x"}, 400),
        ("post", f"{BASE}/{hearing.id}/proceedings/{hearing.agenda[0].id}/proposal",
         {"proposalnew-client_key": "x", "proposalnew-author_name": "A", "proposalnew-content": "B",
          "proposalnew-amount": "много", "proposalnew-decision": "maybe"}, 400),
        ("post", f"{BASE}/{hearing.id}/proposals/12345/assign", {"item": "1"}, 404),
        ("post", f"{BASE}/{hearing.id}/edit", {"title": "x" * 400, "starts_at": "2026-13-45T99:99"}, 400),
    ]
    for method, url, data, expected in cases:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == expected, (url, response.status_code)
    response = client.post(f"{BASE}/{hearing.id}/registrations/{r.id}/merge?lang=ru", data={"other": str(r.id)})
    assert "Эти регистрации нельзя объединить." in response.get_data(as_text=True)


def test_rejected_form_keeps_the_typed_text(client, users, login_as, hearing):
    item = hearing.agenda[0]
    login_as(users["secretary"])
    response = client.post(f"{BASE}/{hearing.id}/proceedings/{item.id}/proposal", data={
        "proposalnew-client_key": "k", "proposalnew-author_name": "Иванов",
        "proposalnew-content": "Жолду оңдоо керек", "proposalnew-amount": "много"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Жолду оңдоо керек" in text and "Not a valid decimal value." in text


def test_partial_edit_post_is_refused_and_keeps_the_hearing(client, users, login_as, hearing):
    """A POST with only some fields (an old tab, a crafted request) is a 400, never a 500, and
    changes nothing: missing fields are not taken silently from the saved hearing."""
    from hearings.meetings.models import Hearing

    login_as(users["staff"])
    url = f"/m/teploklyuchenka/hearings/{hearing.id}/edit"
    for data in ({"proposal_deadline": "2030-01-01T10:00"}, {"capacity": "5"}, {}):
        response = client.post(url, data=data)
        assert response.status_code == 400, data
    saved = db.session.get(Hearing, hearing.id)
    assert saved.capacity is None and saved.title == "Бюджеттин долбоору 2027"
    assert [item.title for item in saved.agenda] == ["Бюджеттин долбоору"]
