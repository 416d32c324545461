"""Helpers for the drafts tests: a small budget and charter of municipality A."""
from datetime import timedelta
from decimal import Decimal

import pytest

from hearings.drafts import services
from hearings.drafts.models import BUDGET, CHARTER

LINES = [
    {"kind": "revenue", "code": "1111", "name_ky": "Киреше салыгы", "name_ru": "Подоходный налог",
     "name_en": "Income tax", "category": "other", "amount": Decimal("1500000.00"),
     "prev_approved": Decimal("1400000.00"), "prev_executed": Decimal("1390000.00"), "note": ""},
    {"kind": "revenue", "code": "1412", "name_ky": "Жер салыгы", "name_ru": "Земельный налог",
     "name_en": "Land tax", "category": "other", "amount": Decimal("500000.00"),
     "prev_approved": None, "prev_executed": None, "note": ""},
    {"kind": "expenditure", "code": "0451", "name_ky": "Жолдорду оңдоо", "name_ru": "Ремонт дорог",
     "name_en": "Road repairs", "category": "roads", "amount": Decimal("1200000.00"),
     "prev_approved": Decimal("1000000.00"), "prev_executed": Decimal("990000.00"), "note": ""},
    {"kind": "expenditure", "code": "0911", "name_ky": "Бала бакчалар", "name_ru": "Детские сады",
     "name_en": "Kindergartens", "category": "education", "amount": Decimal("800000.00"),
     "prev_approved": Decimal("850000.00"), "prev_executed": Decimal("845000.00"), "note": ""},
]


def today():
    return services.today_local()


@pytest.fixture
def make_budget(users, municipality):
    def _make(publish=True, opens=-1, closes=5, lines=LINES, m=None, staff=None):
        staff = staff or users["staff"]
        draft = services.create_draft(m or municipality, staff, BUDGET, title_ky="Бюджет 2027",
                                      title_ru="Бюджет 2027", title_en="Budget 2027", fiscal_year=2027)
        services.replace_lines(draft, [dict(r) for r in lines])
        if publish:
            services.publish(draft, today() + timedelta(days=opens), today() + timedelta(days=closes))
        return draft
    return _make


@pytest.fixture
def make_charter(users, municipality):
    def _make(publish=True):
        draft = services.create_draft(municipality, users["staff"], CHARTER, title_ru="Устав",
                                      title_ky="Устав", title_en="Charter")
        services.replace_sections(draft, [
            {"number": "1", "heading": "Общие положения", "text": "Устав определяет порядок участия жителей."},
            {"number": "2", "heading": "Сход", "text": "Сход созывается по инициативе 50 жителей."},
            {"number": "3", "heading": "Пастбища", "text": "Пастбища используются по плану."},
        ])
        if publish:
            services.publish(draft, today() - timedelta(days=1), today() + timedelta(days=5))
        return draft
    return _make


@pytest.fixture
def budget_lines():
    return LINES
