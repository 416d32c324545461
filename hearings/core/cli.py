"""`flask demo seed` (each capability adds its part), `flask audit verify`, `flask backup`."""
import importlib
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db


class DemoContext:
    """What one capability's seed leaves for the next: municipalities, users, logins to print."""

    def __init__(self):
        self.municipalities = {}
        self.users = {}
        self.logins = []
        self.data = {}


def run_demo_seed():

    ctx = DemoContext()
    for name in current_app.config.get("CAPABILITIES") or importlib.import_module("hearings.app").CAPABILITIES:
        try:
            module = importlib.import_module(f"hearings.{name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"hearings.{name}.demo":
                raise
            continue
        module.seed(ctx)
        db.session.commit()
    return ctx


def register(app):
    demo = AppGroup("demo", help="Demo data.")

    @demo.command("seed")
    @click.option("--if-empty", is_flag=True, help="Do nothing when users already exist.")
    def seed(if_empty):
        """Create the demo municipalities, users, drafts, hearings and votes."""
        from ..accounts.models import User

        if if_empty and db.session.scalar(select(func.count(User.id))):
            click.echo("Demo data already present; logins are in README.md.")
            return
        ctx = run_demo_seed()
        click.echo("Demo logins (e-mail / password):")
        for role, email, password in ctx.logins:
            click.echo(f"  {role:<28} {email:<32} {password}")

    audit = AppGroup("audit", help="The hash-chained audit log.")

    @audit.command("verify")
    def verify_cmd():
        """Check every link of the audit chain; exit 1 at the first broken one."""
        from .audit import verify

        count, broken, reason = verify()
        if broken is None:
            click.echo(f"audit log intact: {count} entries")
            return
        click.echo(f"audit log broken at entry {broken}: {reason}", err=True)
        sys.exit(1)

    app.cli.add_command(demo)
    app.cli.add_command(audit)

    from . import backup
    backup.register(app)
