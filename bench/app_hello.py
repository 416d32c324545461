"""The production app plus bench-only routes: `/bench/hello` (the "hello" baseline) and
`/bench/insert` (the single-insert ceiling: one row inserted and committed per request).

Served by gunicorn as `bench.app_hello:create_bench_app('production', ...)`. The routes are
registered only when AIMAK_BENCH=1 is set, and only here: the production entry point (wsgi.py)
never has them. They go through the same middleware as every page (session, CSRF hook, locale,
security headers, compression), so `page ÷ hello` measures only what a page itself adds.
"""
import gc
import os

from flask import Blueprint
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from hearings import create_app
from hearings.extensions import csrf, db

# not in db.metadata: the app's schema and its migration never see this table
bench_metadata = MetaData()
bench_row = Table("bench_row", bench_metadata, Column("id", Integer, primary_key=True),
                  Column("note", String(40), nullable=False))


def create_bench_tables(app):
    """The bench-only table, created by the benchmark before gunicorn starts."""
    with app.app_context():
        bench_metadata.create_all(db.engine)


def create_bench_app(config_name=None, **overrides):
    app = create_app(config_name, **overrides)
    if os.environ.get("AIMAK_BENCH") == "1":
        bench_bp = Blueprint("bench", __name__)

        @bench_bp.route("/bench/hello")
        def hello():
            return "hello"

        @bench_bp.route("/bench/insert", methods=["POST"])
        @csrf.exempt
        def insert_one():
            db.session.execute(insert(bench_row).values(note="x"))
            db.session.commit()
            return "inserted"

        app.register_blueprint(bench_bp)
    gc.freeze()  # as wsgi.py does
    return app
