"""Configuration classes. `DATABASE_URL` wins in every configuration when set."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("AIMAK_INSTANCE", BASE_DIR / "instance"))

DEV_SECRET = "dev-secret-not-for-production"
DEV_PIN_KEY = "dev-pin-hmac-not-for-production"


def _database_url(default):
    return os.environ.get("DATABASE_URL") or default


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    PIN_HMAC_KEY = os.environ.get("PIN_HMAC_KEY", DEV_PIN_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'aimak.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # a phone photo of a pothole is often 10 MB; it is stored scaled down (priorities/services.py)
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 20 * 1024 * 1024))
    # how many reverse proxies (nginx) stand before gunicorn: their X-Forwarded-For/-Proto are
    # trusted, so rate limits count real visitors and secure cookies work (0 = none)
    PROXY_COUNT = int(os.environ.get("AIMAK_PROXIES", "0"))
    LANGUAGES = ("ky", "ru", "en")
    BABEL_DEFAULT_LOCALE = "ky"
    BABEL_DEFAULT_TIMEZONE = "Asia/Bishkek"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "aimak@localhost")
    MAIL_SUPPRESS_SEND = True  # development: messages go to the log instead
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    PROTOCOL_DUE_WORKING_DAYS = 5
    DOCUMENT_STORE = str(INSTANCE_DIR / "documents")
    BACKUP_DIR = str(INSTANCE_DIR / "backups")
    CERTS_DIR = os.environ.get("CERTS_DIR") or str(INSTANCE_DIR / "certs")
    # PEM files of the CAs whose certificates may sign documents (os.pathsep-separated in env)
    SIGNATURE_TRUST_ROOTS = [p for p in os.environ.get("SIGNATURE_TRUST_ROOTS", "").split(os.pathsep) if p]
    SIGNATURE_TRUST_DEV_CA = True  # trust `flask certs dev-ca`; never in production
    # ISO dates not counted as working days for the protocol due date, e.g. "2026-12-31"
    PUBLIC_HOLIDAYS = [d for d in os.environ.get("PUBLIC_HOLIDAYS", "").split(",") if d]


class DevelopmentConfig(Config):
    DEBUG = False  # the reloader/debugger stay off so `make run` behaves like production


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    PIN_HMAC_KEY = "testing-pin-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_OFF = True  # the rate-limit tests set it to False
    SERVER_NAME = None


class ProductionConfig(Config):
    MAIL_SUPPRESS_SEND = False
    SIGNATURE_TRUST_DEV_CA = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls):
        """Refuse to start with missing secrets or development defaults."""
        problems = []
        for name, dev in (("SECRET_KEY", DEV_SECRET), ("PIN_HMAC_KEY", DEV_PIN_KEY)):
            value = os.environ.get(name)
            if not value:
                problems.append(f"{name} is not set")
            elif value == dev or len(value) < 16:
                problems.append(f"{name} is a development default or shorter than 16 characters")
        if not os.environ.get("DATABASE_URL"):
            problems.append("DATABASE_URL is not set")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
