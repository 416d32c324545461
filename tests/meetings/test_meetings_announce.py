"""Announcement: notice rule and its override; public page; iCal; notice PDF."""
import io
from datetime import timedelta

from icalendar import Calendar
from pypdf import PdfReader

from hearings.core.audit import AuditEvent
from hearings.extensions import db
from hearings.meetings.models import Hearing

BASE = "/m/teploklyuchenka/hearings"


def create(client, days, title="Бюджет 2027"):
    from hearings.core.i18n import to_local
    from hearings.core.models import utcnow
    start = to_local(utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT10:00")
    return client.post(f"{BASE}/new", data={
        "kind": "draft_budget", "title": title, "starts_at": start, "venue_address": "Ленин көчөсү, 1",
        "village_id": "0", "organiser": "Айыл өкмөтү", "chair_id": "0", "secretary_id": "0",
        "agenda": "Бюджеттин долбоору | Осмонова Ж.\nАр түрдүү", "capacity": "50"})


def test_create_and_announce_on_time(client, users, login_as):
    login_as(users["staff"])
    response = create(client, 15)
    assert response.status_code == 302
    hearing = db.session.query(Hearing).one()
    assert [i.title for i in hearing.agenda] == ["Бюджеттин долбоору", "Ар түрдүү"]
    assert hearing.agenda[0].rapporteur == "Осмонова Ж."
    assert hearing.status == "draft"
    # a draft is not public
    client.post("/account/logout")
    assert client.get(f"{BASE}/{hearing.id}").status_code == 404
    login_as(users["staff"])
    response = client.post(f"{BASE}/{hearing.id}/announce", data={"notice_where": "board"})
    assert response.status_code == 302
    db.session.refresh(hearing)
    assert hearing.status == "announced" and hearing.published_at is not None
    assert hearing.notice_override_reason == ""
    # proposal deadline defaults to 2 days before (municipality rule)
    assert hearing.starts_at - hearing.proposal_deadline == timedelta(days=2)


def test_late_notice_needs_a_recorded_reason(client, users, login_as):
    login_as(users["staff"])
    create(client, 5)
    hearing = db.session.query(Hearing).one()
    page = client.get(f"{BASE}/{hearing.id}/announce")
    assert b"at least 10 calendar days" in page.data
    response = client.post(f"{BASE}/{hearing.id}/announce", data={"override_reason": ""})
    assert response.status_code == 400
    assert b"give the reason for the short notice" in response.data
    db.session.refresh(hearing)
    assert hearing.status == "draft"
    response = client.post(f"{BASE}/{hearing.id}/announce",
                           data={"override_reason": "Бюджеттик мөөнөт кыска"})
    assert response.status_code == 302
    db.session.refresh(hearing)
    assert hearing.status == "announced"
    assert hearing.notice_override_reason == "Бюджеттик мөөнөт кыска"
    event = db.session.query(AuditEvent).filter_by(action="hearing.announce").one()
    assert event.details["late"] is True
    assert "Бюджеттик мөөнөт кыска" in client.get(f"{BASE}/{hearing.id}").get_data(as_text=True)


def test_notice_rule_follows_the_municipality(client, users, login_as, municipality):
    municipality.notice_days = 3
    db.session.commit()
    login_as(users["staff"])
    create(client, 5)
    hearing = db.session.query(Hearing).one()
    assert client.post(f"{BASE}/{hearing.id}/announce", data={}).status_code == 302


def test_bad_hearing_form_is_400_translated(client, users, login_as):
    login_as(users["staff"])
    response = client.post(f"{BASE}/new", data={"title": "", "starts_at": "tomorrow", "capacity": "-3",
                                                 "agenda": ""}, query_string={"lang": "ru"})
    assert response.status_code == 400
    assert "Это поле обязательно" in response.get_data(as_text=True) or "обязател" in response.get_data(as_text=True)
    assert db.session.query(Hearing).count() == 0


def test_only_staff_create(client, users, login_as):
    login_as(users["resident"])
    assert client.get(f"{BASE}/new").status_code == 403
    login_as(users["staff_b"])
    assert client.get(f"{BASE}/new").status_code == 403


def test_public_page_ical_notice(client, hearing):
    page = client.get(f"{BASE}/{hearing.id}?lang=en").get_data(as_text=True)
    assert hearing.title in page and "Starts in:" in page
    assert "wa.me" in page and "t.me/share" in page
    response = client.get(f"{BASE}/{hearing.id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == hearing.title
    assert event.decoded("DTSTART") == hearing.starts_at
    assert "Ленин көчөсү, 1" in str(event["LOCATION"])
    assert str(event["UID"]) == f"hearing-{hearing.id}@localhost"
    assert f"/m/teploklyuchenka/hearings/{hearing.id}" in str(event["URL"])
    notice = client.get(f"{BASE}/{hearing.id}/notice.pdf?lang=ky")
    assert notice.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(notice.data)).pages[0].extract_text()
    assert hearing.title in text and "Бюджеттин долбоору" in text
    assert "Ленин көчөсү, 1" in text


def test_home_section_lists_upcoming(client, hearing):
    page = client.get("/m/teploklyuchenka/?lang=en").get_data(as_text=True)
    assert hearing.title in page


def test_dates_outside_two_thousand_to_twenty_one_hundred_are_refused(client, users, login_as):
    login_as(users["staff"])
    base = {"kind": "draft_budget", "title": "Бюджет 2027", "venue_address": "Ленин көчөсү, 1",
            "village_id": "0", "organiser": "Айыл өкмөтү", "chair_id": "0", "secretary_id": "0",
            "agenda": "Бюджеттин долбоору", "capacity": "50"}
    for field, value in (("starts_at", "9999-12-31T23:59"), ("starts_at", "0001-01-01T00:00"),
                         ("basis_act_date", "0001-01-01")):
        data = {**base, "starts_at": "2027-01-20T10:00", field: value}
        r = client.post(f"{BASE}/new", data=data)
        text = r.get_data(as_text=True)
        assert r.status_code == 400 and "Enter a date between the years 2000 and 2100." in text, (field, value)
        assert 'value="Бюджет 2027"' in text  # what was typed stays
    assert db.session.query(Hearing).count() == 0
