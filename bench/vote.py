"""Benchmark 1 — vote throughput: authenticated ballot submissions versus the bare hello route.

    .venv/bin/python bench/vote.py [--seconds 5] [--rounds 3] [--voters 6000]

PostgreSQL `bench_vote`, gunicorn with 2 sync workers, wrk with 8 connections. A PB process in
its voting phase (knapsack ballot, 100 accepted priorities) and `rounds × voters` confirmed
residents. Every request is a different resident POSTing the real ballot form (3 priorities)
with their session cookie and CSRF token: CSRF check, login check, ballot validation, then
participation + ballot + audit entry committed in one transaction. Sessions are signed directly
(see common.forged_sessions) because logging in thousands of users would benchmark scrypt.
Each round: hello for `seconds`, the single-insert ceiling (`/bench/insert`: one row inserted
and committed, nothing else) for `seconds`, then ballots for `seconds`; ratio = ballots/s ÷
hello/s, median over rounds. Afterwards the database must hold exactly as many ballots as participations,
and as many as the server answered 200 to (0 errors). Target ≥ 0.25× hello.
"""
import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (create_schema, fetch, forged_sessions, gunicorn, has_wrk,  # noqa: E402
                          load, load_territory, make_app, present, python_load,
                          recreate_database, skipped, write_json)
from bench import seed  # noqa: E402
from bench.app_hello import create_bench_tables  # noqa: E402

LUA = Path(__file__).resolve().parent / "vote.lua"
INSERT_LUA = Path(__file__).resolve().parent / "insert.lua"


def counts(app, pid):
    from sqlalchemy import func, select

    from hearings.extensions import db
    from hearings.priorities.models import Ballot, Participation

    with app.app_context():
        b = db.session.scalar(select(func.count()).select_from(Ballot).filter_by(process_id=pid))
        p = db.session.scalar(select(func.count()).select_from(Participation).filter_by(process_id=pid))
        db.session.remove()
    return b, p


def run(seconds=5, rounds=3, voters=6000):
    title = "1. Vote throughput vs hello (target ≥ 0.25×, 0 errors)"
    if not present("priorities"):
        return {"title": title, "table": "", "notes": [skipped("priorities")], "rows": []}
    url = recreate_database("bench_vote")
    app = make_app(url)
    create_schema(app)
    create_bench_tables(app)
    load_territory(app)
    with app.app_context():
        m = seed.first_municipality()
        process = seed.pb_process(m, "voting", 100, kind="knapsack", budget=10_000_000)
        pid, slug = process.id, m.slug
        choices = [p.pid for p in sorted(process.priorities, key=lambda p: p.cost)[:3]]
    users = seed.add_residents(url, [m.id], total=voters * rounds)[m.id]
    sessions = forged_sessions(app, users)
    path = f"/m/{slug}/pb/{pid}/vote"
    extra = "".join(f"&p={c}" for c in choices)
    files = []
    for r in range(rounds):
        f = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False)
        for _, cookie, token in sessions[r * voters:(r + 1) * voters]:
            f.write(f"{cookie}\t{token}\n")
        f.close()
        files.append(f.name)
    rows = []
    with gunicorn(url) as base:
        # one real ballot first: the form must answer 200 and store one ballot
        _, cookie, token = sessions[-1]
        status, _, body = fetch(base + path, "POST", f"csrf_token={token}{extra}",
                                {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        if status != 200 or counts(app, pid) != (1, 1):
            raise RuntimeError(f"a single ballot failed: HTTP {status} {body[:400]!r}")
        for r in range(rounds):
            before = counts(app, pid)
            h = load(base + "/bench/hello", seconds, 8)
            if has_wrk():
                ins = load(base + "/bench/insert", seconds, 8, script=INSERT_LUA)
            else:
                ins = python_load(lambda i: ("POST", base + "/bench/insert", "note=x",
                                             {"Content-Type": "application/x-www-form-urlencoded"}),
                                  seconds, 8)
            if has_wrk():
                v = load(base + path, seconds, 8, script=LUA, script_args=(path, files[r], extra))
            else:  # the bounded Python client, one voter per request
                chunk = sessions[r * voters:(r + 1) * voters]

                def ballot(i, chunk=chunk):
                    _, cookie, token = chunk[i]
                    return ("POST", base + path, f"csrf_token={token}{extra}",
                            {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})

                v = python_load(ballot, seconds, 8, max_requests=len(chunk))
            after = counts(app, pid)
            stored = after[0] - before[0]
            rows.append({"hello_rps": h["rps"], "insert_rps": ins["rps"], "vote_rps": v["rps"],
                         "ratio": v["rps"] / h["rps"], "insert_ratio": ins["rps"] / h["rps"],
                         "requests": v["requests"], "errors": v["errors"] + h["errors"] + ins["errors"],
                         "stored": stored, "participations": after[1] - before[1],
                         "ran_out": stored >= voters, "latency_ms": v["latency_ms"]})
            print(rows[-1], flush=True)
    for f in files:
        Path(f).unlink()
    ballots, participations = counts(app, pid)
    consistent = ballots == participations
    ratio = statistics.median(r["ratio"] for r in rows)
    insert_ratio = statistics.median(r["insert_ratio"] for r in rows)
    errors = sum(r["errors"] for r in rows)
    # wrk stops counting at the deadline; requests in flight then may still be committed
    unaccounted = sum(r["stored"] - r["requests"] for r in rows)
    ok = "" if ratio >= 0.25 and errors == 0 and consistent else " ✗"
    text = "\n".join([
        "| measure | value |", "|---|---:|",
        f"| hello req/s (median) | {statistics.median(r['hello_rps'] for r in rows):.0f} |",
        f"| single insert req/s (median): one row inserted and committed, nothing else | "
        f"{statistics.median(r['insert_rps'] for r in rows):.0f} |",
        f"| ballots/s (median) | {statistics.median(r['vote_rps'] for r in rows):.0f} |",
        f"| single insert ÷ hello (the ceiling the target names) | {insert_ratio:.2f}× |",
        f"| ballots ÷ hello | {ratio:.2f}×{ok} |",
        f"| ballots ÷ single insert | {ratio / insert_ratio:.2f}× |",
        f"| ballot latency, mean ms | {statistics.median(r['latency_ms'] for r in rows):.1f} |",
        f"| ballots answered / stored | {sum(r['requests'] for r in rows)} / {sum(r['stored'] for r in rows)} "
        f"(+{unaccounted} in flight at the deadline) |",
        f"| errors (non-2xx, socket) | {errors} |",
        f"| ballots = participations in the database | {'yes' if consistent else 'NO'} ({ballots} / {participations}) |",
    ])
    notes = ["voters ran out in a round: raise --voters"] if any(r["ran_out"] for r in rows) else []
    write_json("vote", {"rounds": rows, "ballots": ballots, "participations": participations})
    print(text)
    return {"title": title, "table": text, "notes": notes, "rows": rows}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--voters", type=int, default=6000)
    a = ap.parse_args()
    run(a.seconds, a.rounds, a.voters)
