from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.i18n import Form


def language_choices():
    return [("ky", _l("Kyrgyz")), ("ru", _l("Russian")), ("en", _l("English")),
            ("ky+ru", _l("Bilingual: Kyrgyz and Russian"))]


class ProtocolForm(Form):
    languages = SelectField(_l("Language of the protocol"), choices=language_choices(),
                            validators=[DataRequired()])
    correction_reason = TextAreaField(_l("Reason for the correction"),
                                      validators=[Optional(), Length(max=2000)])


class ReturnForm(Form):
    note = TextAreaField(_l("What should be changed"), validators=[Optional(), Length(max=2000)])


class CorrectionForm(Form):
    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=2000)])


class PaperForm(Form):
    scan = FileField(_l("Scan of the page signed by the chair (PDF, JPEG or PNG)"),
                     validators=[FileRequired()])
