from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..core.i18n import Form


class VerifyForm(Form):
    file = FileField(_l("PDF file"), validators=[FileRequired()])
    code = StringField(_l("Document code (optional)"), validators=[Optional(), Length(max=20)])


class CertificateForm(Form):
    file = FileField(_l("Certificate file (PKCS#12, .p12 or .pfx)"), validators=[FileRequired()])
    password = PasswordField(_l("Certificate password"), validators=[DataRequired(), Length(max=200)])
