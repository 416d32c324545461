"""Lifecycle, comment period enforced on the server, immutability of published versions, diff."""
from datetime import timedelta
from decimal import Decimal

import pytest

from hearings.core.audit import AuditEvent
from hearings.drafts import services
from hearings.drafts.diff import budget_diff, charter_diff, word_diff
from hearings.drafts.models import BudgetLine, Comment
from hearings.drafts.services import DraftError
from hearings.extensions import db

BASE = "/m/teploklyuchenka/drafts"


def test_comment_period_is_enforced_server_side(client, users, make_budget, login_as):
    draft = make_budget(opens=1, closes=5)  # opens tomorrow
    login_as(users["resident"])
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "Early"})
    assert r.status_code == 403
    assert "Comments open on" in r.get_data(as_text=True)

    draft.comments_from = services.today_local() - timedelta(days=10)
    draft.comments_until = services.today_local() - timedelta(days=1)  # ended yesterday
    db.session.commit()
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "Late"})
    assert r.status_code == 403
    page = client.get(f"{BASE}/{draft.id}/").get_data(as_text=True)
    assert "The comment period ended on" in page and "read-only" in page
    assert 'id="comment-form"' not in page
    assert db.session.query(Comment).count() == 0

    draft.comments_until = services.today_local()  # the last day still counts
    db.session.commit()
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "Just in time"})
    assert r.status_code == 302
    assert db.session.query(Comment).count() == 1


def test_comment_on_a_line_and_validation(client, users, make_budget, login_as):
    draft = make_budget()
    line = draft.current_version.lines[2]
    login_as(users["resident"])
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "  ", "target": f"line-{line.id}"})
    assert r.status_code == 400 and "This field is required." in r.get_data(as_text=True)
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "x", "target": "line-999999"})
    assert r.status_code == 400
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "x", "target": "junk"})
    assert r.status_code == 400
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "More for roads", "target": f"line-{line.id}"})
    assert r.status_code == 302
    c = db.session.query(Comment).one()
    assert c.line_id == line.id and c.author_name == users["resident"].full_name
    assert c.village_name == "Теплоключенка-1"
    page = client.get(f"{BASE}/{draft.id}/").get_data(as_text=True)
    assert "More for roads" in page and "0451" in page and "Теплоключенка-1" in page


def test_initials_when_the_author_chose_them(client, users, make_budget, login_as):
    draft = make_budget()
    users["resident"].full_name = "Асанова Айгүл Бакытовна"
    users["resident"].show_initials = True
    db.session.commit()
    services.add_comment(draft, users["resident"], "Пикир")
    assert db.session.query(Comment).one().author_name == "А. Б. Асанова"


def test_published_version_is_immutable_and_changes_make_a_new_version(client, users, make_budget, login_as):
    draft = make_budget()
    v1 = draft.current_version
    line = v1.lines[0]
    login_as(users["staff"])
    r = client.post(f"{BASE}/{draft.id}/lines/{line.id}", data={
        "kind": "revenue", "code": "1111", "name_ru": "Другое", "category": "other", "amount": "1"})
    assert r.status_code == 409
    assert client.post(f"{BASE}/{draft.id}/lines/{line.id}/delete").status_code == 409
    assert client.post(f"{BASE}/{draft.id}/lines", data={
        "kind": "revenue", "code": "9", "name_ru": "Новая", "category": "other", "amount": "1"}).status_code == 409
    with pytest.raises(DraftError):
        services.update_line(line, {**line.values(), "amount": Decimal(1)})
    db.session.rollback()

    assert client.post(f"{BASE}/{draft.id}/new-version", data={"note": "Roads +"}).status_code == 302
    db.session.expire_all()
    v2 = draft.working_version
    assert v2.number == 2 and len(v2.lines) == len(v1.lines)
    copy = next(l for l in v2.lines if l.code == "0451")
    r = client.post(f"{BASE}/{draft.id}/lines/{copy.id}", data={
        "kind": "expenditure", "code": "0451", "name_ru": "Ремонт дорог", "category": "roads",
        "amount": "1500000"})
    assert r.status_code == 302
    db.session.expire_all()
    assert next(l for l in v1.lines if l.code == "0451").amount == Decimal("1200000.00")
    assert copy.amount == Decimal("1500000.00")
    # the public still sees version 1 until version 2 is published
    page = client.get(f"{BASE}/{draft.id}/?lang=en").get_data(as_text=True)
    assert "1,200.0" in page
    client.post("/account/logout")
    assert client.get(f"{BASE}/{draft.id}/?v=2").status_code in (302, 404)
    login_as(users["staff"])
    today = services.today_local()
    r = client.post(f"{BASE}/{draft.id}/publish", data={"opens": today.isoformat(),
                                                       "closes": (today + timedelta(days=3)).isoformat()})
    assert r.status_code == 302
    db.session.expire_all()
    assert draft.current_version.number == 2 and draft.working_version is None
    assert db.session.query(AuditEvent).filter_by(action="draft.publish").count() == 2


def test_lifecycle_transitions(client, users, make_budget, login_as):
    draft = make_budget(publish=False)
    login_as(users["staff"])
    today = services.today_local()
    # adopt before publication, close before publication: refused
    r = client.post(f"{BASE}/{draft.id}/adopt", data={"resolution_no": "12", "resolution_date": today.isoformat()})
    assert r.status_code == 409
    assert client.post(f"{BASE}/{draft.id}/close").status_code == 409
    # a period ending before it starts, or in the past
    r = client.post(f"{BASE}/{draft.id}/publish", data={"opens": today.isoformat(),
                                                       "closes": (today - timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "must end on or after" in r.get_data(as_text=True)
    r = client.post(f"{BASE}/{draft.id}/publish", data={"opens": "not a date", "closes": ""})
    assert r.status_code == 400 and "Not a valid date value." in r.get_data(as_text=True)
    r = client.post(f"{BASE}/{draft.id}/publish", data={"opens": today.isoformat(),
                                                       "closes": (today + timedelta(days=7)).isoformat()})
    assert r.status_code == 302
    # still open: adopting needs the period closed
    r = client.post(f"{BASE}/{draft.id}/adopt", data={"resolution_no": "12", "resolution_date": today.isoformat()})
    assert r.status_code == 409 and "after its comment period has closed" in r.get_data(as_text=True)
    assert client.post(f"{BASE}/{draft.id}/close").status_code == 302
    db.session.expire_all()
    assert draft.status == "closed"
    r = client.post(f"{BASE}/{draft.id}/adopt", data={"resolution_no": "12/3", "resolution_date": today.isoformat()})
    assert r.status_code == 302
    db.session.expire_all()
    assert (draft.status, draft.resolution_no) == ("adopted", "12/3")
    page = client.get(f"{BASE}/{draft.id}/").get_data(as_text=True)
    assert "adopted this draft by resolution No. 12/3" in page
    assert client.post(f"{BASE}/{draft.id}/withdraw", data={"reason": "x"}).status_code == 409
    assert client.post(f"{BASE}/{draft.id}/new-version").status_code == 409


def test_withdrawn_unpublished_draft_stays_private(client, users, make_budget, login_as):
    draft = make_budget(publish=False)
    services.withdraw(draft, "Ошибка")
    login_as(users["resident"])
    assert client.get(f"{BASE}/{draft.id}/").status_code == 404


def test_budget_diff_is_correct(users, make_budget):
    draft = make_budget()
    v2 = services.new_version(draft)
    by_code = {l.code: l for l in v2.lines}
    by_code["0451"].amount = Decimal("1500000.00")      # +300 000
    by_code["0911"].name_ru = "Детские сады и ясли"       # name only
    v2.lines.remove(by_code["1412"])                      # removed revenue
    v2.lines.append(BudgetLine(kind="expenditure", code="0641", name_ru="Фонари", category="lighting",
                               amount=Decimal("200000"), position=9))
    db.session.commit()
    d = budget_diff(draft.current_version, v2)
    assert [l.code for l in d.added] == ["0641"]
    assert [l.code for l in d.removed] == ["1412"]
    assert sorted((c.new.code, c.delta, tuple(c.fields)) for c in d.changed) == [
        ("0451", Decimal("300000.00"), ("amount",)), ("0911", Decimal("0.00"), ("name_ru",))]
    assert d.unchanged == 1
    assert d.totals["revenue"] == (Decimal("2000000.00"), Decimal("1500000.00"), Decimal("-500000.00"))
    assert d.totals["expenditure"] == (Decimal("2000000.00"), Decimal("2500000.00"), Decimal("500000.00"))


def test_charter_diff_and_page(client, users, make_charter, login_as):
    draft = make_charter()
    v2 = services.new_version(draft, "Порог снижен")
    v2.sections[1].text = "Сход созывается по инициативе 30 жителей."
    v2.sections.remove(v2.sections[2])
    from hearings.drafts.models import CharterSection
    v2.sections.append(CharterSection(number="4", heading="Доступ к информации", text="Публикуется.", position=4))
    db.session.commit()
    result = {c.number: c for c in charter_diff(draft.current_version, v2)}
    assert result["1"].status == "unchanged"
    assert result["2"].status == "changed"
    assert ("delete", "50") in result["2"].text and ("insert", "30") in result["2"].text
    assert result["3"].status == "removed" and result["4"].status == "added"
    services.publish(draft, services.today_local(), services.today_local() + timedelta(days=2))
    login_as(users["resident"])
    page = client.get(f"{BASE}/{draft.id}/diff?a=1&b=2").get_data(as_text=True)
    assert "<del>50</del><ins>30</ins>" in page
    assert client.get(f"{BASE}/{draft.id}/diff?a=1&b=1").status_code == 400
    assert client.get(f"{BASE}/{draft.id}/diff?a=1&b=7").status_code == 404


def test_word_diff_rebuilds_both_texts():
    a, b = "Сход созывается по инициативе 50 жителей.", "Сход созывается главой по инициативе 30 жителей села."
    parts = word_diff(a, b)
    assert "".join(t for op, t in parts if op != "insert") == a
    assert "".join(t for op, t in parts if op != "delete") == b
