"""Instances, ballots, ballot limits and ballot validation.

Money (costs, budgets) is ``int`` or ``Decimal`` and is never converted to float;
the rules work on integers scaled by a power of ten (see :func:`money_scale`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Optional, Union

Money = Union[int, Decimal]

KINDS = ("approval", "knapsack", "cumulative", "ordinal")


def _money(value) -> Money:
    """Normalise a cost/budget to int (when integral) or Decimal; refuse floats and negatives."""
    if isinstance(value, bool):
        raise TypeError("money must be int or Decimal, not bool")
    if isinstance(value, int):
        out = value
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"money must be finite: {value}")
        out = int(value) if value == value.to_integral_value() else value.normalize()
    elif isinstance(value, str):
        return _money(Decimal(value.strip()))
    elif isinstance(value, Fraction) and value.denominator == 1:
        out = int(value)
    else:
        raise TypeError(f"money must be int or Decimal, got {type(value).__name__}")
    if out < 0:
        raise ValueError(f"money must not be negative: {value}")
    return out


def id_key(project_id: str):
    """Deterministic order of project ids: numeric ids numerically, then the rest as strings.

    ``'9' < '10' < 'a'``; used as the last tie-breaker of every rule.
    """
    s = str(project_id)
    if s.isascii() and s.isdigit():
        # numeric order without int(): a 5,000-digit id from a form must not raise
        digits = s.lstrip("0") or "0"
        return (0, len(digits), digits, s)
    return (1, 0, "", s)


@dataclass(frozen=True)
class Project:
    id: str
    cost: Money
    name: str = ""
    category: Optional[str] = None
    village: Optional[str] = None

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "cost", _money(self.cost))


@dataclass(frozen=True)
class BallotLimits:
    """Limits a ballot must respect.

    kind: ``approval`` | ``knapsack`` | ``cumulative`` | ``ordinal``.
    min_projects / max_projects: number of projects named (all kinds).
    min_share: knapsack only, fraction (Decimal) of the budget a ballot must spend.
    max_cost: knapsack only, the most a ballot may spend (default: the instance budget).
    total_points / max_points_per_project: cumulative only.
    top_k: ordinal only, how many projects may be ranked.
    borda_weights: ordinal only, points for rank 1, 2, ...; default ``(k, k-1, ..., 1)``
    with ``k = top_k`` (or the longest ranking when ``top_k`` is None).
    """

    kind: str = "approval"
    min_projects: int = 0
    max_projects: Optional[int] = None
    min_share: Optional[Decimal] = None
    total_points: Optional[int] = None
    max_points_per_project: Optional[int] = None
    top_k: Optional[int] = None
    borda_weights: Optional[tuple] = None
    max_cost: Optional[Money] = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown ballot kind {self.kind!r}; expected one of {KINDS}")
        if self.borda_weights is not None:
            object.__setattr__(self, "borda_weights", tuple(self.borda_weights))
        if self.min_share is not None and not isinstance(self.min_share, Decimal):
            object.__setattr__(self, "min_share", Decimal(str(self.min_share)))
        if self.max_cost is not None:
            object.__setattr__(self, "max_cost", _money(self.max_cost))


@dataclass
class Instance:
    projects: list
    budget: Money
    limits: BallotLimits = field(default_factory=BallotLimits)
    sub_budgets: Optional[dict] = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.projects = list(self.projects)
        self.budget = _money(self.budget)
        seen = set()
        for p in self.projects:
            if p.id in seen:
                raise ValueError(f"duplicate project id {p.id!r}")
            seen.add(p.id)
        if self.sub_budgets is not None:
            self.sub_budgets = {str(k): _money(v) for k, v in self.sub_budgets.items()}
        self._by_id = {p.id: p for p in self.projects}

    def project(self, project_id: str) -> Project:
        return self._by_id[project_id]

    @property
    def project_ids(self) -> list:
        return [p.id for p in self.projects]

    def __eq__(self, other):
        if not isinstance(other, Instance):
            return NotImplemented
        return (self.projects == other.projects and self.budget == other.budget
                and self.limits == other.limits and self.sub_budgets == other.sub_budgets
                and self.meta == other.meta)


@dataclass(frozen=True)
class ApprovalBallot:
    """Approval or knapsack ballot: the set of approved project ids."""

    projects: frozenset

    def __post_init__(self):
        object.__setattr__(self, "projects", frozenset(str(p) for p in self.projects))

    def named(self):
        return self.projects


class CumulativeBallot:
    """Points given to projects (ids with 0 points count as not named)."""

    __slots__ = ("points", "_key")

    def __init__(self, points: Mapping):
        pts = {str(k): v for k, v in dict(points).items()}
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "_key", frozenset(pts.items()))

    def __setattr__(self, name, value):
        raise AttributeError("CumulativeBallot is immutable")

    def __eq__(self, other):
        return isinstance(other, CumulativeBallot) and self._key == other._key

    def __hash__(self):
        return hash(("cumulative", self._key))

    def __repr__(self):
        return f"CumulativeBallot({self.points!r})"

    def named(self):
        return frozenset(k for k, v in self.points.items() if v)


@dataclass(frozen=True)
class OrdinalBallot:
    """Ranking, most preferred first."""

    ranking: tuple

    def __post_init__(self):
        object.__setattr__(self, "ranking", tuple(str(p) for p in self.ranking))

    def named(self):
        return frozenset(self.ranking)


Ballot = Union[ApprovalBallot, CumulativeBallot, OrdinalBallot]

ERROR_CODES = (
    "unknown_project", "duplicate_project", "too_few_projects", "too_many_projects",
    "over_budget", "under_min_share", "too_many_points", "over_max_per_project",
    "negative_points", "too_many_ranked", "empty_ballot", "wrong_ballot_type",
)


@dataclass(frozen=True)
class BallotError:
    """A machine-readable validation error: ``code`` (see ERROR_CODES) and ``params``."""

    code: str
    params: dict = field(default_factory=dict, hash=False, compare=True)


_EXPECTED = {"approval": ApprovalBallot, "knapsack": ApprovalBallot,
             "cumulative": CumulativeBallot, "ordinal": OrdinalBallot}


def validate_ballot(instance: Instance, ballot) -> list:
    """Check a ballot against the instance's limits; return a list of :class:`BallotError`.

    An empty list means the ballot is valid. Errors are reported in a fixed order:
    wrong_ballot_type / empty_ballot (alone), unknown_project, duplicate_project,
    negative_points, over_max_per_project, too_many_points, too_few_projects,
    too_many_projects, too_many_ranked, over_budget, under_min_share.
    """
    lim = instance.limits
    expected = _EXPECTED[lim.kind]
    if not isinstance(ballot, expected):
        return [BallotError("wrong_ballot_type", {"expected": lim.kind,
                                                  "got": type(ballot).__name__})]
    errors = []
    known = instance._by_id
    if isinstance(ballot, ApprovalBallot):
        named = list(ballot.projects)
    elif isinstance(ballot, OrdinalBallot):
        named = list(ballot.ranking)
    else:
        named = [k for k, v in ballot.points.items() if v != 0]
    if not named:
        return [BallotError("empty_ballot", {})]
    for pid in sorted(set(named), key=id_key):
        if pid not in known:
            errors.append(BallotError("unknown_project", {"project": pid}))
    if isinstance(ballot, OrdinalBallot):
        seen = set()
        for pid in ballot.ranking:
            if pid in seen:
                errors.append(BallotError("duplicate_project", {"project": pid}))
            seen.add(pid)
    if isinstance(ballot, CumulativeBallot):
        total = 0
        for pid in sorted(ballot.points, key=id_key):
            v = ballot.points[pid]
            if not isinstance(v, int) or isinstance(v, bool):
                errors.append(BallotError("negative_points", {"project": pid, "points": v}))
                continue
            if v < 0:
                errors.append(BallotError("negative_points", {"project": pid, "points": v}))
            elif lim.max_points_per_project is not None and v > lim.max_points_per_project:
                errors.append(BallotError("over_max_per_project", {
                    "project": pid, "points": v, "max": lim.max_points_per_project}))
            if v > 0:
                total += v
        if lim.total_points is not None and total > lim.total_points:
            errors.append(BallotError("too_many_points", {"total": total, "max": lim.total_points}))
    count = len(set(named))
    if lim.min_projects and count < lim.min_projects:
        errors.append(BallotError("too_few_projects", {"count": count, "min": lim.min_projects}))
    if lim.max_projects is not None and count > lim.max_projects:
        errors.append(BallotError("too_many_projects", {"count": count, "max": lim.max_projects}))
    if isinstance(ballot, OrdinalBallot) and lim.top_k is not None and len(ballot.ranking) > lim.top_k:
        errors.append(BallotError("too_many_ranked", {"count": len(ballot.ranking), "max": lim.top_k}))
    if lim.kind == "knapsack":
        total_cost = sum((known[p].cost for p in set(named) if p in known), 0)
        limit = lim.max_cost if lim.max_cost is not None else instance.budget
        if total_cost > limit:
            errors.append(BallotError("over_budget", {"total": total_cost, "max": limit}))
        if lim.min_share is not None:
            need = Decimal(instance.budget) * lim.min_share
            if Decimal(total_cost) < need:
                errors.append(BallotError("under_min_share", {
                    "total": total_cost, "min": need, "min_share": lim.min_share}))
    return errors
