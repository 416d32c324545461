"""Accounts: a person, and their roles per municipality."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.models import Timestamps, UTCDateTime
from ..extensions import db, login_manager


class User(UserMixin, Timestamps, db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(200))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    locale: Mapped[str] = mapped_column(String(5), default="ky")
    pin_hmac: Mapped[str | None] = mapped_column(String(64), unique=True)
    pin_masked: Mapped[str | None] = mapped_column(String(20))
    gender: Mapped[str | None] = mapped_column(String(10))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    show_initials: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=0)

    municipality = relationship("Municipality")
    village = relationship("Village")
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        # changing the password (or session_version) logs out every other session
        return f"{self.id}:{self.session_version}"

    @property
    def confirmed(self):
        return self.email_confirmed_at is not None

    @property
    def display_name(self):
        """Full name, or initials when the person asked for it (e.g. on public comments)."""
        if not self.show_initials:
            return self.full_name
        parts = self.full_name.split()
        return " ".join(p[0] + "." for p in parts[1:]) + (" " + parts[0] if parts else "")

    def roles_in(self, municipality_id):
        return {m.role for m in self.memberships if m.municipality_id == municipality_id}


class Membership(db.Model):
    """A role (staff, secretary, chair) held by a user in one municipality."""

    __table_args__ = (UniqueConstraint("user_id", "municipality_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    user: Mapped[User] = relationship(back_populates="memberships")
    municipality = relationship("Municipality", lazy="joined")


@login_manager.user_loader
def load_user(token):
    try:
        user_id, version = (int(x) for x in token.split(":"))
    except ValueError:
        return None
    # with the roles in the same statement: every signed-in page shows them in its header
    user = db.session.get(User, user_id, options=[joinedload(User.memberships)])
    if user is None or user.session_version != version:
        return None
    return user
