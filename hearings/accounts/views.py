"""Register, log in/out, confirm e-mail, reset password, profile; admin assigns roles."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.access import require_admin
from ..core.i18n import current_lang
from ..extensions import db, limiter, per_address_and_email, per_person
from ..territory.models import Municipality, Raion, Village
from . import services
from .forms import LoginForm, ProfileForm, RegisterForm, ResetForm, ResetRequestForm, RoleForm
from .models import Membership, User

bp = Blueprint("accounts", __name__, url_prefix="/account")


def municipality_choices():
    rows = db.session.execute(
        select(Municipality).options(selectinload(Municipality.raion).selectinload(Raion.oblast))
        .order_by(Municipality.name_ru)).scalars().all()
    return [(0, "—")] + [(m.id, f"{m.name} ({m.raion.name})") for m in rows]


def village_choices(municipality_id):
    if not municipality_id or not 0 < municipality_id < 2**31:  # junk input never reaches the DB
        return [(0, "—")]
    rows = db.session.execute(select(Village).filter_by(municipality_id=municipality_id)
                              .order_by(Village.name_ru)).scalars().all()
    return [(0, "—")] + [(v.id, v.name) for v in rows]


def prepare_profile_form(form, default_municipality=None):
    form.municipality_id.choices = municipality_choices()
    selected = form.municipality_id.data or default_municipality
    if request.method == "GET" and default_municipality and not form.municipality_id.data:
        form.municipality_id.data = default_municipality
    form.village_id.choices = village_choices(selected)


def valid_places(form):
    """The chosen village must belong to the chosen municipality."""
    ids = {c[0] for c in form.municipality_id.choices}
    if form.municipality_id.data not in ids:
        form.municipality_id.errors.append(_("Not a valid choice."))
        return False
    choices = village_choices(form.municipality_id.data)
    if form.village_id.data not in {c[0] for c in choices}:
        # the municipality changed under a village of the old one (no JavaScript to refresh
        # the list): show the new municipality's villages instead of dropping the choice silently
        form.village_id.choices = choices
        form.village_id.data = 0
        if len(choices) > 1:
            form.village_id.errors.append(_("Choose a village of the municipality you selected."))
            return False
    return True


@bp.route("/villages.json")
def villages_json():
    """The villages of a municipality, for the registration and profile forms' village list."""
    municipality_id = request.args.get("municipality", type=int) or 0
    return {"villages": [{"id": vid, "name": name} for vid, name in village_choices(municipality_id)]}


def _safe_next(target):
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("territory.overview")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("60/hour", methods=["POST"])  # per address: a village registers from one
def register():
    form = RegisterForm()
    slug = request.args.get("m")
    default = None
    if slug:
        m = db.session.execute(select(Municipality).filter_by(slug=slug)).scalar_one_or_none()
        default = m.id if m else None
    prepare_profile_form(form, default)
    if request.method == "GET":
        form.locale.data = current_lang()  # the language the person is reading now
    if form.validate_on_submit() and valid_places(form):
        try:
            user = services.register_user(form.data)
        except services.AccountError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            services.send_confirmation(user)
            session.clear()
            login_user(user)
            flash(_("Welcome! We sent a confirmation link to %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"], key_func=per_address_and_email)
@limiter.limit("300/hour", methods=["POST"])  # per address, whatever the e-mail
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.execute(select(User).filter_by(email=form.email.data.lower())).scalar_one_or_none()
        if user and user.active and user.check_password(form.password.data):
            session.clear()  # no session fixation: a fresh session on every login
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong e-mail or password."))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("territory.overview"))


@bp.route("/confirm/<token>")
def confirm(token):
    user = services.read_token(token, "confirm")
    if user is None:
        flash(_("This confirmation link is invalid or has expired."), "error")
        return redirect(url_for("territory.overview"))
    services.confirm_email(user)
    flash(_("Your e-mail address is confirmed."), "success")
    return redirect(url_for("accounts.profile" if current_user.is_authenticated else "accounts.login"))


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@limiter.limit("5/hour", key_func=per_person)
def resend_confirmation():
    if not current_user.confirmed:
        services.send_confirmation(current_user)
        flash(_("We sent a new confirmation link."), "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"], key_func=per_address_and_email)
@limiter.limit("60/hour", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = db.session.execute(select(User).filter_by(email=form.email.data.lower())).scalar_one_or_none()
        if user:
            services.send_reset(user)
        # the same answer either way: nobody learns which addresses have accounts
        flash(_("If an account exists for this address, we sent a link to reset the password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token):
    user = services.read_token(token, "reset", max_age=3 * 24 * 3600)
    if user is None:
        flash(_("This reset link is invalid or has expired."), "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        flash(_("Your password was changed. Please log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        form.municipality_id.data = current_user.municipality_id or 0
        form.village_id.data = current_user.village_id or 0
        form.gender.data = current_user.gender or ""
        form.pin.data = ""
    prepare_profile_form(form)
    if form.validate_on_submit() and valid_places(form):
        try:
            services.check_unique(phone=form.phone.data, pin=form.pin.data, exclude=current_user)
        except services.AccountError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            services.apply_profile(current_user, form.data)
            db.session.commit()
            with force_locale(current_user.locale):  # said in the language just chosen
                flash(_("Your profile is saved."), "success")
            # the chosen language shows at once (the switcher's cookie would otherwise win)
            return redirect(url_for("core.switch_language", code=current_user.locale,
                                    next=url_for("accounts.profile")))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/profile.html", form=form), status


@bp.route("/admin/roles", methods=["GET", "POST"])
@login_required
def roles():
    require_admin()
    form = RoleForm()
    form.municipality_id.choices = municipality_choices()[1:]
    if form.validate_on_submit():
        user = db.session.execute(select(User).filter_by(email=form.email.data.lower())).scalar_one_or_none()
        municipality = db.session.get(Municipality, form.municipality_id.data)
        if user is None:
            form.email.errors.append(_("No account has this e-mail."))
        elif municipality is None:
            form.municipality_id.errors.append(_("Not a valid choice."))
        else:
            services.grant_role(user, municipality, form.role.data, by=current_user)
            flash(_("Role granted."), "success")
            return redirect(url_for("accounts.roles"))
    memberships = db.session.execute(
        select(Membership).options(selectinload(Membership.user))
        .order_by(Membership.municipality_id, Membership.role)).scalars().all()
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/roles.html", form=form, memberships=memberships), status


@bp.route("/admin/roles/<int:membership_id>/revoke", methods=["POST"])
@login_required
def revoke(membership_id):
    require_admin()
    membership = db.session.get(Membership, membership_id) or abort(404)
    services.revoke_role(membership, by=current_user)
    flash(_("Role removed."), "info")
    return redirect(url_for("accounts.roles"))
