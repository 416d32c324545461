"""National overview, oblast pages and each municipality's public home page."""
from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.access import can
from ..core.pagecache import public_cache
from ..core.registry import open_counts, open_items
from ..extensions import db
from .models import Municipality, Oblast, Raion

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
                                           Municipality.soate == q))
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
