"""One ballot per person per process: pre-check, database constraint, concurrent requests."""
import re
import threading

import pytest
from sqlalchemy import func, select

from hearings.accounts import pin as pins
from hearings.extensions import db
from hearings.priorities.models import Ballot, Participation
from pb_helpers import add_priorities, client_for, make_process, url


def counts():
    return (db.session.scalar(select(func.count(Ballot.id))),
            db.session.scalar(select(func.count(Participation.id))))


def test_second_vote_is_refused(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200])]
    login_as(users["resident"])
    assert client.post(url(p, "vote"), data={"p": ids[:1]}).status_code == 200
    r = client.post(url(p, "vote"), data={"p": ids[1:]})
    assert r.status_code == 409 and "You have already voted" in r.get_data(as_text=True)
    again = client.get(url(p, "vote"))  # this browser voted: the receipt again, no ballot form
    assert again.status_code == 200 and "You have already voted" in again.get_data(as_text=True)
    assert 'name="p"' not in again.get_data(as_text=True)
    assert counts() == (1, 1)


def test_database_refuses_second_participation(users, municipality):
    """Even if the pre-check is bypassed, the unique constraint stops a second participation."""
    from hearings.priorities import services
    from hearings.voting import ApprovalBallot

    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100])]
    services.cast_vote(p, users["resident"], ApprovalBallot(frozenset(ids)))
    original = services.has_participated
    services.has_participated = lambda *a, **k: False
    try:
        with pytest.raises(services.AlreadyVoted):
            services.cast_vote(p, users["resident"], ApprovalBallot(frozenset(ids)))
    finally:
        services.has_participated = original
    assert counts() == (1, 1)


def test_two_concurrent_requests_make_one_vote(app, users, municipality):
    """Two clients of the same voter POST at the same moment: one 200, one 409, one ballot.
    Run on PostgreSQL with TEST_DATABASE_URL (see notes); on SQLite writes are serialised."""
    from hearings.priorities import services

    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200])]
    clients = [client_for(app, users["resident"]) for _ in range(2)]
    barrier = threading.Barrier(2)
    original = services.has_participated

    def slow_check(*args, **kwargs):  # both requests pass the pre-check before either commits
        result = original(*args, **kwargs)
        barrier.wait(timeout=10)
        return result

    services.has_participated = slow_check
    statuses = []

    def post(c, choice):
        with app.app_context():
            r = c.post(url(p, "vote"), data={"p": [choice]})
            statuses.append((r.status_code, r.get_data(as_text=True)))

    try:
        threads = [threading.Thread(target=post, args=(c, ids[i])) for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        services.has_participated = original
    codes = sorted(s for s, _ in statuses)
    assert codes == [200, 409], [t[:300] for _, t in statuses]
    assert any("You have already voted" in t for _, t in statuses)
    db.session.expire_all()
    assert counts() == (1, 1)


def test_paper_voter_cannot_vote_online(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100])]
    login_as(users["secretary"])
    r = client.post(url(p, "in-person"), data={"channel": "paper", "account": users["resident"].email,
                                               "village_id": 0})
    assert r.status_code == 302, re.findall(r'class="error"[^>]*>([^<]*)', r.get_data(as_text=True))
    part = db.session.execute(select(Participation)).scalar_one()
    assert part.channel == "paper" and part.user_id == users["resident"].id and part.recorded_by_id == users["secretary"].id
    client.post("/account/logout")
    login_as(users["resident"])
    r = client.post(url(p, "vote"), data={"p": ids})
    assert r.status_code == 409
    assert counts() == (0, 1)


def test_assisted_vote_and_pin_duplicate(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200])]
    login_as(users["secretary"])
    person = {"channel": "assisted", "full_name": "Асанов Бакыт", "village_id": municipality.villages[0].id,
              "gender": "male", "birth_year": "1950", "pin": "21505195012345", "p": ids[:1]}
    r = client.post(url(p, "in-person"), data=person)
    assert r.status_code == 302
    follow = client.get(url(p, "in-person")).get_data(as_text=True)
    assert "Receipt code for the voter" in follow
    part = db.session.execute(select(Participation)).scalar_one()
    assert part.channel == "assisted" and part.age_group == "over_60" and part.gender == "male"
    assert part.pin_hmac == pins.pin_hmac("21505195012345")
    # the same person again (same PIN, other name): refused
    person["full_name"] = "Бакыт Асанов"
    r = client.post(url(p, "in-person"), data=person)
    assert r.status_code == 409 and "already voted" in r.get_data(as_text=True)
    # an assisted ballot obeys the limits too
    person.update(pin="", full_name="Other Person", p=["999"])
    r = client.post(url(p, "in-person"), data=person)
    assert r.status_code == 400 and "not on this ballot" in r.get_data(as_text=True)
    assert counts() == (1, 1)


def test_residents_cannot_record_in_person_votes(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    add_priorities(p, [100])
    login_as(users["resident"])
    assert client.post(url(p, "in-person"), data={"channel": "paper", "full_name": "X"}).status_code == 403


def test_participation_list_for_clerks_only(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100])]
    login_as(users["resident"])
    client.post(url(p, "vote"), data={"p": ids})
    assert client.get(url(p, "participants")).status_code == 403
    client.post("/account/logout")
    login_as(users["secretary"])
    client.post(url(p, "in-person"), data={"channel": "paper", "full_name": "Асанова Гүлнара"})
    text = client.get(url(p, "participants")).get_data(as_text=True)
    assert users["resident"].full_name in text and "Асанова Гүлнара" in text
    assert "Paper ballot" in text and "Online" in text and "Project 1" not in text
    text = client.get(url(p, "participants") + "?q=Гүлнара").get_data(as_text=True)
    assert "Асанова Гүлнара" in text and users["resident"].full_name not in text
