"""Tallying rules: greedy variants, Method of Equal Shares (MES) and sequential Phragmén.

Exactness: money is scaled to integers (``10**d`` where ``d`` is the largest number of
decimal places among costs and the budget); exact voter budgets and loads are rationals
(gmpy2 ``mpq``, else :class:`fractions.Fraction`). NumPy float64 is used only to
*screen* candidates; every comparison that decides the outcome (who has the minimal
price / load, whether a project is affordable, whether a voter can pay in full) is
re-done exactly whenever the float values are within a relative 1e-9 of each other. A
lone candidate within that window is the exact optimum, so on real elections the exact
work is rare: MES computes exact payments lazily, only when a near-tie needs them.

Speed: identical ballots are grouped (``Counter``); voters with the same ballot always
hold the same MES budget and Phragmén load, so the state is one array entry per distinct
ballot. Both MES and Phragmén use lazy evaluation (budgets only shrink, loads only
grow, so a project's last computed price/load is a lower bound): each step re-evaluates
only the few candidates whose bound is below the best current value, each with O(its
supporters) NumPy work (MES: Newton's method on sum(w * min(b, p)) = cost).

Tie-breaking (all rules, after the rule's own criterion): lower cost, then more
voters naming the project, then project id (numeric ids numerically, then others as
strings; see :func:`~hearings.voting.model.id_key`).
"""
from __future__ import annotations

from collections import Counter
from itertools import chain
from operator import attrgetter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Optional

import numpy as np

try:  # exact rationals in C when available (same values as fractions.Fraction, ~10x faster)
    from gmpy2 import mpq as Q
except ImportError:  # pragma: no cover
    Q = Fraction

from .model import (ApprovalBallot, CumulativeBallot, Instance, OrdinalBallot, id_key)

RULES = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "mes",
    "mes-add1",
    "mes-add1-greedy",
    "mes-comparison",
    "mes-approval",
    "phragmen",
)

#: META ``rule`` values of pabulib files -> our rule names (used by ``--rule official``).
OFFICIAL_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1-greedy": "mes-add1-greedy",
    "equalshares/add1-comparison": "mes-comparison",
    "equalshares-comparison": "mes-comparison",
    "phragmen": "phragmen",
    "sequential-phragmen": "phragmen",
}

_TOL = 1e-9


def official_rule(meta_rule: Optional[str]) -> Optional[str]:
    """Our rule name for a pabulib META ``rule`` value, or None when not implemented."""
    if meta_rule is None:
        return None
    return OFFICIAL_RULES.get(meta_rule.strip())


@dataclass
class Outcome:
    """Result of a tally.

    ``selected``: project ids in selection order; ``cost``: their total cost (int or
    Decimal, same unit as the instance); ``support``: per project, the support the rule
    ranked by (approvals, points, Borda score), as int or Fraction; ``details``: rule
    specific facts (e.g. the add1 per-voter budget, the comparison vote).
    """

    rule: str
    selected: list
    cost: object
    support: dict
    details: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- profile


def _scale_of(values) -> int:
    d = 0
    for v in values:
        if isinstance(v, Decimal):
            exp = v.normalize().as_tuple().exponent
            if isinstance(exp, int) and exp < 0:
                d = max(d, -exp)
    return 10 ** d

class _Profile:
    """Grouped ballots in array form.

    ``G`` distinct ballots with multiplicities ``w``; the (ballot, project) pairs are
    stored ballot by ballot (``pair_g`` ascending, CSR offsets ``gptr``) and, per project,
    the ballots naming it (``supp_groups[j]``) with their multiplicities (``supp_w[j]``).
    Memory is O(distinct ballots + pairs).
    """

    def __init__(self, instance: Instance, ballots):
        self.instance = instance
        self.ids = instance.project_ids
        self.idx = {pid: j for j, pid in enumerate(self.ids)}
        self.m = m = len(self.ids)
        costs = [p.cost for p in instance.projects]
        self.scale = scale = _scale_of(costs + [instance.budget])
        self.cost = [int(Decimal(c) * scale) for c in costs]
        self.budget = int(Decimal(instance.budget) * scale)
        if isinstance(ballots, Mapping):
            counter = Counter({b: int(c) for b, c in ballots.items() if c})
        else:
            ballots = ballots if isinstance(ballots, list) else list(ballots)
            if set(map(type, ballots)) == {ApprovalBallot}:
                # fast path: group on the (hash-cached) frozensets themselves
                counter = Counter(map(attrgetter("projects"), ballots))
            else:
                counter = Counter(ballots)
        self.n = sum(counter.values())
        self.G = G = len(counter)
        self.w = np.fromiter(counter.values(), dtype=np.int64, count=G)
        lim = instance.limits
        idx = self.idx
        pair_w = None
        if G and set(map(type, counter)) == {frozenset}:
            keys = list(counter)
            lens = np.fromiter(map(len, keys), dtype=np.int64, count=G)
            total = int(lens.sum())
            try:
                pair_p = np.fromiter(map(idx.__getitem__, chain.from_iterable(keys)),
                                     dtype=np.int64, count=total)
            except KeyError as exc:
                raise ValueError(f"ballot names unknown project {exc.args[0]!r}") from None
            pair_g = np.repeat(np.arange(G, dtype=np.int64), lens)
            pair_w = np.repeat(self.w.astype(np.float64), lens)
            votes = np.bincount(pair_p, weights=pair_w, minlength=m)
            score = [int(v) for v in votes]
        else:
            groups = list(counter.items())
            weights = self._borda_weights(groups) if lim.kind == "ordinal" else None
            pair_g, pair_p = [], []
            score = [0] * m
            for g, (b, c) in enumerate(groups):
                if isinstance(b, ApprovalBallot):
                    items = [(p, 1) for p in b.projects]
                elif isinstance(b, CumulativeBallot):
                    items = [(p, v) for p, v in b.points.items() if v]
                elif isinstance(b, OrdinalBallot):
                    seen = set()
                    items = []
                    for pos, p in enumerate(b.ranking):
                        if p in seen:
                            raise ValueError(f"project {p!r} ranked twice in a ballot")
                        seen.add(p)
                        items.append((p, weights[pos] if pos < len(weights) else 0))
                else:
                    raise TypeError(f"not a ballot: {b!r}")
                for p, sc in items:
                    j = idx.get(p)
                    if j is None:
                        raise ValueError(f"ballot names unknown project {p!r}")
                    pair_g.append(g)
                    pair_p.append(j)
                    score[j] += c * sc
            pair_g = np.array(pair_g, dtype=np.int64)
            pair_p = np.array(pair_p, dtype=np.int64)
        self.pair_g = pair_g
        self.pair_p = pair_p
        self.gptr = np.zeros(G + 1, dtype=np.int64)
        if G:
            np.cumsum(np.bincount(pair_g, minlength=G), out=self.gptr[1:])
        if pair_w is None:
            pair_w = self.w[pair_g].astype(np.float64) if pair_g.size else np.zeros(0)
            votes = np.bincount(pair_p, weights=pair_w, minlength=m)
        self.pair_w = pair_w
        self.votes_arr = votes
        self.votes = [int(v) for v in self.votes_arr]
        self.score = [s if not isinstance(s, Fraction) or s.denominator != 1 else int(s)
                      for s in score]
        self.tie = [(self.cost[j], -self.votes[j], id_key(self.ids[j])) for j in range(m)]
        self._supp = None
        # sub-budgets: for each project the list of sub-budget keys it draws on
        sub = instance.sub_budgets or {}
        self.sub_total = {k: int(Decimal(v) * scale) for k, v in sub.items()}
        self.sub_keys = []
        for p in instance.projects:
            keys = []
            for k in (p.category, p.village):
                if k is not None and k in sub and k not in keys:
                    keys.append(k)
            self.sub_keys.append(keys)

    def _supporters(self):
        """Per project: ballot groups naming it (int64) and their multiplicities (float64)."""
        if self._supp is None:
            m = self.m
            # small unsigned keys -> NumPy uses a (fast, stable) radix sort
            key = self.pair_p.astype(np.uint16 if m < 65536 else np.int64)
            order = np.argsort(key, kind="stable")
            bounds = np.searchsorted(key[order], np.arange(m + 1))
            sg = self.pair_g[order]
            groups = [sg[bounds[j]:bounds[j + 1]] for j in range(m)]
            ws = [self.w[g].astype(np.float64) for g in groups]
            self._supp = (groups, ws)
        return self._supp

    @property
    def supp_groups(self):
        return self._supporters()[0]

    def pairs_of(self, groups):
        """Indices into the pair arrays of all pairs of the given ballot groups."""
        start = self.gptr[groups]
        lens = self.gptr[groups + 1] - start
        total = int(lens.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        offs = np.cumsum(lens) - lens
        return np.repeat(start - offs, lens) + np.arange(total, dtype=np.int64)

    def _borda_weights(self, groups):
        lim = self.instance.limits
        if lim.borda_weights is not None:
            return list(lim.borda_weights)
        k = lim.top_k
        if k is None:
            k = max((len(b.ranking) for b, _ in groups), default=0)
        return list(range(k, 0, -1))

    def outcome_cost(self, selected):
        total = sum(self.instance.project(pid).cost for pid in selected)
        return total

    def project_set(self, js):
        return [self.ids[j] for j in js]


class _Spend:
    """Tracks the money left in the total budget and the sub-budgets."""

    def __init__(self, P: _Profile, total: Optional[int]):
        self.P = P
        self.left = total
        self.sub_left = dict(P.sub_total)

    def fits(self, j) -> bool:
        c = self.P.cost[j]
        if self.left is not None and c > self.left:
            return False
        return all(c <= self.sub_left[k] for k in self.P.sub_keys[j])

    def fits_sub(self, j) -> bool:
        c = self.P.cost[j]
        return all(c <= self.sub_left[k] for k in self.P.sub_keys[j])

    def take(self, j):
        c = self.P.cost[j]
        if self.left is not None:
            self.left -= c
        for k in self.P.sub_keys[j]:
            self.sub_left[k] -= c


# --------------------------------------------------------------------------- greedy


def _greedy(P: _Profile, *, no_skip=False, threshold=None, start=(), spend=None):
    if spend is None:
        spend = _Spend(P, P.budget)
        for j in start:
            spend.take(j)
    chosen = set(start)
    order = sorted(range(P.m), key=lambda j: (-P.score[j],) + P.tie[j])
    out = []
    for j in order:
        if j in chosen:
            continue
        if threshold is not None and P.score[j] < threshold:
            continue
        if spend.fits(j):
            spend.take(j)
            out.append(j)
        elif no_skip:
            break
    return out


# --------------------------------------------------------------------------- MES


class _MesState:
    """MES budgets per distinct ballot (voters with the same ballot always hold the same
    budget, so no finer classes are needed).

    Exact budgets are never stored per ballot: a ballot's budget is 0 once it has been
    exhausted (``exh``), otherwise ``b0`` minus the exact payments of the selected
    projects it approves. ``fb`` holds float budgets for screening (within ~1e-14 * b0 of
    the exact values); every comparison closer than ``margin`` is redone exactly.

    Exact payments are computed lazily: for each selection we record who was poor (paid
    the whole budget) and the weight of the others, which determines the exact payment
    whenever an exact budget is needed (near-ties, borderline comparisons).
    """

    def __init__(self, P: _Profile, value):
        self.P = P
        self.b0 = Q(value)
        self.b0f = float(self.b0)
        self.fb = np.full(P.G, self.b0f)
        self.exh = np.zeros(P.G, dtype=bool)
        self.pay = {}                      # selected project -> exact payment (resolved)
        self.step = np.full(P.m, P.m + 1, dtype=np.int64)   # selection step of a project
        self.records = []                  # per step: (j, cost, poor live groups, their w, rich w)
        self.resolved = 0
        self._memo = {}

    def margin(self, pf):
        return 1e-9 * max(pf, self.b0f)

    # -- exact values --------------------------------------------------------------
    def _poor_sum(self, groups, wts, before):
        """Exact sum of w * budget over live ``groups``, budgets as before step ``before``."""
        if groups.size == 0:
            return Q(0)
        total = self.b0 * int(wts.sum())
        if before:
            P = self.P
            pairs = P.pairs_of(groups)
            pp = P.pair_p[pairs]
            keep = self.step[pp] < before
            if keep.any():
                cnt = np.bincount(pp[keep], weights=P.pair_w[pairs][keep], minlength=P.m)
                for k in np.nonzero(cnt)[0].tolist():
                    total -= int(cnt[k]) * self.pay[k]
        return total

    def resolve(self):
        """Compute the exact payments of all selections made so far."""
        while self.resolved < len(self.records):
            s = self.resolved
            j, cost, pg, pw, rich_w, p = self.records[s]
            if p is None:
                p = (Q(cost) - self._poor_sum(pg, pw, s)) / rich_w
            self.pay[j] = p
            self.resolved += 1

    def exact_budget(self, g: int):
        if self.exh[g]:
            return Q(0)
        P = self.P
        ks = P.pair_p[P.gptr[g]:P.gptr[g + 1]]
        key = tuple(ks[self.step[ks] <= P.m].tolist())
        v = self._memo.get(key)
        if v is None:
            self.resolve()
            v = self.b0
            for k in key:
                v = v - self.pay[k]
            self._memo[key] = v
        return v

    def exact_payment_full(self, cost: int, groups, wts):
        """Exact payment over all supporters (slow path, by distinct exact budget)."""
        if cost == 0:
            return Q(0)
        acc = {}
        for g, w in zip(groups.tolist(), wts.tolist()):
            v = self.exact_budget(g)
            acc[v] = acc.get(v, 0) + int(w)
        rem_cost = Q(cost)
        rem_w = sum(acc.values())
        for v in sorted(acc):
            c = acc[v]
            if rem_w == 0:
                break
            p = rem_cost / rem_w
            if p <= v:
                return p
            rem_cost -= c * v
            rem_w -= c
        return Q(0) if rem_cost <= 0 else None

    def exact_payment(self, cost: int, groups, wts, wsum: int, pf: float):
        """Exact payment, using the float estimate ``pf`` to split the supporters into
        clearly poor (pay their whole budget), clearly rich (pay p) and the few within
        the margin, whose budgets are computed exactly; falls back to the full exact
        computation if the estimate turns out wrong."""
        if cost == 0:
            return Q(0)
        if not np.isfinite(pf):
            return self.exact_payment_full(cost, groups, wts)
        self.resolve()
        fbg = self.fb[groups]
        d = self.margin(pf)
        poor = fbg < pf - d
        rich = fbg > pf + d
        amb = ~(poor | rich)
        live = poor & ~self.exh[groups]
        rem_cost = Q(cost) - self._poor_sum(groups[live], wts[live], len(self.records))
        rem_w = wsum - int(wts[poor].sum())
        if amb.any():
            acc = {}
            for g, w in zip(groups[amb].tolist(), wts[amb].tolist()):
                v = self.exact_budget(g)
                acc[v] = acc.get(v, 0) + int(w)
            for v in sorted(acc):
                if rem_w == 0:
                    break
                p = rem_cost / rem_w
                if p <= v:
                    if abs(float(p) - pf) <= d / 2:
                        return p
                    return self.exact_payment_full(cost, groups, wts)
                rem_cost -= acc[v] * v
                rem_w -= acc[v]
        if rem_w == 0:
            return self.exact_payment_full(cost, groups, wts)
        p = rem_cost / rem_w
        if abs(float(p) - pf) <= d / 2:
            return p
        return self.exact_payment_full(cost, groups, wts)

    # -- paying ----------------------------------------------------------------------
    def charge(self, j: int, groups, wts, wsum: int, pf: float, p=None):
        """Every voter supporting j pays min(budget, payment); ``p`` is the exact payment
        when already known, ``pf`` its float value."""
        cost = self.P.cost[j]
        if p is not None:
            pf = float(p)
        fbg = self.fb[groups]
        d = self.margin(pf)
        rich = fbg > pf + d
        poor = fbg < pf - d
        amb = ~(poor | rich)
        if amb.any() and p is None:
            p = self.exact_payment(cost, groups, wts, wsum, pf)
            pf = float(p)
        live_poor = poor & ~self.exh[groups]
        if p is None:
            rec = (j, cost, groups[live_poor], wts[live_poor], wsum - int(wts[poor].sum()), None)
        else:
            rec = (j, cost, None, None, None, p)
        new = np.where(rich, fbg - pf, 0.0)
        exh_new = poor
        if amb.any():
            exh_new = poor.copy()
            for i in np.nonzero(amb)[0].tolist():
                v = self.exact_budget(int(groups[i]))
                if v > p:
                    new[i] = float(v - p)
                else:
                    exh_new[i] = True
        self.fb[groups] = new
        self.exh[groups[exh_new]] = True
        self.step[j] = len(self.records)
        self.records.append(rec)


_CHUNK = 8192  # OpenBLAS runs dot products above 10,000 elements on several threads,
               # which costs far more than it saves here (and spins under load)


def _dot(a, b) -> float:
    n = a.shape[0]
    if n <= _CHUNK:
        return float(np.dot(a, b))
    return float(sum(np.dot(a[i:i + _CHUNK], b[i:i + _CHUNK]) for i in range(0, n, _CHUNK)))


def _float_payment(fb, cost: float, wsum: float, wts):
    """Float equal-shares payment for budgets ``fb`` (multiplicities ``wts``, total
    ``wsum``); returns (payment or inf, total budget).

    Solves sum(w * min(b, p)) = cost by Newton's method from p = cost / wsum: the left
    side is concave and piecewise linear, so the iterates increase to the root, which is
    reached once no budget lies between two iterates (usually 2-5 rounds); sorting is
    the fallback."""
    tot = _dot(wts, fb)
    if tot < cost * (1 - _TOL):
        return np.inf, tot
    p = cost / wsum
    for _ in range(40):
        gap = cost - _dot(wts, np.minimum(fb, p))
        if gap <= 0:
            return p, tot
        rich = fb > p
        wr = _dot(wts, rich)
        if wr <= 0:
            break
        q = p + gap / wr
        if q <= p or not (rich & (fb < q)).any():
            return q, tot  # the function is linear on [p, q]: q is the root
        p = q
    o = np.argsort(fb)
    bs = fb[o]
    ws = wts[o]
    wb = ws * bs
    prev_wb = np.cumsum(wb) - wb
    rem_w = wsum - (np.cumsum(ws) - ws)
    with np.errstate(divide="ignore", invalid="ignore"):
        pm = (cost - prev_wb) / rem_w
    valid = (pm <= bs * (1 + 1e-12)) & (ws > 0)
    i = int(np.argmax(valid))
    if not valid[i]:
        return np.inf, tot
    return float(pm[i]), tot


def _mes_run(P: _Profile, voter_budget, *, utility="cost", spend_limit=None):
    """One run of MES with the given per-voter budget; returns selected project indices.

    Lazy evaluation (as in Peters' reference implementation): budgets only shrink, so a
    project's last computed price rho is a lower bound of its current one. Candidates are
    re-evaluated in increasing order of that bound until the bound exceeds the best current
    rho (plus the float tolerance); in the first step (all budgets equal) the price is
    cost / supporters. The choice among candidates within the float tolerance is exact; a
    lone candidate in the tolerance window is the exact minimum.
    """
    m = P.m
    groups_of, w_of = P._supporters()
    # live supporters (exhausted ballots dropped now and then) for the float screening
    live_g, live_w = list(groups_of), list(w_of)
    live_sum = [float(v) for v in P.votes]
    S = _MesState(P, voter_budget)
    cost = P.cost
    votes = P.votes
    spend = _Spend(P, spend_limit)
    div = [max(c, 1) if utility == "cost" else 1 for c in cost]
    lb = np.full(m, np.inf)
    pfs = np.full(m, np.inf)
    fresh = np.zeros(m, dtype=bool)     # lb[j] is j's current rho
    b0f = S.b0f
    for j in range(m):
        if votes[j] > 0 and (cost[j] > 0 or utility != "cost"):
            pfs[j] = cost[j] / votes[j]
            lb[j] = pfs[j] / div[j]  # payment >= cost / supporters
            # all budgets equal b0: the payment is cost / supporters when affordable
            fresh[j] = cost[j] == 0 or votes[j] * b0f > cost[j] * (1 + 2 * _TOL)
    selected = []
    while True:
        fb = S.fb
        order = np.argsort(lb, kind="stable").tolist()
        best_f = np.inf
        cand = []
        exact = {}
        for j in order:
            lj = lb[j]
            if lj == np.inf or lj > best_f + 2 * _TOL * max(best_f, 1e-300):
                break
            if not spend.fits(j):
                lb[j] = np.inf
                continue
            if not fresh[j]:
                g = live_g[j]
                wts = live_w[j]
                c = cost[j]
                fbg = fb[g]
                if c == 0:
                    p, tot = 0.0, np.inf
                else:
                    p, tot = _float_payment(fbg, float(c), live_sum[j], wts)
                    dead = S.exh[g]
                    if 4 * np.count_nonzero(dead) > len(g):
                        live_g[j] = g[~dead]
                        live_w[j] = wts[~dead]
                        live_sum[j] = float(live_w[j].sum())
                if c > 0 and abs(tot - c) <= _TOL * c:
                    pe = S.exact_payment_full(c, groups_of[j], w_of[j])  # borderline: exact
                    if pe is None:
                        lb[j] = np.inf
                        continue
                    exact[j] = pe
                    p = float(pe)
                if p == np.inf:
                    lb[j] = np.inf
                    continue
                lb[j] = p / div[j]
                pfs[j] = p
                fresh[j] = True
            r = lb[j]
            cand.append(j)
            if r < best_f:
                best_f = r
        if best_f == np.inf:
            break
        lim = best_f + _TOL * max(abs(best_f), 1e-300)
        near = [j for j in cand if lb[j] <= lim]
        best_p = None
        if len(near) == 1:
            best = near[0]
            best_p = exact.get(best)
        else:
            best, best_key = None, None
            for j in near:
                p = exact.get(j)
                if p is None:
                    p = S.exact_payment(cost[j], groups_of[j], w_of[j], votes[j], pfs[j])
                if p is None:
                    lb[j] = np.inf
                    continue
                r = p / cost[j] if utility == "cost" else p
                key = (r,) + P.tie[j]
                if best_key is None or key < best_key:
                    best, best_key, best_p = j, key, p
            if best is None:
                continue
        selected.append(best)
        spend.take(best)
        lb[best] = np.inf
        g = groups_of[best]
        S.charge(best, g, w_of[best], votes[best], pfs[best], best_p)
        fresh[:] = False  # re-evaluate on demand (tracking co-support saved ~nothing)
    return selected


def _cost_of(P, js):
    return sum(P.cost[j] for j in js)


def _mes_add1(P: _Profile, *, utility="cost"):
    """Pabulib's add1: per-voter budget floor(B/n), +1 (currency unit) until the outcome
    would cost more than B; no stop at the first exhaustive outcome."""
    n = P.n
    if n == 0:
        return [], {"voter_budget": None, "iterations": 0}
    step = P.scale
    b = (P.budget // (n * step)) * step
    selectable = sum(1 for j in range(P.m) if P.votes[j] > 0 and (P.cost[j] > 0 or utility != "cost"))
    prev = None
    prev_b = None
    iterations = 0
    while True:
        iterations += 1
        out = _mes_run(P, Q(b), utility=utility)
        if _cost_of(P, out) > P.budget:
            break
        prev, prev_b = out, b
        if len(out) >= selectable or b > P.budget:
            break
        b += step
    if prev is None:  # cannot happen: n*floor(B/n) <= B
        prev, prev_b = [], b
    return prev, {"voter_budget": Fraction(prev_b, P.scale), "iterations": iterations}


def _comparison(P: _Profile, mes_sel, greedy_sel):
    """Number of voters preferring each outcome (cost utility: total cost of the
    approved selected projects). Returns (prefer_mes, prefer_greedy)."""
    cost = np.array(P.cost, dtype=object)
    if P.cost and max(P.cost) * max(P.pair_p.size, 1) < 2 ** 62:
        cost = cost.astype(np.int64)  # exact: no sum can overflow

    def utilities(sel):
        c = np.zeros(P.m, dtype=cost.dtype)
        c[list(sel)] = cost[list(sel)]
        cs = np.zeros(P.pair_p.size + 1, dtype=cost.dtype)
        cs[1:] = np.cumsum(c[P.pair_p])
        return cs[P.gptr[1:]] - cs[P.gptr[:-1]]

    ua, ub = utilities(mes_sel), utilities(greedy_sel)
    w = P.w
    pm = int(w[ua > ub].sum())
    pg = int(w[ub > ua].sum())
    return pm, pg


# --------------------------------------------------------------------------- Phragmén


def _phragmen(P: _Profile):
    """Sequential Phragmén with lazy evaluation: loads only grow, so a project's last
    computed new-max-load t is a lower bound of its current one; candidates are
    re-evaluated in increasing order of that bound. A voter's load is the load set by the
    last selected project she approves (or 0), so the exact load classes are the selected
    projects (``cls``, ``loads``); the choice among near-ties is exact."""
    m = P.m
    groups_of, w_of = P._supporters()
    cost = P.cost
    votes = P.votes
    remaining = [cost[j] <= P.budget for j in range(m)]
    spend = _Spend(P, P.budget)
    cls = np.zeros(P.G, dtype=np.int64)
    fl = np.zeros(P.G)
    loads = [Q(0)]
    lb = np.array([cost[j] / votes[j] if votes[j] > 0 and remaining[j] else np.inf
                   for j in range(m)])
    fresh = np.ones(m, dtype=bool)
    selected = []
    while any(remaining):
        best_f = np.inf
        cand = []
        for j in np.argsort(lb, kind="stable").tolist():
            lj = lb[j]
            if lj == np.inf or lj > best_f + 2 * _TOL * max(best_f, 1e-300):
                break
            if not fresh[j]:
                lj = lb[j] = (cost[j] + _dot(w_of[j], fl[groups_of[j]])) / votes[j]
                fresh[j] = True
            cand.append(j)
            best_f = min(best_f, lj)
        if cand:
            lim = best_f + _TOL * max(best_f, 1e-300)
            exact = {}
            K = len(loads)
            for j in cand:
                if lb[j] <= lim:
                    cnt = np.bincount(cls[groups_of[j]], weights=w_of[j], minlength=K)
                    total = Q(cost[j])
                    for k in np.nonzero(cnt)[0].tolist():
                        if k:
                            total += int(cnt[k]) * loads[k]
                    exact[j] = total / votes[j]
            emin = min(exact.values())
            tied = [j for j in exact if exact[j] == emin]
        else:  # only unsupported projects are left (t = inf), all tied
            emin = None
            tied = [j for j in range(m) if remaining[j]]
        # pabutools' definition: stop as soon as a project tied for the minimal load
        # does not fit (does not skip it).
        if any(not spend.fits(j) for j in tied):
            break
        best = min(tied, key=lambda j: P.tie[j])
        selected.append(best)
        spend.take(best)
        remaining[best] = False
        lb[best] = np.inf
        if emin is not None:
            g = groups_of[best]
            cls[g] = len(loads)
            loads.append(emin)
            fl[g] = float(emin)
            fresh[:] = False  # re-evaluate on demand (tracking co-support saved ~nothing)
    return selected


# --------------------------------------------------------------------------- tally


def tally(instance: Instance, ballots, rule: str, threshold=None) -> Outcome:
    """Tally ``ballots`` (an iterable of ballots, or a mapping ballot -> count) with ``rule``.

    ``threshold`` (greedy-threshold): minimal support; defaults to the instance's
    ``meta['min_project_score_threshold']``.
    Ballots are not validated here (see :func:`validate_ballot`); a ballot naming an
    unknown project raises ValueError.
    """
    if rule not in RULES:
        mapped = official_rule(rule)
        if mapped is None:
            raise ValueError(f"unknown rule {rule!r}; expected one of {RULES}")
        rule = mapped
    P = _Profile(instance, ballots)
    details = {}
    if rule == "greedy":
        sel = _greedy(P)
    elif rule == "greedy-no-skip":
        sel = _greedy(P, no_skip=True)
    elif rule == "greedy-threshold":
        if threshold is None:
            threshold = instance.meta.get("min_project_score_threshold")
        if threshold is None:
            raise ValueError("greedy-threshold needs a threshold")
        threshold = Fraction(str(threshold))
        details["threshold"] = threshold
        sel = _greedy(P, threshold=threshold)
    elif rule == "mes":
        sel = _mes_run(P, Q(P.budget, max(P.n, 1)))
    elif rule == "mes-approval":
        sel = _mes_run(P, Q(P.budget, max(P.n, 1)), utility="approval")
    elif rule in ("mes-add1", "mes-add1-greedy", "mes-comparison"):
        sel, details = _mes_add1(P)
        if rule == "mes-add1-greedy":
            sel = sel + _greedy(P, start=sel)
        elif rule == "mes-comparison":
            mes_sel = sel + _greedy(P, start=sel)
            greedy_sel = _greedy(P)
            pm, pg = _comparison(P, mes_sel, greedy_sel)
            details.update(prefer_mes=pm, prefer_greedy=pg)
            sel = greedy_sel if pg > pm else mes_sel
            details["winner"] = "greedy" if pg > pm else "mes"
    elif rule == "phragmen":
        sel = _phragmen(P)
    else:  # pragma: no cover
        raise ValueError(rule)
    ids = P.project_set(sel)
    support = {pid: P.score[j] for j, pid in enumerate(P.ids)}
    return Outcome(rule=rule, selected=ids, cost=P.outcome_cost(ids), support=support,
                   details=details)
