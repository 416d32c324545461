"""`flask documents verify FILE.pdf`, `flask certs dev-ca`, `flask certs import`."""
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db


def register(app):
    documents = AppGroup("documents", help="Issued documents.")

    @documents.command("verify")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--code", help="Registry code the file should be.")
    def verify_cmd(path, code):
        """Validate FILE.pdf: signatures (pyHanko, trusted roots) and registry match.
        Exit status 0 only when valid."""
        from .verification import verify_pdf

        with open(path, "rb") as fh:
            result = verify_pdf(fh.read(), code=code)
        click.echo("valid" if result.valid else "invalid")
        doc = result.expected or result.document
        if doc is not None:
            click.echo(f"document: {doc.code} {doc.title}")
        click.echo(f"sha256: {result.sha256}")
        click.echo(f"matches registry: {'yes' if result.matches_registry else 'no'}")
        for s in result.signatures:
            when = s.signed_at.isoformat() if s.signed_at else "?"
            state = "valid" if s.ok else "NOT valid: " + "; ".join(s.problems)
            click.echo(f"signature {s.field}: {s.signer} at {when}: {state}")
        for reason in result.reasons:
            click.echo(f"reason: {reason}")
        for note in result.notes:
            click.echo(f"note: {note}")
        sys.exit(0 if result.valid else 1)

    certs = AppGroup("certs", help="Signing certificates.")

    @certs.command("dev-ca")
    @click.option("--users/--no-users", default=True,
                  help="Also give each chair and secretary a personal certificate.")
    def dev_ca(users):
        """Create a development CA, the platform seal and certificates for the demo (instance/certs)."""
        from ..accounts.models import Membership
        from ..territory.models import Municipality
        from .signing import certs_dir, credential_for, dev_credential, ensure_dev_ca

        ensure_dev_ca()
        created = 0
        for m in db.session.execute(select(Municipality).join(
                Membership, Membership.municipality_id == Municipality.id).distinct()).scalars():
            if credential_for(m) is None:
                dev_credential(f"{m.name_ru} (seal)", m.name_ru, municipality=m)
                created += 1
            if users:
                for ms in db.session.execute(select(Membership).filter_by(municipality_id=m.id).where(
                        Membership.role.in_(("chair", "secretary")))).scalars():
                    if credential_for(m, ms.user) is None:
                        dev_credential(ms.user.full_name, m.name_ru, municipality=m, user=ms.user)
                        created += 1
        db.session.commit()
        click.echo(f"development CA and platform seal in {certs_dir()}; {created} certificates issued")

    @certs.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--municipality", "slug", help="Municipality slug (its seal).")
    @click.option("--user", "email", help="E-mail of the person the certificate belongs to.")
    @click.password_option("--password", confirmation_prompt=False, help="PKCS#12 password.")
    def import_cmd(path, slug, email, password):
        """Configure a PKCS#12 certificate (the password is stored encrypted)."""
        from ..accounts.models import User
        from ..territory.models import Municipality
        from .signing import SigningError, check_can_sign, store_credential

        municipality = user = None
        if slug:
            municipality = db.session.execute(select(Municipality).filter_by(slug=slug)).scalar_one_or_none()
            if municipality is None:
                raise click.ClickException(f"no municipality {slug}")
        if email:
            user = db.session.execute(select(User).filter_by(email=email)).scalar_one_or_none()
            if user is None:
                raise click.ClickException(f"no user {email}")
        with open(path, "rb") as fh:
            data = fh.read()
            try:
                check_can_sign(data, password)
                credential = store_credential(data, password, municipality=municipality, user=user)
            except SigningError as exc:
                raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"certificate {credential.subject} configured")

    app.cli.add_command(documents)
    app.cli.add_command(certs)
