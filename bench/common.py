"""Shared pieces of the benchmarks: PostgreSQL databases, a gunicorn runner, load generators.

Every benchmark uses its own PostgreSQL database `bench_<name>` on 127.0.0.1 (dropped and created
anew), serves the real app with gunicorn (2 sync workers) and loads it with `wrk` when installed
(`apt-get install wrk`), else with a small bounded Python client. Results are printed and returned
as rows for bench/results.md.
"""
import http.client
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres@127.0.0.1:5432")
USER_AGENT = "aimak-bench"


# ---------------------------------------------------------------- capabilities present or not

def has_capability(name):
    """True when hearings/<name>/ exists with the module the benchmark needs."""
    try:
        return importlib.util.find_spec(f"hearings.{name}") is not None
    except ModuleNotFoundError:
        return False


_LOADABLE = None


def loadable_capabilities():
    """The capabilities of hearings.app.CAPABILITIES whose views import cleanly (checked once, in
    a child process). While capabilities are being written one may be half done; the benchmarks
    then run without it and say so instead of failing."""
    global _LOADABLE
    if _LOADABLE is None:
        from hearings.app import CAPABILITIES

        names = [n for n in CAPABILITIES if has_capability(n)]
        probe = subprocess.run([PYTHON, "-c", (
            "import importlib, json, sys\n"
            "ok, bad = [], {}\n"
            f"for name in {names!r}:\n"
            "    try:\n"
            "        importlib.import_module(f'hearings.{name}.views'); ok.append(name)\n"
            "    except Exception as e:\n"
            "        bad[name] = f'{type(e).__name__}: {e}'\n"
            "print(json.dumps([ok, bad]))")], cwd=str(ROOT), capture_output=True, text=True)
        ok, bad = json.loads(probe.stdout.strip().splitlines()[-1])
        for name, why in bad.items():
            print(f"skipped: hearings.{name} does not import ({why})", flush=True)
        _LOADABLE = tuple(ok)
    return _LOADABLE


def present(name):
    return name in loadable_capabilities()


def skipped(name):
    line = f"skipped: hearings.{name} not present"
    print(line, flush=True)
    return line


# ---------------------------------------------------------------- PostgreSQL

def sa_url(db_name):
    return f"postgresql+psycopg://{PG_SERVER}/{db_name}"


def libpq_url(db_name):
    return f"postgresql://{PG_SERVER}/{db_name}"


def recreate_database(db_name):
    """Drop and create `db_name` (must start with bench_); returns the SQLAlchemy URL."""
    import psycopg

    assert db_name.startswith("bench_"), db_name
    with psycopg.connect(libpq_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    return sa_url(db_name)


def drop_database(db_name):
    import psycopg

    assert db_name.startswith("bench_"), db_name
    with psycopg.connect(libpq_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


_INSTANCE = None


def instance_dir():
    global _INSTANCE
    if _INSTANCE is None:
        _INSTANCE = tempfile.mkdtemp(prefix="aimak-bench-")
        os.environ["AIMAK_INSTANCE"] = _INSTANCE
    return _INSTANCE


def make_app(url, **overrides):
    """The app in this process (for loading data and rendering documents), on `url`."""
    inst = instance_dir()
    from hearings import create_app

    from bench import harness

    settings = dict(SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False,
                    CAPABILITIES=loadable_capabilities(),
                    SECRET_KEY=harness.SECRET_KEY, PIN_HMAC_KEY=harness.PIN_HMAC_KEY,
                    DOCUMENT_STORE=f"{inst}/documents", BACKUP_DIR=f"{inst}/backups",
                    SITE_URL="http://127.0.0.1")
    settings.update(overrides)
    return create_app("development", **settings)


def create_schema(app):
    from hearings.extensions import db

    with app.app_context():
        db.create_all()


def load_territory(app):
    """The 453 municipalities of the shipped list (the real import service)."""
    from hearings.extensions import db
    from hearings.territory.cli import DEFAULT_FILE
    from hearings.territory.models import Municipality
    from hearings.territory.services import add_village, import_municipalities

    with app.app_context():
        import_municipalities(DEFAULT_FILE.read_text(encoding="utf-8"))
        for m in db.session.query(Municipality).all():
            add_village(m, m.name_ru.split()[0] + "-1")
            add_village(m, m.name_ru.split()[0] + "-2")
        db.session.commit()
        return db.session.query(Municipality).count()


# ---------------------------------------------------------------- sessions without a login form

def forged_sessions(app, user_ids, with_csrf=True):
    """Session cookies (and CSRF form tokens) for users, signed like Flask-Login + Flask-WTF do.

    Logging in 10,000 users through the rate-limited login form would benchmark the password
    hash, not the ballot; so the benchmark signs the same session a login would produce. The
    server still checks the signature, the user, and the CSRF token of every request."""
    from flask import session
    from flask_login.utils import _create_identifier
    from flask_wtf.csrf import generate_csrf

    from hearings.accounts.models import User
    from hearings.extensions import db

    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    with app.app_context():
        versions = dict(db.session.query(User.id, User.session_version)
                        .filter(User.id.in_(list(user_ids))).all()) if user_ids else {}
    for uid in user_ids:
        with app.test_request_context("/", headers={"User-Agent": USER_AGENT},
                                      environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            session["_user_id"] = f"{uid}:{versions.get(uid, 0)}"
            session["_fresh"] = True
            session["_id"] = _create_identifier()
            token = generate_csrf() if with_csrf else ""
            cookie = serializer.dumps(dict(session))
        out.append((uid, f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={cookie}", token))
    return out


# ---------------------------------------------------------------- gunicorn

@contextmanager
def gunicorn(url, workers=2, overrides=None):
    """Serve the production app (plus /bench/hello) on `url` with gunicorn `workers` sync workers,
    through bench/harness.py; yields the base URL. Rate limits are off (all load comes from
    127.0.0.1, which per-IP limits would turn into 429s); the secret keys are harness's, so
    sessions signed by `forged_sessions(make_app(url))` are valid on the server."""
    from bench import harness

    settings = dict(harness.DEFAULT_OVERRIDES, CAPABILITIES=loadable_capabilities(),
                    **(overrides or {}))
    args = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    spec = f"bench.app_hello:create_bench_app('production', {args})"
    with harness.running_app(url, workers=workers, app_spec=spec,
                             env={"AIMAK_BENCH": "1"}) as server:
        for _ in range(20):  # warm both workers (imports, templates, connection pools)
            fetch(server.url + "/healthz")
        yield server.url


# ---------------------------------------------------------------- HTTP

def fetch(url, method="GET", body=None, headers=None, timeout=30):
    """One request; returns (status, headers dict (lower-case names), raw body bytes)."""
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    hdrs = {"User-Agent": USER_AGENT}
    hdrs.update(headers or {})
    if isinstance(body, str):
        body = body.encode()
    conn.request(method, path or "/", body=body, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def transferred_bytes(base, path, headers=None):
    """Bytes on the wire (gzip accepted) for the page's HTML plus its own CSS and JS."""
    hdrs = {"Accept-Encoding": "gzip"}
    hdrs.update(headers or {})
    status, h, body = fetch(base + path, headers=hdrs)
    if status != 200:
        raise RuntimeError(f"{path}: HTTP {status}")
    total = len(body)
    html = body
    if h.get("content-encoding") == "gzip":
        import gzip

        html = gzip.decompress(body)
    assets = sorted(set(ASSET.findall(html.decode("utf-8", "replace"))))
    for asset in assets:
        if asset.startswith("http"):
            continue
        s, _, b = fetch(base + asset, headers={"Accept-Encoding": "gzip"})
        total += len(b)
    return total, len(html), assets


def has_wrk():
    return shutil.which("wrk") is not None


WRK_ROW = re.compile(r"Requests/sec:\s+([\d.]+)")


def _wrk_parse(out):
    rps = float(WRK_ROW.search(out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    sock = 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        sock = sum(int(x) for x in m.groups())
    lat = re.search(r"Latency\s+([\d.]+)(us|ms|s)", out)
    factor = {"us": 0.001, "ms": 1, "s": 1000}[lat.group(2)] if lat else 0
    return {"rps": rps, "requests": total, "errors": non2xx + sock, "non2xx": non2xx,
            "socket_errors": sock, "latency_ms": float(lat.group(1)) * factor if lat else None}


def settle(url, timeout=60):
    """Wait until the server has finished the requests a previous load left queued: one
    sequential request per worker on the hello route (sync workers answer in queue order)."""
    parts = urlparse(url)
    for _ in range(4):
        try:
            fetch(f"{parts.scheme}://{parts.netloc}/bench/hello", timeout=timeout)
        except OSError:
            pass


def load(url, seconds=5.0, connections=8, headers=None, script=None, script_args=()):
    """Requests/s against `url` for `seconds` with `connections` concurrent clients.

    wrk when installed (one thread: the server has the cores), else the Python client."""
    hdrs = {"User-Agent": USER_AGENT}
    hdrs.update(headers or {})
    settle(url)
    if has_wrk():
        cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
        for k, v in hdrs.items():
            cmd += ["-H", f"{k}: {v}"]
        if script:
            cmd += ["-s", str(script)]
        cmd.append(url)
        if script_args:
            cmd += ["--", *map(str, script_args)]
        for attempt in range(2):
            run = subprocess.run(cmd, capture_output=True, text=True)
            out = run.stdout
            if run.returncode == 0 and WRK_ROW.search(out) and _wrk_parse(out)["requests"] > 0:
                break
            print(f"wrk gave no result (attempt {attempt + 1}): {out[-400:]} {run.stderr[-400:]}",
                  flush=True)
        else:
            raise RuntimeError(f"wrk failed against {url}")
        result = _wrk_parse(out)
        result["tool"] = "wrk"
        return result
    if script:
        raise RuntimeError("this benchmark needs wrk for scripted requests: apt-get install wrk")
    return python_load(lambda i: ("GET", url, None, hdrs), seconds, connections)


def python_load(make_request, seconds=5.0, connections=8, max_requests=None):
    """Bounded concurrent client: `connections` threads, each sending make_request(i) →
    (method, url, body, headers) until `seconds` pass or `max_requests` were sent."""
    lock = threading.Lock()
    state = {"i": 0, "ok": 0, "errors": 0, "lat": 0.0}
    stop_at = time.perf_counter() + seconds

    def worker():
        while time.perf_counter() < stop_at:
            with lock:
                i = state["i"]
                if max_requests is not None and i >= max_requests:
                    return
                state["i"] += 1
            method, url, body, headers = make_request(i)
            t0 = time.perf_counter()
            try:
                status, _, _ = fetch(url, method, body, headers)
                good = 200 <= status < 400
            except OSError:
                good = False
            dt = time.perf_counter() - t0
            with lock:
                state["ok" if good else "errors"] += 1
                state["lat"] += dt

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    n = state["ok"] + state["errors"]
    return {"rps": n / elapsed, "requests": n, "errors": state["errors"], "tool": "python",
            "latency_ms": 1000 * state["lat"] / n if n else None}


# ---------------------------------------------------------------- results

def write_json(name, data):
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}×"
