"""pabutools configured like hearings.voting (the reference for oracle tests and bench/tally.py).

Mapping (see hearings/voting/README.md):
  greedy          -> greedy_utilitarian_welfare, sat = points x cost (Cost_Sat for approval)
  greedy-no-skip  -> (no pabutools rule; not compared)
  mes             -> method_of_equal_shares(sat_class=Cost_Sat)
  mes-approval    -> method_of_equal_shares(sat_class=Cardinality_Sat)
  mes-add1        -> exhaustion_by_budget_increase(method_of_equal_shares, exhaustive_stop=False,
                     budget_step=n)  (starts at B/n: equal to Pabulib's add1 when n divides B)
  mes-add1-greedy -> completion_by_rule_combination([mes-add1, greedy])
  phragmen        -> sequential_phragmen
Tie-breaking everywhere: (cost, -votes, id_key(id)), as hearings.voting.
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction

from pabutools.election import (AdditiveSatisfaction, ApprovalBallot as PApproval, ApprovalProfile,
                                Cardinality_Sat, CardinalBallot, CardinalProfile, Cost_Sat,
                                Instance as PInstance, Project as PProject)
from pabutools.rules import (completion_by_rule_combination, exhaustion_by_budget_increase,
                             greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen)
from pabutools.tiebreaking import TieBreakingRule

from hearings.voting import ApprovalBallot, CumulativeBallot, OrdinalBallot, id_key


def _points_cost_sat_func(instance, profile, ballot, project, precomputed_values):
    return ballot.get(project, 0) * project.cost


class PointsCostSat(AdditiveSatisfaction):
    """Satisfaction = points x cost, so that greedy ranks by total points."""

    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot, _points_cost_sat_func)


def borda_points(instance, ballots):
    lim = instance.limits
    if lim.borda_weights is not None:
        w = list(lim.borda_weights)
    else:
        k = lim.top_k if lim.top_k is not None else max((len(b.ranking) for b in ballots), default=0)
        w = list(range(k, 0, -1))
    return w


def to_pabutools(instance, ballots):
    """Return (pinstance, profile, kind, projects_by_id, tie_breaking)."""
    ballots = list(ballots)
    projects = {p.id: PProject(p.id, Fraction(p.cost)) for p in instance.projects}
    pinst = PInstance(projects.values(), budget_limit=Fraction(instance.budget))
    votes = Counter()
    for b in ballots:
        if isinstance(b, CumulativeBallot):
            votes.update(k for k, v in b.points.items() if v)
        else:
            votes.update(b.named())
    kind = "approval"
    if ballots and isinstance(ballots[0], ApprovalBallot):
        prof = ApprovalProfile([PApproval(projects[p] for p in b.projects) for b in ballots],
                               instance=pinst)
    elif ballots and isinstance(ballots[0], CumulativeBallot):
        kind = "cardinal"
        prof = CardinalProfile([CardinalBallot({projects[p]: v for p, v in b.points.items() if v})
                                for b in ballots], instance=pinst)
    elif ballots and isinstance(ballots[0], OrdinalBallot):
        kind = "cardinal"
        w = borda_points(instance, ballots)
        prof = CardinalProfile([CardinalBallot({projects[p]: (w[i] if i < len(w) else 0)
                                                for i, p in enumerate(b.ranking)})
                                for b in ballots], instance=pinst)
    else:
        prof = ApprovalProfile([], instance=pinst)
    tb = TieBreakingRule(lambda inst, prof_, p: (p.cost, -votes[p.name], id_key(p.name)))
    return pinst, prof, kind, projects, tb


def approval_projection(instance, ballots):
    """Approval ballots naming the same projects (MES / Phragmén on other ballot types)."""
    return [b if isinstance(b, ApprovalBallot) else ApprovalBallot(b.named()) for b in ballots]


def reference(instance, ballots, rule, multiprofile=True):
    """Set of project ids selected by pabutools for ``rule``."""
    ballots = list(ballots)
    if rule != "greedy":
        ballots = approval_projection(instance, ballots)
    pinst, prof, kind, projects, tb = to_pabutools(instance, ballots)
    if multiprofile and kind == "approval" and rule != "greedy":
        prof = prof.as_multiprofile()
    if rule == "greedy":
        sat = Cost_Sat if kind == "approval" else PointsCostSat
        out = greedy_utilitarian_welfare(pinst, prof, sat_class=sat, tie_breaking=tb)
    elif rule == "mes":
        out = method_of_equal_shares(pinst, prof, sat_class=Cost_Sat, tie_breaking=tb)
    elif rule == "mes-approval":
        out = method_of_equal_shares(pinst, prof, sat_class=Cardinality_Sat, tie_breaking=tb)
    elif rule in ("mes-add1", "mes-add1-greedy"):
        n = prof.num_ballots()
        params = {"sat_class": Cost_Sat, "tie_breaking": tb}
        if rule == "mes-add1":
            out = exhaustion_by_budget_increase(pinst, prof, method_of_equal_shares, params,
                                                exhaustive_stop=False, budget_step=n)
        else:
            out = completion_by_rule_combination(
                pinst, prof,
                [exhaustion_by_budget_increase, greedy_utilitarian_welfare],
                [{"rule": method_of_equal_shares, "rule_params": params,
                  "exhaustive_stop": False, "budget_step": n},
                 {"sat_class": Cost_Sat, "tie_breaking": tb}])
    elif rule == "phragmen":
        out = sequential_phragmen(pinst, prof, tie_breaking=tb)
    else:
        raise ValueError(rule)
    return {p.name for p in out}
