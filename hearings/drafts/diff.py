"""Differences between two versions of a draft.

Budget: lines matched by (kind, code) → added, removed, changed (with amount delta).
Charter: sections matched by number → added, removed, changed with a word-level text diff."""
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .models import EXPENDITURE, REVENUE


@dataclass
class LineChange:
    old: object
    new: object
    fields: list = field(default_factory=list)

    @property
    def delta(self):
        return self.new.amount - self.old.amount


@dataclass
class BudgetDiff:
    added: list
    removed: list
    changed: list
    unchanged: int
    totals: dict  # kind → (old total, new total, delta)

    @property
    def empty(self):
        return not (self.added or self.removed or self.changed)


def budget_diff(old, new):
    old_lines = {(l.kind, l.code): l for l in old.lines}
    new_lines = {(l.kind, l.code): l for l in new.lines}
    added = [l for key, l in new_lines.items() if key not in old_lines]
    removed = [l for key, l in old_lines.items() if key not in new_lines]
    changed, unchanged = [], 0
    compared = ("name_ky", "name_ru", "name_en", "category", "amount", "prev_approved",
                "prev_executed", "note")
    for key, line in new_lines.items():
        before = old_lines.get(key)
        if before is None:
            continue
        fields = [f for f in compared if getattr(before, f) != getattr(line, f)]
        if fields:
            changed.append(LineChange(before, line, fields))
        else:
            unchanged += 1
    totals = {}
    for kind in (REVENUE, EXPENDITURE):
        a, b = old.total(kind), new.total(kind)
        totals[kind] = (a, b, b - a)
    return BudgetDiff(added, removed, changed, unchanged, totals)


TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(a, b):
    """[(op, text)] with op in 'equal', 'insert', 'delete'; joining equal+insert gives b,
    equal+delete gives a."""
    ta, tb = TOKEN.findall(a or ""), TOKEN.findall(b or "")
    out = []
    matcher = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(ta[i1:i2])))
        else:
            if i2 > i1:
                out.append(("delete", "".join(ta[i1:i2])))
            if j2 > j1:
                out.append(("insert", "".join(tb[j1:j2])))
    return out


@dataclass
class SectionChange:
    status: str         # added / removed / changed / unchanged
    number: str
    old: object = None
    new: object = None
    heading: list = field(default_factory=list)
    text: list = field(default_factory=list)


def charter_diff(old, new):
    old_sections = {s.number: s for s in old.sections}
    new_numbers = {s.number for s in new.sections}
    out = []
    for s in new.sections:
        before = old_sections.get(s.number)
        if before is None:
            out.append(SectionChange("added", s.number, None, s, [("insert", s.heading)],
                                     [("insert", s.text)]))
        elif before.heading == s.heading and before.text == s.text:
            out.append(SectionChange("unchanged", s.number, before, s))
        else:
            out.append(SectionChange("changed", s.number, before, s,
                                     word_diff(before.heading, s.heading), word_diff(before.text, s.text)))
    for s in old.sections:
        if s.number not in new_numbers:
            out.append(SectionChange("removed", s.number, s, None, [("delete", s.heading)],
                                     [("delete", s.text)]))
    return out


def percent(delta, base):
    if not base:
        return None
    return (Decimal(delta) * 100 / Decimal(base)).quantize(Decimal("0.1"))
