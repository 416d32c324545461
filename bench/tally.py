"""Benchmark: hearings.voting vs pabutools on the largest pabulib files and a synthetic
100 projects x 100,000 voters instance.  Prints a markdown table.

    .venv/bin/python bench/tally.py                       # full run (pabutools takes minutes)
    .venv/bin/python bench/tally.py --quick               # skip the slowest pabutools runs
    .venv/bin/python bench/tally.py --out bench/tally-results.md   # also save the table
    .venv/bin/python bench/tally.py --only Lodz --rules mes,phragmen --no-ref

Columns: ours = best of 3 runs (wall clock, and CPU time of this process); pabutools = one
run, including building its profile from our ballots (as a user of pabutools would).
Ratio = pabutools time / our time, on wall clock and on CPU time (CPU time is the fairer
figure on a shared, loaded machine). "same winners": set of selected projects identical.
Peak memory: tracemalloc peak of one tally alone (Python + NumPy allocations).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "voting"))

from hearings.voting import (ApprovalBallot, BallotLimits, Instance, Project, read_pb,  # noqa: E402
                             tally)

DATA = ROOT / "tests" / "voting" / "data" / "pabulib"
FILES = ("Poland_Warszawa_2024_citywide_pabumeasures.pb", "Poland_Lodz_2022.pb",
         "Poland_Wieliczka_2023_Green_Budget.pb")
SYNTH = "synthetic 100 x 100,000"
RULES = ("greedy", "mes", "mes-add1-greedy", "phragmen")
# pabutools runs that take far too long (Warsaw add1: >100 budget increases x ~25 s each)
SLOW = {("Poland_Warszawa_2024_citywide_pabumeasures", "mes-add1-greedy"),
        (SYNTH, "mes-add1-greedy")}


def synthetic(m=100, n=100_000, seed=1):
    rnd = random.Random(seed)
    projects = [Project(str(i), rnd.randrange(10_000, 500_000, 100)) for i in range(1, m + 1)]
    pop = [rnd.random() ** 2 for _ in projects]
    ids = [p.id for p in projects]
    ballots = []
    for _ in range(n):
        k = rnd.randint(1, 10)
        ballots.append(ApprovalBallot(frozenset(rnd.choices(ids, weights=pop, k=k))))
    budget = sum(p.cost for p in projects) // 4
    return Instance(projects, budget, BallotLimits("approval")), ballots


def measure(fn, repeat=1):
    """Best wall and CPU time over ``repeat`` runs, and the last result."""
    wall = cpu = float("inf")
    out = None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        cpu = min(cpu, time.process_time() - c)
        wall = min(wall, time.perf_counter() - w)
    return out, wall, cpu


def peak_of(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip pabutools runs expected > 60 s")
    ap.add_argument("--no-ref", action="store_true", help="do not run pabutools at all")
    ap.add_argument("--only", default="", help="comma-separated substrings of instance names")
    ap.add_argument("--rules", default=",".join(RULES))
    ap.add_argument("--repeat", type=int, default=3, help="runs of ours (best is kept)")
    ap.add_argument("--out", default=None, help="also write the table (markdown) to this file")
    args = ap.parse_args()
    rules = [r for r in args.rules.split(",") if r]
    only = [s for s in args.only.split(",") if s]
    if not args.no_ref:
        from voting_oracle import reference
    cases = []
    for name in FILES:
        label = name.replace(".pb", "")
        if only and not any(s in label for s in only):
            continue
        pb = read_pb(DATA / name)
        cases.append((label, pb.instance, pb.ballots))
    if not only or any(s in SYNTH for s in only):
        inst, ballots = synthetic()
        cases.append((SYNTH, inst, ballots))
    lines = [
        "| instance | projects | voters | distinct ballots | rule | ours s (wall) | ours s (CPU) "
        "| pabutools s (wall) | pabutools s (CPU) | ratio (wall) | ratio (CPU) | same winners "
        "| our peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"bench/tally.py {started}; Python {platform.python_version()}; "
          f"{os.cpu_count()} CPUs; load average at start {load:.1f}", flush=True)
    for line in lines:
        print(line, flush=True)
    for label, inst, ballots in cases:
        distinct = len(set(ballots))
        for rule in rules:
            def ours():
                return tally(inst, ballots, rule)
            out, ours_w, ours_c = measure(ours, args.repeat)
            peak = peak_of(ours)
            skip = (args.no_ref or (label, rule) in SLOW
                    or (args.quick and rule != "greedy" and len(ballots) > 50_000))
            if skip:
                ref_w = ref_c = None
                same = "not run" if args.no_ref else "not run (pabutools > 300 s)"
            else:
                ref, ref_w, ref_c = measure(lambda: reference(inst, ballots, rule))
                same = "yes" if ref == set(out.selected) else f"NO ({sorted(ref ^ set(out.selected))})"
                if rule.startswith("mes-add1") and inst.budget % len(ballots):
                    same += " (pabutools add1 starts at B/n, ours at floor(B/n))"
            row = (f"| {label} | {len(inst.projects)} | {len(ballots)} | {distinct} | {rule} | "
                   f"{ours_w:.3f} | {ours_c:.3f} | "
                   f"{f'{ref_w:.2f}' if ref_w else '-'} | {f'{ref_c:.2f}' if ref_c else '-'} | "
                   f"{f'{ref_w / ours_w:.0f}x' if ref_w else '-'} | "
                   f"{f'{ref_c / ours_c:.0f}x' if ref_c else '-'} | {same} | {peak / 1e6:.1f} |")
            lines.append(row)
            print(row, flush=True)
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at end {load_end:.1f}", flush=True)
    if args.out:
        Path(args.out).write_text(
            f"# bench/tally.py — {started}\n\nPython {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, load average {load:.1f} at start, {load_end:.1f} at end "
            f"(shared machine: wall clock is inflated by other processes; CPU time is the "
            f"fairer comparison).\n\n" + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
