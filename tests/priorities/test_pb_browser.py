"""A knapsack vote on a phone (360 px) in Kyrgyz, with the running total, through real Chromium."""
import os

import pytest
from sqlalchemy import select

from hearings.extensions import db
from hearings.priorities.models import Ballot, Participation
from pb_helpers import PASSWORD, add_priorities, make_process, url

SHOTS = os.environ.get("PB_SCREENSHOTS")


@pytest.mark.browser
def test_knapsack_vote_on_phone_in_kyrgyz(users, municipality, live_server, browser_page):
    user = users["resident"]
    user.locale = "ky"
    p = make_process(municipality, kind="knapsack", budget=1000000)
    prios = add_priorities(p, [600000, 300000, 250000, 150000])
    db.session.commit()
    page = browser_page
    page.goto(live_server + "/account/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button").first.click()
    page.wait_for_load_state()
    page.goto(live_server + url(p, "vote"))
    assert page.locator("html").get_attribute("lang") == "ky"
    total = page.locator("[data-pb-total]")
    assert total.is_visible()
    assert "0" in total.inner_text()
    page.check(f"#p-{prios[0].pid}")
    page.check(f"#p-{prios[1].pid}")
    assert "900\u00a0000" in total.inner_text() and "100\u00a0000" in total.inner_text()
    page.check(f"#p-{prios[2].pid}")  # 1 150 000: over the budget
    assert "over" in total.get_attribute("class") and "150\u00a0000" in total.inner_text()
    assert total.inner_text().startswith("Тандалды")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "knapsack-over.png"), full_page=False)
    # the page fits the phone: nothing wider than the viewport
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the server refuses the over-budget ballot too (the running total is only a help)
    page.locator("form.pb-form button.primary").click()
    page.wait_for_load_state()
    errors = page.locator("#ballot-errors")
    assert errors.is_visible()
    assert "Бюллетениңиз кабыл алынган жок" in errors.inner_text()  # translated into Kyrgyz
    assert "бюджеттен көп" in errors.inner_text()
    page.uncheck(f"#p-{prios[2].pid}")
    assert "over" not in (total.get_attribute("class") or "")
    page.locator("form.pb-form button.primary").click()
    page.wait_for_load_state()
    receipt = page.locator("#receipt").inner_text().strip()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "knapsack-voted.png"), full_page=True)
    assert len(receipt) == 11
    db.session.expire_all()
    ballot = db.session.execute(select(Ballot)).scalar_one()
    assert ballot.content == {"approve": sorted([prios[0].pid, prios[1].pid], key=int)}
    assert db.session.execute(select(Participation.user_id)).scalar_one() == user.id
