"""Security headers on every page, cookie flags in production, a fresh session on login,
and rate limits on login and registration that answer 429 with a translated page."""
import re

import pytest
from flask_babel import force_locale, gettext

from config import ProductionConfig
from hearings import create_app
from hearings.extensions import db, limiter
from tests.conftest import PASSWORD, make_municipality, make_user

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def assert_safe_page(response):
    """Headers that stop framing, sniffing and injected script; no inline script in the page."""
    csp = response.headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body).group(0)
        assert not EVENT_HANDLER.search(body), EVENT_HANDLER.search(body).group(0)
        assert not JS_URL.search(body)


def test_headers_on_public_pages_errors_and_staff_pages(client, users, login_as):
    for url in ("/", "/account/login", "/account/register", "/account/reset",
                "/m/teploklyuchenka/", "/no/such/page", "/healthz"):
        assert_safe_page(client.get(url))
    assert_safe_page(client.post("/account/logout?x=1", data={}))
    login_as(users["admin"])
    for url in ("/account/profile", "/account/admin/roles"):
        response = client.get(url)
        assert response.status_code == 200
        assert_safe_page(response)


@pytest.fixture
def production_app(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "p" * 32)
    monkeypatch.setenv("PIN_HMAC_KEY", "q" * 32)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite")
    app = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/prod.sqlite",
                     SECRET_KEY="p" * 32, MAIL_SUPPRESS_SEND=True, RATELIMIT_OFF=True)
    with app.app_context():
        db.create_all()
        m = make_municipality("848000", "teploklyuchenka", "Теплоключенка")
        make_user("resident@a.kg", m)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def csrf_of(response):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                     response.get_data(as_text=True)).groups()


def token(response):
    a, b = csrf_of(response)
    return a or b


HTTPS = "https://aimak.example"


def set_cookies(response):
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_production_cookies_are_secure_httponly_samesite(production_app):
    client = production_app.test_client()
    page = client.get("/account/login?lang=ru", base_url=HTTPS)
    cookies = set_cookies(page)
    assert "Strict-Transport-Security" in page.headers
    response = client.post("/account/login", data={
        "email": "resident@a.kg", "password": PASSWORD, "remember": "y", "csrf_token": token(page)}, base_url=HTTPS,
        headers={"Referer": HTTPS + "/account/login"})
    assert response.status_code == 302
    cookies.update(set_cookies(response))
    for name in ("session", "remember_token", "lang"):
        flags = [part.strip().lower() for part in cookies[name].split(";")]
        assert "secure" in flags, cookies[name]
        assert "httponly" in flags, cookies[name]
        assert "samesite=lax" in flags, cookies[name]


def test_production_forms_need_the_csrf_token(production_app):
    client = production_app.test_client()
    response = client.post("/account/login?lang=en", data={"email": "resident@a.kg", "password": PASSWORD},
                           base_url=HTTPS)
    assert response.status_code == 400
    assert "This form has expired or did not come from this site." in response.get_data(as_text=True)
    assert "session" not in set_cookies(response) or "resident" not in response.get_data(as_text=True)
    # in the visitor's language, not Flask-WTF's English ("The referrer header is missing.")
    for lang, words in (("ky", "Бул форманын мөөнөтү бүттү"), ("ru", "Срок действия этой формы истёк")):
        with production_app.app_context():  # its own g, so its own locale (as in production)
            page = client.post(f"/account/login?lang={lang}", data={"email": "x@a.kg"}, base_url=HTTPS)
        text = page.get_data(as_text=True)
        assert page.status_code == 400 and words in text and "CSRF" not in text and "referrer" not in text


def test_production_refuses_development_secrets(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "dev-secret-not-for-production")
    monkeypatch.setenv("PIN_HMAC_KEY", "short")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError) as error:
        ProductionConfig.check()
    message = str(error.value)
    assert "SECRET_KEY is a development default" in message
    assert "PIN_HMAC_KEY is a development default or shorter than 16 characters" in message
    assert "DATABASE_URL is not set" in message


def test_login_starts_a_fresh_session(client, users):
    client.get("/account/login")
    with client.session_transaction() as s:
        s["planted_by_attacker"] = "x"
        s["csrf_token"] = "fixed-token"
        s["_user_id"] = "999:0"
    response = client.post("/account/login", data={"email": users["resident"].email, "password": PASSWORD})
    assert response.status_code == 302
    with client.session_transaction() as s:
        assert "planted_by_attacker" not in s
        assert s.get("csrf_token") != "fixed-token"
        assert s["_user_id"] == f"{users['resident'].id}:0"
    client.post("/account/logout")
    with client.session_transaction() as s:
        assert "_user_id" not in s


def test_registration_starts_a_fresh_session(client, municipality):
    client.get("/account/register")
    with client.session_transaction() as s:
        s["planted_by_attacker"] = "x"
    response = client.post("/account/register", data={
        "email": "new@a.kg", "password": PASSWORD, "confirm": PASSWORD, "full_name": "Жаңы Адам",
        "municipality_id": municipality.id, "village_id": 0, "locale": "ky", "consent": "y"})
    assert response.status_code == 302
    with client.session_transaction() as s:
        assert "planted_by_attacker" not in s and s["_user_id"].endswith(":0")


def test_password_change_ends_other_sessions(client, app, users):
    from hearings.accounts import services

    client.post("/account/login", data={"email": users["resident"].email, "password": PASSWORD})
    assert client.get("/account/profile").status_code == 200
    services.set_password(users["resident"], "another-horse-2")
    assert client.get("/account/profile").status_code == 302  # logged out everywhere


@pytest.fixture
def limited_app(app, users):
    """The test app with its rate limits switched on (tests run without them)."""
    app.config["RATELIMIT_OFF"] = False
    limiter.reset()
    try:
        yield app
    finally:
        app.config["RATELIMIT_OFF"] = True
        limiter.reset()


def translated_429(lang):
    with force_locale(lang):
        return gettext("Too many requests from your connection")


def assert_429_page(response, lang):
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in body
    assert translated_429(lang) in body
    assert int(response.headers["Retry-After"]) > 0
    assert_safe_page(response)


def test_login_is_rate_limited(limited_app):
    client = limited_app.test_client()
    for _ in range(10):
        response = client.post("/account/login?lang=ky", data={"email": "resident@a.kg", "password": "wrong-1234"})
        assert response.status_code == 400
    response = client.post("/account/login?lang=ky", data={"email": "resident@a.kg", "password": PASSWORD})
    assert_429_page(response, "ky")
    with client.session_transaction() as s:
        assert "_user_id" not in s  # even the right password waits
    assert_429_page(client.post("/account/login?lang=ru", data={"email": "resident@a.kg"}), "ru")
    assert client.get("/account/login").status_code == 200  # reading the page is not limited
    # a neighbour behind the same address (one mobile-carrier address for a village) still logs in
    assert client.post("/account/login", data={"email": "x@a.kg", "password": "wrong-1234"}).status_code == 400
    other = limited_app.test_client()
    response = other.post("/account/login", data={"email": "resident@a.kg", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302  # another address is not affected


def test_registration_is_rate_limited(limited_app):
    client = limited_app.test_client()
    for i in range(60):
        response = client.post("/account/register?lang=en", data={"email": f"x{i}@a.kg"},
                               environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert response.status_code == 400
    assert_429_page(client.post("/account/register?lang=ru", data={"email": "y@a.kg"},
                                environ_base={"REMOTE_ADDR": "10.9.9.9"}), "ru")


def test_rate_limit_page_is_translated_into_kyrgyz_and_russian(app):
    english = "Too many requests from your connection"
    with app.test_request_context():
        assert translated_429("ky") not in ("", english)
        assert translated_429("ru") not in ("", english)


def test_behind_nginx_limits_count_each_visitor(limited_app):
    """With AIMAK_PROXIES=1 the visitor's address comes from nginx's X-Forwarded-For: one
    address's failed logins do not lock out the next visitor (all arrive from 127.0.0.1)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    original = limited_app.wsgi_app
    limited_app.wsgi_app = ProxyFix(original, x_for=1, x_proto=1, x_host=1)
    try:
        client = limited_app.test_client()
        attempt = {"email": "resident@a.kg", "password": "wrong-1234"}
        for _ in range(10):
            assert client.post("/account/login", data=attempt,
                               headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 400
        assert client.post("/account/login", data=attempt,
                           headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
        assert client.post("/account/login", data={"email": "resident@a.kg", "password": PASSWORD},
                           headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 302
    finally:
        limited_app.wsgi_app = original


def test_proxy_count_setting_installs_proxy_fix():
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PROXY_COUNT=1)
    assert isinstance(app.wsgi_app, ProxyFix)
    assert not isinstance(create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://").wsgi_app, ProxyFix)
