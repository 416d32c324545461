"""`flask municipalities import FILE.csv`."""
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from .services import import_municipalities

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "kg-aiyl-aimaks-2021.csv"


def register(app):
    group = AppGroup("municipalities", help="The list of municipalities.")

    @group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False), required=False)
    def import_cmd(path):
        """Load or update municipalities from a CSV (columns of the 2021 aiyl aimak list)."""
        text = Path(path or DEFAULT_FILE).read_text(encoding="utf-8")
        report = import_municipalities(text)
        click.echo(f"created {report.created}, updated {report.updated}, "
                   f"unchanged {report.unchanged}, bad rows {len(report.errors)}")
        for line, message in report.errors:
            click.echo(f"line {line}: {message}", err=True)
        if report.errors:
            sys.exit(1)

    app.cli.add_command(group)
