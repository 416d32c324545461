"""Language helpers: money in som, official dates, Bishkek time, WTForms messages in ky/ru/en."""
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_currency, parse_pattern
from flask import g, request
from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_wtf import FlaskForm

BISHKEK = ZoneInfo("Asia/Bishkek")
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}

KY_MONTHS = ("январы", "февралы", "марты", "апрели", "майы", "июну", "июлу", "августу",
             "сентябры", "октябры", "ноябры", "декабры")
RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def current_lang():
    locale = get_locale()
    return locale.language if locale else "ky"


def _money_locale(lang):
    # plain `ru` formats KGS as "KGS"; ru_KG gives "сом" (domain.md)
    return {"ru": "ru_KG", "ky": "ky", "en": "en"}.get(lang, "ky")


@lru_cache(maxsize=None)
def _babel_locale(name):
    return Locale.parse(name)


@lru_cache(maxsize=None)
def _number_pattern(pattern):
    return parse_pattern(pattern)


def format_number(amount, pattern="#,##0.00", lang=None):
    """A number with a Babel pattern in the language's style ('1 234,6'). The locale and the
    pattern are parsed once (Babel re-parses both on every call: slow in 40-row tables)."""
    lang = lang or current_lang()
    return _number_pattern(pattern).apply(Decimal(amount), _babel_locale(_money_locale(lang)))


def format_money(amount, lang=None, thousands=False):
    """'1 234 567,50 сом', or '1 234,6 миң сом' / 'тыс. сом' / 'thousand som' when thousands."""
    if amount is None:
        return ""
    lang = lang or current_lang()
    amount = Decimal(amount)
    if thousands:
        number = format_number(amount / 1000, "#,##0.0", lang)
        unit = {"ky": "миң сом", "ru": "тыс. сом"}.get(lang, "thousand som")
        return f"{number}\u00a0{unit}"
    if lang == "en":
        return format_number(amount, "#,##0.00", "en") + "\u00a0som"
    return format_currency(amount, "KGS", locale=_babel_locale(_money_locale(lang)))


def official_date(value, lang=None):
    """ky '2026-жылдын 22-ноябры', ru '«22» ноября 2026 г.', en '22 November 2026'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    lang = lang or current_lang()
    if lang == "ky":
        return f"{value.year}-жылдын {value.day}-{KY_MONTHS[value.month - 1]}"
    if lang == "ru":
        return f"«{value.day}» {RU_MONTHS[value.month - 1]} {value.year} г."
    return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"


def to_local(value):
    """UTC (aware) → Asia/Bishkek."""
    if value is None:
        return None
    return value.astimezone(BISHKEK)


def format_local(value, fmt="%d.%m.%Y %H:%M"):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value).strftime(fmt)
    if isinstance(value, date):
        return value.strftime(fmt.split(" ")[0])
    return str(value)


def localized(obj, field="name"):
    """Pick obj.name_<lang>, falling back to ru, ky, en."""
    lang = current_lang()
    for code in (lang, "ru", "ky", "en"):
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value
    return ""


class BabelTranslations:
    """WTForms' own messages through our catalogs (WTForms ships no Kyrgyz)."""

    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        # not flask_babel.ngettext: it would %-format with {num} only, and WTForms' messages
        # need %(max)d / %(min)d (KeyError → 500 on every over-long field); WTForms formats them
        from flask_babel import get_translations

        translations = get_translations()
        translated = translations.ngettext(singular, plural, n)
        if translated in (singular, plural):  # our catalogs list the two forms as plain msgids
            translated = translations.gettext(singular if n == 1 else plural)
        return translated


class Form(FlaskForm):
    """Base form: CSRF from Flask-WTF, validation messages in the user's language, and every
    text field cleaned the same way (core.fields.clean_text; passwords are left as typed)."""

    class Meta:
        def get_translations(self, form):
            return BabelTranslations()

        def bind_field(self, form, unbound_field, options):
            from wtforms import PasswordField, StringField

            from .fields import clean_text

            cls = unbound_field.field_class
            if issubclass(cls, StringField) and not issubclass(cls, PasswordField):
                options["filters"] = [clean_text, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options)


# WTForms' built-in messages, listed so extraction puts them in our catalogs.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Invalid email address."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Field must be equal to %(other_name)s."),
    _l("Invalid field name '%s'."),
    _l("Field must be at least %(min)d character long."),
    _l("Field must be at least %(min)d characters long."),
    _l("Field cannot be longer than %(max)d character."),
    _l("Field cannot be longer than %(max)d characters."),
    _l("Field must be exactly %(max)d character long."),
    _l("Field must be exactly %(max)d characters long."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid URL."),
    _l("Invalid Mac address."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited"),
    _l("This field is disabled and cannot have a value"),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF session token is missing."),
    _l("The CSRF tokens do not match."),
    _l("The referrer header is missing."),
    _l("The referrer does not match the host."),
    _l("Invalid Input."),
    _l("File does not have an approved extension: {extensions}"),
    _l("File is required."),
    _l("File must be smaller than {max_size} bytes."),
    _l("File must be between {min_size} and {max_size} bytes."),
    _l("File must be larger than {min_size} bytes."),
)


def page_url():
    """The address of the page being read, for the language links: a page that answers a form
    (a POST, e.g. a comment with an error) stands for the page the form was on, since its own
    URL takes POST only."""
    from urllib.parse import urlsplit

    from flask import request

    if request.method == "GET":
        return request.full_path.rstrip("?")
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc == request.host and came_from.path.startswith("/"):
        return came_from.path + (f"?{came_from.query}" if came_from.query else "")
    return "/"


def init_app(app):
    from flask_babel import format_datetime

    app.jinja_env.filters.update(
        money=format_money,
        money_k=lambda v: format_money(v, thousands=True),
        official_date=official_date,
        local=format_local,
        localized=localized,
        datetime=format_datetime,
    )
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def languages():
        return {"LANGUAGE_NAMES": LANGUAGE_NAMES, "current_lang": current_lang, "reading_url": page_url}

    @app.after_request
    def remember_language(response):
        lang = getattr(g, "set_lang_cookie", None)
        if lang:
            response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax",
                                httponly=True, secure=request.is_secure)
        return response
