"""E-mail: SMTP in production, the log in development and tests (MAIL_SUPPRESS_SEND)."""
import logging

from flask import current_app
from flask_mail import Message

from ..extensions import mail

log = logging.getLogger("aimak.mail")
outbox = []  # the last messages, kept for tests and the development console


def send_mail(to, subject, body):
    if not to:
        return None
    message = Message(subject=subject, recipients=[to], body=body)
    outbox.append(message)
    del outbox[:-200]
    if current_app.config.get("MAIL_SUPPRESS_SEND"):
        log.info("mail to %s: %s\n%s", to, subject, body)
        return message
    mail.send(message)
    return message
