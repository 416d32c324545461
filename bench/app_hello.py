"""The production app plus one bench-only route, `/bench/hello`, for the "hello" baseline.

Served by gunicorn as `bench.app_hello:create_bench_app('production', ...)`. The route is
registered only when AIMAK_BENCH=1 is set, and only here: the production entry point (wsgi.py)
never has it. It goes through the same middleware as every page (session, CSRF hook, locale,
security headers, compression), so `page ÷ hello` measures only what a page itself adds.
"""
import gc
import os

from flask import Blueprint

from hearings import create_app


def create_bench_app(config_name=None, **overrides):
    app = create_app(config_name, **overrides)
    if os.environ.get("AIMAK_BENCH") == "1":
        bench_bp = Blueprint("bench", __name__)

        @bench_bp.route("/bench/hello")
        def hello():
            return "hello"

        app.register_blueprint(bench_bp)
    gc.freeze()  # as wsgi.py does
    return app
