"""Phases follow the dates; staff move a date only with a logged reason; each action has its phase."""
from datetime import timedelta

from sqlalchemy import select

from hearings.core.audit import AuditEvent
from hearings.core.models import utcnow
from hearings.extensions import db
from hearings.priorities.models import Ballot, Participation, PhaseChange, Priority
from pb_helpers import add_priorities, make_process, url


def test_phase_follows_dates(users, municipality):
    for phase in ("upcoming", "submission", "review", "voting", "results", "execution"):
        assert make_process(municipality, phase).phase() == phase


def test_submission_only_in_submission_phase(users, municipality, client, login_as):
    login_as(users["resident"])
    data = {"title": "New road", "description": "Holes everywhere", "category": "Roads",
            "village_id": 0, "estimated_cost": "100"}
    for phase in ("upcoming", "review", "voting", "results"):
        p = make_process(municipality, phase)
        r = client.post(url(p, "submit"), data=data)
        assert r.status_code == 403, phase
        assert b"only during the submission phase" in r.data
        assert db.session.execute(select(Priority).filter_by(process_id=p.id)).first() is None
    p = make_process(municipality, "submission")
    r = client.post(url(p, "submit"), data=data)
    assert r.status_code == 302
    assert db.session.execute(select(Priority).filter_by(process_id=p.id)).scalar_one().title == "New road"


def test_vote_only_in_voting_phase(users, municipality, client, login_as):
    login_as(users["resident"])
    for phase in ("submission", "review", "results", "execution"):
        p = make_process(municipality, phase)
        ids = [x.pid for x in add_priorities(p, [100, 200])]
        r = client.post(url(p, "vote"), data={"p": ids[:1]})
        assert r.status_code == 403, phase
        assert b"Voting runs from" in r.data
    assert db.session.execute(select(Ballot)).first() is None
    assert db.session.execute(select(Participation)).first() is None


def test_review_only_before_voting(users, municipality, client, login_as):
    login_as(users["staff"])
    p = make_process(municipality, "voting")
    (prio,) = add_priorities(p, [100], status="submitted")
    r = client.post(url(p, f"p/{prio.id}/review"), data={"status": "accepted"})
    assert r.status_code == 403 and b"only before the vote opens" in r.data


def test_staff_moves_phase_with_reason(users, municipality, client, login_as):
    p = make_process(municipality, "review")
    login_as(users["staff"])
    bishkek = __import__("zoneinfo").ZoneInfo("Asia/Bishkek")
    new = utcnow().astimezone(bishkek)  # "now": voting opens at once
    data = {"field": "voting_opens", "new_value": new.strftime("%Y-%m-%dT%H:%M"), "reason": ""}
    r = client.post(url(p, "phase"), data=data)
    assert r.status_code == 400 and b"This field is required" in r.data
    data["reason"] = "Submission ended early by decision of the kenesh"
    # not back in time: what would have happened in that hour never did
    earlier = dict(data, new_value=(utcnow() - timedelta(hours=1)).astimezone(bishkek).strftime("%Y-%m-%dT%H:%M"))
    r = client.post(url(p, "phase"), data=earlier)
    assert r.status_code == 400 and b"a phase can begin now at the earliest" in r.data
    r = client.post(url(p, "phase"), data=data)
    assert r.status_code == 302
    db.session.expire_all()
    assert p.phase() == "voting"
    change = db.session.execute(select(PhaseChange)).scalar_one()
    assert change.reason == data["reason"] and change.field == "voting_opens"
    event = db.session.execute(select(AuditEvent).filter_by(action="pb.phase_moved")).scalar_one()
    assert event.details["reason"] == data["reason"]
    page = client.get(url(p)).get_data(as_text=True)
    assert data["reason"] in page


def test_phase_dates_must_stay_in_order(users, municipality, client, login_as):
    p = make_process(municipality, "review")
    login_as(users["staff"])
    far = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(url(p, "phase"), data={"field": "voting_opens", "new_value": far, "reason": "why not"})
    assert r.status_code == 400 and b"follow each other in order" in r.data


def test_residents_cannot_move_phases(users, municipality, client, login_as):
    p = make_process(municipality, "review")
    login_as(users["resident"])
    r = client.post(url(p, "phase"), data={"field": "voting_opens", "new_value": "2026-01-01T10:00",
                                           "reason": "I want to vote"})
    assert r.status_code == 403


def test_a_closed_vote_is_never_reopened(users, municipality, client, login_as):
    p = make_process(municipality, "results")
    login_as(users["staff"])
    later = (utcnow() + timedelta(days=20)).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Bishkek"))
    for field in ("execution_starts", "voting_closes"):  # first push execution, then reopen voting
        r = client.post(url(p, "phase"), data={"field": field, "new_value": later.strftime("%Y-%m-%dT%H:%M"),
                                               "reason": "The kenesh asked for more votes"})
        if field == "execution_starts":
            assert r.status_code == 302
    assert r.status_code == 400 and b"already begun" in r.data
    db.session.expire_all()
    assert p.phase() == "results" and p.results_public()
