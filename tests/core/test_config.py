import pytest

from config import DEV_SECRET
from hearings import create_app


def test_production_refuses_missing_or_default_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", DEV_SECRET)
    monkeypatch.setenv("PIN_HMAC_KEY", "a-real-pin-key-of-length")
    with pytest.raises(RuntimeError, match="SECRET_KEY is a development default"):
        create_app("production")


def test_production_starts_with_real_secrets_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("PIN_HMAC_KEY", "p" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_database_url_is_honoured_in_development(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/elsewhere")
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/elsewhere")


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
