"""`flask backup create` / `flask backup restore` round-trip on SQLite and PostgreSQL: every row
of every table comes back, the audit chain still verifies, and new rows can be added after."""
import os
import re

import pytest
from sqlalchemy import select, text

from bench.harness import fresh_database, pg_available
from hearings import create_app
from hearings.accounts.models import User
from hearings.core import audit
from hearings.core.audit import AuditEvent
from hearings.extensions import db
from tests.conftest import make_municipality, make_user


def snapshot():
    """Every row of every table, in primary-key order."""
    rows = {}
    for table in db.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(query).all()]
    return rows


def fill():
    a = make_municipality("848000", "teploklyuchenka", "Теплоключенка")
    b = make_municipality("805000", "ak-bulun", "Ак-Булуң")
    for i in range(10):
        make_user(f"user{i}@a.kg", a if i % 2 else b, role="staff" if i % 5 == 0 else None,
                  name=f"Үмүт Өмүрбеков ң {i} <b>'\";--")
    db.session.commit()
    for i in range(20):
        audit.record("test.event", municipality=a, number=i, note="ң ө ү «»")
        db.session.commit()


def round_trip(app, tmp_path):
    runner = app.test_cli_runner()
    with app.app_context():
        db.create_all()
        fill()
        before = snapshot()
        assert sum(len(v) for v in before.values()) == 40
        result = runner.invoke(args=["backup", "create", "--dir", str(tmp_path / "backups")])
        assert result.exit_code == 0, result.output
        path = re.search(r"backup written: (\S+)", result.output).group(1)
        assert os.path.getsize(path) > 0

        # damage after the backup: delete, change, add
        db.session.execute(text("DELETE FROM membership"))
        db.session.execute(text("DELETE FROM audit_event WHERE id > 5"))
        db.session.execute(text("UPDATE \"user\" SET full_name = 'changed'"))
        make_user("late@a.kg", db.session.execute(select(User)).scalars().first().municipality)
        db.session.commit()
        assert snapshot() != before

        result = runner.invoke(args=["backup", "restore", path, "--yes"])
        assert result.exit_code == 0, result.output
        assert f"restored from {path}" in result.output
        db.session.remove()
        assert snapshot() == before  # nothing lost, nothing left over
        assert runner.invoke(args=["audit", "verify"]).output.strip() == "audit log intact: 20 entries"
        # the database is usable afterwards: sequences/ids continue, the chain extends
        make_user("after@a.kg", db.session.execute(select(User)).scalars().first().municipality)
        audit.record("test.after")
        db.session.commit()
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "test.after"
        assert runner.invoke(args=["audit", "verify"]).exit_code == 0
        db.session.remove()


def test_sqlite_round_trip(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/live.sqlite",
                     BACKUP_DIR=str(tmp_path / "default"))
    round_trip(app, tmp_path)
    with app.app_context():
        db.engine.dispose()


def test_postgresql_round_trip(tmp_path):
    if not pg_available() and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not running on 127.0.0.1 (CI starts it)")
    with fresh_database("aimak_backup") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, BACKUP_DIR=str(tmp_path / "default"))
        try:
            round_trip(app, tmp_path)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"not a database at all")
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.sqlite")
    with other.app_context():  # the CLI acts on the app whose context is current
        result = other.test_cli_runner().invoke(args=["backup", "restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "is not an SQLite backup" in result.output
