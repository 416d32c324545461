"""Issued documents (the public registry) and signing credentials (PKCS#12, password encrypted)."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import UTCDateTime, utcnow
from ..extensions import db

KINDS = ("protocol", "attendance", "notice", "citizens_budget", "proposals", "results", "other")
# lists of people with their village, street and house: anyone can check a copy against the
# registry, but only the municipality's staff open the stored file (personal-data law No. 58)
PERSONAL_KINDS = ("attendance",)


class IssuedDocument(db.Model):
    """One issued PDF: its short code (for the QR/URL), SHA-256, where the bytes are kept."""

    __tablename__ = "issued_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    lang: Mapped[str | None] = mapped_column(String(8))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    object_type: Mapped[str | None] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    storage_path: Mapped[str | None] = mapped_column(String(300))  # relative to DOCUMENT_STORE
    content: Mapped[bytes | None] = mapped_column(LargeBinary)      # used when no store is set
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    signers: Mapped[list] = mapped_column(JSON, default=list)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("issued_document.id"))

    municipality = relationship("Municipality")
    issued_by = relationship("User")
    superseded_by = relationship("IssuedDocument", remote_side=[id], foreign_keys=[superseded_by_id])

    def may_open(self, user=None):
        """Whether the current visitor may open the stored PDF (see PERSONAL_KINDS)."""
        from ..core.access import can

        return self.kind not in PERSONAL_KINDS or can(self.municipality, user=user)

    @property
    def filename(self):
        return f"{self.kind}-{self.code}.pdf"

    @property
    def verify_path(self):
        from flask import url_for

        return url_for("documents.verify_code", code=self.code)

    @property
    def url(self):
        from ..core.documents import absolute_url

        return absolute_url("documents.verify_code", code=self.code)

    def read(self):
        from .services import read_bytes

        return read_bytes(self)


class SigningCredential(db.Model):
    """A PKCS#12 bundle: the municipality's seal (user_id empty), a person's certificate
    (user_id set), or the platform seal (both empty). The password is Fernet-encrypted with a
    key derived from SECRET_KEY — never kept in plain text."""

    __tablename__ = "signing_credential"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pkcs12: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    password_encrypted: Mapped[str] = mapped_column(String(500), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality = relationship("Municipality")
    user = relationship("User")
