"""On a phone (360 px): register without an account → ticket → the secretary checks in by code."""
import os

import pytest

from hearings.extensions import db
from hearings.meetings.models import Registration

PASSWORD = "correct-horse-1"   # tests/conftest.py
SHOTS = os.environ.get("AIMAK_SCREENSHOTS")  # set to a folder to keep screenshots


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"meetings-{name}.png"), full_page=True)


@pytest.mark.browser
def test_register_ticket_check_in_on_a_phone(live_server, browser_page, users, hearing):
    page = browser_page
    base = f"{live_server}/m/teploklyuchenka/hearings/{hearing.id}"
    page.goto(base)
    assert page.locator("h1").inner_text() == hearing.title
    shot(page, "1-hearing")
    page.click(f"a[href$='/hearings/{hearing.id}/register']")
    page.fill("#full_name", "Асанова Айгүл Бакытовна")
    page.fill("#village", "Ак-Суу, Мектеп көчөсү, 3")
    page.fill("#phone", "0555 123 456")
    page.check("#consent")
    shot(page, "2-register")
    page.click("form.stack button.primary")
    code = page.locator("[data-testid=code]").inner_text().strip()
    assert len(code) == 7 and code[3] == "-"
    assert page.locator("img.qr").is_visible()
    # nothing sticks out of a 360 px screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "3-ticket")
    reg = db.session.query(Registration).one()
    assert reg.channel == "online" and reg.full_name == "Асанова Айгүл Бакытовна"

    # the secretary, on her phone, types the code she is told
    page.goto(f"{live_server}/account/login")
    page.fill("#email", users["secretary"].email)
    page.fill("#password", PASSWORD)
    page.click("form button.primary")
    page.goto(f"{base}/door")
    page.fill("#c-code", code.lower())
    shot(page, "4-door")
    page.click("form.checkin button")
    page.wait_for_selector("ol.recent li")
    assert "Асанова Айгүл Бакытовна" in page.locator("ol.recent").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "5-checked-in")
    db.session.expire_all()
    reg = db.session.query(Registration).one()
    assert reg.checked_in_at is not None and reg.checked_in_by_id == users["secretary"].id
