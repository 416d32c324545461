"""Secretary submits the protocol → the chair approves (signs) → the public verifies an upload."""
import pytest

from hearings.extensions import db
from hearings.protocols.models import Protocol

from .conftest import PASSWORD_FOR_BROWSER

pytestmark = pytest.mark.browser


def _login(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server}/account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD_FOR_BROWSER)
    page.locator("#password").press("Enter")
    page.wait_for_load_state()


def test_submit_approve_verify(live_server, browser_page, held_hearing, users, person_certs, tmp_path):
    page = browser_page
    url = f"{live_server}/m/teploklyuchenka/hearings/{held_hearing.id}/protocol"

    _login(page, live_server, users["secretary"].email)
    page.goto(url)
    page.select_option("#languages", "ky+ru")
    page.locator("form[action$='/protocol/create'] button").click()
    page.locator("form[action$='/protocol/submit'] button").click()
    assert page.locator("#protocol-status").is_visible()

    _login(page, live_server, users["chair"].email)
    page.goto(url)
    page.locator("form[action$='/protocol/approve'] button").click()
    link = page.locator("#signed-versions a[href$='/protocol/v1.pdf']")
    assert link.is_visible()

    page.screenshot(path="/tmp/aimak-protocol-signed.png", full_page=True)
    href = link.get_attribute("href")
    pdf = page.request.get(live_server + href if href.startswith("/") else href).body()
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "protocol.pdf"
    path.write_bytes(pdf)

    page.context.clear_cookies()  # the public
    page.goto(f"{live_server}/verify")
    page.set_input_files("#file", str(path))
    page.locator("main form button.primary").click()
    assert "ok" in page.locator("#verdict").get_attribute("class")
    code = db.session.query(Protocol).one().document.code
    assert code in page.content()
    assert users["chair"].full_name in page.content()
    page.screenshot(path="/tmp/aimak-verify-valid.png", full_page=True)

    forged = tmp_path / "forged.pdf"
    data = bytearray(pdf)
    data[len(data) // 3] ^= 0x01
    forged.write_bytes(bytes(data))
    page.set_input_files("#file", str(forged))
    page.locator("main form button.primary").click()
    assert "bad" in page.locator("#verdict").get_attribute("class")
