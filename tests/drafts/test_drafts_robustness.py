"""Junk input on every drafts route gives a 4xx page, never a 500; registry hooks report
open drafts to the home page and the national overview."""
from datetime import timedelta

from hearings.core.registry import municipality_links, open_counts, open_items
from hearings.drafts import services
from hearings.drafts.models import BudgetLine
from hearings.extensions import db

BASE = "/m/teploklyuchenka/drafts"


def test_no_500_on_junk(client, users, make_budget, make_charter, login_as):
    budget = make_budget()
    charter = make_charter(publish=False)
    comment = services.add_comment(budget, users["resident"], "Пикир")
    line = budget.current_version.lines[0]
    section = charter.working_version.sections[0]
    requests = [
        ("get", f"{BASE}/{budget.id}/?v=-1"), ("get", f"{BASE}/{budget.id}/?about=line-abc"),
        ("get", f"{BASE}/{budget.id}/diff?a=x&b=y"), ("get", f"{BASE}/{budget.id}/diff?a=-5&b=1"),
        ("get", f"{BASE}/{charter.id}/citizens-budget.pdf"), ("get", f"{BASE}/{budget.id}/citizens-budget.pdf?v=7"),
        ("get", f"{BASE}/{budget.id}/answers?open=zzz"), ("get", f"{BASE}/999999/register.csv"),
        ("post", f"{BASE}/{budget.id}/comments", {"text": "x" * 5000}),
        ("post", f"{BASE}/{budget.id}/comments", {"text": "ok", "target": f"section-{section.id}"}),
        ("post", f"{BASE}/{charter.id}/lines", {"kind": "revenue"}),
        ("post", f"{BASE}/{budget.id}/sections", {"number": "1", "heading": "x"}),
        ("post", f"{BASE}/{budget.id}/lines/{line.id}", {"amount": "abc"}),
        ("post", f"{BASE}/{charter.id}/sections/{section.id}", {"number": "", "heading": ""}),
        ("post", f"{BASE}/{charter.id}/sections", {"number": "1", "heading": "Дубль"}),
        ("post", f"{BASE}/{charter.id}/import", {"file": "not a file"}),
        ("post", f"{BASE}/{budget.id}/adopt", {"resolution_no": "", "resolution_date": "31.02.2026"}),
        ("post", f"{BASE}/{budget.id}/publish", {"opens": "2026-01-01", "closes": "2026-01-02"}),
        ("post", f"{BASE}/{budget.id}/meta", {"title_ru": "X"}),
        ("post", f"{BASE}/{charter.id}/meta", {"title_ky": "", "title_ru": "", "title_en": ""}),
        ("post", f"{BASE}/{budget.id}/comments/{comment.id}/unhide", {}),
        ("post", f"{BASE}/{budget.id}/comments/{comment.id}/answer", {}),
        ("post", f"{BASE}/{charter.id}/comments/{comment.id}/answer", {}),
        ("post", f"{BASE}/{charter.id}/new-version", {}),
        ("post", f"{BASE}/{charter.id}/publish", {"opens": "", "closes": ""}),
    ]
    for who in ("resident", "staff"):
        login_as(users[who])
        for method, url, *data in requests:
            r = getattr(client, method)(url, data=data[0] if data else None)
            assert 200 <= r.status_code < 500, (who, method, url, r.status_code)
            if r.status_code >= 400:
                assert b"<h1>" in r.data
        client.post("/account/logout")
    db.session.expire_all()
    assert charter.working_version.sections[0].heading == "Общие положения"


def test_zero_amount_line_is_allowed(client, users, make_budget, login_as):
    draft = make_budget(publish=False)
    login_as(users["staff"])
    r = client.post(f"{BASE}/{draft.id}/lines", data={"kind": "expenditure", "code": "0171", "name_ru": "Резерв",
                                                    "category": "other", "amount": "0"})
    assert r.status_code == 302
    assert db.session.query(BudgetLine).filter_by(code="0171").one().amount == 0


def test_registry_hooks(app, users, make_budget, make_charter, municipality, other_municipality):
    with app.test_request_context("/?lang=en"):
        _registry_hooks(users, make_budget, make_charter, municipality, other_municipality)


def _registry_hooks(users, make_budget, make_charter, municipality, other_municipality):
    open_budget = make_budget()
    make_charter(publish=False)
    later = make_budget(opens=3, closes=9)
    services.add_comment(open_budget, users["resident"], "Пикир")
    items = [i for i in open_items(municipality) if "/drafts/" in i.url]
    assert [i.url for i in items] == [f"{BASE}/{open_budget.id}/"]
    assert "comments until" in items[0].note
    counts = open_counts([municipality.id, other_municipality.id])
    assert counts.get(municipality.id, 0) >= 1
    from hearings.drafts.views import open_draft_counts
    assert open_draft_counts(None) == {municipality.id: 1}
    later.comments_from = services.today_local() - timedelta(days=1)
    db.session.commit()
    assert open_draft_counts([municipality.id]) == {municipality.id: 2}
    assert services.unanswered_count([municipality.id]) == {municipality.id: 1}
    labels = [l.label for l in municipality_links(municipality)]
    assert "Drafts for comment" in labels


def test_huge_ids_are_404_not_500(client, users, make_budget, login_as):
    draft = make_budget()
    huge = "9" * 30
    login_as(users["staff"])
    for url in (f"{BASE}/{huge}/", f"{BASE}/{draft.id}/lines/{huge}", f"{BASE}/{draft.id}/comments/{huge}/answer",
                f"{BASE}/{huge}/register.csv"):
        assert client.get(url).status_code == 404, url
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "x", "target": f"line-{huge}"})
    assert r.status_code == 400
