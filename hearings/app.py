"""The application factory: configuration, extensions, capability blueprints, CLI groups."""
import importlib
import logging
import os

from flask import Flask, g, has_request_context, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from config import CONFIGS, INSTANCE_DIR, ProductionConfig
from .extensions import babel, compress, csrf, db, limiter, login_manager, mail, migrate

# One package per capability; each has views.py with a blueprint `bp`, and optionally
# cli.py with register(app) and demo.py with seed(ctx). Order matters for the demo seed.
CAPABILITIES = ("core", "territory", "accounts", "documents", "drafts", "meetings", "priorities",
                "protocols")


def create_app(config_name=None, **overrides):
    config_name = config_name or os.environ.get("AIMAK_ENV", "development")
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    config_cls = CONFIGS[config_name]
    if config_cls is ProductionConfig:
        ProductionConfig.check()
    app.config.from_object(config_cls)
    if os.environ.get("DATABASE_URL"):  # honoured in every configuration
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.update(overrides)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    os.makedirs(app.instance_path, exist_ok=True)
    logging.basicConfig(level=logging.INFO)
    for noisy in ("fontTools", "weasyprint"):  # font subsetting logs every glyph table
        logging.getLogger(noisy).setLevel(logging.WARNING)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Bishkek")
    login_manager.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)

    from .core import i18n, security

    i18n.init_app(app)
    security.init_app(app)
    register_error_pages(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in first.")
    compress.init_app(app)

    @app.context_processor
    def inject_navigation():
        from .core.registry import Link, municipality_links

        links = []
        if current_user and current_user.is_authenticated:
            here = getattr(g, "municipality", None)
            seen = {here.id} if here is not None else set()  # already linked in the header
            for m in current_user.memberships:
                if m.municipality_id not in seen:
                    seen.add(m.municipality_id)
                    links.append(Link(m.municipality.name, url_for("territory.home", slug=m.municipality.slug)))
            if current_user.is_admin:
                links.append(Link(_("Roles"), url_for("accounts.roles")))
        return {"staff_links": links, "municipality_links": municipality_links}
    only = os.environ.get("AIMAK_CAPABILITIES")  # e.g. "core,territory,accounts" to run a subset
    app.config.setdefault("CAPABILITIES", tuple(only.split(",")) if only else CAPABILITIES)
    for name in app.config["CAPABILITIES"]:
        load_capability(app, name)
    return app


def load_capability(app, name):
    views = importlib.import_module(f"hearings.{name}.views")
    app.register_blueprint(views.bp)
    try:
        cli = importlib.import_module(f"hearings.{name}.cli")
    except ModuleNotFoundError as exc:
        if exc.name != f"hearings.{name}.cli":
            raise
    else:
        cli.register(app)


def select_locale():
    """Explicit switch (query/cookie/profile) → Accept-Language → municipality default → ky."""
    languages = ("ky", "ru", "en")
    if not has_request_context():  # command line: English unless AIMAK_CLI_LANG says otherwise
        return os.environ.get("AIMAK_CLI_LANG", "en")
    asked = request.args.get("lang")
    if asked in languages:
        g.set_lang_cookie = asked
        return asked
    cookie = request.cookies.get("lang")
    if cookie in languages:
        return cookie
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    best = request.accept_languages.best_match(languages)
    if best:
        return best
    municipality = getattr(g, "municipality", None)
    if municipality is not None and municipality.default_locale in languages:
        return municipality.default_locale
    return "ky"


ERROR_TITLES = {
    400: lambda: _("The request could not be understood"),
    403: lambda: _("You do not have access to this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    409: lambda: _("This conflicts with what is already saved"),
    413: lambda: _("The file or form is too large"),
    429: lambda: _("Too many requests from your connection"),
    500: lambda: _("Something went wrong on our side"),
}


def _too_many_description(error):
    """How long to wait, from the limit that was exceeded (a minute, an hour…)."""
    import math

    limit = getattr(getattr(error, "limit", None), "limit", None)
    seconds = limit.get_expiry() if limit is not None else 60
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("Please wait %(num)d minute and try again. What you typed was not saved.",
                    "Please wait %(num)d minutes and try again. What you typed was not saved.", minutes)


def register_error_pages(app):
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code not in ERROR_TITLES:
            code = 500 if not isinstance(error, HTTPException) else code
        title = ERROR_TITLES.get(code, ERROR_TITLES[500])()
        description = None
        if code == 429:  # Flask-Limiter's description is English ("10 per 1 hour")
            description = _too_many_description(error)
        elif isinstance(error, HTTPException) and error.description != type(error).description:
            description = error.description
        if code == 500:
            db.session.rollback()
        return render_template("core/error.html", code=code, title=title,
                               description=description), code

    for code in ERROR_TITLES:
        app.register_error_handler(code, render_error)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def form_expired(error):
        """Flask-WTF explains a refused form in English ("The CSRF token has expired."): say it
        in the visitor's language, and what to do."""
        return render_template("core/error.html", code=400, title=ERROR_TITLES[400](), description=_(
            "This form has expired or did not come from this site. Go back, reload the page and "
            "send the form again.")), 400

    def value_out_of_range(error):
        """A value the database or the calendar cannot hold (SQLite: int beyond 64 bits and
        dates before year 1 → OverflowError; PostgreSQL: DataError) came from a form: 400."""
        from sqlalchemy.exc import DataError
        from werkzeug.exceptions import BadRequest

        if isinstance(error, (DataError, OverflowError)):
            db.session.rollback()
            app.logger.warning("rejected a value the database cannot store: %s", str(error)[:200])
            return render_error(BadRequest())
        raise error

    app.register_error_handler(OverflowError, value_out_of_range)
    from sqlalchemy.exc import DataError
    app.register_error_handler(DataError, value_out_of_range)

    @app.errorhandler(401)
    def to_login(error):
        from flask import flash, redirect, url_for

        flash(_("Please log in first."), "info")
        return redirect(url_for("accounts.login", next=request.full_path))


def _lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL, foreign keys and a busy timeout make SQLite behave under concurrent requests."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except Exception:  # in-memory databases have no WAL
            pass
        cursor.close()
        # SQLite's lower() knows only ASCII: searches ("теплоключенка") need Cyrillic case too
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
