import re
from datetime import date, datetime, timezone
from decimal import Decimal

from hearings.core.i18n import format_money, official_date


def test_money_in_som_per_locale():
    assert format_money(Decimal("1234567.50"), "ky") == "1\u00a0234\u00a0567,50\u00a0сом"
    assert format_money(Decimal("1234567.50"), "ru") == "1\u00a0234\u00a0567,50\u00a0сом"
    assert format_money(Decimal("1234567.50"), "en") == "1,234,567.50\u00a0som"
    assert format_money(Decimal("74957700"), "ky", thousands=True) == "74\u00a0957,7\u00a0миң сом"
    assert format_money(Decimal("74957700"), "ru", thousands=True) == "74\u00a0957,7\u00a0тыс. сом"


def test_official_dates():
    d = date(2026, 11, 22)
    assert official_date(d, "ky") == "2026-жылдын 22-ноябры"
    assert official_date(d, "ru") == "«22» ноября 2026 г."
    assert official_date(d, "en") == "22 November 2026"
    # 20:30 UTC on 21 Nov is already 22 Nov in Bishkek (UTC+6)
    assert official_date(datetime(2026, 11, 21, 20, 30, tzinfo=timezone.utc), "ru") == "«22» ноября 2026 г."


def test_language_choice_order(client, municipality):
    # Accept-Language when nothing explicit
    assert '<html lang="ru">' in client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    # nothing at all: the municipality default (ky) / site default ky
    assert '<html lang="ky">' in client.get("/m/teploklyuchenka/").get_data(as_text=True)
    # explicit switch wins over Accept-Language and is remembered in a cookie
    response = client.get("/lang/en?next=/", headers={"Accept-Language": "ru"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Public hearings and participatory budgeting" in page


def test_language_switch_rejects_foreign_redirects(client):
    response = client.get("/lang/ru?next=https://evil.example/x")
    assert response.headers["Location"] == "/"
    assert client.get("/lang/ru?next=javascript:alert(1)").headers["Location"] == "/"


def test_switch_wins_over_the_lang_of_the_page_it_came_from(client, municipality):
    response = client.get("/lang/ru?next=/m/teploklyuchenka/?lang%3Dky%26x%3D1")
    assert response.headers["Location"] == "/m/teploklyuchenka/?x=1"
    assert '<html lang="ru">' in client.get(response.headers["Location"]).get_data(as_text=True)
    # a page answering a form (POST) links back through the page the form was on, not the POST URL
    page = client.post("/account/register", data={"email": ""},
                       headers={"Referer": "http://localhost/account/register?m=x"}).get_data(as_text=True)
    link = re.search(r'href="(/lang/en[^"]*)"', page).group(1).replace("&amp;", "&")
    # the link names the page the form was on, not the POST-only address the browser shows
    assert client.get(link, headers={"Referer": "http://localhost/account/register"}
                      ).headers["Location"] == "/account/register?m=x"
    assert client.get("/lang/ru?next=//evil.example").headers["Location"] == "/"


def test_every_page_shows_the_switcher_in_kyrgyz(client, municipality):
    page = client.get("/m/teploklyuchenka/?lang=ky").get_data(as_text=True)
    assert "Кыргызча" in page and "Русский" in page and "English" in page
    assert "Азыр ачык" in page  # "Open now"


def test_translated_error_pages(client):
    page = client.get("/no-such-page?lang=ru")
    assert page.status_code == 404 and "Страница не найдена" in page.get_data(as_text=True)
    page = client.get("/no-such-page?lang=ky")
    assert "Барак табылган жок" in page.get_data(as_text=True)


def test_oversize_request_gets_413(app, client):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/account/login?lang=en", data=body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
