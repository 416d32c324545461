"""On a phone, in Kyrgyz: a resident comments on a budget line, staff answer, the resident
sees the official answer."""
import pytest

from hearings.extensions import db

pytestmark = pytest.mark.browser


def _login(page, base, email):
    page.goto(f"{base}/account/login")
    page.fill("#email", email)
    page.fill("#password", "correct-horse-1")
    page.locator("form button.primary").click()


def test_resident_comments_on_a_line_staff_answers_resident_sees_it(live_server, browser_page, users, make_budget):
    users["resident"].locale = "ky"
    db.session.commit()
    draft = make_budget()
    line = next(l for l in draft.current_version.lines if l.code == "0451")
    db.session.commit()
    page = browser_page
    _login(page, live_server, "resident@a.kg")
    page.goto(f"{live_server}/m/teploklyuchenka/drafts/{draft.id}/")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert page.get_by_role("heading", name="Кирешелер").first.is_visible()
    assert "2 000,0 миң сом" in " ".join(page.locator(".totals").inner_text().replace("\u00a0", " ").split())
    page.locator(f"#line-{line.id} a.comment-link").click()
    assert page.locator("#target").input_value() == f"line-{line.id}"
    page.fill("#text", "Ленин көчөсүн биринчи оңдогула")
    page.get_by_role("button", name="Пикирди жөнөтүү").click()
    assert "Рахмат: пикириңиз жарыяланды." in page.content()
    assert page.get_by_text("Ленин көчөсүн биринчи оңдогула").is_visible()
    page.screenshot(path="/tmp/aimak-drafts-comment-ky.png", full_page=True)

    staff = page.context.browser.new_context(viewport={"width": 360, "height": 740})
    staff_page = staff.new_page()
    staff_page.set_default_timeout(15000)
    _login(staff_page, live_server, "staff@a.kg")
    staff_page.goto(f"{live_server}/m/teploklyuchenka/drafts/{draft.id}/answers?open=1&lang=en")
    assert "Unanswered comments: 1" in staff_page.content()
    staff_page.locator("select[name$='-decision']").select_option("partly")
    staff_page.locator("textarea[name$='-reason']").fill("Ленин көчөсү 2027-жылы оңдолот.")
    staff_page.get_by_role("button", name="Publish the answer").click()
    assert "The answer is published" in staff_page.content()
    staff.close()

    page.reload()
    answer = page.locator(".answer")
    assert "Расмий жооп" in answer.inner_text()
    assert "Жарым-жартылай кабыл алынды" in answer.inner_text()
    assert "Ленин көчөсү 2027-жылы оңдолот." in answer.inner_text()
    page.screenshot(path="/tmp/aimak-drafts-answer-ky.png", full_page=True)
