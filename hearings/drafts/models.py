"""Drafts for public comment: one Draft (budget, execution report or charter) with immutable
published versions; a version holds budget lines or charter sections; comments and answers."""
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.i18n import localized
from ..core.models import Money, Timestamps, UTCDateTime, utcnow
from ..extensions import db

BUDGET, EXECUTION, CHARTER = "budget", "execution", "charter"
KINDS = {
    BUDGET: _l("Draft budget"),
    EXECUTION: _l("Budget execution report"),
    CHARTER: _l("Community charter"),
}

DRAFT, PUBLISHED, CLOSED, ADOPTED, WITHDRAWN = "draft", "published", "closed", "adopted", "withdrawn"
STATUSES = {
    DRAFT: _l("Draft (staff only)"),
    PUBLISHED: _l("Open for comment"),
    CLOSED: _l("Comments closed"),
    ADOPTED: _l("Adopted"),
    WITHDRAWN: _l("Withdrawn"),
}

REVENUE, EXPENDITURE = "revenue", "expenditure"
LINE_KINDS = {REVENUE: _l("Revenue"), EXPENDITURE: _l("Expenditure")}

CATEGORIES = {
    "education": _l("Education"),
    "health": _l("Health"),
    "culture": _l("Culture"),
    "utilities": _l("Utilities"),
    "waste": _l("Waste collection"),
    "water": _l("Water supply"),
    "lighting": _l("Street lighting"),
    "roads": _l("Roads"),
    "social": _l("Social protection"),
    "administration": _l("Administration"),
    "other": _l("Other"),
}

ACCEPTED, PARTLY, NOT_ACCEPTED = "accepted", "partly", "rejected"
DECISIONS = {
    ACCEPTED: _l("Accepted"),
    PARTLY: _l("Partly accepted"),
    NOT_ACCEPTED: _l("Not accepted"),
}


class Draft(Timestamps, db.Model):
    """A document put out for public comment. Its lifecycle status lives here; its content
    lives in versions (a published version never changes)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    title_ky: Mapped[str] = mapped_column(String(300), default="")
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    comments_from: Mapped[date | None] = mapped_column(Date)
    comments_until: Mapped[date | None] = mapped_column(Date)
    resolution_no: Mapped[str | None] = mapped_column(String(60))
    resolution_date: Mapped[date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    municipality = relationship("Municipality")
    versions: Mapped[list["DraftVersion"]] = relationship(
        back_populates="draft", order_by="DraftVersion.number", cascade="all, delete-orphan")

    @property
    def title(self):
        return localized(self, "title")

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)

    @property
    def is_budget(self):
        return self.kind in (BUDGET, EXECUTION)

    @property
    def published_versions(self):
        return [v for v in self.versions if v.published_at is not None]

    @property
    def current_version(self):
        """The latest published version (what the public reads), or None."""
        published = self.published_versions
        return published[-1] if published else None

    @property
    def working_version(self):
        """The unpublished version staff are editing, or None."""
        if self.versions and self.versions[-1].published_at is None:
            return self.versions[-1]
        return None

    @property
    def is_public(self):
        return self.current_version is not None


class DraftVersion(db.Model):
    __table_args__ = (UniqueConstraint("draft_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")  # what changed against the previous one
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    draft: Mapped[Draft] = relationship(back_populates="versions")
    lines: Mapped[list["BudgetLine"]] = relationship(
        back_populates="version", order_by="BudgetLine.position", cascade="all, delete-orphan")
    sections: Mapped[list["CharterSection"]] = relationship(
        back_populates="version", order_by="CharterSection.position", cascade="all, delete-orphan")

    @property
    def is_published(self):
        return self.published_at is not None

    def lines_of(self, kind):
        return [line for line in self.lines if line.kind == kind]

    def total(self, kind, field="amount"):
        return sum((getattr(line, field) or Decimal(0) for line in self.lines if line.kind == kind),
                   Decimal("0.00"))


class BudgetLine(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))  # revenue / expenditure
    code: Mapped[str] = mapped_column(String(40))
    name_ky: Mapped[str] = mapped_column(String(300), default="")
    name_ru: Mapped[str] = mapped_column(String(300), default="")
    name_en: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(30), default="other")
    amount: Mapped[Decimal] = mapped_column(Money)
    prev_approved: Mapped[Decimal | None] = mapped_column(Money)
    prev_executed: Mapped[Decimal | None] = mapped_column(Money)
    note: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[DraftVersion] = relationship(back_populates="lines")

    FIELDS = ("kind", "code", "name_ky", "name_ru", "name_en", "category", "amount",
              "prev_approved", "prev_executed", "note")

    @property
    def name(self):
        return localized(self, "name")

    @property
    def category_label(self):
        return CATEGORIES.get(self.category, self.category)

    @property
    def change(self):
        if self.prev_approved is None:
            return None
        return self.amount - self.prev_approved

    @property
    def change_percent(self):
        if not self.prev_approved:
            return None
        return (self.amount - self.prev_approved) * 100 / self.prev_approved

    def values(self):
        return {f: getattr(self, f) for f in self.FIELDS}


class CharterSection(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str] = mapped_column(String(20))
    heading: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[DraftVersion] = relationship(back_populates="sections")

    FIELDS = ("number", "heading", "text")

    def values(self):
        return {f: getattr(self, f) for f in self.FIELDS}


class Comment(db.Model):
    __tablename__ = "draft_comment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id", ondelete="CASCADE"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id", ondelete="SET NULL"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("charter_section.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # what the public sees, fixed when written: name or initials (the author's choice), village
    author_name: Mapped[str] = mapped_column(String(200), default="")
    village_name: Mapped[str] = mapped_column(String(200), default="")  # as written, fallback
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    draft: Mapped[Draft] = relationship()
    version: Mapped[DraftVersion] = relationship()
    line: Mapped[BudgetLine | None] = relationship()
    section: Mapped[CharterSection | None] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    village = relationship("Village")
    answer = relationship(lambda: Answer, back_populates="comment", uselist=False,
                          cascade="all, delete-orphan")

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def village_label(self):
        """The author's village in the reader's language."""
        return self.village.name if self.village is not None else self.village_name


class Answer(db.Model):
    """The municipality's official answer to one comment."""

    __tablename__ = "draft_answer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("draft_comment.id", ondelete="CASCADE"), unique=True)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="answer")
    answered_by = relationship("User")

    @property
    def decision_label(self):
        return DECISIONS.get(self.decision, self.decision)
