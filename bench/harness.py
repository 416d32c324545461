"""Run the real app under gunicorn against a fresh PostgreSQL database, and load it.

Shared by the reliability tests (tests/reliability/) and the benchmarks (bench/):

    with fresh_database() as url:                  # CREATE DATABASE …; DROP … WITH (FORCE) after
        migrate(url)                               # `flask db upgrade`, or db.create_all()
        with running_app(url, workers=2) as a, running_app(url, workers=2) as b:
            s = HttpSession(a.url); s.login(email, password)
            r = s.post("/some/form", {"field": "x"})          # CSRF token fetched and sent
            results = run_bounded([lambda: ..., ...], concurrency=50)

Dependency-light on purpose: the standard library's http.client and threads, psycopg (already a
runtime dependency) for CREATE/DROP DATABASE, gunicorn from requirements.txt.
"""
import contextlib
import html
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# one secret per load run, shared by every instance so a session cookie works on all of them
SECRET_KEY = "bench-" + secrets.token_hex(16)
PIN_HMAC_KEY = "bench-pin-" + secrets.token_hex(16)


# --- PostgreSQL ------------------------------------------------------------------------------

def admin_url():
    """Where to CREATE DATABASE: AIMAK_PG_ADMIN_URL, else TEST_DATABASE_URL's server, else local."""
    from sqlalchemy.engine import make_url

    explicit = os.environ.get("AIMAK_PG_ADMIN_URL")
    if explicit:
        return make_url(explicit)
    test_url = os.environ.get("TEST_DATABASE_URL")
    if test_url and test_url.startswith("postgresql"):
        return make_url(test_url).set(database="postgres")
    return make_url("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _libpq(url):
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def pg_available(timeout=3):
    import psycopg

    try:
        with psycopg.connect(_libpq(admin_url()), connect_timeout=timeout):
            return True
    except psycopg.OperationalError:
        return False


@contextlib.contextmanager
def fresh_database(prefix="aimak_run"):
    """Create an empty PostgreSQL database for this run; yield its SQLAlchemy URL; drop it."""
    import psycopg

    admin = admin_url()
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_libpq(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_env(database_url, **extra):
    instance = tempfile.mkdtemp(prefix="aimak-run-")
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env.update({
        "AIMAK_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
        "PIN_HMAC_KEY": PIN_HMAC_KEY, "AIMAK_INSTANCE": instance, "FLASK_APP": "wsgi:app",
        "PYTHONPATH": str(ROOT), "SITE_URL": "http://127.0.0.1",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def migrate(database_url):
    """Build the schema: `flask db upgrade` when migrations exist, else db.create_all()."""
    env = app_env(database_url)
    if any((ROOT / "migrations" / "versions").glob("*.py")):
        cmd = [str(BIN / "flask"), "db", "upgrade"]
    else:
        cmd = [sys.executable, "-c",
               "from hearings import create_app; from hearings.extensions import db\n"
               "app = create_app('production')\n"
               "with app.app_context(): db.create_all()"]
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)


def run_in_app(database_url, code, timeout=120):
    """Run Python `code` inside an app context of the production app (seed data, read counts).
    Whatever it prints to stdout is returned."""
    script = ("from hearings import create_app; from hearings.extensions import db\n"
              "app = create_app('production', MAIL_SUPPRESS_SEND=True)\n"
              "ctx = app.app_context(); ctx.push()\n" + code)
    result = subprocess.run([sys.executable, "-c", script], env=app_env(database_url), cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"run_in_app failed:\n{result.stderr[-4000:]}")
    return result.stdout


# --- gunicorn ----------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DEFAULT_OVERRIDES = {
    # the load comes from one address (127.0.0.1); per-IP limits would answer 429 to everybody
    "RATELIMIT_ENABLED": False,
    "MAIL_SUPPRESS_SEND": True,
}


class AppServer:
    """One gunicorn master with `workers` sync workers on 127.0.0.1:`port`."""

    def __init__(self, database_url, workers=2, port=None, app_spec=None, overrides=None,
                 env=None, timeout=30):
        self.database_url = database_url
        self.workers = workers
        self.port = port or free_port()
        settings = dict(DEFAULT_OVERRIDES, **(overrides or {}))
        args = ", ".join(f"{k}={v!r}" for k, v in settings.items())
        self.app_spec = app_spec or f"hearings:create_app('production', {args})"
        self.env = app_env(database_url, **(env or {}))
        self.timeout = timeout
        self.process = None
        self.log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait=60):
        cmd = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}",
               "--workers", str(self.workers), "--timeout", str(self.timeout),
               "--graceful-timeout", "5", "--backlog", "2048", self.app_spec]
        self.process = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_healthy(wait)
        return self

    def wait_healthy(self, wait=60):
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                if request("GET", self.url + "/healthz", timeout=2).status == 200 and \
                        len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not become healthy in {wait}s:\n{self.log_text()}")

    def worker_pids(self):
        """The master's child processes (the workers), read from /proc."""
        pid = self.process.pid
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                return [int(p) for p in f.read().split()]
        except FileNotFoundError:
            return []

    def kill_worker(self, sig=signal.SIGKILL):
        """kill -9 one worker; the master notices and forks a new one. Returns the pid killed."""
        pid = self.worker_pids()[0]
        os.kill(pid, sig)
        return pid

    def log_text(self):
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-20000:]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


@contextlib.contextmanager
def running_app(database_url, workers=2, port=None, **kwargs):
    """Start gunicorn on a free port, wait for /healthz, yield the AppServer, stop it."""
    server = AppServer(database_url, workers=workers, port=port, **kwargs)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        with contextlib.suppress(OSError):
            os.unlink(server.log.name)


# --- HTTP client -------------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body, url):
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self):
        return self.headers.get("location")

    def __repr__(self):
        return f"<Response {self.status} {self.url}>"


def request(method, url, body=None, headers=None, timeout=30):
    parts = urlsplit(url)
    conn = HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path or "/", body=body, headers=headers or {})
        raw = conn.getresponse()
        data = raw.read()
        headers = {}
        set_cookies = []
        for k, v in raw.getheaders():
            if k.lower() == "set-cookie":
                set_cookies.append(v)
            headers[k.lower()] = v
        response = Response(raw.status, headers, data, url)
        response.set_cookies = set_cookies
        return response
    finally:
        conn.close()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class HttpSession:
    """A cookie jar plus the CSRF token of the session; one per simulated person.
    Thread-safe enough for one person sending a few requests at once (the cookie jar is locked)."""

    def __init__(self, base_url, lang="en"):
        self.base_url = base_url.rstrip("/")
        self.cookies = {"lang": lang} if lang else {}
        self.csrf_token = None
        self._lock = threading.Lock()

    def _headers(self, extra=None):
        with self._lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Cookie": cookie} if cookie else {}
        headers.update(extra or {})
        return headers

    def _remember(self, response):
        with self._lock:
            for header in response.set_cookies:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if "expires=Thu, 01 Jan 1970" in header or value == "":
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
        match = CSRF_RE.search(response.text) if b"csrf_token" in response.body else None
        if match:
            self.csrf_token = html.unescape(match.group(1) or match.group(2))
        return response

    def url(self, path):
        return urljoin(self.base_url + "/", path.lstrip("/")) if not path.startswith("http") else path

    def get(self, path, timeout=30):
        return self._remember(request("GET", self.url(path), headers=self._headers(), timeout=timeout))

    def post(self, path, data=None, csrf=True, timeout=30):
        """POST a form; with csrf=True the session's token is added (fetched from `path` first
        when the session has none yet)."""
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            if self.csrf_token is None:
                self.get(path)
            fields.append(("csrf_token", self.csrf_token or ""))
        body = urlencode(fields, doseq=True)
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded",
                                 "Referer": self.url(path)})
        return self._remember(request("POST", self.url(path), body=body, headers=headers,
                                      timeout=timeout))

    def adopt(self, user_id, session_version=0, secret_key=None):
        """Become user `user_id` without the login form: a session cookie signed with the run's
        SECRET_KEY (as Flask-Login would write it) and its CSRF token. Saves a password hash per
        simulated person (scrypt costs ~0.3 s of CPU) and keeps the login rate limit out of it."""
        from flask import Flask
        from flask.sessions import SecureCookieSessionInterface
        from itsdangerous import URLSafeTimedSerializer

        secret = secret_key or SECRET_KEY
        signer = Flask("harness")
        signer.secret_key = secret
        raw = secrets.token_hex(20)
        cookie = SecureCookieSessionInterface().get_signing_serializer(signer).dumps(
            {"_user_id": f"{user_id}:{session_version}", "_fresh": True, "csrf_token": raw})
        with self._lock:
            self.cookies["session"] = cookie
        self.csrf_token = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
        return self

    def login(self, email, password):
        self.get("/account/login")
        response = self.post("/account/login", {"email": email, "password": password})
        if response.status != 302:
            raise RuntimeError(f"login of {email} failed: {response.status}")
        self.csrf_token = None  # login starts a fresh session, hence a new token
        return response


# --- load --------------------------------------------------------------------------------------

class Outcome:
    """What one request ended with: a Response, or the exception (connection reset, timeout)."""

    def __init__(self, key, response=None, error=None, started=0.0, elapsed=0.0):
        self.key = key
        self.response = response
        self.error = error
        self.started = started
        self.elapsed = elapsed

    @property
    def status(self):
        return self.response.status if self.response is not None else None

    def __repr__(self):
        return f"<Outcome {self.key} {self.status or type(self.error).__name__}>"


def run_bounded(jobs, concurrency=32):
    """Run `jobs` — (key, callable returning a Response) pairs — on at most `concurrency` threads;
    return one Outcome per job, in order. Exceptions are captured, never raised."""

    def one(job):
        key, fn = job
        started = time.monotonic()
        try:
            return Outcome(key, response=fn(), started=started, elapsed=time.monotonic() - started)
        except Exception as error:  # noqa: BLE001 — connection resets are data here
            return Outcome(key, error=error, started=started, elapsed=time.monotonic() - started)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, jobs))


def together(*fns, timeout=30):
    """Wrap callables so that they start at the same moment (a barrier) when run on threads."""
    barrier = threading.Barrier(len(fns), timeout=timeout)

    def wrap(fn):
        def run():
            barrier.wait()
            return fn()
        return run

    return [wrap(fn) for fn in fns]
