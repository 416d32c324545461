"""Territory as data, never an enum: it changes often (domain.md)."""
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.i18n import localized
from ..extensions import db

KINDS = ("aiyl_aimak", "town", "city")


class Named:
    name_ky: Mapped[str] = mapped_column(String(200), default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")

    @property
    def name(self):
        return localized(self)

    def __str__(self):
        return self.name


class Oblast(Named, db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(14), unique=True)
    raions: Mapped[list["Raion"]] = relationship(back_populates="oblast", order_by="Raion.name_ru")


class Raion(Named, db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(14), unique=True)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("oblast.id"), index=True)
    oblast: Mapped[Oblast] = relationship(back_populates="raions")
    municipalities: Mapped[list["Municipality"]] = relationship(back_populates="raion")


class Municipality(Named, db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    soate: Mapped[str] = mapped_column(String(14), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="aiyl_aimak")
    raion_id: Mapped[int] = mapped_column(ForeignKey("raion.id"), index=True)
    default_locale: Mapped[str] = mapped_column(String(5), default="ky")
    notice_days: Mapped[int] = mapped_column(Integer, default=10)
    proposal_days: Mapped[int] = mapped_column(Integer, default=2)
    address: Mapped[str] = mapped_column(String(300), default="")
    raion: Mapped[Raion] = relationship(back_populates="municipalities")
    villages: Mapped[list["Village"]] = relationship(
        back_populates="municipality", order_by="Village.name_ru", cascade="all, delete-orphan")


class Village(Named, db.Model):
    __table_args__ = (UniqueConstraint("municipality_id", "name_ru"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    municipality: Mapped[Municipality] = relationship(back_populates="villages")
