"""`flask hearings remind`: e-mail tomorrow's participants (run daily from cron)."""
import click
from flask.cli import AppGroup


def register(app):
    group = AppGroup("hearings", help="Public hearings.")

    @group.command("remind")
    def remind():
        """Send the day-before reminder to everyone registered for tomorrow's hearings."""
        from flask import current_app

        from .services import send_reminders

        # links in the mails need a request context: build them against SITE_URL
        with current_app.test_request_context("/", base_url=current_app.config["SITE_URL"]):
            sent = send_reminders()
        click.echo(f"reminders sent: {sent}")

    app.cli.add_command(group)
