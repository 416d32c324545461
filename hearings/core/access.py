"""One access helper used by every view: role AND municipality, so the matrix is testable."""
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

STAFF = "staff"
SECRETARY = "secretary"
CHAIR = "chair"
ROLES = (STAFF, SECRETARY, CHAIR)


def can(municipality, *roles, user=None):
    """True when the user is a platform admin or holds one of `roles` in `municipality`."""
    user = user if user is not None else current_user
    if not user or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if municipality is None:
        return False
    wanted = set(roles or ROLES)
    return any(m.municipality_id == municipality.id and m.role in wanted for m in user.memberships)


def require_role(municipality, *roles):
    """Abort with 403 (or 401 → login) unless the current user may act for `municipality`."""
    if not current_user.is_authenticated:
        abort(401)
    if not can(municipality, *roles):
        abort(403, _("Only staff of this municipality may do this."))


def require_login():
    if not current_user.is_authenticated:
        abort(401)


def require_admin():
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.is_admin:
        abort(403)


def abort_with(code, message):
    """Abort with a translated message the error page shows to the user."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[code](message)
    exc.aimak_message = message
    raise exc


def owned_or_404(model, ident, **owner):
    """The row `ident` of `model` when it belongs to `owner` (e.g. municipality_id=…), else 404:
    an id from another municipality's URL is "not found", never someone else's data."""
    from ..extensions import db

    row = db.session.get(model, ident)
    if row is None or any(getattr(row, key) != value for key, value in owner.items()):
        abort(404)
    return row
