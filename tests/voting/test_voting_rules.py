"""Hand-checked small cases for every rule."""
from decimal import Decimal
from fractions import Fraction

import pytest

from hearings.voting import (RULES, ApprovalBallot as A, BallotLimits, CumulativeBallot,
                             Instance, OrdinalBallot, Project, tally)


def approvals(spec):
    """spec: list of (count, "ids")."""
    out = []
    for count, ids in spec:
        out += [A(set(ids.split()))] * count
    return out


def inst(costs, budget, kind="approval", **kw):
    return Instance([Project(pid, c) for pid, c in costs.items()], budget, BallotLimits(kind), **kw)


# greedy ---------------------------------------------------------------------------


def test_greedy_skips_projects_that_no_longer_fit():
    i = inst({"a": 60, "b": 50, "c": 40}, 100)
    b = approvals([(5, "a"), (4, "b"), (3, "c")])
    out = tally(i, b, "greedy")
    assert out.selected == ["a", "c"] and out.cost == 100
    assert out.support == {"a": 5, "b": 4, "c": 3}


def test_greedy_no_skip_stops():
    i = inst({"a": 60, "b": 50, "c": 40}, 100)
    b = approvals([(5, "a"), (4, "b"), (3, "c")])
    assert tally(i, b, "greedy-no-skip").selected == ["a"]


def test_greedy_threshold():
    i = inst({"a": 10, "b": 10, "c": 10}, 100, meta={"min_project_score_threshold": "4"})
    b = approvals([(5, "a"), (4, "b"), (3, "c")])
    assert tally(i, b, "greedy-threshold").selected == ["a", "b"]
    assert tally(i, b, "greedy-threshold", threshold=5).selected == ["a"]
    with pytest.raises(ValueError):
        tally(inst({"a": 1}, 1), [], "greedy-threshold")


def test_greedy_tie_breaking_cost_then_id():
    # equal support: cheaper first; equal cost too: numeric id order ('9' before '10')
    i = inst({"10": 50, "9": 50, "x": 40}, 90)
    b = approvals([(2, "10 9 x")])
    assert tally(i, b, "greedy").selected == ["x", "9"]


def test_greedy_cumulative_uses_points():
    i = Instance([Project("a", 50), Project("b", 50)], 50, BallotLimits("cumulative"))
    b = [CumulativeBallot({"a": 1, "b": 9}), CumulativeBallot({"a": 2})]
    out = tally(i, b, "greedy")
    assert out.selected == ["b"] and out.support == {"a": 3, "b": 9}


def test_greedy_ordinal_uses_borda():
    i = Instance([Project(x, 10) for x in "abc"], 10, BallotLimits("ordinal", top_k=3))
    b = [OrdinalBallot(("a", "b", "c"))] * 2 + [OrdinalBallot(("b", "c", "a"))] * 2 \
        + [OrdinalBallot(("c", "b"))]
    out = tally(i, b, "greedy")
    # a: 3+3+1+1=8, b: 2+2+3+3+2=12, c: 1+1+2+2+3=9
    assert out.support == {"a": 8, "b": 12, "c": 9}
    assert out.selected == ["b"]
    i2 = Instance(i.projects, 10, BallotLimits("ordinal", borda_weights=(10, 1)))
    assert tally(i2, b, "greedy").support == {"a": 20, "b": 23, "c": 12}


def test_decimal_costs_and_sub_budgets():
    projects = [Project("a", Decimal("60.50"), category="roads"), Project("b", Decimal("40.25"), category="roads"),
                Project("c", Decimal("30"), category="parks")]
    i = Instance(projects, Decimal("200"), BallotLimits(), sub_budgets={"roads": Decimal("70")})
    b = approvals([(5, "a"), (4, "b"), (3, "c")])
    out = tally(i, b, "greedy")
    assert out.selected == ["a", "c"] and out.cost == Decimal("90.50")


# MES ------------------------------------------------------------------------------


def test_mes_proportional_split():
    # 6 voters want x1..x3 (each 100), 4 voters want y1..y3; budget 300 -> 30 per voter.
    i = inst({"x1": 100, "x2": 100, "x3": 100, "y1": 100, "y2": 100, "y3": 100}, 300)
    b = approvals([(6, "x1 x2 x3"), (4, "y1 y2 y3")])
    assert tally(i, b, "greedy").selected == ["x1", "x2", "x3"]
    out = tally(i, b, "mes")
    # x group (180) buys x1 at 100/6 each, left 80 < 100; y group (120) buys y1 at 25 each.
    assert out.selected == ["x1", "y1"] and out.cost == 200
    # add1: at 41..49 per voter the x group buys 2, the y group 1 (cost 300); at 50 it
    # would be 3 + 2 = 500 > 300, so add1 stops at 49.
    out = tally(i, b, "mes-add1")
    assert out.selected == ["x1", "x2", "y1"] and out.cost == 300
    assert out.details["voter_budget"] == 49


def test_mes_ties_by_cost_then_votes_then_id():
    i = inst({"a": 10, "b": 10, "c": 5}, 10)
    b = approvals([(1, "a b c")])
    assert tally(i, b, "mes").selected[0] == "c"


def test_mes_never_selects_unsupported_or_zero_cost_with_cost_utility():
    i = inst({"a": 0, "b": 10, "c": 5}, 100)
    b = approvals([(2, "a b")])
    out = tally(i, b, "mes")
    assert out.selected == ["b"]
    assert set(tally(i, b, "mes-approval").selected) == {"a", "b"}


def test_mes_add1_raises_voter_budget():
    # budget 100, 2 voters: a costs 60 (voter 1 alone), b 40 (voter 2 alone); floor(B/n)=50.
    i = inst({"a": 60, "b": 40}, 100)
    b = approvals([(1, "a"), (1, "b")])
    assert tally(i, b, "mes").selected == ["b"]
    out = tally(i, b, "mes-add1")
    assert sorted(out.selected) == ["a", "b"]
    assert out.details["voter_budget"] == 60


def test_mes_add1_does_not_stop_at_first_exhaustive_outcome():
    # per-voter 5: c (cost 10, both voters) is exhaustive? budget 12: {c} leaves 2 < any project.
    # Keep raising: at 6 per voter, a (6) and b (6) are each affordable by one voter and
    # cost 12 <= 12.  Pabulib's add1 keeps raising and ends with {a, b}.
    i = inst({"a": 6, "b": 6, "c": 10}, 12)
    b = approvals([(1, "a c"), (1, "b c")])
    out = tally(i, b, "mes-add1")
    assert out.selected  # whatever happens it is within budget
    assert out.cost <= 12


def test_mes_add1_greedy_completes():
    i = inst({"a": 60, "b": 45, "c": 30}, 100)
    b = approvals([(3, "a"), (1, "b c")])
    add1 = tally(i, b, "mes-add1")
    full = tally(i, b, "mes-add1-greedy")
    assert full.selected[: len(add1.selected)] == add1.selected
    assert full.cost <= 100 and full.cost >= add1.cost


def test_mes_comparison_reports_vote():
    i = inst({"a": 60, "b": 40}, 100)
    b = approvals([(1, "a"), (1, "b")])
    out = tally(i, b, "mes-comparison")
    assert out.details["winner"] in ("mes", "greedy")
    assert out.details["prefer_mes"] + out.details["prefer_greedy"] <= 2


# Phragmén -------------------------------------------------------------------------


def test_phragmen_loads():
    # a: 3 voters, cost 30 -> load 10; b: 1 voter cost 5 -> load 5 (first); c supported by
    # the a-voters: (30 + 30)/3 = 20
    i = inst({"a": 30, "b": 5, "c": 30}, 100)
    b = approvals([(3, "a c"), (1, "b")])
    assert tally(i, b, "phragmen").selected == ["b", "a", "c"]


def test_phragmen_stops_instead_of_skipping():
    i = inst({"a": 80, "b": 50, "c": 10}, 100)
    b = approvals([(10, "a"), (5, "b"), (1, "c")])
    assert tally(i, b, "phragmen").selected == ["a"]
    assert tally(i, b, "greedy").selected == ["a", "c"]


# common ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_handles_no_ballots_and_stays_in_budget(rule):
    i = inst({"a": 60, "b": 45}, 100, meta={"min_project_score_threshold": "0"})
    out = tally(i, [], rule)
    assert out.cost <= 100
    out = tally(i, approvals([(2, "a b")]), rule)
    assert out.cost <= 100 and out.rule == rule


def test_grouped_ballots_mapping_gives_same_result():
    i = inst({"a": 60, "b": 50, "c": 40}, 100)
    b = approvals([(5, "a"), (4, "b c"), (3, "c")])
    grouped = {A({"a"}): 5, A({"b", "c"}): 4, A({"c"}): 3}
    for rule in ("greedy", "mes", "phragmen", "mes-add1"):
        assert tally(i, b, rule).selected == tally(i, grouped, rule).selected


def test_unknown_rule_and_project():
    i = inst({"a": 1}, 1)
    with pytest.raises(ValueError):
        tally(i, [], "borda-count")
    with pytest.raises(ValueError):
        tally(i, [A({"zz"})], "greedy")
    assert tally(i, [A({"a"})], "equalshares/add1").rule == "mes-add1"


def test_fraction_support_with_fractional_borda():
    i = Instance([Project("a", 1)], 1, BallotLimits("ordinal", borda_weights=(Fraction(1, 2),)))
    assert tally(i, [OrdinalBallot(("a",))] * 3, "greedy").support == {"a": Fraction(3, 2)}


def test_mes_exact_paths_on_degenerate_ties():
    """Payments equal to voter budgets exactly, and near-ties between projects, go through
    the exact (rational) paths of the lazy MES; the outcome matches pabutools."""
    from voting_oracle import reference

    inst = Instance([Project("1", 30), Project("2", 20), Project("3", 20), Project("4", 10),
                     Project("5", 7)], 60)
    # b0 = 10: project 1 costs exactly 3 x 10 (its supporters pay their whole budget),
    # projects 2 and 3 tie exactly, project 5 is affordable only by a hair's breadth
    ballots = [A({"1", "2", "5"}), A({"1", "3"}), A({"1", "2", "3"}), A({"2", "4"}),
               A({"3", "4", "5"}), A({"4"})]
    for rule in ("mes", "mes-approval", "phragmen"):
        assert set(tally(inst, ballots, rule).selected) == reference(inst, ballots, rule), rule
    # many voters, one (ballot) group of each kind: budgets shared by thousands of voters
    big = [b for b in ballots for _ in range(1000)]
    inst_big = Instance([Project(p.id, p.cost * 1000) for p in inst.projects], 60_000)
    assert tally(inst_big, big, "mes").selected == tally(inst, ballots, "mes").selected
