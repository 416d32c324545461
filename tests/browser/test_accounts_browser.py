"""A person on a phone registers, logs out, logs in again and switches languages."""
import pytest

pytestmark = pytest.mark.browser


def test_register_login_and_switch_language(live_server, browser_page, municipality):
    page = browser_page
    page.goto(f"{live_server}/account/register?m=teploklyuchenka")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert page.get_by_role("heading", name="Аккаунт түзүү").is_visible()
    page.fill("#full_name", "Асанова Айгүл")
    page.fill("#email", "aigul@example.kg")
    page.fill("#password", "secret-pass-1")
    page.fill("#confirm", "secret-pass-1")
    page.check("#consent")
    page.get_by_role("button", name="Аккаунт түзүү").click()
    assert "Кош келиңиз!" in page.content()
    page.get_by_role("button", name="Чыгуу").click()
    page.get_by_role("link", name="Кирүү").first.click()
    page.fill("#email", "aigul@example.kg")
    page.fill("#password", "wrong-pass-1")
    page.get_by_role("button", name="Кирүү").click()
    assert "Электрондук почта же сырсөз туура эмес." in page.content()
    page.fill("#password", "secret-pass-1")
    page.get_by_role("button", name="Кирүү").click()
    assert "Сиз кирдиңиз." in page.content()
    page.get_by_role("link", name="Русский").click()
    assert page.locator("html").get_attribute("lang") == "ru"
    page.goto(f"{live_server}/m/teploklyuchenka/")
    assert page.get_by_role("heading", name="Открыто сейчас").is_visible()
    page.get_by_role("link", name="Кыргызча").click()
    assert page.get_by_role("heading", name="Азыр ачык").is_visible()
    page.screenshot(path="/tmp/aimak-browser-home-ky.png", full_page=True)


def test_village_list_follows_the_municipality(live_server, browser_page, municipality, other_municipality):
    page = browser_page
    page.goto(f"{live_server}/account/register?m=teploklyuchenka&lang=ru")
    options = page.locator("#village_id option").all_inner_texts()
    assert "Теплоключенка-1" in options
    page.select_option("#municipality_id", str(other_municipality.id))
    page.locator("#village_id option", has_text="Ак-Булуң-1").wait_for(state="attached")  # (CSP: no eval)
    options = page.locator("#village_id option").all_inner_texts()
    assert "Ак-Булуң-1" in options and "Теплоключенка-1" not in options
