"""Benchmark 5 — scale: the national overview and a municipality page, small data versus
453 municipalities, 100,000 residents, 1,000 hearings and 1,000,000 ballots.

    .venv/bin/python bench/scale.py [--ballots 1000000] [--seconds 2] [--rounds 3]

PostgreSQL `bench_scale`. Small data: the 453 municipalities, one municipality with a draft
budget, a PB process open for voting (100 priorities) and 3 hearings. Measured (gunicorn, 2
workers, wrk, interleaved with hello), plus SQL statements per page in-process. Then the bulk
load with COPY (psycopg): 100,000 residents, 1,000 hearings over all municipalities, one PB
process per municipality (20 priorities each; half open for voting, half finished) and
1,000,000 ballots with as many participations; ANALYZE; measured again. A page's slowdown is
(small-data page/hello) ÷ (large-data page/hello), so machine load cancels out. Target ≤ 2×.
A statement count that grows with the data is an N+1; EXPLAIN of the slowest statements is
printed to find a missing index.
"""
import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (create_schema, gunicorn, load, load_territory, make_app,  # noqa: E402
                          present, recreate_database, skipped, write_json)
from bench import seed  # noqa: E402
from bench.queries import profile_pages  # noqa: E402

DB = "bench_scale"
GZIP = {"Accept-Encoding": "gzip"}
# the public-page micro-cache would hide what the data costs: off here (on in bench/pages.py)
NO_CACHE = {"PAGE_CACHE_SECONDS": 0}


def add_pb_processes(url, municipality_ids, per_process_priorities=20):
    """One PB process per municipality (alternately voting / finished), with COPY."""
    from hearings.core.models import utcnow

    now = utcnow()
    rng = random.Random(5)
    with seed.psycopg_conn(url) as conn:
        p0 = seed.next_id(conn, "pb_process")
        processes, priorities = [], []
        for i, mid in enumerate(municipality_ids):
            voting = i % 2 == 0
            d = ((now - timedelta(days=30), now - timedelta(days=20), now - timedelta(days=1),
                  now + timedelta(days=10), now + timedelta(days=40)) if voting else
                 (now - timedelta(days=60), now - timedelta(days=50), now - timedelta(days=30),
                  now - timedelta(days=1), now + timedelta(days=40)))
            processes.append({"id": p0 + i, "municipality_id": mid, "title": f"Бюджет участия {i}",
                              "description": "", "budget": Decimal(5_000_000), "categories": "[]",
                              "submission_opens": d[0], "submission_closes": d[1],
                              "voting_opens": d[2], "voting_closes": d[3], "execution_starts": d[4],
                              "ballot_kind": "approval", "rule": "greedy", "created_at": now,
                              "updated_at": now})
        seed.copy_rows(conn, "pb_process", processes, now)
        q0 = seed.next_id(conn, "pb_priority")
        n = 0
        for p in processes:
            for j in range(per_process_priorities):
                priorities.append({"id": q0 + n, "process_id": p["id"], "title": f"Долбоор {j + 1}",
                                   "description": "Көчө жарыгы", "category": "",
                                   "estimated_cost": Decimal(rng.randrange(100_000, 900_000, 1000)),
                                   "status": "accepted", "created_at": now, "updated_at": now})
                n += 1
        seed.copy_rows(conn, "pb_priority", priorities, now)
        conn.commit()
    return [p["id"] for p in processes]


def measure(base, pages, seconds, rounds):
    hello, per = [], {p: [] for _, p in pages}
    for _ in range(rounds):
        h = load(base + "/bench/hello", seconds, 8, headers=GZIP)
        hello.append(h["rps"])
        for _, path in pages:
            r = load(base + path, seconds, 8, headers=GZIP)
            per[path].append((r["rps"], r["rps"] / h["rps"], r["errors"]))
    return {path: {"rps": statistics.median(x[0] for x in v), "ratio": statistics.median(x[1] for x in v),
                   "errors": sum(x[2] for x in v)} for path, v in per.items()} | {
        "hello": statistics.median(hello)}




def run(ballots=1_000_000, residents=100_000, hearings=1000, seconds=2, rounds=3):
    title = "5. Scale: small data vs 453 municipalities / 100k residents / 1k hearings / 1M ballots (target ≤ 2×)"
    notes = []
    url = recreate_database(DB)
    app = make_app(url)
    create_schema(app)
    load_territory(app)
    with app.app_context():
        from hearings.extensions import db
        from hearings.territory.models import Municipality

        m = seed.first_municipality()
        slug, mid = m.slug, m.id
        all_ids = [i for (i,) in db.session.query(Municipality.id).order_by(Municipality.id)]
        pages = [("National overview", "/"), ("Municipality home", f"/m/{slug}/")]
        if present("drafts"):
            seed.draft_budget(m, 40)
        if present("priorities"):
            p = seed.pb_process(m, "voting", 100)
            pages.append(("Priorities list (100 priorities)", f"/m/{slug}/pb/{p.id}/"))
        else:
            notes.append(skipped("priorities"))
        if not present("meetings"):
            notes.append(skipped("meetings"))
    if present("meetings"):
        seed.add_hearings(url, [mid], 3)
    small_q = profile_pages(make_app(url, PAGE_CACHE_SECONDS=0), [p for _, p in pages])
    with gunicorn(url, overrides=NO_CACHE) as base:
        small = measure(base, pages, seconds, rounds)
    print("small", small, flush=True)

    timings = {}
    t0 = time.perf_counter()
    seed.add_residents(url, all_ids, total=residents)
    timings["residents"] = time.perf_counter() - t0
    if present("meetings"):
        t0 = time.perf_counter()
        seed.add_hearings(url, all_ids, hearings - 3)
        timings["hearings"] = time.perf_counter() - t0
    if present("priorities"):
        t0 = time.perf_counter()
        pids = add_pb_processes(url, all_ids)
        per = ballots // len(pids)
        seed.add_ballots(url, pids, per)
        rest = ballots - per * len(pids)
        if rest:
            seed.add_ballots(url, pids[:1], rest)
        timings["pb processes + ballots + participations"] = time.perf_counter() - t0
    with seed.psycopg_conn(url) as conn:
        conn.autocommit = True
        conn.execute("ANALYZE")
        sizes = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                 for t in ("municipality", "user", "hearing", "pb_process", "pb_ballot", "pb_participation")
                 if conn.execute("SELECT to_regclass(%s)", (f'"{t}"',)).fetchone()[0]}
    print("loaded", sizes, timings, flush=True)
    big_q = profile_pages(make_app(url, PAGE_CACHE_SECONDS=0), [p for _, p in pages])
    with gunicorn(url, overrides=NO_CACHE) as base:
        big = measure(base, pages, seconds, rounds)
    print("big", big, flush=True)

    rows = []
    for label, path in pages:
        slowdown = small[path]["ratio"] / big[path]["ratio"]
        rows.append({"page": label, "small_rps": small[path]["rps"], "big_rps": big[path]["rps"],
                     "small_ratio": small[path]["ratio"], "big_ratio": big[path]["ratio"],
                     "slowdown": slowdown, "small_queries": small_q[path]["queries"],
                     "big_queries": big_q[path]["queries"], "small_ms": small_q[path]["ms"],
                     "big_ms": big_q[path]["ms"], "errors": small[path]["errors"] + big[path]["errors"]})
        if big_q[path]["queries"] > small_q[path]["queries"]:
            notes.append(f"N+1 suspect on {path}: {small_q[path]['queries']} → {big_q[path]['queries']} "
                         f"statements; most repeated: {big_q[path]['top'][:1]}")
    lines = ["| page | small req/s (× hello) | large req/s (× hello) | slowdown | SQL statements small → large | in-process ms small → large |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        ok = "" if r["slowdown"] <= 2 else " ✗"
        lines.append(f"| {r['page']} | {r['small_rps']:.0f} ({r['small_ratio']:.2f}×) | {r['big_rps']:.0f} "
                     f"({r['big_ratio']:.2f}×) | {r['slowdown']:.2f}×{ok} | {r['small_queries']} → "
                     f"{r['big_queries']} | {r['small_ms']:.1f} → {r['big_ms']:.1f} |")
    load_line = ", ".join(f"{k} {v:,}" for k, v in sizes.items())
    lines.append("")
    lines.append(f"Rows after the bulk load: {load_line}. COPY load time: " +
                 ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ".")
    text = "\n".join(lines)
    write_json("scale", {"rows": rows, "sizes": sizes, "timings": timings, "notes": notes,
                         "small_queries": small_q, "big_queries": big_q})
    print(text)
    return {"title": title, "table": text, "notes": notes, "rows": rows}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballots", type=int, default=1_000_000)
    ap.add_argument("--residents", type=int, default=100_000)
    ap.add_argument("--hearings", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    run(a.ballots, a.residents, a.hearings, a.seconds, a.rounds)
