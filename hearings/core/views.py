"""Site-wide routes: language switch and health check."""
from urllib.parse import parse_qsl, urlencode, urlparse

from flask import Blueprint, current_app, redirect, request

from ..extensions import db
from . import audit  # noqa: F401  (registers the audit_event table)

bp = Blueprint("core", __name__)


@bp.route("/lang/<code>")
def switch_language(code):
    """The language switcher: remember the choice in a cookie (and the profile when logged in)."""
    from flask_login import current_user

    if code not in current_app.config["LANGUAGES"]:
        code = "ky"
    parsed = urlparse(request.args.get("next") or request.referrer or "/")
    if (parsed.netloc and parsed.netloc != request.host) or parsed.scheme not in ("", "http", "https"):
        parsed = urlparse("/")  # never away from this site
    # drop a ?lang= of the page we came from: it would win over the choice made here
    query = urlencode([(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True) if k != "lang"],
                      safe="/")
    target = (parsed.path or "/") + (f"?{query}" if query else "")
    if not target.startswith("/") or target.startswith("//") or target.startswith("/\\"):
        target = "/"
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    response = redirect(target)
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


@bp.route("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
