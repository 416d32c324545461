"""Forms of participatory budgeting; every message in the user's language."""
from datetime import timezone
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, IntegerField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..accounts import pin as pins
from ..core.fields import EventDateField, EventDateTimeField, FiniteDecimalField, SomField
from ..core.i18n import BISHKEK, Form
from .models import (BALLOT_KIND_LABELS, BALLOT_KINDS, CHANNEL_LABELS,
                     EXECUTION_LABELS, EXECUTION_STATUSES, PAPER_LABELS, PAPER_STATUSES,
                     PHASE_FIELDS, PHASE_LABELS, RULE_CHOICES, RULE_LABELS)


def to_utc(local_dt):
    return local_dt.replace(tzinfo=BISHKEK).astimezone(timezone.utc) if local_dt else None


def to_form(utc_dt):
    return utc_dt.astimezone(BISHKEK).replace(tzinfo=None) if utc_dt else None


DT = "%Y-%m-%dT%H:%M"


class ProcessForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    budget = SomField(_l("Total budget (som)"), places=2,
                          validators=[InputRequired(), NumberRange(min=Decimal("1"), max=10**12)])
    categories = TextAreaField(_l("Categories (one per line)"), validators=[Optional(), Length(max=3000)])
    submission_opens = EventDateTimeField(_l("Submission of priorities opens"), format=DT, validators=[InputRequired()])
    submission_closes = EventDateTimeField(_l("Submission closes (review starts)"), format=DT, validators=[InputRequired()])
    voting_opens = EventDateTimeField(_l("Voting opens"), format=DT, validators=[InputRequired()])
    voting_closes = EventDateTimeField(_l("Voting closes (results are published)"), format=DT, validators=[InputRequired()])
    execution_starts = EventDateTimeField(_l("Execution starts"), format=DT, validators=[InputRequired()])
    ballot_kind = SelectField(_l("Ballot type"), choices=[(k, BALLOT_KIND_LABELS[k]) for k in BALLOT_KINDS])
    min_projects = IntegerField(_l("Minimum number of projects on a ballot"), default=0,
                                validators=[Optional(), NumberRange(min=0, max=500)])
    max_projects = IntegerField(_l("Maximum number of projects on a ballot"),
                                validators=[Optional(), NumberRange(min=1, max=500)])
    min_share = FiniteDecimalField(_l("Knapsack: minimum share of the budget to spend (%)"), places=1,
                             validators=[Optional(), NumberRange(min=0, max=100)])
    total_points = IntegerField(_l("Points: total points per voter"), validators=[Optional(), NumberRange(min=1, max=1000)])
    max_points_per_project = IntegerField(_l("Points: maximum points per project"),
                                          validators=[Optional(), NumberRange(min=1, max=1000)])
    top_k = IntegerField(_l("Ranking: how many projects to rank"), validators=[Optional(), NumberRange(min=1, max=20)])
    rule = SelectField(_l("Rule that decides the winners"), choices=[(r, RULE_LABELS[r]) for r in RULE_CHOICES])
    require_pin = BooleanField(_l("Check duplicate votes by PIN"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        dates = [self.submission_opens, self.submission_closes, self.voting_opens, self.voting_closes,
                 self.execution_starts]
        for a, b in zip(dates, dates[1:]):
            if a.data and b.data and b.data < a.data:
                b.errors.append(_l("Phase dates must follow each other in order."))
                ok = False
        if self.ballot_kind.data == "cumulative" and not self.total_points.data:
            self.total_points.errors.append(_l("Points ballots need the total number of points."))
            ok = False
        if self.ballot_kind.data == "ordinal" and not self.top_k.data:
            self.top_k.errors.append(_l("Ranking ballots need the number of projects to rank."))
            ok = False
        if self.max_projects.data and self.min_projects.data and self.min_projects.data > self.max_projects.data:
            self.max_projects.errors.append(_l("The maximum must not be smaller than the minimum."))
            ok = False
        return ok

    def process_data(self):
        kind = self.ballot_kind.data
        cats = []
        for line in (self.categories.data or "").splitlines():
            line = line.strip()
            if line and line not in cats:
                cats.append(line[:100])
        return {
            "title": self.title.data.strip(), "description": (self.description.data or "").strip(),
            "budget": self.budget.data, "categories": cats,
            "submission_opens": to_utc(self.submission_opens.data),
            "submission_closes": to_utc(self.submission_closes.data),
            "voting_opens": to_utc(self.voting_opens.data),
            "voting_closes": to_utc(self.voting_closes.data),
            "execution_starts": to_utc(self.execution_starts.data),
            "ballot_kind": kind, "min_projects": self.min_projects.data or 0,
            "max_projects": self.max_projects.data or None,
            "min_share": (self.min_share.data / 100) if kind == "knapsack" and self.min_share.data else None,
            "total_points": self.total_points.data if kind == "cumulative" else None,
            "max_points_per_project": self.max_points_per_project.data if kind == "cumulative" else None,
            "top_k": self.top_k.data if kind == "ordinal" else None,
            "rule": self.rule.data, "require_pin": bool(self.require_pin.data),
        }


def sub_budget_field(label):
    return SomField(label, places=2, validators=[Optional(), NumberRange(min=0, max=10**12)])


class PhaseForm(Form):
    field = SelectField(_l("Phase"), choices=[(f, PHASE_LABELS[p]) for p, f in PHASE_FIELDS])
    new_value = EventDateTimeField(_l("New start (Bishkek time)"), format=DT, validators=[InputRequired()])
    reason = StringField(_l("Reason (shown publicly)"), validators=[DataRequired(), Length(min=3, max=500)])


class PriorityForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    description = TextAreaField(_l("What should be done and why?"), validators=[DataRequired(), Length(max=5000)])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    village_id = SelectField(_l("Village"), coerce=int)
    estimated_cost = SomField(_l("Estimated cost (som)"), places=2,
                                  validators=[InputRequired(), NumberRange(min=Decimal("1"), max=10**12)])
    photo = FileField(_l("Photo (optional, JPEG, PNG or WebP, up to 15 MB)"))


class ReviewForm(Form):
    status = SelectField(_l("Decision"), choices=[("accepted", _l("Accept for the vote")),
                                                  ("rejected", _l("Reject")),
                                                  ("submitted", _l("Not decided yet"))])
    adjusted_cost = SomField(_l("Adjusted cost (som)"), places=2,
                                 validators=[Optional(), NumberRange(min=Decimal("1"), max=10**12)])
    feasibility_note = TextAreaField(_l("Feasibility note"), validators=[Optional(), Length(max=5000)])
    public_reason = TextAreaField(_l("Public reason"), validators=[Optional(), Length(max=2000)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.status.data == "rejected" and not (self.public_reason.data or "").strip():
            self.public_reason.errors.append(_l("Give the public reason for a rejection."))
            ok = False
        return ok


class MergeForm(Form):
    target = SelectField(_l("Merge into"), coerce=int)
    reason = StringField(_l("Public reason"), validators=[Optional(), Length(max=500)])


class ReceiptForm(Form):
    class Meta:
        csrf = False

    receipt = StringField(_l("Receipt code"), validators=[DataRequired(), Length(max=30)])


def validate_pin(form, field):
    if field.data and not pins.is_valid(field.data):
        raise ValidationError(_l("A PIN has 14 digits: 1 or 2, the birth date (DDMMYYYY), then 5 digits."))


class InPersonForm(Form):
    channel = SelectField(_l("How does the person vote?"),
                          choices=[("assisted", CHANNEL_LABELS["assisted"]),
                                   ("paper", _l("On paper (mark as voted; the ballot goes into the box)"))])
    account = StringField(_l("Account e-mail or phone (if the person has an account)"),
                          validators=[Optional(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    village_id = SelectField(_l("Village"), coerce=int, default=0)
    gender = SelectField(_l("Gender (optional, for statistics)"), default="",
                         choices=[("", "—"), ("female", _l("Female")), ("male", _l("Male"))])
    birth_year = IntegerField(_l("Year of birth (optional, for statistics)"),
                              validators=[Optional(), NumberRange(min=1900, max=2100)])
    pin = StringField(_l("PIN (for the duplicate check; never stored as such)"), filters=[pins.form_filter],
                      validators=[Optional(), Length(max=20), validate_pin])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not (self.account.data or "").strip() and not (self.full_name.data or "").strip():
            self.full_name.errors.append(_l("Enter the person's full name or account."))
            ok = False
        return ok


class PaperForm(Form):
    serial = IntegerField(_l("Serial number"), validators=[DataRequired(), NumberRange(min=1, max=999999)])
    status = SelectField(_l("Ballot"), choices=[(s, PAPER_LABELS[s]) for s in PAPER_STATUSES])


class PrintForm(Form):
    class Meta:
        csrf = False

    first = IntegerField(_l("First serial number"), default=1, validators=[Optional(), NumberRange(min=1, max=999999)])
    # one page takes WeasyPrint about a quarter of a second: 50 stay well inside a request
    count = IntegerField(_l("Number of ballots"), default=20, validators=[Optional(), NumberRange(min=1, max=50)])

    def validate_count(self, field):
        if self.first.data and field.data and self.first.data + field.data - 1 > 999999:
            raise ValidationError(_l("Serial numbers end at 999999."))


class ExecutionForm(Form):
    day = EventDateField(_l("Date"), validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=[(s, EXECUTION_LABELS[s]) for s in EXECUTION_STATUSES])
    progress = IntegerField(_l("Progress (%)"), default=0, validators=[Optional(), NumberRange(min=0, max=100)])
    note = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=5000)])
    photo = FileField(_l("Photo (optional, JPEG, PNG or WebP, up to 15 MB)"))


