"""`make bench`: run every benchmark once and write bench/results.md (figures and ratios of
this one run). A benchmark whose capability is missing says "skipped: …"; one that fails is
reported with its error and the others still run.

    .venv/bin/python bench/run_all.py [--quick] [--only vote,pages,tally,docs,scale]
"""
import argparse
import importlib
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, drop_database, loadable_capabilities  # noqa: E402

BENCH = Path(__file__).resolve().parent
ORDER = ("vote", "pages", "docs", "scale", "tally")  # tally last: the longest, not ours


def machine():
    load = os.getloadavg()
    try:
        pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
                            capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        pg = "?"
    wrk = "wrk" if shutil.which("wrk") else "Python client (wrk not installed)"
    return (f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {pg}, "
            f"load generator {wrk}; load average at start {load[0]:.1f}")


def run_tally(quick):
    """bench/tally.py belongs to the voting engine; run it and keep its table."""
    title = "3. Tally: hearings.voting vs pabutools (target: identical winners, ≥ 50× faster)"
    script = BENCH / "tally.py"
    if not script.exists():
        line = "skipped: bench/tally.py not present"
        print(line)
        return {"title": title, "table": "", "notes": [line]}
    args = [PYTHON, str(script)] + (["--quick"] if quick and "--quick" in script.read_text() else [])
    out = subprocess.run(args, capture_output=True, text=True, cwd=str(ROOT), timeout=900)
    table = "\n".join(line for line in out.stdout.splitlines() if line.startswith("|"))
    notes = [line for line in out.stdout.splitlines() if line and not line.startswith("|")][-8:]
    if out.returncode:
        notes.append(f"bench/tally.py exited {out.returncode}: {out.stderr.strip()[-800:]}")
    return {"title": title, "table": table, "notes": notes}


def run_one(name, quick, full_tally=False):
    if name == "tally":
        return run_tally(not full_tally)
    module = importlib.import_module(f"bench.{name}")
    if quick:
        kwargs = {"vote": {"seconds": 3, "rounds": 2, "voters": 3000},
                  "pages": {"seconds": 1, "rounds": 2},
                  "scale": {"ballots": 100_000, "residents": 20_000, "rounds": 1},
                  "docs": {"repeat": 1}}[name]
    else:
        kwargs = {}
    return module.run(**kwargs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller data and shorter loads")
    ap.add_argument("--only", default=",".join(ORDER))
    ap.add_argument("--keep-databases", action="store_true")
    ap.add_argument("--full-tally", action="store_true",
                    help="let pabutools run its slowest cases too (adds many minutes)")
    a = ap.parse_args()
    started = time.time()
    header = machine()
    caps = loadable_capabilities()
    sections = []
    for name in [n for n in ORDER if n in a.only.split(",")]:
        t0 = time.time()
        print(f"== {name}", flush=True)
        try:
            result = run_one(name, a.quick, a.full_tally)
        except Exception as error:  # noqa: BLE001 — one broken benchmark must not hide the rest
            traceback.print_exc()
            result = {"title": name, "table": "",
                      "notes": [f"FAILED: {type(error).__name__}: {str(error)[:600]}"]}
        result["seconds"] = time.time() - t0
        sections.append(result)
        write_results(a, started, header, caps, sections)  # after each: a stopped run keeps its figures
    if not a.keep_databases:
        for db_name in ("bench_vote", "bench_pages", "bench_docs", "bench_scale"):
            try:
                drop_database(db_name)
            except Exception:  # noqa: BLE001
                pass
    print(write_results(a, started, header, caps, sections))


def write_results(a, started, header, caps, sections):
    load_now = os.getloadavg()[0]
    lines = ["# Benchmark results", "",
             f"One run of `make bench`{' --quick' if a.quick else ''} on "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {time.time() - started:.0f} s in all.",
             f"Machine: {header}, at the end {load_now:.1f}. Capabilities loaded: {', '.join(caps)}.",
             "Ratios compare figures measured in this same run (machines differ); ✗ marks a "
             "figure that misses its target. How each benchmark works: bench/README.md.", ""]
    for s in sections:
        lines += [f"## {s['title']}", ""]
        if s.get("table"):
            lines += [s["table"], ""]
        for note in s.get("notes") or []:
            lines.append(f"- {note}")
        lines += [f"_{s['seconds']:.0f} s_", ""]
    text = "\n".join(lines)
    (BENCH / "results.md").write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    main()
