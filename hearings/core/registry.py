"""Capabilities contribute 'what is open now' items to a municipality's home page."""
from dataclasses import dataclass

_SECTIONS = []


@dataclass
class HomeItem:
    kind: str      # translated label of the kind, e.g. "Draft budget"
    title: str
    url: str
    note: str = ""  # e.g. "comments until 2026-12-01"


def home_section(fn):
    """Decorator: fn(municipality) -> list[HomeItem] of public, currently open things."""
    _SECTIONS.append(fn)
    return fn


def open_items(municipality):
    items = []
    for fn in _SECTIONS:
        items.extend(fn(municipality))
    return items


_COUNTERS = []


def overview_counter(fn):
    """Decorator: fn(municipality_ids) -> {municipality_id: count of open items} (one query)."""
    _COUNTERS.append(fn)
    return fn


def counts_by_municipality(model, condition, municipality_ids):
    """{municipality_id: rows of `model` matching `condition`}, in one grouped query, limited to
    `municipality_ids` unless that is None — the body of every @overview_counter."""
    from sqlalchemy import func, select

    from ..extensions import db

    query = (select(model.municipality_id, func.count(model.id)).where(condition)
             .group_by(model.municipality_id))
    if municipality_ids is not None:
        query = query.where(model.municipality_id.in_(list(municipality_ids)))
    return dict(db.session.execute(query).all())


def open_counts(municipality_ids):
    totals = {}
    for fn in _COUNTERS:
        for mid, n in fn(municipality_ids).items():
            totals[mid] = totals.get(mid, 0) + n
    return totals


@dataclass
class Link:
    label: str
    url: str


_LINKS = []


def municipality_link(fn):
    """Decorator: fn(municipality, is_staff) -> list[Link] for the municipality's home page."""
    _LINKS.append(fn)
    return fn


def municipality_links(municipality):
    from .access import can

    staff = can(municipality)
    links = []
    for fn in _LINKS:
        links.extend(fn(municipality, staff))
    return links
