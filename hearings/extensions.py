"""Flask extensions, created once and bound in create_app()."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def per_person():
    """Rate-limit key: the signed-in account, else the address. A whole village behind one
    mobile-carrier address must not share one counter for what each person does."""
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


def per_address_and_email():
    """Rate-limit key for login/reset attempts: guessing one account's password is limited
    without locking out the neighbours who share the address."""
    from flask import request

    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"ip:{get_remote_address()}|{email}"


@limiter.request_filter
def _rate_limits_off():
    """Tests switch limits off with RATELIMIT_OFF and back on for the rate-limit tests."""
    from flask import current_app

    return bool(current_app.config.get("RATELIMIT_OFF"))
