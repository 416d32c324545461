"""Entry point for gunicorn: `gunicorn wsgi:app`."""
import gc
import os

from hearings import create_app

app = create_app(os.environ.get("AIMAK_ENV", "production"))
# Everything imported so far lives as long as the worker: move it out of the garbage
# collector's sight, so each collection scans only what requests allocate (a 500-row PDF
# renders about 30% faster: bench/docs.py).
gc.freeze()
