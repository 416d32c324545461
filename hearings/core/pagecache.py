"""A micro-cache for public pages: every anonymous visitor asking for the same page in the same
language gets the same HTML, so it is rendered at most once per `seconds` per worker.

    @bp.route("/m/<slug>/")
    @public_cache(10)
    def home(slug): ...

Only anonymous GETs without flashed messages (and without ?lang=, which sets a cookie) are served from or stored in the cache (signed-in
people, e.g. staff who just published something, always see the page fresh); only 200 answers
that set no cookie are stored. Off under TESTING so tests always see fresh pages. Per process,
bounded, no shared state: at most `seconds` of staleness for anonymous visitors. A hit is
gzipped once per entry (not on every request) for clients that accept gzip.
"""
import gzip
import time
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user

MAX_ENTRIES = 2000
_CACHE = {}
_GZIP = {}  # key -> (body, its gzip), for clients that accept gzip
_LANGS = ("ky", "ru", "en")


def _key():
    # the locale depends on these (and on the municipality, which the path determines)
    return (request.full_path, request.cookies.get("lang"),
            request.accept_languages.best_match(_LANGS))


def clear():
    _CACHE.clear()
    _GZIP.clear()


def public_cache(seconds=10):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            app = current_app
            if (request.method != "GET" or app.config.get("TESTING") or "lang" in request.args
                    or app.config.get("PAGE_CACHE_SECONDS") == 0
                    or "_flashes" in session or current_user.is_authenticated):
                return view(*args, **kwargs)
            key = _key()
            now = time.monotonic()
            hit = _CACHE.get(key)
            if hit is not None and hit[0] > now:
                _, body, status, headers = hit
                if (request.accept_encodings["gzip"] > 0 and len(body) >= 500
                        and any(k.lower() == "content-type" and v.startswith("text/")
                                for k, v in headers)):
                    # compressed once per entry, not on every hit (Flask-Compress leaves a
                    # response that already has a Content-Encoding alone)
                    packed = _GZIP.get(key)
                    if packed is None or packed[0] is not body:
                        if len(_GZIP) >= MAX_ENTRIES:
                            _GZIP.clear()
                        packed = _GZIP[key] = (body, gzip.compress(body, app.config.get("COMPRESS_LEVEL", 6)))
                    return app.response_class(packed[1], status=status, headers=headers + [
                        ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")])
                return app.response_class(body, status=status, headers=headers)
            response = make_response(view(*args, **kwargs))
            if (response.status_code == 200 and not response.direct_passthrough
                    and "Set-Cookie" not in response.headers):
                if len(_CACHE) >= MAX_ENTRIES:
                    _CACHE.clear()
                headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
                _CACHE[key] = (now + seconds, response.get_data(), 200, headers)
            return response

        return wrapped

    return decorator
