"""`flask pb seal` (run from cron) and `flask pb verify-seals`: the ballot box seal."""
import sys

import click
from flask.cli import AppGroup


def register(app):
    group = AppGroup("pb", help="Participatory budgeting.")

    @group.command("seal")
    def seal():
        """Seal the ballot box of every process whose voting has closed."""
        from .services import seal_closed_processes

        click.echo(f"ballot boxes sealed: {seal_closed_processes()}")

    @group.command("verify-seals")
    def verify_seals():
        """Recompute every sealed ballot box; exit 1 when any ballot changed after the close."""
        from sqlalchemy import select

        from ..extensions import db
        from .models import PBProcess
        from .services import seal_problem

        broken = 0
        sealed = db.session.execute(select(PBProcess).where(PBProcess.sealed_at.is_not(None))
                                    .order_by(PBProcess.id)).scalars().all()
        for process in sealed:
            problem = seal_problem(process)
            if problem:
                broken += 1
                click.echo(f"process {process.id} ({process.title}): {problem}")
        click.echo(f"sealed ballot boxes checked: {len(sealed)}, changed: {broken}")
        if broken:
            sys.exit(1)

    app.cli.add_command(group)
