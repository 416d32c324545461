"""Ballot types and validation codes."""
from decimal import Decimal

import pytest

from hearings.voting import (ApprovalBallot, BallotLimits, CumulativeBallot, Instance,
                             OrdinalBallot, Project, validate_ballot)


def inst(kind="approval", **lim):
    projects = [Project("1", 100), Project("2", 200), Project("3", 300), Project("4", Decimal("50.5"))]
    return Instance(projects, 500, BallotLimits(kind, **lim))


def codes(instance, ballot):
    return [e.code for e in validate_ballot(instance, ballot)]


def test_valid_ballots_have_no_errors():
    assert codes(inst(min_projects=1, max_projects=2), ApprovalBallot({"1", "2"})) == []
    assert codes(inst("knapsack"), ApprovalBallot({"1", "3", "4"})) == []
    assert codes(inst("cumulative", total_points=10, max_points_per_project=5),
                 CumulativeBallot({"1": 5, "2": 5})) == []
    assert codes(inst("ordinal", top_k=3), OrdinalBallot(("3", "1"))) == []


def test_empty_ballot():
    assert codes(inst(), ApprovalBallot(set())) == ["empty_ballot"]
    assert codes(inst("cumulative"), CumulativeBallot({"1": 0})) == ["empty_ballot"]


def test_approval_counts_and_unknown():
    i = inst(min_projects=2, max_projects=3)
    assert codes(i, ApprovalBallot({"1"})) == ["too_few_projects"]
    errs = validate_ballot(i, ApprovalBallot({"1", "2", "3", "4"}))
    assert [e.code for e in errs] == ["too_many_projects"]
    assert errs[0].params == {"count": 4, "max": 3}
    errs = validate_ballot(i, ApprovalBallot({"1", "x"}))
    assert errs[0].code == "unknown_project" and errs[0].params == {"project": "x"}


def test_knapsack_budget_and_min_share():
    i = inst("knapsack", min_share=Decimal("0.5"))
    errs = validate_ballot(i, ApprovalBallot({"2", "3", "1"}))
    assert [e.code for e in errs] == ["over_budget"]
    assert errs[0].params == {"total": 600, "max": 500}
    errs = validate_ballot(i, ApprovalBallot({"1", "4"}))
    assert [e.code for e in errs] == ["under_min_share"]
    assert errs[0].params["total"] == Decimal("150.5")
    # an explicit ballot cap smaller than the budget
    i2 = inst("knapsack", max_cost=250)
    assert codes(i2, ApprovalBallot({"1", "2"})) == ["over_budget"]


def test_cumulative_points():
    i = inst("cumulative", total_points=10, max_points_per_project=6)
    assert codes(i, CumulativeBallot({"1": 6, "2": 5})) == ["too_many_points"]
    assert codes(i, CumulativeBallot({"1": 7})) == ["over_max_per_project"]
    assert codes(i, CumulativeBallot({"1": -1, "2": 3})) == ["negative_points"]
    assert codes(i, CumulativeBallot({"9": 1})) == ["unknown_project"]


def test_ordinal():
    i = inst("ordinal", top_k=2)
    assert codes(i, OrdinalBallot(("1", "2", "3"))) == ["too_many_ranked"]
    assert codes(i, OrdinalBallot(("1", "1"))) == ["duplicate_project"]


def test_wrong_type():
    assert codes(inst(), OrdinalBallot(("1",))) == ["wrong_ballot_type"]


def test_ballots_are_hashable_and_compare_by_content():
    assert CumulativeBallot({"1": 2, "2": 1}) == CumulativeBallot({"2": 1, "1": 2})
    assert len({ApprovalBallot({"1", "2"}), ApprovalBallot(["2", "1"])}) == 1
    assert len({CumulativeBallot({"1": 2}), CumulativeBallot({"1": 2})}) == 1


def test_money_must_not_be_float():
    with pytest.raises(TypeError):
        Project("1", 1.5)
    with pytest.raises(ValueError):
        Project("1", -1)
    with pytest.raises(ValueError):
        Instance([Project("1", 1), Project("1", 2)], 10, BallotLimits())


def test_id_order_is_numeric_and_safe_for_any_length():
    from hearings.voting import id_key

    ids = ["10", "9", "b", "007", "7", "a", "²", "1" + "0" * 5000, "0"]
    assert sorted(ids, key=id_key) == ["0", "007", "7", "9", "10", "1" + "0" * 5000, "a", "b", "²"]


def test_huge_unknown_id_is_an_error_not_a_crash():
    instance = Instance([Project("1", Decimal(100))], Decimal(100), BallotLimits(kind="approval"))
    errors = validate_ballot(instance, ApprovalBallot(frozenset({"9" * 5000, "1"})))
    assert [e.code for e in errors] == ["unknown_project"]
