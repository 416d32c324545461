"""Fixtures: the app on SQLite (or TEST_DATABASE_URL), a clean database per test,
two municipalities (A and B) with a user per role, login helper, live server and browser."""
import os
import shutil
import tempfile
import threading

import pytest
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import text

from hearings import create_app
from hearings.accounts.models import Membership, User
from hearings.core.models import utcnow
from hearings.extensions import db
from hearings.territory.models import Municipality, Oblast, Raion, Village

# CI replays the same hypothesis examples every run (a red build is reproducible); locally each
# run explores new ones and prints any failing example to add as a regular test.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")

PASSWORD = "correct-horse-1"
_PASSWORD_HASH = []  # scrypt costs ~0.3 s: hash the shared test password once per run


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (own `g`, own db session), as in production;
    afterwards the test's own session is expired so it sees what the request committed."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app():
    tmp = tempfile.mkdtemp(prefix="aimak-test-")
    os.environ["AIMAK_INSTANCE"] = tmp
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp}/test.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, DOCUMENT_STORE=f"{tmp}/documents",
                     BACKUP_DIR=f"{tmp}/backups", SITE_URL="http://localhost")
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


def wipe():
    """Empty every table (fast on both databases) so each test starts clean."""
    db.session.rollback()
    db.session.expunge_all()
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _context(app):
    from hearings.core import mail

    with app.app_context():
        wipe()
        mail.outbox.clear()
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def english():
    with force_locale("en"):
        yield


def make_municipality(code_suffix, slug, name):
    oblast = db.session.query(Oblast).filter_by(code="41702000000000").one_or_none()
    if oblast is None:
        oblast = Oblast(code="41702000000000", name_ru="Иссык-Кульская область",
                        name_ky="Ысык-Көл облусу", name_en="Issyk-Kul Region")
        raion = Raion(code="41702205000000", name_ru="Ак-Суйский район", name_ky="Ак-Суу району",
                      name_en="Ak-Suu District", oblast=oblast)
        db.session.add_all([oblast, raion])
    raion = db.session.query(Raion).filter_by(code="41702205000000").one()
    m = Municipality(soate=f"41702205{code_suffix}", slug=slug, name_ru=name, name_ky=name,
                     name_en=name, raion=raion)
    m.villages.append(Village(name_ru=f"{name}-1", name_ky=f"{name}-1", name_en=f"{name}-1"))
    m.villages.append(Village(name_ru=f"{name}-2", name_ky=f"{name}-2", name_en=f"{name}-2"))
    db.session.add(m)
    db.session.flush()
    return m


def make_user(email, municipality, role=None, admin=False, name=None):
    user = User(email=email, full_name=name or email.split("@")[0].title() + " Тестов",
                municipality_id=municipality.id, village_id=municipality.villages[0].id,
                consent_at=utcnow(), email_confirmed_at=utcnow(), is_admin=admin, locale="en")
    if not _PASSWORD_HASH:
        user.set_password(PASSWORD)
        _PASSWORD_HASH.append(user.password_hash)
    user.password_hash = _PASSWORD_HASH[0]
    if role:
        user.memberships.append(Membership(municipality_id=municipality.id, role=role))
    db.session.add(user)
    return user


@pytest.fixture
def municipality():
    m = make_municipality("848000", "teploklyuchenka", "Теплоключенка")
    db.session.commit()
    return m


@pytest.fixture
def other_municipality(municipality):
    m = make_municipality("805000", "ak-bulun", "Ак-Булуң")
    db.session.commit()
    return m


@pytest.fixture
def users(municipality, other_municipality):
    """A user per role in A, the same roles in B, residents of A and B, and an admin."""
    u = {
        "resident": make_user("resident@a.kg", municipality),
        "resident2": make_user("resident2@a.kg", municipality),
        "staff": make_user("staff@a.kg", municipality, "staff"),
        "secretary": make_user("secretary@a.kg", municipality, "secretary"),
        "chair": make_user("chair@a.kg", municipality, "chair"),
        "resident_b": make_user("resident@b.kg", other_municipality),
        "staff_b": make_user("staff@b.kg", other_municipality, "staff"),
        "secretary_b": make_user("secretary@b.kg", other_municipality, "secretary"),
        "chair_b": make_user("chair@b.kg", other_municipality, "chair"),
        "admin": make_user("admin@site.kg", municipality, admin=True),
    }
    db.session.commit()
    return u


def login(client, user, password=PASSWORD):
    response = client.post("/account/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    return client


@pytest.fixture
def login_as(client):
    def _login(user):
        client.get("/lang/en")
        return login(client, user)
    return _login


# --- browser tests -------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


def pytest_collection_modifyitems(config, items):
    if CHROMIUM or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="chromium is not installed (apt-get install chromium); CI installs it")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def live_server(app):
    from werkzeug.serving import make_server

    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    db.session.commit()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(scope="session")
def _browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM or "/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser):
    """A phone-sized page (360×740), Kyrgyz first in Accept-Language."""
    context = _browser.new_context(viewport={"width": 360, "height": 740},
                                   locale="ky-KG", extra_http_headers={"Accept-Language": "ky"})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
