"""Concurrency and crash safety on PostgreSQL with the real server: gunicorn with 2 workers plus
a second gunicorn instance on another port, same database (bench/harness.py).

1. 100 voters each submit their ballot twice at the same moment (one copy to each instance):
   exactly 100 ballots and 100 participations, the duplicates get "already voted", never a 500.
2. 100 people each register twice at the same moment for a hearing with 30 seats left: never
   more registrations than seats, one registration per person, never a 500.
3. kill -9 a worker during a stream of votes and registrations: every request that got a success
   answer is in the database, no ballot without its participation (or the reverse), and the
   instance serves again.
"""
import json
import os
import re
import time
from collections import Counter
from decimal import Decimal

import pytest

from bench.harness import (HttpSession, fresh_database, migrate, pg_available, request, run_bounded,
                           run_in_app, running_app, together)

pytestmark = pytest.mark.load

FIGURES = Counter()

SEED = r"""
import json, secrets
from datetime import timedelta
from sqlalchemy import select, func
from hearings.core.cli import run_demo_seed
from hearings.core.models import utcnow
from hearings.accounts.models import User
from hearings.meetings.models import Hearing, Registration
ctx = run_demo_seed()
a = ctx.municipalities["teploklyuchenka"]
process = ctx.data["pb_open"]
hearing = ctx.data["upcoming_hearing"]
hashed = ctx.users["resident"].password_hash
village = a.villages[0].id
people = []
for i in range(%(people)d):
    u = User(email=f"load{i:03d}@load.kg", full_name=f"Жүктөм Адам {i:03d}", municipality_id=a.id,
             village_id=village, consent_at=utcnow(), email_confirmed_at=utcnow(), locale="en",
             password_hash=hashed)
    db.session.add(u)
    people.append(u)
db.session.flush()
registered = db.session.scalar(select(func.count(Registration.id)).where(
    Registration.hearing_id == hearing.id, Registration.status == "registered"))
hearing.capacity = registered + %(seats)d
hearing.starts_at = max(hearing.starts_at, utcnow() + timedelta(days=3))
# a second hearing without a capacity limit for the crash stream
stream = Hearing(municipality_id=a.id, kind=hearing.kind, title="Load stream hearing",
                 starts_at=utcnow() + timedelta(days=12), ends_at=utcnow() + timedelta(days=12, hours=2),
                 venue_address="Hall", status="announced", published_at=utcnow())
db.session.add(stream)
db.session.commit()
print(json.dumps({"slug": a.slug, "pid": process.id, "hearing": hearing.id, "stream": stream.id,
                  "capacity": hearing.capacity, "registered": registered,
                  "people": [u.id for u in people]}))
"""




@pytest.fixture(scope="module")
def site():
    if not pg_available() and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not running on 127.0.0.1 (CI starts it)")
    with fresh_database("aimak_load") as url:
        migrate(url)
        world = json.loads(run_in_app(url, SEED % {"people": 200, "seats": 30}).strip().splitlines()[-1])
        with running_app(url, workers=2) as a, running_app(url, workers=2) as b:
            world.update(url=url, a=a, b=b)
            yield world
            if "engine" in world:
                world["engine"].dispose()
    print(f"\nload figures: {dict(FIGURES)}")


def counts(site, people):
    """Rows as they are in the database, read with plain SQL (no app start-up per look)."""
    from sqlalchemy import create_engine, text

    engine = site.setdefault("engine", create_engine(site["url"]))
    pid, q = site["pid"], lambda sql, **kw: conn.execute(text(sql), kw)
    with engine.connect() as conn:
        out = {
            "ballots": q("SELECT count(*) FROM pb_ballot WHERE process_id = :p", p=pid).scalar(),
            "ballots_online": q("SELECT count(*) FROM pb_ballot WHERE process_id = :p "
                                "AND channel = 'online'", p=pid).scalar(),
            "participations": q("SELECT count(*) FROM pb_participation WHERE process_id = :p", p=pid).scalar(),
            "participations_online": q("SELECT count(*) FROM pb_participation WHERE process_id = :p "
                                       "AND channel = 'online'", p=pid).scalar(),
            "voters": sorted(u for (u,) in q("SELECT user_id FROM pb_participation WHERE process_id = :p",
                                             p=pid) if u in set(people)),
            "registrations": {str(h): [list(r) for r in q(
                "SELECT user_id, status FROM registration WHERE hearing_id = :h", h=h)]
                for h in (site["hearing"], site["stream"])},
        }
    return out


def ballot_option(site, user_id):
    """A valid ballot read from the vote page: the dearest projects that fit the budget, so
    the minimum share to spend is met too (knapsack)."""
    page = HttpSession(site["a"].url).adopt(user_id).get(f"/m/{site['slug']}/pb/{site['pid']}/vote")
    assert page.status == 200, page.text[:500]
    limit = Decimal(re.search(r'data-limit="([^"]+)"', page.text).group(1))
    options = [(Decimal(cost), pid) for pid, cost in
               re.findall(r'name="p" value="([^"]+)" id="[^"]+" data-cost="([^"]+)"', page.text)]
    chosen, total = [], Decimal(0)
    for cost, pid in sorted(options, reverse=True):
        if total + cost <= limit:
            chosen.append(pid)
            total += cost
    assert chosen
    return chosen


def server_errors(site):
    """The last traceback of each instance's log, printed (pytest shortens assertion messages)."""
    found = []
    for name in ("a", "b"):
        log = site[name].log_text()
        if "Traceback" in log:
            found.append(f"--- instance {name}:\n" + log[log.rfind("Traceback"):][:2500])
    print("\n".join(found))
    return "see the traceback printed above"


def classify(outcomes, success, duplicate):
    kinds = Counter()
    for o in outcomes:
        if o.response is None:
            kinds["connection error"] += 1
        elif o.status >= 500:
            kinds["500"] += 1
        elif success(o.response):
            kinds["success"] += 1
        elif duplicate(o.response):
            kinds["duplicate"] += 1
        else:
            kinds[f"other {o.status}"] += 1
    return kinds


def voted(response):
    return response.status == 200 and "Your vote is recorded." in response.text


def already_voted(response):
    return response.status == 409 and "You have already voted" in response.text


def test_double_votes_at_the_same_moment(site):
    people = site["people"][:100]
    option = ballot_option(site, people[0])
    before = counts(site, people)
    vote_path = f"/m/{site['slug']}/pb/{site['pid']}/vote"
    jobs = []
    for user_id in people:
        a = HttpSession(site["a"].url).adopt(user_id)
        b = HttpSession(site["b"].url).adopt(user_id)
        first, second = together(lambda s=a: s.post(vote_path, {"p": option}),
                                 lambda s=b: s.post(vote_path, {"p": option}))
        jobs += [(user_id, first), (user_id, second)]
    started = time.monotonic()
    outcomes = run_bounded(jobs, concurrency=50)
    elapsed = time.monotonic() - started
    kinds = classify(outcomes, voted, already_voted)
    FIGURES["vote requests"] += len(outcomes)
    FIGURES["vote duplicates rejected"] += kinds["duplicate"]
    FIGURES["500s"] += kinds["500"]
    print(f"\n200 simultaneous vote submissions in {elapsed:.1f}s: {dict(kinds)}")
    assert kinds == Counter({"success": 100, "duplicate": 100}), (kinds, server_errors(site))
    per_person = Counter(o.key for o in outcomes if voted(o.response))
    assert set(per_person.values()) == {1} and len(per_person) == 100
    after = counts(site, people)
    assert after["ballots"] - before["ballots"] == 100
    assert after["participations"] - before["participations"] == 100
    assert after["voters"] == sorted(people)
    assert after["ballots_online"] == after["participations_online"]


def test_registration_at_capacity_never_exceeds_the_seats(site):
    people = site["people"][:100]
    path = f"/m/{site['slug']}/hearings/{site['hearing']}/register"
    jobs = []
    for user_id in people:
        key = f"load-{user_id}-{os.urandom(4).hex()}"  # one form, submitted twice (double click)
        a = HttpSession(site["a"].url).adopt(user_id)
        b = HttpSession(site["b"].url).adopt(user_id)
        first, second = together(lambda s=a, k=key: s.post(path, {"client_key": k}),
                                 lambda s=b, k=key: s.post(path, {"client_key": k}))
        jobs += [(user_id, first), (user_id, second)]
    outcomes = run_bounded(jobs, concurrency=50)

    def ok(response):
        return response.status == 302 and "/hearings/ticket/" in (response.location or "")

    kinds = classify(outcomes, ok, lambda r: False)
    FIGURES["registration requests"] += len(outcomes)
    FIGURES["500s"] += kinds["500"]
    print(f"\n200 simultaneous registrations: {dict(kinds)}")
    rows = counts(site, people)["registrations"][str(site["hearing"])]
    mine = [(u, s) for u, s in rows if u in set(people) and s in ("registered", "waitlisted")]
    seated = sum(1 for _, s in rows if s == "registered")
    print(f"seats {site['capacity']}, seated {seated}, registrations of the 100: {len(mine)}")
    assert seated == site["capacity"]  # full, and not one more
    assert len(mine) == 100 and len({u for u, _ in mine}) == 100  # one per person
    assert sum(1 for _, s in mine if s == "waitlisted") == 100 - (site["capacity"] - site["registered"])
    assert kinds["500"] == 0 and kinds["connection error"] == 0, (kinds, server_errors(site))
    assert kinds == Counter({"success": 200}), kinds  # the second copy gets the same ticket


def test_kill_9_a_worker_during_a_stream_of_votes_and_registrations(site):
    people = site["people"][100:200]
    option = ballot_option(site, people[0])
    vote_path = f"/m/{site['slug']}/pb/{site['pid']}/vote"
    reg_path = f"/m/{site['slug']}/hearings/{site['stream']}/register"
    server = site["a"]
    jobs = []
    for user_id in people:
        s = HttpSession(server.url).adopt(user_id)
        jobs.append((("vote", user_id), lambda s=s: s.post(vote_path, {"p": option})))
        jobs.append((("register", user_id), lambda s=s, u=user_id: s.post(reg_path, {"client_key": f"k{u}"})))
    killed = []

    def killer():
        time.sleep(0.8)  # mid-stream
        killed.append(server.kill_worker())
        time.sleep(0.4)
        killed.append(server.kill_worker())
        return None

    outcomes = run_bounded([("killer", killer)] + jobs, concurrency=8)[1:]
    assert len(killed) == 2
    kinds = Counter("error" if o.response is None else o.status for o in outcomes)
    FIGURES["stream requests"] += len(outcomes)
    FIGURES["500s"] += sum(n for k, n in kinds.items() if isinstance(k, int) and k >= 500)
    FIGURES["requests cut by kill -9"] += kinds["error"]
    print(f"\nstream of {len(outcomes)} requests with 2 workers killed: {dict(kinds)}")
    state = counts(site, people)
    voters = set(state["voters"])
    registered = {u for u, s in state["registrations"][str(site["stream"])] if s == "registered"}
    for o in outcomes:
        kind, user_id = o.key
        if o.response is None:
            continue
        assert o.status < 500, (o.key, o.status, o.response.text[:300])
        if kind == "vote" and voted(o.response):
            assert user_id in voters, f"a vote answered with a receipt is missing: user {user_id}"
        if kind == "register" and o.status == 302 and "/ticket/" in (o.response.location or ""):
            assert user_id in registered, f"a confirmed registration is missing: user {user_id}"
    assert state["ballots_online"] == state["participations_online"]  # no ballot without participation
    assert sum(1 for o in outcomes if o.key[0] == "vote" and o.response is not None and voted(o.response)) > 50
    # the instance serves again: the master replaced the killed workers
    server.wait_healthy(30)
    assert set(killed).isdisjoint(server.worker_pids())
    assert request("GET", server.url + "/healthz").status == 200
    again = HttpSession(server.url).adopt(people[0]).get(vote_path)
    assert again.status in (200, 409)


def test_audit_chain_is_intact_after_the_storm(site):
    """Two instances, four workers, killed workers: the hash chain still verifies; online votes
    are in the participation register, not one chain entry each (the seal covers them)."""
    out = run_in_app(site["url"], "people = %r\n" % site["people"] + r"""
import json
from sqlalchemy import select, func
from hearings.core.audit import AuditEvent, verify
from hearings.priorities.models import Participation
count, broken, reason = verify()
print(json.dumps({"count": count, "broken": broken, "reason": reason,
  "voted": db.session.scalar(select(func.count(AuditEvent.id)).where(
      AuditEvent.action == "pb.voted", AuditEvent.actor_id.in_(people))),
  "online": db.session.scalar(select(func.count(Participation.id)).where(
      Participation.channel == "online", Participation.user_id.in_(people)))}))
""")
    state = json.loads(out.strip().splitlines()[-1])
    assert state["broken"] is None, state
    assert state["count"] >= 200
    assert state["voted"] == 0 and state["online"] > 50
