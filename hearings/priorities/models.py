"""Participatory budgeting: processes, priorities, participation, anonymous ballots,
paper ballots and execution tracking.

Secrecy of the vote: a `Participation` row says *that* someone voted (it carries the
identity and the statistics fields), a `Ballot` row says *what* was chosen. The two share
no key, no timestamp and no sequential id (the ballot id is random), so they cannot be
joined after the fact.
"""
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Money, Timestamps, UTCDateTime, utcnow
from ..extensions import db

PHASES = ("upcoming", "submission", "review", "voting", "results", "execution")
PHASE_LABELS = {
    "upcoming": _l("Not started yet"),
    "submission": _l("Submission of priorities"),
    "review": _l("Review by staff"),
    "voting": _l("Voting"),
    "results": _l("Results"),
    "execution": _l("Execution"),
}
# the date that starts each phase (the "upcoming" phase has none)
PHASE_FIELDS = (("submission", "submission_opens"), ("review", "submission_closes"),
                ("voting", "voting_opens"), ("results", "voting_closes"),
                ("execution", "execution_starts"))

BALLOT_KINDS = ("approval", "knapsack", "cumulative", "ordinal")
BALLOT_KIND_LABELS = {
    "approval": _l("Approval: tick the projects you support"),
    "knapsack": _l("Knapsack: choose projects within the budget"),
    "cumulative": _l("Points: share your points among projects"),
    "ordinal": _l("Ranking: rank your favourite projects"),
}
RULE_CHOICES = ("greedy", "mes-add1-greedy", "phragmen")
RULE_LABELS = {
    "greedy": _l("Most votes first (greedy)"),
    "mes-add1-greedy": _l("Method of Equal Shares with completion"),
    "phragmen": _l("Sequential Phragmén"),
    "mes": _l("Method of Equal Shares (without completion)"),
}

STATUSES = ("submitted", "accepted", "rejected", "merged")
STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted for the vote"),
    "rejected": _l("Rejected"),
    "merged": _l("Merged"),
}
CHANNELS = ("online", "assisted", "paper")
CHANNEL_LABELS = {"online": _l("Online"), "assisted": _l("Assisted (verified by the secretary)"),
                  "paper": _l("Paper ballot")}
GENDER_LABELS = {"female": _l("Female"), "male": _l("Male"), "": _l("Not stated")}
AGE_GROUPS = ("under_28", "28_45", "46_60", "over_60")
AGE_LABELS = {"under_28": _l("under 28"), "28_45": _l("28–45"), "46_60": _l("46–60"),
              "over_60": _l("over 60"), "": _l("Not stated")}
EXECUTION_STATUSES = ("planned", "in_progress", "done", "cancelled")
EXECUTION_LABELS = {"planned": _l("Planned"), "in_progress": _l("In progress"),
                    "done": _l("Done"), "cancelled": _l("Cancelled")}
PAPER_STATUSES = ("valid", "blank", "spoiled")
PAPER_LABELS = {"valid": _l("Valid"), "blank": _l("Blank"), "spoiled": _l("Spoiled")}


def age_group(birth_year, today=None):
    if not birth_year:
        return ""
    age = (today or date.today()).year - int(birth_year)
    if age < 28:
        return "under_28"
    if age <= 45:
        return "28_45"
    if age <= 60:
        return "46_60"
    return "over_60"


class PBProcess(Timestamps, db.Model):
    __tablename__ = "pb_process"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    budget: Mapped[Decimal] = mapped_column(Money)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    submission_opens: Mapped[datetime] = mapped_column(UTCDateTime)
    submission_closes: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_opens: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_closes: Mapped[datetime] = mapped_column(UTCDateTime)
    execution_starts: Mapped[datetime] = mapped_column(UTCDateTime)
    ballot_kind: Mapped[str] = mapped_column(String(20), default="knapsack")
    min_projects: Mapped[int] = mapped_column(Integer, default=0)
    max_projects: Mapped[int | None] = mapped_column(Integer)
    min_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    total_points: Mapped[int | None] = mapped_column(Integer)
    max_points_per_project: Mapped[int | None] = mapped_column(Integer)
    top_k: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(30), default="greedy")
    require_pin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # the ballot box as it stood when voting closed (see services.seal_ballot_box)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sealed_ballots: Mapped[int | None] = mapped_column(Integer)
    sealed_digest: Mapped[str | None] = mapped_column(String(64))

    municipality = relationship("Municipality")
    sub_budgets: Mapped[list["SubBudget"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", lazy="selectin")
    priorities: Mapped[list["Priority"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="Priority.id",
        foreign_keys="Priority.process_id")
    phase_changes: Mapped[list["PhaseChange"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="PhaseChange.id")

    def phase(self, now=None):
        now = now or utcnow()
        current = "upcoming"
        for name, attr in PHASE_FIELDS:
            if now >= getattr(self, attr):
                current = name
        return current

    @property
    def phase_label(self):
        return PHASE_LABELS[self.phase()]

    def results_public(self, now=None):
        """Results, ballots, exports and statistics exist only once voting is closed."""
        return (now or utcnow()) >= self.voting_closes


class SubBudget(db.Model):
    __tablename__ = "pb_sub_budget"
    __table_args__ = (UniqueConstraint("process_id", "village_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("pb_process.id", ondelete="CASCADE"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    process: Mapped[PBProcess] = relationship(back_populates="sub_budgets")
    village = relationship("Village", lazy="joined")


class PhaseChange(db.Model):
    """A staff move of a phase date, with the reason (also in the audit log)."""

    __tablename__ = "pb_phase_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("pb_process.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_value: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    process: Mapped[PBProcess] = relationship(back_populates="phase_changes")
    user = relationship("User")


class Priority(Timestamps, db.Model):
    __tablename__ = "pb_priority"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("pb_process.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    estimated_cost: Mapped[Decimal] = mapped_column(Money)
    adjusted_cost: Mapped[Decimal | None] = mapped_column(Money)
    feasibility_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    public_reason: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("pb_priority.id", ondelete="SET NULL"))
    photo_file: Mapped[str | None] = mapped_column(String(80))
    photo_mime: Mapped[str | None] = mapped_column(String(40))
    execution_status: Mapped[str | None] = mapped_column(String(20))
    execution_progress: Mapped[int] = mapped_column(Integer, default=0)

    process: Mapped[PBProcess] = relationship(back_populates="priorities", foreign_keys=[process_id])
    author = relationship("User")
    village = relationship("Village", lazy="joined")
    merged_into = relationship("Priority", remote_side=[id])
    supporters: Mapped[list["Supporter"]] = relationship(
        back_populates="priority", cascade="all, delete-orphan")
    updates: Mapped[list["ExecutionUpdate"]] = relationship(
        back_populates="priority", cascade="all, delete-orphan",
        order_by="(ExecutionUpdate.day.desc(), ExecutionUpdate.id.desc())")

    @property
    def cost(self):
        return self.adjusted_cost if self.adjusted_cost is not None else self.estimated_cost

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def pid(self):
        """The id used in ballots, results and .pb files."""
        return str(self.id)


class Supporter(db.Model):
    __tablename__ = "pb_supporter"
    __table_args__ = (UniqueConstraint("priority_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("pb_priority.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    priority: Mapped[Priority] = relationship(back_populates="supporters")


class Participation(db.Model):
    """That someone voted (identity and statistics), never what they chose."""

    __tablename__ = "pb_participation"
    __table_args__ = (UniqueConstraint("process_id", "user_id"),
                      UniqueConstraint("process_id", "pin_hmac", name="uq_pb_participation_pin"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("pb_process.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    full_name: Mapped[str] = mapped_column(String(200), default="")  # assisted / paper voters
    pin_hmac: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    gender: Mapped[str] = mapped_column(String(10), default="")
    age_group: Mapped[str] = mapped_column(String(10), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    village = relationship("Village")


class Ballot(db.Model):
    """What was chosen, without who: random id, no time, a receipt code for the voter."""

    __tablename__ = "pb_ballot"
    __table_args__ = (UniqueConstraint("process_id", "receipt"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("pb_process.id", ondelete="CASCADE"), index=True)
    receipt: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    content: Mapped[dict] = mapped_column(JSON)


class PaperBallot(db.Model):
    """A paper ballot typed in by clerks; a second entry by another clerk is compared."""

    __tablename__ = "pb_paper_ballot"
    __table_args__ = (UniqueConstraint("process_id", "serial"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("pb_process.id", ondelete="CASCADE"), index=True)
    serial: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="valid")
    first_content: Mapped[dict | None] = mapped_column(JSON)
    first_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    second_status: Mapped[str | None] = mapped_column(String(10))
    second_content: Mapped[dict | None] = mapped_column(JSON)
    second_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    ballot_id: Mapped[str | None] = mapped_column(ForeignKey("pb_ballot.id", ondelete="SET NULL"))

    ballot = relationship("Ballot")
    first_by = relationship("User", foreign_keys=[first_by_id])
    second_by = relationship("User", foreign_keys=[second_by_id])


class ExecutionUpdate(db.Model):
    __tablename__ = "pb_execution_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("pb_priority.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    photo_file: Mapped[str | None] = mapped_column(String(80))
    photo_mime: Mapped[str | None] = mapped_column(String(40))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    priority: Mapped[Priority] = relationship(back_populates="updates")

    @property
    def status_label(self):
        return EXECUTION_LABELS[self.status]


class TallyCache(db.Model):
    """The tallied outcomes of a closed vote, keyed by a fingerprint of ballots and projects:
    MES with add1 completion can take many seconds, so it is computed once, not per request."""

    __tablename__ = "pb_tally_cache"

    process_id: Mapped[int] = mapped_column(ForeignKey("pb_process.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
