import io
from datetime import date

from pypdf import PdfReader

from hearings.documents.verification import verify_pdf
from hearings.extensions import db
from hearings.protocols import services
from hearings.protocols.models import Protocol

from .conftest import PROPOSALS


def text_of(pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text):
    return " ".join(text.split())


def test_working_days_due_date(app, held_hearing):
    # Friday 20 November 2026 + 5 working days = Friday 27 November
    assert services.add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 27)
    assert services.due_date_for(held_hearing) == date(2026, 11, 27)
    app.config["PROTOCOL_DUE_WORKING_DAYS"] = 3
    try:
        assert services.due_date_for(held_hearing) == date(2026, 11, 25)
    finally:
        app.config["PROTOCOL_DUE_WORKING_DAYS"] = 5


def test_kyrgyz_pdf_has_headings_counts_and_every_proposal(app, held_hearing):
    with app.test_request_context():
        text = flat(text_of(services.render_preview(held_hearing, "ky")))
    for heading in ("ПРОТОКОЛУ", "Төрага", "Катчы", "КҮН ТАРТИБИ", "УГУЛДУ", "СУРООЛОР ЖАНА ЖООПТОР",
                    "ЧЫГЫП СҮЙЛӨДҮ", "КЕЛИП ТҮШКӨН СУНУШТАР", "ЧЕЧИМ КЫЛЫНДЫ",
                    "КАТЫШУУЧУЛАРДЫН ТИЗМЕСИ", "СУНУШТАРДЫН ТИЗМЕСИ"):
        assert heading in text, heading
    assert "2026-жылдын 20-ноябры" in text
    assert "5 адам (анын ичинде аялдар 3, 28 жашка чейинки жаштар 2)" in text
    assert "«макул» — 41, «каршы» — 3, «калыс калгандар» — 2" in text
    assert "саат 10:05 — 11:50" in text
    for author, content, *_ in PROPOSALS:
        assert flat(content) in text and author in text
    assert "Не пришёл Никто" not in text  # registered, never checked in


def test_russian_and_bilingual_pdf(app, held_hearing):
    with app.test_request_context():
        ru = flat(text_of(services.render_preview(held_hearing, "ru")))
        both = flat(text_of(services.render_preview(held_hearing, "ky+ru")))
    for heading in ("ПРОТОКОЛ", "Председательствующий", "Секретарь", "ПОВЕСТКА ДНЯ", "СЛУШАЛИ",
                    "ГОЛОСОВАЛИ", "РЕШИЛИ (РЕКОМЕНДОВАЛИ)", "ЛИСТ РЕГИСТРАЦИИ", "ПЕРЕЧЕНЬ ПРЕДЛОЖЕНИЙ"):
        assert heading in ru, heading
    assert "«20» ноября 2026 г." in ru
    assert "5 чел. (в т.ч. женщин 3, молодёжи до 28 лет 2)" in ru
    assert "«за» — 41, «против» — 3, «воздержались» — 2" in ru
    assert "отклонено: Нет средств в 2027 году" in ru
    assert "ПРОТОКОЛУ" in both and "ПОВЕСТКА ДНЯ" in both and "КҮН ТАРТИБИ" in both
    assert "СУНУШТАРДЫН ТИЗМЕСИ / ПЕРЕЧЕНЬ ПРЕДЛОЖЕНИЙ" in both and "Ким / Автор" in both


def _sign(held_hearing, users, languages="ky"):
    protocol = services.create_protocol(held_hearing, users["secretary"], languages)
    services.submit(protocol, users["secretary"])
    return services.approve(protocol, users["chair"])


def test_workflow_signs_with_both_certificates(app, held_hearing, users, person_certs):
    protocol = _sign(held_hearing, users, "ky+ru")
    assert protocol.status == "signed" and protocol.number == 1 and protocol.year == 2026
    doc = protocol.document
    assert [s["name"] for s in doc.signers] == [users["secretary"].full_name, users["chair"].full_name]
    result = verify_pdf(doc.read())
    assert result.valid, result.reasons
    assert len(result.signatures) == 2
    text = flat(text_of(doc.read()))
    assert "ПРОТОКОЛУ" in text and "Председательствующий" in text and doc.code in text
    assert [(s.role, s.method, s.account_email) for s in protocol.signoffs] == [
        ("secretary", "account", "secretary@a.kg"), ("chair", "account", "chair@a.kg")]
    assert services.hearing_is_locked(held_hearing)


def test_platform_seal_when_no_personal_certificates(app, held_hearing, users, dev_ca):
    protocol = _sign(held_hearing, users)
    assert [s["kind"] for s in protocol.document.signers] == ["platform"]
    assert verify_pdf(protocol.document.read()).valid


def test_locked_protocol_rejects_edits(app, client, login_as, held_hearing, users, dev_ca, english):
    _sign(held_hearing, users)
    login_as(users["secretary"])
    url = f"/m/teploklyuchenka/hearings/{held_hearing.id}/protocol"
    response = client.post(url + "/edit", data={"languages": "ru"})
    assert response.status_code == 403
    assert "signed and locked" in response.get_data(as_text=True)
    response = client.post(url + "/submit")
    assert response.status_code == 403
    assert db.session.get(Protocol, 1).languages == "ky"


def test_correction_is_new_version_superseding_old(app, client, login_as, held_hearing, users, dev_ca, english):
    first = _sign(held_hearing, users)
    login_as(users["secretary"])
    url = f"/m/teploklyuchenka/hearings/{held_hearing.id}/protocol"
    assert client.post(url + "/correct", data={"reason": "Добуш саны туура эмес"}).status_code == 302
    assert not services.hearing_is_locked(held_hearing)  # the record can be corrected now
    second = services.latest(held_hearing)
    assert (second.version, second.number, second.supersedes_id) == (2, first.number, first.id)
    services.submit(second, users["secretary"])
    services.approve(second, users["chair"])
    db.session.refresh(first)
    assert first.document.superseded_by_id == second.document_id
    page = client.get(url).get_data(as_text=True)
    assert first.document.code in page and second.document.code in page
    assert client.get(url + "/v1.pdf").data == first.document.read()
    text = flat(text_of(second.document.read()))
    assert "Добуш саны туура эмес" in text and "2-редакция" in text


def real_pdf():
    from hearings.documents.signing import blank_pdf

    return blank_pdf(595, 842)  # an A4 page, as a scan would be


def test_paper_signature_with_scan(app, client, login_as, held_hearing, users, dev_ca, english):
    protocol = services.create_protocol(held_hearing, users["secretary"], "ru")
    services.submit(protocol, users["secretary"])
    login_as(users["chair"])
    url = f"/m/teploklyuchenka/hearings/{held_hearing.id}/protocol"
    bad = client.post(url + "/paper", data={"scan": (io.BytesIO(b"hello"), "x.txt")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400
    assert "The scan cannot be opened" in bad.get_data(as_text=True)
    scan = real_pdf()
    ok = client.post(url + "/paper", data={"scan": (io.BytesIO(scan), "scan.pdf")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    db.session.refresh(protocol)
    assert protocol.status == "signed"
    chair = [s for s in protocol.signoffs if s.role == "chair"][0]
    assert chair.method == "paper" and chair.signer_name == users["chair"].full_name
    assert chair.account_email == users["chair"].email
    assert client.get(url + f"/scan/{chair.id}").data == scan


def test_roles(app, client, login_as, held_hearing, users, dev_ca):
    protocol = services.create_protocol(held_hearing, users["secretary"], "ky")
    url = f"/m/teploklyuchenka/hearings/{held_hearing.id}/protocol"
    login_as(users["chair"])
    assert client.post(url + "/submit").status_code == 403       # only the secretary submits
    login_as(users["secretary_b"])
    assert client.post(url + "/submit").status_code == 403       # another municipality
    login_as(users["secretary"])
    assert client.post(url + "/approve").status_code == 403      # only the chair approves
    assert client.post(url + "/submit").status_code == 302
    db.session.refresh(protocol)
    assert protocol.status == "submitted"
    assert client.get(url).status_code == 200
    client.post("/account/logout")
    assert client.get(url).status_code == 404                    # nothing public before signing


def test_numbering_per_municipality_and_year(app, held_hearing, users, municipality):
    from tests.protocols.conftest import make_held_hearing

    other = make_held_hearing(municipality, users)
    assert services.create_protocol(held_hearing, users["secretary"]).number == 1
    assert services.create_protocol(other, users["secretary"]).number == 2


def test_overdue_on_dashboard(app, client, login_as, held_hearing, users, english):
    login_as(users["staff"])
    page = client.get("/m/teploklyuchenka/hearings/protocols").get_data(as_text=True)
    assert "1 protocol is overdue." in page and held_hearing.title in page
    assert services.overdue_for(held_hearing.municipality, today=date(2026, 11, 27)) == []
    assert len(services.overdue_for(held_hearing.municipality, today=date(2026, 11, 30))) == 1


def test_cli_render_and_export(app, held_hearing, users, dev_ca, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "p.pdf"
    result = runner.invoke(args=["protocol", "export", str(held_hearing.id), "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    result = runner.invoke(args=["protocol", "render", str(held_hearing.id), "--lang", "ru", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ПОВЕСТКА ДНЯ" in text_of(out.read_bytes())
    protocol = _sign(held_hearing, users)
    result = runner.invoke(args=["protocol", "export", str(held_hearing.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == protocol.document.read()
    result = runner.invoke(args=["documents", "verify", str(out)])
    assert result.exit_code == 0 and result.output.startswith("valid")


def test_annexes_include_comments_register_and_citizens_budget(app, held_hearing, municipality):
    from decimal import Decimal

    from hearings.core.models import utcnow
    from hearings.drafts.models import Answer, BudgetLine, Comment, Draft, DraftVersion

    draft = Draft(municipality_id=municipality.id, kind="budget", fiscal_year=2027,
                  title_ky="2027-жылдын бюджети", title_ru="Бюджет на 2027 год", status="closed")
    version = DraftVersion(draft=draft, number=1, published_at=utcnow())
    water = BudgetLine(version=version, position=1, kind="expenditure", code="0631",
                       name_ky="Суу менен камсыздоо", name_ru="Водоснабжение", category="water",
                       amount=Decimal("1500000"))
    version.lines.extend([
        BudgetLine(position=0, kind="revenue", code="1111", name_ky="Салыктар", name_ru="Налоги",
                   category="other", amount=Decimal("5000000")), water,
        BudgetLine(position=2, kind="expenditure", code="0912", name_ky="Билим берүү",
                   name_ru="Образование", category="education", amount=Decimal("2500000"))])
    db.session.add_all([draft, version])
    db.session.flush()
    comment = Comment(draft_id=draft.id, version_id=version.id, line_id=water.id, author_name="Асан Ү.",
                      village_name="Теплоключенка-2", text="Суу түтүгүн Жаңы көчөгө чейин узартуу керек")
    hidden = Comment(draft_id=draft.id, version_id=version.id, author_name="Spam", text="жарнама",
                     hidden_at=utcnow(), hidden_reason="spam")
    db.session.add_all([comment, hidden])
    db.session.flush()
    db.session.add(Answer(comment_id=comment.id, decision="partly", reason="Кийинки жылы"))
    held_hearing.draft_kind, held_hearing.draft_id = "draft_budget", draft.id
    db.session.commit()
    with app.test_request_context():
        ky = flat(text_of(services.render_preview(held_hearing, "ky")))
        ru = flat(text_of(services.render_preview(held_hearing, "ru")))
    assert "Долбоор боюнча пикирлердин тизмеси" in ky
    assert "Суу түтүгүн Жаңы көчөгө чейин узартуу керек" in ky and "жарнама" not in ky
    assert "жарым-жартылай кабыл алынды: Кийинки жылы" in ky
    assert "ЖАРАНДЫК БЮДЖЕТ" in ky and "3) жарандык бюджет" in ky
    assert "ГРАЖДАНСКИЙ БЮДЖЕТ" in ru and "4 000 000,00" in ru  # expenditure total
    assert "на 2027 год" in ru  # fiscal year taken from the linked draft


def test_locked_hearing_record_rejects_edits(app, client, login_as, held_hearing, users, dev_ca, english):
    import pytest

    from hearings.meetings.models import Vote
    from hearings.protocols.guard import HearingLocked

    _sign(held_hearing, users)
    assert services.hearing_is_locked(held_hearing)
    vote = db.session.query(Vote).one()
    vote.votes_for = 99
    with pytest.raises(HearingLocked):
        db.session.commit()
    db.session.rollback()
    item = held_hearing.agenda[0]
    login_as(users["secretary"])
    response = client.post(f"/m/teploklyuchenka/hearings/{held_hearing.id}/proceedings/{item.id}/report",
                           data={"rapporteur": "X", "summary": "changed"})
    assert response.status_code == 403
    assert "can no longer be changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert item.summary.startswith("Баяндама 1")


def test_footer_names_the_municipality_in_the_protocol_language(app, held_hearing):
    m = held_hearing.municipality
    saved = (m.name_ky, m.name_ru)
    m.name_ky, m.name_ru = "Теплоключенка айыл аймагы", "Теплоключенский айылный аймак"
    db.session.commit()
    try:
        with app.test_request_context():
            ky = flat(text_of(services.render_preview(held_hearing, "ky")))
            ru = flat(text_of(services.render_preview(held_hearing, "ru")))
        assert "Теплоключенка айыл аймагы · №" in ky and "Теплоключенский айылный аймак" not in ky
        assert "Теплоключенский айылный аймак · №" in ru
    finally:
        m.name_ky, m.name_ru = saved
        db.session.commit()


def test_no_protocol_for_a_cancelled_or_unheld_hearing(app, held_hearing, users):
    held_hearing.status = "announced"
    db.session.commit()
    protocol = services.create_protocol(held_hearing, users["secretary"], "ky")  # drafting may start
    try:
        services.submit(protocol, users["secretary"])
        raise AssertionError("submitted before the hearing was held")
    except services.ProtocolStateError as refusal:
        assert refusal.status == 409 and "Mark the hearing as held" in str(refusal)
    db.session.rollback()
    db.session.delete(db.session.get(Protocol, protocol.id))
    held_hearing.status = "cancelled"
    db.session.commit()
    assert not services.has_proceedings(held_hearing)
    try:
        services.create_protocol(held_hearing, users["secretary"], "ky")
        raise AssertionError("a protocol for a cancelled hearing")
    except services.ProtocolStateError as refusal:
        assert "cancelled" in str(refusal)
    db.session.rollback()
