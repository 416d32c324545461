"""Command line: ``python -m hearings.voting tally FILE.pb --rule RULE`` and ``check FILE.pb``.

Exit codes: 0 success; 2 unreadable or malformed file (errors on stderr, one per line,
``FILE:LINE: message``), unknown rule, or ``--rule official`` on a file whose META rule
is not implemented.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
from fractions import Fraction

from .model import validate_ballot
from .pb import PBFormatError, read_pb
from .rules import RULES, official_rule, tally


def _num(x):
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, Decimal):
        return int(x) if x == x.to_integral_value() else float(x)
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else float(x)
    return x


def _read(path):
    try:
        return read_pb(path)
    except PBFormatError as exc:
        for line, msg in exc.errors:
            print(f"{path}:{line}: {msg}", file=sys.stderr)
        return None


def cmd_tally(args) -> int:
    t0 = time.perf_counter()
    pb = _read(args.file)
    if pb is None:
        return 2
    read_s = time.perf_counter() - t0
    rule = args.rule
    if rule == "official":
        rule = official_rule(pb.rule)
        if rule is None:
            print(f"{args.file}: META rule {pb.rule!r} is not implemented "
                  f"(implemented: {', '.join(RULES)})", file=sys.stderr)
            return 2
    t1 = time.perf_counter()
    try:
        outcome = tally(pb.instance, pb.ballots, rule, threshold=args.threshold)
    except ValueError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    tally_s = time.perf_counter() - t1
    out = {"rule": outcome.rule, "selected": outcome.selected, "cost": _num(outcome.cost),
           "timings": {"read_s": round(read_s, 6), "tally_s": round(tally_s, 6)}}
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def cmd_check(args) -> int:
    pb = _read(args.file)
    if pb is None:
        return 2
    invalid = {}
    examples = []
    for i, b in enumerate(pb.ballots):
        errs = validate_ballot(pb.instance, b)
        for e in errs:
            invalid[e.code] = invalid.get(e.code, 0) + 1
        if errs and len(examples) < 5:
            examples.append({"voter_id": pb.vote_rows[i]["voter_id"],
                             "errors": [e.code for e in errs]})
    out = {"ok": True, "file": args.file, "projects": len(pb.instance.projects),
           "votes": len(pb.ballots), "vote_type": pb.meta.get("vote_type", "approval"),
           "rule": pb.rule, "rule_implemented": official_rule(pb.rule) is not None,
           "budget": _num(pb.instance.budget),
           "ballots_breaking_limits": invalid, "examples": examples}
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hearings.voting",
                                 description="Participatory-budgeting tallies on pabulib .pb files.")
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tally", help="tally a .pb file and print JSON")
    t.add_argument("file")
    t.add_argument("--rule", required=True, choices=list(RULES) + ["official"])
    t.add_argument("--threshold", default=None,
                   help="minimal support for greedy-threshold (default: META min_project_score_threshold)")
    t.set_defaults(func=cmd_tally)
    c = sub.add_parser("check", help="validate a .pb file (format errors exit 2)")
    c.add_argument("file")
    c.set_defaults(func=cmd_check)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
