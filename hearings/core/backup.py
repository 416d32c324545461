"""Backups: `flask backup create` / `flask backup restore FILE`.

SQLite: the online backup API (a consistent copy while the site keeps running, WAL included);
restore copies the file back page by page through the same API.
PostgreSQL: the standard tools, `pg_dump -Fc` and `pg_restore --clean --if-exists`.
"""
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from ..extensions import db


class BackupError(RuntimeError):
    pass


def _url():
    return make_url(str(db.engine.url))


def _sqlite_path(url):
    path = url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return path


def _pg_args(url):
    """libpq connection string without the password (that goes in PGPASSWORD, not argv)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def _run(cmd, env):
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[:2000]}")
    return result


def create(directory=None):
    """Write a backup of the current database into `directory` (BACKUP_DIR); return its path."""
    url = _url()
    directory = Path(directory or current_app.config["BACKUP_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    db.session.commit()  # nothing of ours half-written in the copy
    if url.get_backend_name() == "sqlite":
        target = directory / f"aimak-{stamp}.sqlite"
        source = sqlite3.connect(_sqlite_path(url))
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        target = directory / f"aimak-{stamp}.dump"
        conninfo, env = _pg_args(url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", f"--dbname={conninfo}"], env)
        return target
    raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")


def restore(path):
    """Replace the current database's content with the backup at `path`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    url = _url()
    db.session.remove()
    db.engine.dispose()  # our pooled connections must not hold locks during the restore
    if url.get_backend_name() == "sqlite":
        with path.open("rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{path} is not an SQLite backup")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dest = sqlite3.connect(_sqlite_path(url))
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return
    if url.get_backend_name() == "postgresql":
        with path.open("rb") as f:
            if f.read(5) != b"PGDMP":
                raise BackupError(f"{path} is not a pg_dump custom-format backup")
        conninfo, env = _pg_args(url)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(path)], env)
        return
    raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")


def register(app):
    group = AppGroup("backup", help="Back up and restore the database.")

    @group.command("create")
    @click.option("--dir", "directory", type=click.Path(file_okay=False),
                  help="Where to write the backup (default: BACKUP_DIR).")
    def create_cmd(directory):
        """Write a consistent backup of the database and print its path."""
        try:
            path = create(directory)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"backup written: {path} ({path.stat().st_size} bytes)")

    @group.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_cmd(file, yes):
        """Replace the database's content with FILE (made by `flask backup create`)."""
        if not yes:
            click.confirm(f"Replace everything in {_url().render_as_string(hide_password=True)} "
                          f"with {file}?", abort=True)
        try:
            restore(file)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"restored from {file}")

    app.cli.add_command(group)
