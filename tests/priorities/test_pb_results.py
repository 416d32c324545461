"""Results equal hearings.voting.tally on the stored ballots; exports agree; receipts are found."""
import csv
import io
import json
import random
from decimal import Decimal

import pytest
from hearings.extensions import db
from hearings.priorities import services
from hearings.priorities.models import SubBudget
from hearings.voting import (ApprovalBallot, CumulativeBallot, Instance, OrdinalBallot,
                             Project, read_pb, tally)
from pb_helpers import add_ballots, add_priorities, make_process, set_phase, url

COSTS = [400, 250, 300, 150, 500, 120, 90, 310]


def engine_instance(priorities, budget, limits, subs=None):
    return Instance([Project(p.pid, p.cost) for p in priorities], budget, limits, sub_budgets=subs)


@pytest.mark.parametrize("kind,rule", [("knapsack", "greedy"), ("approval", "phragmen"),
                                       ("cumulative", "greedy"), ("ordinal", "greedy"),
                                       ("approval", "mes-add1-greedy")])
def test_results_equal_engine(users, municipality, client, kind, rule):
    rng = random.Random(hash((kind, rule)) % 1000)
    extra = {"total_points": 6} if kind == "cumulative" else {"top_k": 3} if kind == "ordinal" else {}
    budget = 1000
    p = make_process(municipality, "voting", kind=kind, budget=budget, rule=rule, **extra)
    prios = add_priorities(p, COSTS)
    ids = [x.pid for x in prios]
    contents, engine_ballots = [], []
    for _ in range(60):
        picked = rng.sample(ids, rng.randint(1, 4))
        if kind in ("approval", "knapsack"):
            if kind == "knapsack":
                while sum(COSTS[ids.index(i)] for i in picked) > budget:
                    picked.pop()
            contents.append({"approve": picked})
            engine_ballots.append(ApprovalBallot(frozenset(picked)))
        elif kind == "cumulative":
            pts = {pid: rng.randint(1, 2) for pid in picked[:3]}
            contents.append({"points": pts})
            engine_ballots.append(CumulativeBallot(pts))
        else:
            contents.append({"rank": picked[:3]})
            engine_ballots.append(OrdinalBallot(tuple(picked[:3])))
    add_ballots(p, contents)
    set_phase(p, "results")
    limits = services.limits_of(p)
    expected = tally(engine_instance(prios, Decimal(budget), limits), engine_ballots, rule)
    res = services.results(p)
    assert res["outcome"].selected == expected.selected
    assert res["spent"] == sum(Decimal(COSTS[ids.index(i)]) for i in expected.selected)
    for other in ("greedy", "mes", "phragmen"):
        assert res["outcomes"][other].selected == tally(engine_instance(prios, Decimal(budget), limits),
                                                        engine_ballots, other).selected
    # CSV and JSON say the same
    rows = list(csv.DictReader(io.StringIO(client.get(url(p, "results.csv")).get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["project_id"] for r in rows if r["selected"] == "1"} == set(expected.selected)
    data = json.loads(client.get(url(p, "results.json")).data)
    assert data["selected"] == expected.selected and data["ballots"] == 60
    # the .pb export has the selected column and the same ballots
    pb = read_pb(client.get(url(p, "results.pb")).get_data(as_text=True))
    assert set(pb.selected) == set(expected.selected)
    assert len(pb.ballots) == 60
    # the results page shows the winners and the rule in words
    text = client.get(url(p, "results") + "?lang=en").get_data(as_text=True)
    assert "Total spent" in text and "<svg" in text
    for pid in expected.selected:
        assert f"Project {ids.index(pid) + 1}<" in text


def test_sub_budgets_are_respected(users, municipality, client):
    p = make_process(municipality, "results", kind="approval", budget=1000)
    prios = add_priorities(p, [300, 300, 300, 300])  # villages alternate 1, 0, 1, 0
    v1 = municipality.villages[1]
    db.session.add(SubBudget(process_id=p.id, village_id=v1.id, amount=Decimal(300)))
    db.session.commit()
    add_ballots(p, [{"approve": [x.pid for x in prios]}] * 3)
    res = services.results(p)
    in_v1 = [x.pid for x in prios if x.village_id == v1.id]
    assert len(set(res["outcome"].selected) & set(in_v1)) == 1
    assert services.instance_of(p).sub_budgets == {v1.name_ru: 300}


def test_receipt_lookup(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200])]
    login_as(users["resident"])
    r = client.post(url(p, "vote"), data={"p": [ids[1]]})
    receipt = r.get_data(as_text=True).split('id="receipt">', 1)[1].split("<", 1)[0]
    assert len(receipt) == 11 and receipt[5] == "-"
    set_phase(p, "results")
    r = client.get(url(p, "ballots") + f"?receipt={receipt.lower().replace('-', ' ')}")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and f"<strong>{receipt}</strong>" in text and "Project 2" in text.split('id="found"')[1]
    # copied by hand on a Cyrillic keyboard: А, В, Е, К, М, Н, О, Р, С, Т, Х look the same
    cyrillic = receipt.translate(str.maketrans("ABEKMHOPCTX", "АВЕКМНОРСТХ"))
    r = client.get(url(p, "ballots") + f"?receipt={cyrillic}")
    assert r.status_code == 200 and f"<strong>{receipt}</strong>" in r.get_data(as_text=True)
    assert client.get(url(p, "ballots") + "?receipt=P" + "9" * 5000).status_code in (400, 404)
    r = client.get(url(p, "ballots") + "?receipt=ZZZZZ-ZZZZZ")
    assert r.status_code == 404 and "No ballot has this receipt code" in r.get_data(as_text=True)
    # the anonymised list shows the ballot without any name
    text = client.get(url(p, "ballots")).get_data(as_text=True)
    assert receipt in text and users["resident"].full_name not in text.split("<main", 1)[1]


def test_outcomes_are_cached_and_refreshed(users, municipality):
    from hearings.priorities.models import TallyCache

    p = make_process(municipality, "results", kind="approval", budget=300)
    a, b = add_priorities(p, [200, 250])
    add_ballots(p, [{"approve": [a.pid]}] * 2)
    assert services.results(p)["outcome"].selected == [a.pid]
    row = db.session.get(TallyCache, p.id)
    assert row.data["greedy"]["selected"] == [a.pid]
    services._TALLY_CACHE.clear()  # another worker: reads the stored outcome
    assert services.results(p)["outcome"].selected == [a.pid]
    add_ballots(p, [{"approve": [b.pid]}] * 3)  # new paper ballots entered: recomputed
    assert services.results(p)["outcome"].selected == [b.pid]
    db.session.expire_all()
    assert db.session.get(TallyCache, p.id).data["greedy"]["selected"] == [b.pid]
