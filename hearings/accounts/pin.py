"""Kyrgyz PIN (ПИН): validated, then kept only as a keyed HMAC for duplicate checks (domain.md)."""
import hashlib
import hmac
import re
from datetime import date

from flask import current_app

PIN_RE = re.compile(r"^[12](0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(19|20)\d{2}\d{5}$")


def normalize(value):
    return re.sub(r"[\s-]", "", value or "")


def form_filter(value):
    """WTForms filter for PIN fields: "   " is no PIN at all, not a PIN of spaces."""
    return normalize(value) if isinstance(value, str) else value


def is_valid(value):
    """14 digits: sex (1 female, 2 male), birth date DDMMYYYY that exists, 5-digit serial."""
    pin = normalize(value)
    if not PIN_RE.match(pin):
        return False
    try:
        born = date(int(pin[5:9]), int(pin[3:5]), int(pin[1:3]))
    except ValueError:
        return False
    return born <= date.today()


def pin_hmac(value):
    key = current_app.config["PIN_HMAC_KEY"].encode()
    return hmac.new(key, normalize(value).encode(), hashlib.sha256).hexdigest()


def mask(value):
    pin = normalize(value)
    return pin[0] + "•" * 9 + pin[-4:] if len(pin) == 14 else ""


def sex_of(value):
    return {"1": "female", "2": "male"}.get(normalize(value)[:1])
