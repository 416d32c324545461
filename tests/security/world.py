"""A complete site to probe: every capability's demo data (`flask demo seed`) in municipality A
(Teploklyuchenka), plus an unpublished draft and a draft hearing in A, and residents/staff/
secretary/chair of a second municipality B. Built once per test session into a template
database (SQLite file, or a PostgreSQL template database when TEST_DATABASE_URL is PostgreSQL)
and copied for each test that uses it, so tests may change it freely."""
import itertools
import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import make_url

from hearings import create_app
from hearings.extensions import db

ROLES = ("anonymous", "resident", "staff", "secretary", "chair", "resident_b", "staff_b",
         "secretary_b", "chair_b", "admin")


def _app(url, store):
    from tests.conftest import FreshContextClient

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, DOCUMENT_STORE=f"{store}/documents",
                     BACKUP_DIR=f"{store}/backups", SITE_URL="http://localhost", MAIL_SUPPRESS_SEND=True,
                     PROPAGATE_EXCEPTIONS=False)  # a crash is a 500 page here, recorded as such
    app.test_client_class = FreshContextClient
    return app


def _seed():
    """Demo data of every capability, then B's roles and a few non-public objects in A."""
    from hearings.accounts.models import Membership, User
    from hearings.core.cli import run_demo_seed
    from hearings.core.models import utcnow
    from hearings.territory.models import Municipality

    ctx = run_demo_seed()
    a = ctx.municipalities["teploklyuchenka"]
    b = next(m for slug, m in ctx.municipalities.items() if slug != "teploklyuchenka")
    users = {"admin": ctx.users["admin"], "staff": ctx.users["staff"],
             "secretary": ctx.users["secretary"], "chair": ctx.users["chair"],
             "resident": ctx.users["resident"]}
    hashed = users["resident"].password_hash
    for role in ("resident_b", "staff_b", "secretary_b", "chair_b"):
        user = User(email=f"{role}@b.kg", full_name=f"{role} Тестов", municipality_id=b.id,
                    consent_at=utcnow(), email_confirmed_at=utcnow(), locale="en", password_hash=hashed)
        if role != "resident_b":
            user.memberships.append(Membership(municipality_id=b.id, role=role.split("_")[0]))
        db.session.add(user)
        users[role] = user
    db.session.commit()
    ids = {"a": a.id, "b": b.id, "slug_a": a.slug, "slug_b": b.slug,
           "users": {role: (u.id, u.session_version) for role, u in users.items()}}
    for key, obj in ctx.data.items():
        if hasattr(obj, "id"):
            ids[key] = obj.id
    # non-public things of A: an unpublished draft, a hearing still in preparation
    from hearings.drafts import services as drafts

    draft = drafts.create_draft(a, users["staff"], "budget", title_ky="Жашыруун долбоор",
                                title_ru="Скрытый проект", title_en="Hidden draft", fiscal_year=2027)
    db.session.commit()
    ids["draft_unpublished"] = draft.id
    from hearings.meetings.models import Hearing

    hearing = db.session.get(Hearing, ids["upcoming_hearing"])
    prepared = Hearing(municipality_id=a.id, kind=hearing.kind, title="Hidden hearing",
                       starts_at=hearing.starts_at + timedelta(days=30),
                       ends_at=hearing.ends_at + timedelta(days=30),
                       venue_address=hearing.venue_address, status="draft")
    db.session.add(prepared)
    db.session.commit()
    ids["hearing_draft"] = prepared.id
    assert db.session.get(Municipality, b.id) is not None
    return ids


class World:
    def __init__(self, app, ids, store):
        self.app = app
        self.ids = ids
        self.store = store

    def client(self, role):
        client = self.app.test_client()
        client.get("/lang/en")
        if role != "anonymous":
            user_id, version = self.ids["users"][role]
            with client.session_transaction() as s:
                s["_user_id"] = f"{user_id}:{version}"
                s["_fresh"] = True
        return client

    def write_mark(self):
        """Changes whenever any other connection commits a write (cheap; no table scans)."""
        if self.app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            if not hasattr(self, "_watch"):
                self._watch = sqlite3.connect(make_url(self.app.config["SQLALCHEMY_DATABASE_URI"]).database)
            return self._watch.execute("PRAGMA data_version").fetchone()[0]
        with db.engine.connect() as conn:  # next transaction id: only writers take one
            return conn.execute(text("SELECT txid_snapshot_xmax(txid_current_snapshot())")).scalar()

    def scalar(self, sql, **params):
        with self.app.app_context():
            return db.session.execute(text(sql), params).scalar()


_TEMPLATE = {}
_COPIES = itertools.count()


def _pg_admin_conninfo(url):
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def build_template():
    """Seed once per session; returns (kind, location, ids, store)."""
    if _TEMPLATE:
        return _TEMPLATE["value"]
    store = tempfile.mkdtemp(prefix="aimak-world-")
    test_url = os.environ.get("TEST_DATABASE_URL") or ""
    if test_url.startswith("postgresql"):
        import psycopg

        name = f"aimak_world_{os.getpid()}"
        with psycopg.connect(_pg_admin_conninfo(test_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(test_url).set(database=name).render_as_string(hide_password=False)
        kind = "pg"
    else:
        url = f"sqlite:///{store}/template.sqlite"
        kind = "sqlite"
    app = _app(url, store)
    with app.app_context():
        db.create_all()
        ids = _seed()
        db.session.remove()
        db.engine.dispose()
    _TEMPLATE["value"] = (kind, url, ids, store)
    return _TEMPLATE["value"]


def drop_template():
    if not _TEMPLATE:
        return
    kind, url, ids, store = _TEMPLATE.pop("value")
    if kind == "pg":
        import psycopg

        with psycopg.connect(_pg_admin_conninfo(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    shutil.rmtree(store, ignore_errors=True)


@contextmanager
def world_copy():
    """A private copy of the template world for one test."""
    kind, url, ids, store = build_template()
    work = tempfile.mkdtemp(prefix="aimak-world-copy-")
    shutil.copytree(f"{store}/documents", f"{work}/documents", dirs_exist_ok=True) \
        if os.path.isdir(f"{store}/documents") else None
    if kind == "pg":
        import psycopg

        template = make_url(url).database
        name = f"{template}_c{next(_COPIES)}"
        with psycopg.connect(_pg_admin_conninfo(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        copy_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    else:
        source = sqlite3.connect(make_url(url).database)
        dest = sqlite3.connect(f"{work}/world.sqlite")
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
        copy_url = f"sqlite:///{work}/world.sqlite"
    app = _app(copy_url, work)
    ctx = app.app_context()
    ctx.push()
    try:
        yield World(app, ids, work)
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
        if kind == "pg":
            import psycopg

            with psycopg.connect(_pg_admin_conninfo(url), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{make_url(copy_url).database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
