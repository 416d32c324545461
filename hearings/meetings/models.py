"""Public hearings: announcement, agenda, participant register, proceedings (domain.md).

Names follow the domain: Hearing, AgendaItem, Registration, Question, Speech, Proposal, Vote,
Decision. Times are UTC (`UTCDateTime`), money is `Money` (som, Decimal). Never a PIN in clear:
only `Registration.pin_hmac`.

Proceedings rows (Question, Speech, Proposal, Vote, Decision) carry `client_key`, a random key
generated when the form is shown; saving the same form twice (double submit, autosave, retry after
a dropped connection) updates the same row instead of adding another.
"""
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint,
                        select, func)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.i18n import to_local
from ..core.models import Money, Timestamps, UTCDateTime, utcnow
from ..drafts import models as _drafts  # noqa: F401  (the draft table our FKs point to)
from ..extensions import db

KINDS = ("draft_budget", "execution_report", "charter", "other")
STATUSES = ("draft", "announced", "held", "cancelled")
CHANNELS = ("online", "walk_in", "paper", "staff_assisted")
REG_STATUSES = ("registered", "waitlisted", "cancelled", "merged")
GENDERS = ("female", "male")
AGE_GROUPS = ("youth", "adult")          # youth = under 28 (domain.md)
CATEGORIES = ("resident", "deputy", "ngo", "specialist", "media")
PROPOSAL_SOURCES = ("floor", "online", "written")
PROPOSAL_DECISIONS = ("pending", "accepted", "rejected")
YOUTH_AGE = 28


class Hearing(Timestamps, db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="draft_budget")
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")          # short summary of the draft
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    online_url: Mapped[str] = mapped_column(String(500), default="")
    organiser: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")   # contact person / phone
    basis_act_no: Mapped[str] = mapped_column(String(60), default="")
    basis_act_date: Mapped[date | None] = mapped_column(Date)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    chair_name: Mapped[str] = mapped_column(String(200), default="")       # when not a user
    chair_position: Mapped[str] = mapped_column(String(200), default="")
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    secretary_name: Mapped[str] = mapped_column(String(200), default="")
    secretary_position: Mapped[str] = mapped_column(String(200), default="")
    invited: Mapped[str] = mapped_column(Text, default="")          # "Приглашённые"
    capacity: Mapped[int | None] = mapped_column(Integer)           # None = no limit
    proposal_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_override_reason: Mapped[str] = mapped_column(Text, default="")  # late notice, printed in protocol
    notice_where: Mapped[str] = mapped_column(String(300), default="")     # where the notice was published
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)        # actual start (secretary)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)        # actual end
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"))  # drafts.Draft
    draft_kind: Mapped[str | None] = mapped_column(String(20))   # copy of Draft.kind (budget/execution/charter)
    seq: Mapped[int] = mapped_column(Integer, default=0)   # bumped to serialise registrations

    municipality = relationship("Municipality")
    village = relationship("Village")
    chair = relationship("User", foreign_keys=[chair_id])
    secretary = relationship("User", foreign_keys=[secretary_id])
    draft = relationship("Draft", foreign_keys=[draft_id])
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="hearing", order_by="AgendaItem.position", cascade="all, delete-orphan")
    registrations: Mapped[list["Registration"]] = relationship(
        back_populates="hearing", order_by="Registration.position", cascade="all, delete-orphan")
    proposals: Mapped[list["Proposal"]] = relationship(
        back_populates="hearing", order_by="Proposal.number", cascade="all, delete-orphan")

    @property
    def chair_display(self):
        return self.chair_name or (self.chair.full_name if self.chair else "")

    @property
    def secretary_display(self):
        return self.secretary_name or (self.secretary.full_name if self.secretary else "")

    def notice_due(self, municipality=None):
        """The last calendar day (Bishkek) on which the notice may be published on time."""
        m = municipality or self.municipality
        return to_local(self.starts_at).date() - timedelta(days=m.notice_days)

    def default_proposal_deadline(self):
        return self.starts_at - timedelta(days=self.municipality.proposal_days)

    def is_late(self, when=None):
        when = when or utcnow()
        return to_local(when).date() > self.notice_due()

    @property
    def is_public(self):
        return self.status in ("announced", "held", "cancelled") and self.published_at is not None

    @property
    def proposals_open(self):
        return (self.status == "announced" and self.proposal_deadline is not None
                and utcnow() < self.proposal_deadline)

    def count(self, status="registered"):
        return db.session.scalar(select(func.count(Registration.id)).where(
            Registration.hearing_id == self.id, Registration.status == status)) or 0

    @property
    def seats_left(self):
        if self.capacity is None:
            return None
        return max(self.capacity - self.count("registered"), 0)


class AgendaItem(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)        # 1, 2, 3 … (agenda order)
    title: Mapped[str] = mapped_column(String(500))
    rapporteur: Mapped[str] = mapped_column(String(200), default="")
    rapporteur_position: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")            # "СЛУШАЛИ": the report
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"))
    draft_kind: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    hearing: Mapped[Hearing] = relationship(back_populates="agenda")
    draft = relationship("Draft", foreign_keys=[draft_id])
    questions: Mapped[list["Question"]] = relationship(
        back_populates="agenda_item", order_by="Question.id", cascade="all, delete-orphan")
    speeches: Mapped[list["Speech"]] = relationship(
        back_populates="agenda_item", order_by="Speech.id", cascade="all, delete-orphan")
    proposals: Mapped[list["Proposal"]] = relationship(
        back_populates="agenda_item", order_by="Proposal.number")
    votes: Mapped[list["Vote"]] = relationship(
        back_populates="agenda_item", order_by="Vote.id", cascade="all, delete-orphan")
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="agenda_item", order_by="Decision.id", cascade="all, delete-orphan")


class Registration(db.Model):
    """One participant register for every channel (online, walk_in, paper, staff_assisted)."""

    __table_args__ = (UniqueConstraint("hearing_id", "position"),
                      UniqueConstraint("hearing_id", "client_key"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)       # short code said at the door
    token: Mapped[str] = mapped_column(String(40), unique=True)      # secret part of the ticket URL
    client_key: Mapped[str | None] = mapped_column(String(40))       # form nonce (double submit)
    channel: Mapped[str] = mapped_column(String(20), default="online")
    full_name: Mapped[str] = mapped_column(String(200))
    village: Mapped[str] = mapped_column(String(200), default="")    # village, street, house
    phone: Mapped[str] = mapped_column(String(20), default="")       # normalised +996…
    email: Mapped[str] = mapped_column(String(254), default="")
    locale: Mapped[str | None] = mapped_column(String(5))             # language of the registration: its e-mails
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    pin_hmac: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="registered", index=True)
    position: Mapped[int] = mapped_column(Integer)                   # order of registration (waiting list order)
    gender: Mapped[str | None] = mapped_column(String(10))           # optional, statistics
    age_group: Mapped[str | None] = mapped_column(String(10))        # "youth" (<28) | "adult"
    category: Mapped[str | None] = mapped_column(String(20))         # CATEGORIES
    consent: Mapped[bool] = mapped_column(Boolean, default=False)    # personal-data consent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # moved up from the waiting list
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    not_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)  # staff said: different person

    hearing: Mapped[Hearing] = relationship(back_populates="registrations")
    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    checked_in_by = relationship("User", foreign_keys=[checked_in_by_id])
    merged_into = relationship("Registration", remote_side=[id])

    @property
    def checked_in(self):
        return self.checked_in_at is not None

    @property
    def is_active(self):
        return self.status in ("registered", "waitlisted")


class ProceedingsRow:
    client_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Question(ProceedingsRow, db.Model):
    __table_args__ = (UniqueConstraint("hearing_id", "client_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    asked_by: Mapped[str] = mapped_column(String(200), default="")
    question: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(200), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    agenda_item: Mapped[AgendaItem] = relationship(back_populates="questions")


class Speech(ProceedingsRow, db.Model):
    __table_args__ = (UniqueConstraint("hearing_id", "client_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    speaker_name: Mapped[str] = mapped_column(String(200), default="")
    speaker_position: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    agenda_item: Mapped[AgendaItem] = relationship(back_populates="speeches")


class Proposal(ProceedingsRow, db.Model):
    """A proposal received: from the floor, in writing, or online before the deadline."""

    __table_args__ = (UniqueConstraint("hearing_id", "client_key"),
                      UniqueConstraint("hearing_id", "number"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True)
    number: Mapped[int] = mapped_column(Integer)                     # № in the list of proposals
    source: Mapped[str] = mapped_column(String(10), default="floor")  # PROPOSAL_SOURCES
    author_name: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text, default="")
    budget_line: Mapped[str] = mapped_column(String(200), default="")  # budget line or charter section
    amount: Mapped[Decimal | None] = mapped_column(Money)
    decision: Mapped[str] = mapped_column(String(10), default="pending")  # PROPOSAL_DECISIONS
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hearing: Mapped[Hearing] = relationship(back_populates="proposals")
    agenda_item: Mapped[AgendaItem | None] = relationship(back_populates="proposals")
    user = relationship("User")


class Vote(ProceedingsRow, db.Model):
    __table_args__ = (UniqueConstraint("hearing_id", "client_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(Text, default="")           # the recommendation voted on
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstained: Mapped[int] = mapped_column(Integer, default=0)
    agenda_item: Mapped[AgendaItem] = relationship(back_populates="votes")


class Decision(ProceedingsRow, db.Model):
    """'РЕШИЛИ (РЕКОМЕНДОВАЛИ)': decision / recommendation text of an agenda item."""

    __table_args__ = (UniqueConstraint("hearing_id", "client_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    agenda_item: Mapped[AgendaItem] = relationship(back_populates="decisions")
