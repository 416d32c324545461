"""`flask protocol render HEARING_ID --lang ky --out F.pdf` and `flask protocol export ...`."""
import sys

import click
from flask.cli import AppGroup

from ..extensions import db


def register(app):
    group = AppGroup("protocol", help="Hearing protocols.")

    def _hearing(hearing_id):
        from ..meetings.models import Hearing

        hearing = db.session.get(Hearing, hearing_id)
        if hearing is None:
            raise click.ClickException(f"no hearing {hearing_id}")
        return hearing

    @group.command("render")
    @click.argument("hearing_id", type=int)
    @click.option("--lang", default="ky", type=click.Choice(["ky", "ru", "en", "ky+ru"]))
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
    def render_cmd(hearing_id, lang, out):
        """Draft preview of the protocol (unsigned, not registered)."""
        from . import services

        hearing = _hearing(hearing_id)
        if not services.has_proceedings(hearing):
            raise click.ClickException("the hearing has no recorded proceedings yet")
        with app.test_request_context(base_url=app.config["SITE_URL"]):
            data = services.render_preview(hearing, lang, services.latest(hearing))
        with open(out, "wb") as fh:
            fh.write(data)
        click.echo(f"{out}: {len(data)} bytes (draft, {lang})")

    @group.command("export")
    @click.argument("hearing_id", type=int)
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
    def export_cmd(hearing_id, out):
        """The signed, issued protocol PDF (latest signed version); exit 1 when there is none."""
        from .models import SIGNED
        from .services import protocols_of

        hearing = _hearing(hearing_id)
        signed = [p for p in protocols_of(hearing) if p.status == SIGNED and p.document is not None]
        if not signed:
            click.echo(f"hearing {hearing_id} has no signed protocol", err=True)
            sys.exit(1)
        protocol = signed[-1]
        data = protocol.document.read()
        if data is None:
            click.echo("the stored file of the protocol is missing", err=True)
            sys.exit(1)
        with open(out, "wb") as fh:
            fh.write(data)
        click.echo(f"{out}: protocol № {protocol.display_number}, document {protocol.document.code}, "
                   f"sha256 {protocol.document.sha256}")

    app.cli.add_command(group)
