"""At the door: check-in by code, walk-ins, one register, duplicates, authorization, exports."""
import csv
import io

from openpyxl import load_workbook

from hearings.extensions import db
from hearings.meetings import services
from hearings.meetings.models import Registration

BASE = "/m/teploklyuchenka/hearings"


def reg(hearing, name, phone="", **kw):
    return services.register(hearing, full_name=name, phone=phone, **kw)


def test_check_in_by_code(client, users, login_as, hearing):
    r = reg(hearing, "Асанова Айгүл", "+996555000001")
    login_as(users["secretary"])
    typed = services.format_code(r.code).lower()          # "abc-def" typed in lower case
    response = client.post(f"{BASE}/{hearing.id}/door", data={"action": "checkin", "c-code": typed})
    assert response.status_code == 302
    db.session.refresh(r)
    assert r.checked_in_at is not None and r.checked_in_by_id == users["secretary"].id
    page = client.get(f"{BASE}/{hearing.id}/door").get_data(as_text=True)
    assert "Checked in: Асанова Айгүл." in page and "Present: 1" in page
    first = r.checked_in_at
    client.post(f"{BASE}/{hearing.id}/door", data={"action": "checkin", "c-code": r.code})
    db.session.refresh(r)
    assert r.checked_in_at == first                        # twice = still once, original time kept
    assert "was already checked in" in client.get(f"{BASE}/{hearing.id}/door").get_data(as_text=True)
    # scanning the ticket QR opens the door page with the code filled in
    scanned = client.get(f"{BASE}/{hearing.id}/door?code={r.code}").get_data(as_text=True)
    assert services.format_code(r.code) in scanned


def test_unknown_and_waitlisted_codes(client, users, login_as, new_hearing):
    hearing = new_hearing(capacity=1)
    reg(hearing, "Биринчи", "+996555000001")
    waiting = reg(hearing, "Экинчи", "+996555000002")
    assert waiting.status == "waitlisted"
    login_as(users["secretary"])
    response = client.post(f"{BASE}/{hearing.id}/door", data={"action": "checkin", "c-code": "ZZZZZZ"})
    assert response.status_code == 404
    assert "No registration with this code for this hearing." in response.get_data(as_text=True)
    response = client.post(f"{BASE}/{hearing.id}/door", data={"action": "checkin", "c-code": waiting.code})
    assert response.status_code == 409
    assert "waiting list" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/{hearing.id}/door", data={"action": "checkin", "c-code": ""})
    assert response.status_code == 400


def test_walk_in_in_one_post(client, users, login_as, hearing):
    login_as(users["secretary"])
    response = client.post(f"{BASE}/{hearing.id}/door", data={
        "action": "walkin", "w-client_key": "walk-1", "w-full_name": "Осмонов Нурсултан",
        "w-phone": "0555 000 009", "w-gender": "male", "w-age_group": "youth", "w-channel": "walk_in",
        "w-consent": "y", "w-present": "y"})
    assert response.status_code == 302
    # the same form sent twice (double tap) does not add a second person
    client.post(f"{BASE}/{hearing.id}/door", data={
        "action": "walkin", "w-client_key": "walk-1", "w-full_name": "Осмонов Нурсултан",
        "w-channel": "walk_in"})
    r = db.session.query(Registration).one()
    assert r.channel == "walk_in" and r.checked_in_at and r.checked_in_by_id == users["secretary"].id
    assert r.phone == "+996555000009" and r.age_group == "youth" and r.gender == "male"
    bad = client.post(f"{BASE}/{hearing.id}/door", data={"action": "walkin", "w-full_name": "",
                                                          "w-pin": "123", "w-channel": "walk_in"})
    assert bad.status_code == 400
    assert "A PIN has 14 digits" in bad.get_data(as_text=True)


def test_one_register_for_all_channels(client, users, login_as, hearing):
    reg(hearing, "Онлайн", "+996555000001", channel="online")
    reg(hearing, "Кагаз", "+996555000002", channel="paper", actor=users["secretary"])
    reg(hearing, "Жардам", "+996555000003", channel="staff_assisted", actor=users["staff"])
    reg(hearing, "Эшиктен", "+996555000004", channel="walk_in", check_in=True, actor=users["secretary"])
    login_as(users["staff"])
    response = client.get(f"{BASE}/{hearing.id}/register.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["No.", "Code", "Channel", "Status", "Full name"]
    assert [r[2] for r in rows[1:]] == ["online", "paper sheet", "staff-assisted", "walk-in"]
    assert "PIN" not in " ".join(rows[0])
    wb = load_workbook(io.BytesIO(client.get(f"{BASE}/{hearing.id}/register.xlsx").data))
    assert wb.active.max_row == 5
    assert wb.active["E5"].value == "Эшиктен"


def test_duplicates_shown_and_merged_never_dropped(client, users, login_as, hearing, app):
    a = reg(hearing, "Асанова Айгүл", "+996555000001", channel="online")
    b = reg(hearing, "асанова  айгүл", "+996555000001", channel="paper")          # same phone + name
    c = reg(hearing, "Асанова А.", "+996700000000", pin="12501199000012", channel="walk_in")
    d = reg(hearing, "Aigul Asanova", "", pin="12501199000012", channel="staff_assisted")  # same PIN
    e = reg(hearing, "Асанова Айгүл", "+996555999999")                             # other phone: other person
    groups = services.duplicate_groups(hearing)
    assert sorted(sorted(r.id for r in g) for g in groups) == [[a.id, b.id], [c.id, d.id]]
    login_as(users["secretary"])
    page = client.get(f"{BASE}/{hearing.id}/register/manage").get_data(as_text=True)
    assert "Possible duplicates" in page and page.count('class="dup"') == 2
    assert "12501199000012" not in page                           # never a PIN
    response = client.post(f"{BASE}/{hearing.id}/registrations/{a.id}/merge", data={"other": b.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, b.id).status == "merged"
    assert db.session.get(Registration, b.id).merged_into_id == a.id
    assert db.session.query(Registration).count() == 5
    client.post(f"{BASE}/{hearing.id}/registrations/{d.id}/distinct")
    assert services.duplicate_groups(hearing) == []
    # the merged code still checks in the kept person
    client.post(f"{BASE}/{hearing.id}/door", data={"action": "checkin", "c-code": b.code})
    db.session.expire_all()
    assert db.session.get(Registration, a.id).checked_in_at is not None
    assert e.status == "registered"


def test_other_municipality_staff_get_403(client, users, login_as, hearing):
    r = reg(hearing, "Асанова Айгүл", "+996555000001")
    item = hearing.agenda[0]
    urls_get = [f"/{hearing.id}/door", f"/{hearing.id}/register/manage", f"/{hearing.id}/proceedings",
                f"/{hearing.id}/proceedings/{item.id}", f"/{hearing.id}/attendance.pdf",
                f"/{hearing.id}/register.csv", f"/{hearing.id}/edit"]
    urls_post = [(f"/{hearing.id}/door", {"action": "checkin", "c-code": r.code}),
                 (f"/{hearing.id}/proceedings/{item.id}/question", {"questionnew-client_key": "k", "questionnew-question": "?"}),
                 (f"/{hearing.id}/registrations/{r.id}/cancel", {}),
                 (f"/{hearing.id}/status/cancelled", {})]
    for who in ("secretary_b", "staff_b", "chair_b", "resident"):
        login_as(users[who])
        for url in urls_get:
            assert client.get(BASE + url).status_code == 403, (who, url)
        for url, data in urls_post:
            assert client.post(BASE + url, data=data).status_code == 403, (who, url)
    db.session.expire_all()
    assert db.session.get(Registration, r.id).checked_in_at is None
    client.post("/account/logout")
    assert client.get(f"{BASE}/{hearing.id}/door").status_code == 302     # → login
    # the secretary of A may work the door but not edit or announce
    login_as(users["secretary"])
    assert client.get(f"{BASE}/{hearing.id}/door").status_code == 200
    assert client.get(f"{BASE}/{hearing.id}/edit").status_code == 403


def test_paper_sheet_typed_in_later(client, users, login_as, hearing):
    login_as(users["secretary"])
    client.post(f"{BASE}/{hearing.id}/door", data={
        "action": "walkin", "w-client_key": "p-1", "w-full_name": "Кагаздан Киргизилген",
        "w-channel": "paper"})
    r = db.session.query(Registration).one()
    assert r.channel == "paper" and r.checked_in_at is None and r.status == "registered"


def test_cancelled_hearing_register_is_read_only(client, users, login_as, hearing):
    r = reg(hearing, "Асанова Гүлнара", "+996555000009")
    hearing.status = "cancelled"
    db.session.commit()
    login_as(users["secretary"])
    response = client.post(f"{BASE}/{hearing.id}/door", data={"action": "checkin", "c-code": r.code})
    assert response.status_code == 403
    assert "This hearing was cancelled" in response.get_data(as_text=True)
    db.session.refresh(r)
    assert r.checked_in_at is None
    page = client.get(f"{BASE}/{hearing.id}/door").get_data(as_text=True)
    assert "This hearing was cancelled" in page and 'name="c-code"' not in page
