"""Account forms; every message in the user's language."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..core.i18n import Form
from . import pin as pins

PHONE_RE = re.compile(r"^\+?\d{9,15}$")


def normalize_phone(value):
    digits = re.sub(r"[\s()-]", "", value or "")
    if digits.startswith("0") and len(digits) == 10:  # 0555 123 456
        digits = "+996" + digits[1:]
    elif digits.isdigit() and len(digits) == 9:  # 555 123 456, as Kyrgyz numbers are often written
        digits = "+996" + digits
    if digits and not digits.startswith("+"):
        digits = "+" + digits
    return digits


def validate_phone(form, field):
    if field.data and not PHONE_RE.match(normalize_phone(field.data)):
        raise ValidationError(_l("Enter a phone number such as +996 555 123 456."))


def validate_pin(form, field):
    if field.data and not pins.is_valid(field.data):
        raise ValidationError(_l("A PIN has 14 digits: 1 or 2, the birth date (DDMMYYYY), then 5 digits."))


class ProfileFields:
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20), validate_phone])
    municipality_id = SelectField(_l("Home municipality"), coerce=int, validate_choice=False)
    village_id = SelectField(_l("Village"), coerce=int, validate_choice=False)
    locale = SelectField(_l("Preferred language"),
                         choices=[("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English")])
    pin = StringField(_l("PIN (optional)"), filters=[pins.form_filter],
                      validators=[Optional(), Length(max=20), validate_pin],
                      description=_l("Used only to prevent duplicate registrations; stored as a one-way code, never shown or exported."))
    gender = SelectField(_l("Gender (optional, for statistics)"), default="",
                         choices=[("", "—"), ("female", _l("Female")), ("male", _l("Male"))])
    show_initials = BooleanField(_l("Show only my initials on public comments"))


class RegisterForm(ProfileFields, Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
    consent = BooleanField(_l("I agree to the processing of my personal data for taking part in public hearings and votes (Law No. 58 of 2008)."),
                           validators=[DataRequired(message=_l("Consent is needed to create an account."))])


class ProfileForm(ProfileFields, Form):
    pass


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in"))


class ResetRequestForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])


class ResetForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])


class RoleForm(Form):
    email = EmailField(_l("User's e-mail"), validators=[DataRequired(), Email()])
    municipality_id = SelectField(_l("Municipality"), coerce=int, validate_choice=False)
    role = SelectField(_l("Role"), choices=[("staff", _l("Staff")), ("secretary", _l("Secretary")),
                                             ("chair", _l("Chair"))])
