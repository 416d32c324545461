"""Protocol of a hearing (numbered per municipality per year, versioned) and its sign-offs."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Timestamps, UTCDateTime
from ..extensions import db

DRAFT, SUBMITTED, APPROVED, SIGNED = "draft", "submitted", "approved", "signed"
STATUSES = (DRAFT, SUBMITTED, APPROVED, SIGNED)
LANGUAGES = ("ky", "ru", "en", "ky+ru")


class Protocol(Timestamps, db.Model):
    __table_args__ = (UniqueConstraint("municipality_id", "year", "number", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("protocol.id"))
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    languages: Mapped[str] = mapped_column(String(10), default="ky")
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_note: Mapped[str] = mapped_column(Text, default="")  # chair's note when sent back
    document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_document.id"))

    municipality = relationship("Municipality")
    hearing = relationship("Hearing")
    supersedes = relationship("Protocol", remote_side=[id], foreign_keys=[supersedes_id])
    document = relationship("IssuedDocument")
    created_by = relationship("User")
    signoffs: Mapped[list["ProtocolSignoff"]] = relationship(
        back_populates="protocol", order_by="ProtocolSignoff.id", cascade="all, delete-orphan")

    @property
    def is_locked(self):
        return self.status == SIGNED

    @property
    def display_number(self):
        return f"{self.number}/{self.year}" + (f"-{self.version}" if self.version > 1 else "")

    @property
    def lang_list(self):
        return self.languages.split("+")


class ProtocolSignoff(db.Model):
    """Who signed off, when, from which account; or 'signed on paper' with the scan."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))            # secretary | chair
    method: Mapped[str] = mapped_column(String(20))          # account | paper
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    account_email: Mapped[str] = mapped_column(String(254), default="")  # the account used
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    scan_path: Mapped[str | None] = mapped_column(String(300))   # under DOCUMENT_STORE
    scan_mime: Mapped[str | None] = mapped_column(String(60))
    scan_sha256: Mapped[str | None] = mapped_column(String(64))

    protocol: Mapped[Protocol] = relationship(back_populates="signoffs")
    user = relationship("User")
