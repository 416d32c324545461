"""The ballot box seal: online votes leave no per-ballot audit entry; when voting closes the
ballots are counted and fingerprinted once, shown publicly, and a later change is detected."""
import hashlib
import json

from sqlalchemy import func, select

from hearings.core.audit import AuditEvent, verify
from hearings.extensions import db
from hearings.priorities.models import Ballot, PBProcess
from pb_helpers import add_ballots, add_priorities, make_process, set_phase, url


def audit_count(action):
    return db.session.scalar(select(func.count(AuditEvent.id)).filter_by(action=action))


def test_online_vote_is_not_audited_assisted_vote_is(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200])]
    login_as(users["resident"])
    r = client.post(url(p, "vote"), data={"p": ids[:1]})
    assert r.status_code == 200 and "Your receipt code" in r.get_data(as_text=True)
    assert audit_count("pb.voted") == 0
    login_as(users["secretary"])
    r = client.post(url(p, "in-person"), data={
        "channel": "assisted", "full_name": "Асанов Бакыт", "village_id": municipality.villages[0].id,
        "gender": "male", "birth_year": "1950", "p": ids[1:]})
    assert r.status_code == 302
    event = db.session.execute(select(AuditEvent).filter_by(action="pb.voted")).scalar_one()
    assert event.actor_id == users["secretary"].id and event.details == {"channel": "assisted"}


def test_first_look_after_the_close_seals_once(users, municipality, client, english):
    client.get("/lang/en")
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200, 300])]
    add_ballots(p, [{"approve": ids[:2]}, {"approve": ids[1:]}, {"approve": ids[:1]}])
    add_ballots(p, [{"approve": ids[2:]}], channel="assisted")
    add_ballots(p, [{"approve": ids[:1]}], channel="paper")  # entered after the close: not sealed
    assert client.get(url(p, "results")).status_code == 403  # voting still open: nothing sealed
    assert db.session.get(PBProcess, p.id).sealed_at is None
    set_phase(p, "results")

    page = client.get(url(p, "results")).get_data(as_text=True)
    db.session.expire_all()
    sealed = db.session.get(PBProcess, p.id)
    assert sealed.sealed_ballots == 4
    receipts = db.session.execute(select(Ballot.receipt, Ballot.channel, Ballot.content).where(
        Ballot.process_id == p.id, Ballot.channel != "paper").order_by(Ballot.receipt)).all()
    expected = hashlib.sha256("".join(
        f"{r}\t{c}\t{json.dumps(x, sort_keys=True, ensure_ascii=False)}\n" for r, c, x in receipts
    ).encode()).hexdigest()
    assert sealed.sealed_digest == expected
    assert "4 ballots cast online and with assistance" in page and expected in page
    event = db.session.execute(select(AuditEvent).filter_by(action="pb.ballot_box_sealed")).scalar_one()
    assert event.details == {"ballots": 4, "digest": expected}
    assert verify()[1] is None

    # the ballot list and the exports show the same seal, and nobody seals twice
    assert expected in client.get(url(p, "ballots")).get_data(as_text=True)
    exported = client.get(url(p, "results.json")).get_json()
    assert exported["seal"]["sha256"] == expected and exported["seal"]["ballots"] == 4
    assert audit_count("pb.ballot_box_sealed") == 1


def test_changed_ballot_is_detected(app, municipality, client):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200])]
    add_ballots(p, [{"approve": ids[:1]}, {"approve": ids[1:]}])
    other = make_process(municipality, kind="approval")
    set_phase(p, "results")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["pb", "seal"]).output.strip() == "ballot boxes sealed: 1"
    assert runner.invoke(args=["pb", "seal"]).output.strip() == "ballot boxes sealed: 0"
    assert db.session.get(PBProcess, other.id).sealed_at is None  # still voting

    ok = runner.invoke(args=["pb", "verify-seals"])
    assert ok.exit_code == 0 and "sealed ballot boxes checked: 1, changed: 0" in ok.output

    ballot = db.session.execute(select(Ballot).filter_by(process_id=p.id)).scalars().first()
    ballot.content = {"approve": ids}  # somebody with database access edits a ballot
    db.session.commit()
    bad = runner.invoke(args=["pb", "verify-seals"])
    assert bad.exit_code == 1
    assert "Ballots were changed after voting closed" in bad.output and "changed: 1" in bad.output

    db.session.delete(ballot)
    db.session.commit()
    gone = runner.invoke(args=["pb", "verify-seals"])
    assert gone.exit_code == 1 and "held 2 ballots when voting closed; it now holds 1" in gone.output
