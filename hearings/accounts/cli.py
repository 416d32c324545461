"""`flask users create-admin EMAIL` for the first production login."""
import click
from flask.cli import AppGroup

from ..core.models import utcnow
from ..extensions import db
from .models import User


def register(app):
    group = AppGroup("users", help="Accounts.")

    @group.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Administrator")
    @click.password_option()
    def create_admin(email, name, password):
        """Create (or promote) a platform administrator."""
        user = db.session.query(User).filter_by(email=email.lower()).one_or_none()
        if user is None:
            user = User(email=email.lower(), full_name=name, consent_at=utcnow(),
                        email_confirmed_at=utcnow())
            db.session.add(user)
        user.set_password(password)
        user.is_admin = True
        db.session.commit()
        click.echo(f"admin ready: {email}")

    app.cli.add_command(group)
