"""Entry point for gunicorn: `gunicorn wsgi:app`."""
import os

from hearings import create_app

app = create_app(os.environ.get("AIMAK_ENV", "production"))
