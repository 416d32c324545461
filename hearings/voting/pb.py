"""Reading and writing pabulib ``.pb`` files (https://pabulib.org/format).

``read_pb`` never shows a traceback for a malformed file: it raises
:class:`PBFormatError` whose ``errors`` are ``(line_number, message)`` pairs.
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Optional

from .model import (ApprovalBallot, BallotLimits, CumulativeBallot, Instance, OrdinalBallot,
                    Project)

VOTE_TYPES = ("approval", "ordinal", "cumulative", "scoring", "choose-1")
MAX_ERRORS = 50


class PBFormatError(ValueError):
    """A malformed .pb file. ``errors``: list of ``(line, message)`` (line 0 = whole file)."""

    def __init__(self, errors, source: str = ""):
        self.errors = list(errors)
        self.source = source
        super().__init__(self.format())

    def format(self) -> str:
        prefix = f"{self.source}:" if self.source else "line "
        out = []
        for line, msg in self.errors:
            out.append(f"{prefix}{line}: {msg}" if self.source else f"line {line}: {msg}")
        return "\n".join(out)


@dataclass
class PBFile:
    """A parsed .pb file: the instance and ballots plus every raw row (strings), so that
    :func:`write_pb` can write it back unchanged."""

    instance: Instance
    ballots: list
    meta: dict
    project_columns: list
    project_rows: list
    vote_columns: list
    vote_rows: list
    warnings: list = field(default_factory=list, compare=False)

    @property
    def voter_ids(self) -> list:
        return [r["voter_id"] for r in self.vote_rows]

    @property
    def selected(self) -> Optional[list]:
        """Officially selected project ids (``selected`` column == 1), or None."""
        if "selected" not in self.project_columns:
            return None
        return [r["project_id"] for r in self.project_rows if r.get("selected", "").strip() == "1"]

    @property
    def rule(self) -> Optional[str]:
        return self.meta.get("rule")


def _dec(text: str) -> Decimal:
    v = Decimal(text.strip())
    if not v.is_finite():
        raise InvalidOperation
    return v


def _int(text: str) -> int:
    v = _dec(text)
    if v != v.to_integral_value():
        raise InvalidOperation
    return int(v)


def _read_text(source) -> tuple[str, str]:
    # a str with no line break is a path (a .pb text always has several lines)
    if isinstance(source, (Path, os.PathLike)) or (isinstance(source, str) and "\n" not in source):
        path = str(source)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise PBFormatError([(0, f"cannot read file: {exc.strerror}")], path) from None
        try:
            return data.decode("utf-8-sig"), path
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise PBFormatError([(line, "file is not valid UTF-8")], path) from None
    if isinstance(source, bytes):
        source = source.decode("utf-8-sig")
    if source.startswith("\ufeff"):
        source = source[1:]
    return source, ""


def read_pb(source) -> PBFile:
    """Parse a .pb file given as a path (``str`` without line breaks or ``Path``) or as its
    text (``str`` with line breaks, or ``bytes``)."""
    text, name = _read_text(source)
    errors: list = []

    def err(line, msg):
        if len(errors) < MAX_ERRORS:
            errors.append((line, msg))

    sections = {}
    current = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    last = 0
    try:
        for row in reader:
            line = last + 1
            last = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            first = row[0].strip()
            if len(row) == 1 and first.upper() in ("META", "PROJECTS", "VOTES"):
                current = first.upper()
                if current in sections:
                    err(line, f"section {current} appears twice")
                sections[current] = {"line": line, "header": None, "rows": []}
                continue
            if current is None:
                err(line, "expected a section title (META, PROJECTS or VOTES)")
                current = "?"
                sections["?"] = {"line": line, "header": None, "rows": []}
                continue
            sec = sections[current]
            if sec["header"] is None:
                sec["header"] = ([c.strip() for c in row], line)
                continue
            sec["rows"].append((line, row))
    except csv.Error as exc:
        err(reader.line_num, f"CSV syntax error: {exc}")
        raise PBFormatError(errors, name) from None
    for title in ("META", "PROJECTS", "VOTES"):
        if title not in sections:
            err(0, f"missing section {title}")
        elif sections[title]["header"] is None:
            err(sections[title]["line"], f"section {title} has no header line")
    if errors:
        raise PBFormatError(errors, name)

    # META
    meta = {}
    mhead, mline = sections["META"]["header"]
    if mhead[:2] != ["key", "value"]:
        err(mline, "META header must be 'key;value'")
    meta_lines = {}
    for line, row in sections["META"]["rows"]:
        if len(row) < 2:
            err(line, "META row must be 'key;value'")
            continue
        key, value = row[0].strip(), ";".join(row[1:]).strip() if len(row) > 2 else row[1].strip()
        if key in meta:
            err(line, f"META key {key!r} appears twice")
        meta[key] = value
        meta_lines[key] = line

    def mline_of(key):
        return meta_lines.get(key, sections["META"]["line"])

    budget = None
    if "budget" not in meta:
        err(sections["META"]["line"], "META has no 'budget'")
    else:
        try:
            budget = _dec(meta["budget"])
            if budget < 0:
                err(mline_of("budget"), "budget must not be negative")
                budget = None
        except InvalidOperation:
            err(mline_of("budget"), f"budget {meta['budget']!r} is not a number")
    vote_type = meta.get("vote_type", "approval")
    if vote_type not in VOTE_TYPES:
        err(mline_of("vote_type"), f"unknown vote_type {vote_type!r}; expected one of {', '.join(VOTE_TYPES)}")
    int_keys = ("min_length", "max_length", "min_points", "max_points", "min_sum_points",
                "max_sum_points", "num_projects", "num_votes")
    ints = {}
    for key in int_keys:
        if key in meta and meta[key] != "":
            try:
                ints[key] = _int(meta[key])
            except InvalidOperation:
                err(mline_of(key), f"{key} {meta[key]!r} is not an integer")
    decs = {}
    for key in ("min_sum_cost", "max_sum_cost", "min_project_score_threshold"):
        if key in meta and meta[key] != "":
            try:
                decs[key] = _dec(meta[key])
            except InvalidOperation:
                err(mline_of(key), f"{key} {meta[key]!r} is not a number")

    # PROJECTS
    phead, pline = sections["PROJECTS"]["header"]
    for col in ("project_id", "cost"):
        if col not in phead:
            err(pline, f"PROJECTS header has no '{col}' column")
    if len(set(phead)) != len(phead):
        err(pline, "PROJECTS header repeats a column")
    project_rows, projects, seen, rejected = [], [], set(), set()
    if "project_id" in phead and "cost" in phead:
        for line, row in sections["PROJECTS"]["rows"]:
            if len(row) != len(phead):
                err(line, f"expected {len(phead)} fields, found {len(row)}")
                continue
            rec = dict(zip(phead, row))
            pid = rec["project_id"].strip()
            rejected.add(pid)
            if not pid:
                err(line, "empty project_id")
                continue
            if pid in seen:
                err(line, f"duplicate project_id {pid!r}")
                continue
            seen.add(pid)
            try:
                cost = _dec(rec["cost"])
                if cost < 0:
                    raise InvalidOperation
            except InvalidOperation:
                err(line, f"cost {rec['cost']!r} of project {pid} is not a non-negative number")
                continue
            project_rows.append(rec)
            projects.append(Project(pid, cost, name=rec.get("name", ""),
                                    category=rec.get("category") or None,
                                    village=rec.get("village") or None))
    if "num_projects" in ints and ints["num_projects"] != len(sections["PROJECTS"]["rows"]):
        err(mline_of("num_projects"), f"num_projects is {ints['num_projects']} but PROJECTS has "
            f"{len(sections['PROJECTS']['rows'])} rows")

    # VOTES
    vhead, vline = sections["VOTES"]["header"]
    for col in ("voter_id", "vote"):
        if col not in vhead:
            err(vline, f"VOTES header has no '{col}' column")
    if len(set(vhead)) != len(vhead):
        err(vline, "VOTES header repeats a column")
    points_needed = vote_type in ("cumulative", "scoring")
    if points_needed and "points" not in vhead:
        err(vline, f"VOTES header has no 'points' column (required for {vote_type} votes)")
    vote_rows, ballots, voters = [], [], set()
    shared = {}  # identical approval votes share one (immutable) ballot object
    if "voter_id" in vhead and "vote" in vhead and not (points_needed and "points" not in vhead):
        known = seen | rejected
        canon = {pid: pid for pid in known}  # one string object per project id
        for line, row in sections["VOTES"]["rows"]:
            if len(errors) >= MAX_ERRORS:
                break
            if len(row) != len(vhead):
                err(line, f"expected {len(vhead)} fields, found {len(row)}")
                continue
            rec = dict(zip(vhead, row))
            vid = rec["voter_id"].strip()
            if vid in voters:
                err(line, f"duplicate voter_id {vid!r}")
                continue
            voters.add(vid)
            ids = [x.strip() for x in rec["vote"].split(",") if x.strip()]
            ids = [canon.get(x, x) for x in ids]
            bad = [x for x in ids if x not in known]
            if bad:
                err(line, f"vote names unknown project {bad[0]!r}")
                continue
            if len(set(ids)) != len(ids):
                err(line, "vote names a project twice")
                continue
            if points_needed:
                try:
                    pts = [_int(x) for x in rec["points"].split(",") if x.strip()]
                except InvalidOperation:
                    err(line, f"points {rec['points']!r} are not integers")
                    continue
                if len(pts) != len(ids):
                    err(line, f"{len(ids)} projects but {len(pts)} points")
                    continue
                ballot = CumulativeBallot(dict(zip(ids, pts)))
            elif vote_type == "ordinal":
                ballot = OrdinalBallot(tuple(ids))
            else:
                key = frozenset(ids)
                ballot = shared.get(key)
                if ballot is None:
                    ballot = shared[key] = ApprovalBallot(key)
            vote_rows.append(rec)
            ballots.append(ballot)
        if "num_votes" in ints and not errors and ints["num_votes"] != len(ballots):
            err(mline_of("num_votes"), f"num_votes is {ints['num_votes']} but VOTES has {len(ballots)} rows")
    if errors:
        raise PBFormatError(errors, name)

    limits = _limits(vote_type, ints, decs, budget)
    instance = Instance(projects, budget, limits, meta=dict(meta))
    return PBFile(instance=instance, ballots=ballots, meta=meta, project_columns=phead,
                  project_rows=project_rows, vote_columns=vhead, vote_rows=vote_rows)


def _limits(vote_type, ints, decs, budget) -> BallotLimits:
    mn = ints.get("min_length", 0) or 0
    mx = ints.get("max_length")
    if vote_type in ("approval", "choose-1"):
        if vote_type == "choose-1" and mx is None:
            mx = 1
        if "max_sum_cost" in decs or "min_sum_cost" in decs:
            min_share = None
            if "min_sum_cost" in decs and budget:
                min_share = decs["min_sum_cost"] / budget
            return BallotLimits("knapsack", min_projects=mn, max_projects=mx, min_share=min_share,
                                max_cost=decs.get("max_sum_cost"))
        return BallotLimits("approval", min_projects=mn, max_projects=mx)
    if vote_type in ("cumulative", "scoring"):
        return BallotLimits("cumulative", min_projects=mn, max_projects=mx,
                            total_points=ints.get("max_sum_points"),
                            max_points_per_project=ints.get("max_points"))
    return BallotLimits("ordinal", min_projects=mn, max_projects=None, top_k=mx)


# --------------------------------------------------------------------------- writing


def _fmt(v) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
    return str(v)


def _rows_to_text(meta, pcols, prows, vcols, vrows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quotechar='"', lineterminator="\n",
                   quoting=csv.QUOTE_MINIMAL)
    buf.write("META\n")
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    buf.write("PROJECTS\n")
    w.writerow(pcols)
    for r in prows:
        w.writerow([r.get(c, "") for c in pcols])
    buf.write("VOTES\n")
    w.writerow(vcols)
    for r in vrows:
        w.writerow([r.get(c, "") for c in vcols])
    return buf.getvalue()


def _vote_type_of(instance: Instance) -> str:
    k = instance.limits.kind
    return "approval" if k == "knapsack" else k


def write_pb(target, ballots=None, path=None, *, outcome=None, meta=None) -> str:
    """Write a .pb file and return its text (also saved to ``path`` when given).

    ``target`` is a :class:`PBFile` (written back unchanged, so ``read_pb(write_pb(f)) == f``)
    or an :class:`Instance` with ``ballots``. With ``outcome`` (an Outcome or a list of
    project ids) the PROJECTS ``selected`` column is set to 1/0 accordingly.
    """
    if isinstance(target, PBFile):
        m = dict(target.meta)
        pcols = list(target.project_columns)
        prows = [dict(r) for r in target.project_rows]
        vcols = list(target.vote_columns)
        vrows = [dict(r) for r in target.vote_rows]
    elif isinstance(target, Instance):
        if ballots is None:
            raise ValueError("write_pb(instance, ballots): ballots are required")
        inst = target
        ballots = list(ballots)
        vt = _vote_type_of(inst)
        m = {k: str(v) for k, v in inst.meta.items()}
        m.update({"num_projects": str(len(inst.projects)), "num_votes": str(len(ballots)),
                  "budget": _fmt(inst.budget), "vote_type": vt})
        lim = inst.limits
        for key in ("min_length", "max_length", "max_sum_cost", "min_sum_cost", "max_sum_points",
                    "max_points"):
            m.pop(key, None)
        if lim.min_projects:
            m["min_length"] = str(lim.min_projects)
        top = lim.top_k if lim.kind == "ordinal" else lim.max_projects
        if top is not None:
            m["max_length"] = str(top)
        if lim.kind == "knapsack":
            m["max_sum_cost"] = _fmt(lim.max_cost if lim.max_cost is not None else inst.budget)
            if lim.min_share is not None:
                m["min_sum_cost"] = _fmt(Decimal(inst.budget) * lim.min_share)
        if lim.kind == "cumulative":
            if lim.total_points is not None:
                m["max_sum_points"] = str(lim.total_points)
            if lim.max_points_per_project is not None:
                m["max_points"] = str(lim.max_points_per_project)
        if meta:
            m.update({k: str(v) for k, v in meta.items()})
        pcols = ["project_id", "cost", "name"]
        if any(p.category for p in inst.projects):
            pcols.append("category")
        if any(p.village for p in inst.projects):
            pcols.append("village")
        prows = [{"project_id": p.id, "cost": _fmt(p.cost), "name": p.name,
                  "category": p.category or "", "village": p.village or ""}
                 for p in inst.projects]
        vcols = ["voter_id", "vote"] + (["points"] if lim.kind == "cumulative" else [])
        vrows = []
        for i, b in enumerate(ballots, 1):
            if isinstance(b, CumulativeBallot):
                items = sorted(((p, v) for p, v in b.points.items() if v), key=lambda x: -x[1])
                vrows.append({"voter_id": str(i), "vote": ",".join(p for p, _ in items),
                              "points": ",".join(str(v) for _, v in items)})
            elif isinstance(b, OrdinalBallot):
                vrows.append({"voter_id": str(i), "vote": ",".join(b.ranking)})
            else:
                from .model import id_key
                vrows.append({"voter_id": str(i),
                              "vote": ",".join(sorted(b.projects, key=id_key))})
    else:
        raise TypeError("write_pb needs a PBFile or an Instance")
    if outcome is not None:
        chosen = set(getattr(outcome, "selected", outcome))
        if "selected" not in pcols:
            pcols.append("selected")
        for r in prows:
            r["selected"] = "1" if r["project_id"] in chosen else "0"
    text = _rows_to_text(m, pcols, prows, vcols, vrows)
    if path is not None:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    return text
