"""Helpers for hearing tests: a hearing in municipality A, announced unless told otherwise."""
from datetime import datetime, time, timedelta

import pytest

from hearings.core.i18n import BISHKEK, to_local
from hearings.core.models import utcnow
from hearings.extensions import db
from hearings.meetings.models import AgendaItem, Hearing


def make_hearing(municipality, days=20, capacity=None, status="announced", hour=10, **extra):
    day = to_local(utcnow()).date() + timedelta(days=days)
    starts = datetime.combine(day, time(hour, 0), tzinfo=BISHKEK)
    h = Hearing(municipality_id=municipality.id, municipality=municipality, kind="draft_budget",
                title=extra.pop("title", "Бюджеттин долбоору 2027"), starts_at=starts,
                ends_at=starts + timedelta(hours=2), venue_address="Ленин көчөсү, 1",
                organiser="Айыл өкмөтү", capacity=capacity, status=status,
                published_at=utcnow() if status != "draft" else None, chair_name="Садыков Б. Ж.",
                secretary_name="Бекова Н. М.", **extra)
    h.proposal_deadline = starts - timedelta(days=2)
    h.agenda = [AgendaItem(position=1, title="Бюджеттин долбоору", rapporteur="Осмонова Ж.")]
    db.session.add(h)
    db.session.commit()
    return h


@pytest.fixture
def hearing(municipality, users):
    return make_hearing(municipality)


@pytest.fixture
def new_hearing(municipality, users):
    return lambda **kw: make_hearing(kw.pop("municipality", municipality), **kw)
