"""Benchmark 2 — public pages versus the bare hello route, and bytes on the wire per page.

    .venv/bin/python bench/pages.py [--seconds 2] [--rounds 3]

Data (PostgreSQL `bench_pages`): the 453 municipalities; in one of them a published draft budget
with 40 lines, a PB process in its voting phase with 100 priorities, a finished one with 100
priorities and 1,000 ballots. gunicorn, 2 workers. Each round loads hello, then every page, for
`seconds` each (wrk, 8 connections, `Accept-Encoding: gzip` like a browser); a page's ratio is
its requests/s ÷ the same round's hello requests/s, and the median over rounds is reported.
Measured twice: as in production (pages decorated with hearings.core.pagecache.public_cache
are served from the 10-second micro-cache to anonymous visitors) and with that cache off.
Target: ≥ 0.5× hello; ≤ 60 KB transferred per page (HTML + its CSS + JS, gzip).
"""
import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (create_schema, fetch, gunicorn, load, load_territory, make_app,  # noqa: E402
                          present, recreate_database, skipped, transferred_bytes, write_json)
from bench import seed  # noqa: E402

HELLO = "/bench/hello"
GZIP = {"Accept-Encoding": "gzip"}


def build(db_name="bench_pages", ballots=1000):
    """Create the database; returns (url, pages [(label, path)], notes)."""
    url = recreate_database(db_name)
    app = make_app(url)
    create_schema(app)
    load_territory(app)
    notes = []
    results_pid = None
    with app.app_context():
        m = seed.first_municipality()
        slug = m.slug
        pages = [("National overview", "/"), ("Municipality home", f"/m/{slug}/")]
        if present("drafts"):
            d = seed.draft_budget(m, 40)
            pages.append(("Draft budget page (40 lines)", f"/m/{slug}/drafts/{d.id}/"))
        else:
            notes.append(skipped("drafts"))
        if present("priorities"):
            p = seed.pb_process(m, "voting", 100, title="Добуш берүү жүрүп жатат")
            pages.append(("Priorities list (100 priorities)", f"/m/{slug}/pb/{p.id}/"))
            r = seed.pb_process(m, "results", 100, title="Жыйынтыктар")
            results_pid = r.id
            pages.append((f"Results page (100 priorities, {ballots:,} ballots)",
                          f"/m/{slug}/pb/{r.id}/results"))
        else:
            notes.append(skipped("priorities"))
        if present("meetings"):
            seed.add_hearings(url, [m.id], 3)
    if results_pid:
        seed.add_ballots(url, [results_pid], ballots)
    return url, pages, notes


def measure(base, pages, seconds=2.0, rounds=3, connections=8):
    """Interleaved rounds: hello, then each page; returns rows with medians."""
    for label, path in pages:
        try:
            status, _, body = fetch(base + path, timeout=60)
        except OSError as error:
            raise RuntimeError(f"{label} {path}: {error!r}") from error
        if status != 200:
            raise RuntimeError(f"{label} {path}: HTTP {status}: {body[:300]!r}")
    hello, per_page = [], {path: [] for _, path in pages}
    for _ in range(rounds):
        h = load(base + HELLO, seconds, connections, headers=GZIP)
        hello.append(h)
        for _, path in pages:
            r = load(base + path, seconds, connections, headers=GZIP)
            r["ratio"] = r["rps"] / h["rps"]
            per_page[path].append(r)
    rows = [{"page": "hello (bench-only route)", "path": HELLO,
             "rps": statistics.median(x["rps"] for x in hello), "ratio": 1.0,
             "errors": sum(x["errors"] for x in hello), "latency_ms": statistics.median(
                 x["latency_ms"] for x in hello)}]
    for label, path in pages:
        runs = per_page[path]
        total, html, assets = transferred_bytes(base, path)
        rows.append({"page": label, "path": path, "rps": statistics.median(x["rps"] for x in runs),
                     "ratio": statistics.median(x["ratio"] for x in runs),
                     "errors": sum(x["errors"] for x in runs),
                     "latency_ms": statistics.median(x["latency_ms"] for x in runs),
                     "bytes": total, "html_bytes": html, "assets": assets})
    return rows


def table(rows, target=0.5):
    lines = ["| page | req/s | × hello | without the page cache: req/s (× hello) | errors | "
             "KB on the wire (gzip, HTML+CSS+JS) |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        ok = "" if r["ratio"] >= target else " ✗"
        kb = f"{r['bytes'] / 1024:.1f}" + ("" if r["bytes"] <= 60 * 1024 else " ✗") if "bytes" in r else "—"
        unc = f"{r['rps_uncached']:.0f} ({r['ratio_uncached']:.2f}×)" if "rps_uncached" in r else "—"
        lines.append(f"| {r['page']} | {r['rps']:.0f} | {r['ratio']:.2f}×{ok} | {unc} | {r['errors']} | {kb} |")
    return "\n".join(lines)


def run(seconds=2.0, rounds=3):
    url, pages, notes = build()
    with gunicorn(url) as base:  # as in production (pages that use core.pagecache are cached)
        rows = measure(base, pages, seconds, rounds)
    with gunicorn(url, overrides={"PAGE_CACHE_SECONDS": 0}) as base:  # every request rendered
        raw = {r["path"]: r for r in measure(base, pages, seconds, rounds)}
    for r in rows:
        r["ratio_uncached"] = raw[r["path"]]["ratio"]
        r["rps_uncached"] = raw[r["path"]]["rps"]
    write_json("pages", {"rows": rows, "notes": notes})
    text = table(rows)
    print(text)
    return {"title": "2. Public pages vs hello (target ≥ 0.5×, ≤ 60 KB)", "table": text,
            "notes": notes, "rows": rows}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    run(a.seconds, a.rounds)
