"""Each ballot type's limits: the server refuses bad ballots with a clear message (4xx, never 500)
and stores a valid one as participation + anonymous ballot."""
import re

import pytest
from sqlalchemy import func, inspect, select

from hearings.extensions import db
from hearings.priorities.models import Ballot, Participation
from pb_helpers import add_priorities, make_process, url


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def vote(client, process, data):
    return client.post(url(process, "vote"), data=data)


@pytest.fixture
def voter(users, login_as):
    login_as(users["resident"])
    return users["resident"]


def test_approval_limits(municipality, voter, client):
    p = make_process(municipality, kind="approval", min_projects=2, max_projects=3)
    ids = [x.pid for x in add_priorities(p, [100, 200, 300, 400, 500])]
    r = vote(client, p, {"p": ids[:1]})
    assert r.status_code == 400 and "Choose at least 2 projects (you chose 1)." in r.get_data(as_text=True)
    r = vote(client, p, {"p": ids})
    assert r.status_code == 400 and "Choose at most 3 projects (you chose 5)." in r.get_data(as_text=True)
    r = vote(client, p, {"p": ["999"] + ids[:2]})
    assert r.status_code == 400 and "not on this ballot" in r.get_data(as_text=True)
    r = vote(client, p, {})
    assert r.status_code == 400 and "Your ballot is empty" in r.get_data(as_text=True)
    assert count(Ballot) == 0 and count(Participation) == 0
    r = vote(client, p, {"p": ids[:3]})
    assert r.status_code == 200 and "Your receipt code" in r.get_data(as_text=True)
    ballot = db.session.execute(select(Ballot)).scalar_one()
    assert ballot.content == {"approve": ids[:3]} and ballot.channel == "online"
    assert db.session.execute(select(Participation)).scalar_one().user_id == voter.id


def test_knapsack_limits(municipality, voter, client):
    p = make_process(municipality, kind="knapsack", budget=1000, min_share="0.5")
    ids = [x.pid for x in add_priorities(p, [600, 300, 200, 100])]
    r = vote(client, p, {"p": ids[:2] + ids[2:3]})
    text = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Your projects cost 1,100.00\u00a0som together, more than the budget of 1,000.00\u00a0som" in text
    r = vote(client, p, {"p": ids[3:]})
    assert r.status_code == 400 and "please choose projects worth at least 500.00\u00a0som" in r.get_data(as_text=True)
    # the page keeps the voter's choice after an error
    assert f'value="{ids[3]}" id="p-{ids[3]}" data-cost="100.00" checked' in r.get_data(as_text=True)
    r = vote(client, p, {"p": [ids[0], ids[1]]})
    assert r.status_code == 200
    assert db.session.execute(select(Ballot.content)).scalar_one() == {"approve": [ids[0], ids[1]]}


def test_refusal_is_translated(municipality, voter, client):
    p = make_process(municipality, kind="knapsack", budget=1000)
    ids = [x.pid for x in add_priorities(p, [600, 500])]
    client.get("/lang/ru")
    r = vote(client, p, {"p": ids})
    assert r.status_code == 400
    assert "Ваши проекты вместе стоят 1\u00a0100,00\u00a0сом — больше бюджета 1\u00a0000,00\u00a0сом" in r.get_data(as_text=True)
    client.get("/lang/ky")
    r = vote(client, p, {"p": ids})
    assert r.status_code == 400 and "бюджеттен көп" in r.get_data(as_text=True)


def test_knapsack_page_explains_limits(municipality, voter, client):
    p = make_process(municipality, kind="knapsack", budget=1000, min_share="0.5")
    add_priorities(p, [600, 300])
    text = client.get(url(p, "vote")).get_data(as_text=True)
    assert "as long as their costs together stay within the budget of 1,000.00\u00a0som" in text
    assert "must cost at least 500.00\u00a0som together (50% of the budget)" in text
    assert 'data-pb-total' in text and "js/priorities.js" in text and "<script>" not in text


def test_cumulative_limits(municipality, voter, client):
    p = make_process(municipality, kind="cumulative", total_points=10, max_points_per_project=5)
    a, b, c = [x.pid for x in add_priorities(p, [100, 200, 300])]
    r = vote(client, p, {f"pts-{a}": "5", f"pts-{b}": "5", f"pts-{c}": "3"})
    assert r.status_code == 400 and "You gave 13 points, but you have 10 points in total." in r.get_data(as_text=True)
    r = vote(client, p, {f"pts-{a}": "7"})
    assert r.status_code == 400 and "at most 5 points per project" in r.get_data(as_text=True)
    r = vote(client, p, {f"pts-{a}": "-2"})
    assert r.status_code == 400 and "zero or more" in r.get_data(as_text=True)
    r = vote(client, p, {f"pts-{a}": "two"})
    assert r.status_code == 400 and "Points must be whole numbers." in r.get_data(as_text=True)
    r = vote(client, p, {f"pts-{a}": "5", f"pts-{b}": "4", f"pts-{c}": ""})
    assert r.status_code == 200
    assert db.session.execute(select(Ballot.content)).scalar_one() == {"points": {a: 5, b: 4}}


def test_ordinal_limits(municipality, voter, client):
    p = make_process(municipality, kind="ordinal", top_k=2)
    a, b, c = [x.pid for x in add_priorities(p, [100, 200, 300])]
    r = vote(client, p, {"rank1": a, "rank2": a})
    assert r.status_code == 400 and "more than once" in r.get_data(as_text=True)
    r = vote(client, p, {"rank1": a, "rank2": b, "rank3": c})  # a forged third rank is not read
    assert r.status_code == 200
    assert db.session.execute(select(Ballot.content)).scalar_one() == {"rank": [a, b]}


def test_ballot_row_has_no_identity(municipality, voter, client):
    """The ballot table has no user, no time and no sequential id to join with participation."""
    columns = {c["name"] for c in inspect(db.engine).get_columns("pb_ballot")}
    assert columns == {"id", "process_id", "receipt", "channel", "content"}
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100])]
    vote(client, p, {"p": ids})
    ballot = db.session.execute(select(Ballot)).scalar_one()
    assert len(ballot.id) == 32 and not ballot.id.isdigit()


def test_non_resident_and_unconfirmed_cannot_vote(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100])]
    login_as(users["resident_b"])
    r = vote(client, p, {"p": ids})
    assert r.status_code == 403 and "Only residents of this municipality may vote" in r.get_data(as_text=True)
    users["resident2"].email_confirmed_at = None
    db.session.commit()
    client.post("/account/logout")
    login_as(users["resident2"])
    r = vote(client, p, {"p": ids})
    assert r.status_code == 403 and "confirm your e-mail" in r.get_data(as_text=True)
    assert 'action="/account/confirm/resend"' in r.get_data(as_text=True)  # the link, right there
    assert count(Ballot) == 0


def test_pin_required_when_process_checks_pins(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval", require_pin=True)
    ids = [x.pid for x in add_priorities(p, [100])]
    login_as(users["resident"])
    r = vote(client, p, {"p": ids})
    assert r.status_code == 403 and "add your PIN" in r.get_data(as_text=True)


def test_absurd_project_id_is_refused_not_a_crash(municipality, voter, client):
    p = make_process(municipality, kind="approval")
    add_priorities(p, [100, 200])
    r = vote(client, p, {"p": ["9" * 5000]})
    text = r.get_data(as_text=True)
    assert r.status_code == 400 and "not on this ballot" in text and "9" * 21 not in text


def test_receipt_is_shown_again_after_reload_and_language_switch(municipality, voter, client):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200])]
    first = vote(client, p, {"p": ids[:1]})
    receipt = re.search(r'id="receipt">([^<]+)<', first.get_data(as_text=True)).group(1)
    again = client.get(url(p, "vote") + "?lang=ru")  # the language switch reloads the page
    assert again.status_code == 200 and receipt in again.get_data(as_text=True)
    resent = vote(client, p, {"p": ids[1:]})  # the browser re-sends the form on reload
    assert resent.status_code == 409 and receipt in resent.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Ballot.id))) == 1
