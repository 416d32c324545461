"""Account operations used by the views, the CLI and the demo seed."""
from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..core import audit
from ..core.mail import send_mail
from ..core.models import utcnow
from ..extensions import db
from . import pin as pins
from .forms import normalize_phone
from .models import Membership, User


class AccountError(ValueError):
    """A message for the user (already translated) and the form field it concerns."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"aimak-{purpose}")


def make_token(user, purpose):
    return _serializer(purpose).dumps({"id": user.id, "v": user.session_version})


def read_token(token, purpose, max_age=3 * 24 * 3600):
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or user.session_version != data.get("v"):
        return None
    return user


def check_unique(email=None, phone=None, pin=None, exclude=None):
    """Raise AccountError naming the field when another account already uses the value."""
    checks = [("email", User.email, (email or "").lower() or None),
              ("phone", User.phone, normalize_phone(phone) or None),
              ("pin", User.pin_hmac, pins.pin_hmac(pin) if pin else None)]
    messages = {"email": _("An account with this e-mail already exists."),
                "phone": _("An account with this phone number already exists."),
                "pin": _("An account with this PIN already exists. Log in, or ask the secretary.")}
    for field, column, value in checks:
        if value is None:
            continue
        query = select(User.id).where(column == value)
        if exclude is not None:
            query = query.where(User.id != exclude.id)
        if db.session.execute(query).first():
            raise AccountError(messages[field], field)


def apply_profile(user, data):
    user.full_name = " ".join(data["full_name"].split())
    user.phone = normalize_phone(data.get("phone")) or None
    user.municipality_id = data.get("municipality_id") or None
    user.village_id = data.get("village_id") or None
    user.locale = data.get("locale") or user.locale or "ky"
    user.gender = data.get("gender") or None
    user.show_initials = bool(data.get("show_initials"))
    if data.get("pin"):
        user.pin_hmac = pins.pin_hmac(data["pin"])
        user.pin_masked = pins.mask(data["pin"])
        user.gender = user.gender or pins.sex_of(data["pin"])
        user.birth_year = int(pins.normalize(data["pin"])[5:9])


def register_user(data, confirmed=False):
    check_unique(data["email"], data.get("phone"), data.get("pin"))
    user = User(email=data["email"].lower(), consent_at=utcnow())
    user.set_password(data["password"])
    apply_profile(user, data)
    if confirmed:
        user.email_confirmed_at = utcnow()
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", user, municipality=user.municipality_id)
    db.session.commit()
    return user


def send_confirmation(user):
    link = current_app.config["SITE_URL"].rstrip("/") + url_for(
        "accounts.confirm", token=make_token(user, "confirm"))
    send_mail(user.email, _("Confirm your e-mail address"),
              _("Open this link to confirm your address: %(link)s", link=link))


def send_reset(user):
    link = current_app.config["SITE_URL"].rstrip("/") + url_for(
        "accounts.reset", token=make_token(user, "reset"))
    send_mail(user.email, _("Password reset"),
              _("Open this link within three days to choose a new password: %(link)s", link=link))


def confirm_email(user):
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.commit()


def set_password(user, password):
    user.set_password(password)
    user.session_version += 1  # other sessions and old reset links stop working
    audit.record("account.password_changed", user, municipality=user.municipality_id)
    db.session.commit()


def grant_role(user, municipality, role, by=None):
    existing = db.session.execute(select(Membership).filter_by(
        user_id=user.id, municipality_id=municipality.id, role=role)).scalar_one_or_none()
    if existing:
        return existing
    membership = Membership(user=user, municipality_id=municipality.id, role=role)
    db.session.add(membership)
    db.session.flush()
    audit.record("role.granted", membership, municipality=municipality, actor=by,
                 user_id=user.id, role=role)
    db.session.commit()
    return membership


def revoke_role(membership, by=None):
    audit.record("role.revoked", membership, municipality=membership.municipality_id, actor=by,
                 user_id=membership.user_id, role=membership.role)
    db.session.delete(membership)
    db.session.commit()
