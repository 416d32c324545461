"""National overview, oblast pages and each municipality's public home page."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.access import can, owned_or_404, require_role
from ..core.pagecache import public_cache
from ..core.registry import Link, municipality_link, open_counts, open_items
from ..extensions import db
from . import services
from .forms import SettingsForm, VillageForm
from .models import Municipality, Oblast, Raion, Village

bp = Blueprint("territory", __name__)
ACTIVE_LIMIT = 30


def with_region():
    """Loader option: a municipality's raion and oblast joined into the same statement."""
    return joinedload(Municipality.raion, innerjoin=True).joinedload(Raion.oblast, innerjoin=True)


def get_municipality(slug):
    """Load the municipality of a /m/<slug>/ URL or 404; remembered in g for the locale."""
    # one statement (joined), not three (selectin): this runs on every municipality page
    municipality = db.session.execute(
        select(Municipality).filter_by(slug=slug).options(with_region())).scalar_one_or_none()
    return here(municipality)


def here(municipality):
    """404 without a municipality; else remember it in g (locale, header link) and return it."""
    if municipality is None:
        abort(404)
    g.municipality = municipality
    return municipality


@bp.route("/")
@public_cache(10)
def overview():
    q = (request.args.get("q") or "").strip()[:100]
    oblasts = db.session.execute(select(Oblast).order_by(Oblast.name_ru)).scalars().all()
    totals = dict(db.session.execute(
        select(Raion.oblast_id, func.count(Municipality.id)).join(Municipality.raion)
        .group_by(Raion.oblast_id)).all())
    counts = open_counts(None)
    # at national scale most municipalities have something open: list the busiest ones only
    # (rendering all 453 made this page 4× slower); the oblast pages list every municipality
    ranked = sorted((mid for mid, n in counts.items() if n), key=lambda mid: (-counts[mid], mid))
    active_total = len(ranked)
    active_ids = ranked[:ACTIVE_LIMIT]
    active = []
    if active_ids:
        active = db.session.execute(
            select(Municipality).where(Municipality.id.in_(active_ids))
            .options(selectinload(Municipality.raion)).order_by(Municipality.name_ru)).scalars().all()
    found = []
    if q:
        like = f"%{q}%"
        found = db.session.execute(
            select(Municipality).where(or_(Municipality.name_ru.ilike(like),
                                           Municipality.name_ky.ilike(like),
                                           Municipality.name_en.ilike(like),
                                           Municipality.soate == q,
                                           Municipality.villages.any(or_(Village.name_ru.ilike(like),
                                                                         Village.name_ky.ilike(like),
                                                                         Village.name_en.ilike(like)))))
            .order_by(Municipality.name_ru).limit(50)).scalars().all()
    return render_template("territory/overview.html", oblasts=oblasts, totals=totals,
                           active=active, active_total=active_total, counts=counts, q=q,
                           found=found)


@bp.route("/oblast/<code>")
@public_cache(10)
def oblast(code):
    oblast = db.session.execute(
        select(Oblast).filter_by(code=code).options(
            selectinload(Oblast.raions).selectinload(Raion.municipalities))).scalar_one_or_none()
    if oblast is None:
        abort(404)
    ids = [m.id for r in oblast.raions for m in r.municipalities]
    return render_template("territory/oblast.html", oblast=oblast, counts=open_counts(ids))


@bp.route("/m/<slug>/")
@public_cache(10)
def home(slug):
    municipality = get_municipality(slug)
    return render_template("territory/home.html", municipality=municipality,
                           items=open_items(municipality), is_staff=can(municipality))


# --------------------------------------------------------------------------- settings

SETTINGS_ROLES = ("staff", "chair")  # and the platform admin; not the secretary


@municipality_link
def _settings_link(municipality, is_staff):
    if is_staff and can(municipality, *SETTINGS_ROLES):
        return [Link(_("Municipality settings and villages"),
                      url_for("territory.settings", slug=municipality.slug))]
    return []


def _settings_page(municipality, form=None, add_form=None, failed=None, status=200, error=None):
    """The settings page; a refused form is shown again with what was typed (`failed`: the
    village whose rename was refused, with its form)."""
    forms = {}
    for village in municipality.villages:
        if failed is not None and failed[0] == village.id:
            forms[village.id] = failed[1]
        else:
            forms[village.id] = VillageForm(prefix=f"v{village.id}", obj=village, formdata=None)
    return render_template(
        "territory/settings.html", municipality=municipality, error=error,
        form=form or SettingsForm(obj=municipality, formdata=None),
        add_form=add_form or VillageForm(prefix="new", formdata=None), village_forms=forms), status


def _staff_municipality(slug):
    municipality = get_municipality(slug)
    require_role(municipality, *SETTINGS_ROLES)
    return municipality


@bp.route("/m/<slug>/settings", methods=["GET", "POST"])
def settings(slug):
    municipality = _staff_municipality(slug)
    if request.method == "GET":
        return _settings_page(municipality)
    form = SettingsForm()
    if not form.validate():
        return _settings_page(municipality, form=form, status=400)
    changed = services.update_settings(municipality, form.data_for_save())
    flash(_("Settings saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for(".settings", slug=slug))


@bp.route("/m/<slug>/villages", methods=["POST"])
def village_add(slug):
    municipality = _staff_municipality(slug)
    form = VillageForm(prefix="new")
    if not form.validate():
        return _settings_page(municipality, add_form=form, status=400)
    try:
        village = services.new_village(municipality, form.name_ky.data, form.name_ru.data, form.name_en.data)
    except services.VillageError as refusal:
        return _settings_page(municipality, add_form=form, status=refusal.status, error=refusal.message)
    flash(_("Village %(name)s added.", name=village.name), "success")
    return redirect(url_for(".settings", slug=slug) + "#villages")


@bp.route("/m/<slug>/villages/<int:village_id>", methods=["POST"])
def village_rename(slug, village_id):
    municipality = _staff_municipality(slug)
    village = owned_or_404(Village, village_id, municipality_id=municipality.id)
    form = VillageForm(prefix=f"v{village.id}")
    if not form.validate():
        return _settings_page(municipality, failed=(village.id, form), status=400)
    try:
        services.rename_village(village, form.name_ky.data, form.name_ru.data, form.name_en.data)
    except services.VillageError as refusal:
        return _settings_page(municipality, failed=(village.id, form), status=refusal.status,
                              error=refusal.message)
    flash(_("Village %(name)s saved.", name=village.name), "success")
    return redirect(url_for(".settings", slug=slug) + "#villages")


@bp.route("/m/<slug>/villages/<int:village_id>/remove", methods=["POST"])
def village_remove(slug, village_id):
    municipality = _staff_municipality(slug)
    village = owned_or_404(Village, village_id, municipality_id=municipality.id)
    name = village.name
    try:
        services.remove_village(village)
    except services.VillageError as refusal:
        return _settings_page(municipality, status=refusal.status, error=refusal.message)
    flash(_("Village %(name)s removed.", name=name), "success")
    return redirect(url_for(".settings", slug=slug) + "#villages")
