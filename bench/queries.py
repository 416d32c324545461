"""SQL statements per page (the N+1 detector), in-process against a benchmark database.

    .venv/bin/python bench/queries.py bench_pages /  /m/<slug>/ ...   # print statements per page

Used by pages.py and scale.py: a page whose statement count grows with the data has an N+1.
"""
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import make_app, sa_url  # noqa: E402


class QueryCounter:
    def __init__(self, app):
        from sqlalchemy import event

        from hearings.extensions import db

        self.statements = []
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)


def profile_pages(app, paths, repeat=5):
    """{path: {"status", "queries", "ms" (median in-process), "top": [(count, statement)]}}."""
    counter = QueryCounter(app)
    client = app.test_client()
    out = {}
    for path in paths:
        client.get(path)  # warm caches
        counter.statements.clear()
        r = client.get(path)
        statements = list(counter.statements)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        normalized = Counter(" ".join(s.split())[:160] for s in statements)
        out[path] = {"status": r.status_code, "queries": len(statements),
                     "ms": statistics.median(times),
                     "top": [(n, s) for s, n in normalized.most_common(3)]}
    return out


if __name__ == "__main__":
    db_name, *paths = sys.argv[1:]
    app = make_app(sa_url(db_name))
    for path, info in profile_pages(app, paths).items():
        print(f"{path}: HTTP {info['status']}, {info['queries']} statements, {info['ms']:.1f} ms")
        for n, s in info["top"]:
            print(f"    {n}× {s}")
