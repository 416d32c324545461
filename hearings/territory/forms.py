"""The municipality's own settings and its villages; every message in the user's language."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.i18n import Form

LOCALES = [("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English")]


def squeeze(value):
    """Trim and collapse spaces: a name of spaces only is an empty name."""
    return " ".join(value.split()) if isinstance(value, str) else value


def Name(label, required=True, max_length=200):
    return StringField(label, filters=[squeeze],
                       validators=[DataRequired() if required else Optional(), Length(max=max_length)])


class SettingsForm(Form):
    name_ky = Name(_l("Name in Kyrgyz"))
    name_ru = Name(_l("Name in Russian"))
    name_en = Name(_l("Name in English"))
    address = Name(_l("Address of the aiyl okmotu / mayor's office"), required=False, max_length=300)
    default_locale = SelectField(_l("Language of the pages when the visitor has not chosen one"),
                                 choices=LOCALES)
    notice_days = IntegerField(
        _l("Notice period for public hearings, calendar days"),
        validators=[InputRequired(), NumberRange(min=1, max=90)],
        description=_l("A hearing must be announced at least this many days ahead (the law: 10)."))
    proposal_days = IntegerField(
        _l("Written proposals accepted until this many days before a hearing"),
        validators=[Optional(), NumberRange(min=0, max=30)])

    def data_for_save(self):
        data = {name: getattr(self, name).data for name in
                ("name_ky", "name_ru", "name_en", "address", "default_locale", "notice_days",
                 "proposal_days")}
        data["address"] = data["address"] or ""
        data["proposal_days"] = data["proposal_days"] or 0
        return data


class VillageForm(Form):
    name_ky = Name(_l("Name in Kyrgyz"), required=False)
    name_ru = Name(_l("Name in Russian"))
    name_en = Name(_l("Name in English (empty: written in Latin letters)"), required=False)
