"""Forms of the hearings capability (all subclass core Form: messages in ky/ru/en)."""
import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, EmailField,
                     HiddenField, IntegerField, SelectField, StringField, TextAreaField, URLField)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, URL, ValidationError

from ..accounts import pin as pins
from ..accounts.forms import validate_phone, validate_pin
from ..core.fields import EventDateField, EventDateTimeField, SomField
from ..core.i18n import Form

KIND_CHOICES = [("draft_budget", _l("Draft budget")), ("execution_report", _l("Budget execution report")),
                ("charter", _l("Community charter")), ("other", _l("Other"))]
GENDER_CHOICES = [("", "—"), ("female", _l("Female")), ("male", _l("Male"))]
AGE_CHOICES = [("", "—"), ("youth", _l("Under 28")), ("adult", _l("28 or older"))]
CATEGORY_CHOICES = [("", "—"), ("resident", _l("Resident")), ("deputy", _l("Deputy")),
                    ("ngo", _l("NGO")), ("specialist", _l("Invited specialist")), ("media", _l("Media"))]
CHANNEL_LABELS = {"online": _l("online"), "walk_in": _l("walk-in"), "paper": _l("paper sheet"),
                  "staff_assisted": _l("staff-assisted")}
STATUS_LABELS = {"draft": _l("in preparation"), "announced": _l("announced"), "held": _l("held"),
                 "cancelled": _l("cancelled")}
REG_STATUS_LABELS = {"registered": _l("registered"), "waitlisted": _l("waiting list"),
                     "cancelled": _l("cancelled"), "merged": _l("merged")}
DECISION_CHOICES = [("pending", _l("not yet decided")), ("accepted", _l("accepted")),
                    ("rejected", _l("rejected"))]


def new_key():
    return uuid.uuid4().hex


class HearingForm(Form):
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="draft_budget")
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Short summary of the draft"), validators=[Optional(), Length(max=5000)])
    starts_at = EventDateTimeField(_l("Start (Bishkek time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired()])
    ends_at = EventDateTimeField(_l("End (Bishkek time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    venue_address = StringField(_l("Venue address"), validators=[DataRequired(), Length(max=300)])
    village_id = SelectField(_l("Village"), coerce=int, validate_choice=False)
    online_url = URLField(_l("Online link (optional)"), validators=[Optional(), URL(), Length(max=500)])
    organiser = StringField(_l("Organiser"), validators=[DataRequired(), Length(max=300)])
    contact = StringField(_l("Contact person"), validators=[Optional(), Length(max=300)])
    basis_act_no = StringField(_l("Act that called the hearing: number"), validators=[Optional(), Length(max=60)])
    basis_act_date = EventDateField(_l("Act date"), validators=[Optional()])
    chair_id = SelectField(_l("Chair (user)"), coerce=int, validate_choice=False)
    chair_name = StringField(_l("or chair's name"), validators=[Optional(), Length(max=200)])
    chair_position = StringField(_l("Chair's position"), validators=[Optional(), Length(max=200)])
    secretary_id = SelectField(_l("Secretary (user)"), coerce=int, validate_choice=False)
    secretary_name = StringField(_l("or secretary's name"), validators=[Optional(), Length(max=200)])
    secretary_position = StringField(_l("Secretary's position"), validators=[Optional(), Length(max=200)])
    invited = TextAreaField(_l("Invited"), validators=[Optional(), Length(max=2000)])
    capacity = IntegerField(_l("Capacity (seats; empty = no limit)"),
                            validators=[Optional(), NumberRange(min=1, max=100000)])
    proposal_deadline = EventDateTimeField(_l("Written proposals until (empty = by the municipality's rule)"),
                                           format="%Y-%m-%dT%H:%M", validators=[Optional()])
    draft_id = SelectField(_l("Linked draft"), coerce=int, validate_choice=False, default=0)
    agenda = TextAreaField(_l("Agenda: one item per line, optionally 'title | rapporteur'"),
                           validators=[DataRequired(), Length(max=5000)])

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_proposal_deadline(self, field):
        if field.data and self.starts_at.data and field.data >= self.starts_at.data:
            raise ValidationError(_l("The deadline for proposals must be before the hearing."))


class AnnounceForm(Form):
    override_reason = TextAreaField(_l("Reason for the short notice (printed in the protocol)"),
                                    validators=[Optional(), Length(max=2000)])
    notice_where = StringField(_l("Where the notice is published"), validators=[Optional(), Length(max=300)])


class StatsFields:
    gender = SelectField(_l("Gender (optional, for statistics)"), choices=GENDER_CHOICES, default="")
    age_group = SelectField(_l("Age group (optional)"), choices=AGE_CHOICES, default="")
    category = SelectField(_l("Category (optional)"), choices=CATEGORY_CHOICES, default="")


class RegisterForm(StatsFields, Form):
    """Registration without an account."""
    client_key = HiddenField(default=new_key)
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    village = StringField(_l("Village, street, house"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=20), validate_phone])
    email = EmailField(_l("E-mail (optional, for the confirmation and a reminder)"),
                       validators=[Optional(), Email(), Length(max=254)])
    consent = BooleanField(_l("I agree to the processing of my personal data for this hearing (Law No. 58 of 2008)."),
                           validators=[DataRequired(message=_l("Consent is needed to register."))])


class QuickRegisterForm(Form):
    """Logged in: one step."""
    client_key = HiddenField(default=new_key)


class WalkInForm(StatsFields, Form):
    client_key = HiddenField(default=new_key)
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    village = StringField(_l("Village, street, house"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20), validate_phone])
    pin = StringField(_l("PIN (optional)"), filters=[pins.form_filter],
                      validators=[Optional(), Length(max=20), validate_pin],
                      description=_l("Only to catch duplicates; stored as a one-way code, never shown or printed."))
    channel = SelectField(_l("Channel"), choices=[("walk_in", _l("walk-in")), ("paper", _l("paper sheet")),
                                                    ("staff_assisted", _l("staff-assisted"))], default="walk_in")
    consent = BooleanField(_l("The person agrees to the processing of personal data"), default=False)
    present = BooleanField(_l("Present now (check in at once)"), default=True)
    different_person = BooleanField(_l("This is a different person: register anyway"), default=False)


class CheckInForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])


class CapacityForm(Form):
    capacity = IntegerField(_l("Capacity (seats; empty = no limit)"),
                            validators=[Optional(), NumberRange(min=1, max=100000)])


class ReportForm(Form):
    rapporteur = StringField(_l("Rapporteur"), validators=[Optional(), Length(max=200)])
    rapporteur_position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(_l("Summary of the report"), validators=[Optional(), Length(max=20000)])


class RowForm(Form):
    client_key = HiddenField(validators=[DataRequired(), Length(max=40)])


class QuestionForm(RowForm):
    asked_by = StringField(_l("Asked by"), validators=[Optional(), Length(max=200)])
    question = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=5000)])
    answered_by = StringField(_l("Answered by"), validators=[Optional(), Length(max=200)])
    answer = TextAreaField(_l("Answer given"), validators=[Optional(), Length(max=5000)])


class SpeechForm(RowForm):
    speaker_name = StringField(_l("Speaker"), validators=[DataRequired(), Length(max=200)])
    speaker_position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=10000)])


class ProposalForm(RowForm):
    author_name = StringField(_l("Author"), validators=[DataRequired(), Length(max=200)])
    content = TextAreaField(_l("Content"), validators=[DataRequired(), Length(max=5000)])
    budget_line = StringField(_l("Budget line or charter section"), validators=[Optional(), Length(max=200)])
    amount = SomField(_l("Amount, som"), places=2, validators=[Optional(), NumberRange(min=0, max=10**12)])
    decision = SelectField(_l("Decision"), choices=DECISION_CHOICES, default="pending")
    decision_reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.decision.data == "rejected" and not (self.decision_reason.data or "").strip():
            self.decision_reason.errors = list(self.decision_reason.errors) + [
                _l("Give the reason for rejecting the proposal.")]
            return False
        return ok


class OnlineProposalForm(Form):
    client_key = HiddenField(default=new_key)
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int, validate_choice=False)
    content = TextAreaField(_l("Your proposal"), validators=[DataRequired(), Length(max=5000)])
    budget_line = StringField(_l("Budget line or charter section (optional)"), validators=[Optional(), Length(max=200)])
    amount = SomField(_l("Amount, som (optional)"), places=2, validators=[Optional(), NumberRange(min=0, max=10**12)])


class VoteForm(RowForm):
    subject = TextAreaField(_l("Recommendation voted on"), validators=[DataRequired(), Length(max=5000)])
    votes_for = IntegerField(_l("For"), validators=[Optional(), NumberRange(min=0, max=100000)], default=0)
    votes_against = IntegerField(_l("Against"), validators=[Optional(), NumberRange(min=0, max=100000)], default=0)
    votes_abstained = IntegerField(_l("Abstained"), validators=[Optional(), NumberRange(min=0, max=100000)], default=0)


class DecisionForm(RowForm):
    text = TextAreaField(_l("Decision / recommendation"), validators=[DataRequired(), Length(max=20000)])


class StatusForm(Form):
    """Confirmation of 'mark as held' / 'cancel the hearing' (no JavaScript needed)."""
    confirm = BooleanField(_l("Yes, I confirm this change"),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])
    reason = TextAreaField(_l("Reason for cancelling (sent to everyone registered by e-mail)"),
                           validators=[Optional(), Length(max=2000)])
