"""Helpers for the participatory-budgeting tests: processes in a chosen phase, priorities, votes."""
import secrets
from datetime import timedelta
from decimal import Decimal

from hearings.core.models import utcnow
from hearings.extensions import db
from hearings.priorities import services
from hearings.priorities.models import Ballot, PBProcess, Priority

PASSWORD = "correct-horse-1"  # tests/conftest.py
DAY = timedelta(days=1)
PHASE_OFFSETS = {  # days of (submission_opens, submission_closes, voting_opens, voting_closes, execution_starts)
    "upcoming": (1, 2, 3, 4, 5),
    "submission": (-1, 2, 3, 4, 5),
    "review": (-3, -2, 3, 4, 5),
    "voting": (-3, -2, -1, 4, 5),
    "results": (-4, -3, -2, -1, 5),
    "execution": (-5, -4, -3, -2, -1),
}


def make_process(municipality, phase="voting", kind="knapsack", budget=1000, rule="greedy", **limits):
    now = utcnow()
    o = PHASE_OFFSETS[phase]
    p = PBProcess(municipality_id=municipality.id, title=f"PB {kind}", budget=Decimal(budget),
                  categories=["Roads", "Water"], ballot_kind=kind, rule=rule,
                  submission_opens=now + o[0] * DAY, submission_closes=now + o[1] * DAY,
                  voting_opens=now + o[2] * DAY, voting_closes=now + o[3] * DAY,
                  execution_starts=now + o[4] * DAY, min_projects=limits.pop("min_projects", 0), **limits)
    db.session.add(p)
    db.session.commit()
    return p


def add_priorities(process, costs, status="accepted", author=None):
    out = []
    for i, cost in enumerate(costs, 1):
        p = Priority(process_id=process.id, title=f"Project {len(process.priorities) + i}",
                     description="Needed.", category="Roads", estimated_cost=Decimal(cost), status=status,
                     author_id=author.id if author else None,
                     village_id=process.municipality.villages[i % 2].id)
        db.session.add(p)
        out.append(p)
    db.session.commit()
    return out


def add_ballots(process, contents, channel="online"):
    for content in contents:
        db.session.add(Ballot(id=secrets.token_hex(16), process_id=process.id,
                              receipt=services.new_receipt(), channel=channel, content=content))
    db.session.commit()


def set_phase(process, phase):
    now = utcnow()
    o = PHASE_OFFSETS[phase]
    for attr, days in zip(("submission_opens", "submission_closes", "voting_opens", "voting_closes",
                           "execution_starts"), o):
        setattr(process, attr, now + days * DAY)
    db.session.commit()


def url(process, tail=""):
    return f"/m/{process.municipality.slug}/pb/{process.id}/{tail}"


def client_for(app, user):
    """A separate test client logged in as `user`, UI in English."""
    c = app.test_client()
    c.get("/lang/en")
    r = c.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 302
    return c
