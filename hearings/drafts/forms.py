"""Forms for drafts; every form subclasses the foundation's Form (translated messages)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.fields import EventDateField, SomField
from ..core.i18n import Form
from .models import CATEGORIES, DECISIONS, KINDS, LINE_KINDS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class YearField(IntegerField):
    """An integer that never overflows the validators or the database (e.g. '9' * 300)."""

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip()) > 6:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


class DraftForm(Form):
    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in KINDS.items()])
    fiscal_year = YearField(_l("Fiscal year"), validators=[Optional(), NumberRange(2000, 2100)])
    title_ky = StringField(_l("Title in Kyrgyz"), filters=[_strip], validators=[Length(max=300)])
    title_ru = StringField(_l("Title in Russian"), filters=[_strip], validators=[Length(max=300)])
    title_en = StringField(_l("Title in English"), filters=[_strip], validators=[Length(max=300)])
    summary = TextAreaField(_l("Summary for residents"), filters=[_strip], validators=[Length(max=5000)])


class LineForm(Form):
    kind = SelectField(_l("Revenue or expenditure"), choices=[(k, v) for k, v in LINE_KINDS.items()])
    code = StringField(_l("Code"), filters=[_strip], validators=[DataRequired(), Length(max=40)])
    name_ky = StringField(_l("Name in Kyrgyz"), filters=[_strip], validators=[Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), filters=[_strip], validators=[Length(max=300)])
    name_en = StringField(_l("Name in English"), filters=[_strip], validators=[Length(max=300)])
    category = SelectField(_l("Category"), choices=[(k, v) for k, v in CATEGORIES.items()])
    amount = SomField(_l("Amount, som"), places=2, validators=[InputRequired(), NumberRange(min=0)])
    prev_approved = SomField(_l("Approved last year, som"), places=2,
                                 validators=[Optional(), NumberRange(min=0)])
    prev_executed = SomField(_l("Executed last year, som"), places=2,
                                 validators=[Optional(), NumberRange(min=0)])
    note = TextAreaField(_l("Note"), filters=[_strip], validators=[Length(max=2000)])


class SectionForm(Form):
    number = StringField(_l("Number"), filters=[_strip], validators=[DataRequired(), Length(max=20)])
    heading = StringField(_l("Heading"), filters=[_strip], validators=[DataRequired(), Length(max=300)])
    text = TextAreaField(_l("Text"), filters=[_strip], validators=[Length(max=20000)])


class ImportForm(Form):
    file = FileField(_l("File"), validators=[FileRequired()])


class PublishForm(Form):
    opens = EventDateField(_l("Comments from"), validators=[InputRequired()])
    closes = EventDateField(_l("Comments until"), validators=[InputRequired()])
    note = TextAreaField(_l("What changed in this version"), filters=[_strip],
                         validators=[Length(max=2000)])


class NewVersionForm(Form):
    note = TextAreaField(_l("What will change"), filters=[_strip], validators=[Length(max=2000)])


class AdoptForm(Form):
    resolution_no = StringField(_l("Resolution number"), filters=[_strip],
                                validators=[DataRequired(), Length(max=60)])
    resolution_date = EventDateField(_l("Resolution date"), validators=[InputRequired()])


class WithdrawForm(Form):
    reason = TextAreaField(_l("Reason"), filters=[_strip], validators=[Length(max=2000)])


class CommentForm(Form):
    text = TextAreaField(_l("Your comment"), filters=[_strip],
                         validators=[DataRequired(), Length(max=4000)])
    line_id = HiddenField()
    section_id = HiddenField()


class AnswerForm(Form):
    decision = SelectField(_l("Decision"), choices=[(k, v) for k, v in DECISIONS.items()])
    reason = TextAreaField(_l("Reason"), filters=[_strip], validators=[Length(max=2000)])


class HideForm(Form):
    reason = StringField(_l("Reason for hiding"), filters=[_strip],
                         validators=[DataRequired(), Length(max=2000)])
