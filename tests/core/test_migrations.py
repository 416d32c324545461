"""`flask db upgrade` builds the schema on SQLite and PostgreSQL, and it matches the models."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from hearings import create_app
from hearings.extensions import db

PG = os.environ.get("TEST_DATABASE_URL", "")


def upgrade_and_compare(url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        engine = db.engine
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(inspect(conn).get_table_names())
        db.session.remove()
        engine.dispose()
    return diff, tables


def test_upgrade_on_sqlite(tmp_path):
    diff, tables = upgrade_and_compare(f"sqlite:///{tmp_path}/fresh.sqlite")
    assert {"municipality", "user", "audit_event"} <= tables
    assert diff == []


@pytest.mark.skipif(not PG.startswith("postgresql"), reason="PostgreSQL run only (TEST_DATABASE_URL)")
def test_upgrade_on_postgresql():
    name = f"aimak_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG.rsplit("/", 1)[0] + "/" + name
        diff, tables = upgrade_and_compare(url)
        assert {"municipality", "user", "audit_event"} <= tables
        assert diff == []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_old_registry_kinds_are_renamed(tmp_path):
    """Notices and attendance lists issued under the first kind names join the registry's own."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/old.sqlite")
    with app.app_context():
        upgrade(revision="0500a4b8b36d")
        with db.engine.begin() as conn:
            for code, kind in (("N1", "hearing_notice"), ("A1", "attendance_list"), ("P1", "protocol")):
                conn.execute(text("INSERT INTO issued_document (code, kind, title, created_at, sha256, size, "
                                  "signed, signers) VALUES (:c, :k, 't', '2026-12-01 10:00:00', 'x', 0, 0, '[]')"),
                             {"c": code, "k": kind})
        upgrade()
        with db.engine.connect() as conn:
            kinds = dict(conn.execute(text("SELECT code, kind FROM issued_document")).all())
        db.session.remove()
        db.engine.dispose()
    assert kinds == {"N1": "notice", "A1": "attendance", "P1": "protocol"}
