"""Loading the municipality list (idempotent upsert by СОАТЕ code)."""
import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from .models import Municipality, Oblast, Raion, Village
from .names import latin, municipality_names, oblast_names, raion_names, slugify

REQUIRED = ("oblast_code", "oblast", "raion_code", "raion", "aa_code", "aiyl_aimak_ru")
SOATE = re.compile(r"^\d{14}$")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (line number, message)


def _upsert(model, code, names):
    obj = db.session.execute(select(model).filter_by(code=code)).scalar_one_or_none()
    if obj is None:
        obj = model(code=code)
        db.session.add(obj)
    obj.name_ru, obj.name_ky, obj.name_en = names
    return obj


def import_municipalities(text):
    """Load rows from CSV text; bad rows are reported by line number and skipped."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append((1, _("missing columns: %(cols)s", cols=", ".join(missing))))
        return report
    oblasts, raions = {}, {}
    existing = {m.soate: m for m in db.session.execute(select(Municipality)).scalars()}
    slugs = {m.slug for m in existing.values()}
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        problems = [_("%(col)s must be a 14-digit СОАТЕ code", col=c)
                    for c in ("oblast_code", "raion_code", "aa_code") if not SOATE.match(row[c])]
        problems += [_("%(col)s is empty", col=c) for c in ("oblast", "raion", "aiyl_aimak_ru")
                     if not row[c]]
        if problems:
            report.errors.append((line, "; ".join(problems)))
            continue
        if row["oblast_code"] not in oblasts:
            oblasts[row["oblast_code"]] = _upsert(
                Oblast, row["oblast_code"], (row["oblast"], *oblast_names(row["oblast"])))
        oblast = oblasts[row["oblast_code"]]
        if row["raion_code"] not in raions:
            raion = _upsert(Raion, row["raion_code"], (row["raion"], *raion_names(row["raion"])))
            raion.oblast = oblast
            raions[row["raion_code"]] = raion
        raion = raions[row["raion_code"]]
        ky, en = municipality_names(row["aiyl_aimak_ru"])
        ky, en = row.get("name_ky") or ky, row.get("name_en") or en
        wanted = {"name_ru": row["aiyl_aimak_ru"], "name_ky": ky, "name_en": en,
                  "kind": row.get("kind") or "aiyl_aimak"}
        municipality = existing.get(row["aa_code"])
        if municipality is None:
            slug = slugify(en, row["aa_code"])
            if slug in slugs:
                slug = f"{slug}-{slugify(raion.name_en, '')}".replace("-district", "")
            if slug in slugs:
                slug = f"{slug}-{row['aa_code'][-6:]}"
            slugs.add(slug)
            municipality = Municipality(soate=row["aa_code"], slug=slug, raion=raion, **wanted)
            db.session.add(municipality)
            existing[row["aa_code"]] = municipality
            report.created += 1
        else:
            changed = any(getattr(municipality, k) != v for k, v in wanted.items())
            changed = changed or municipality.raion_id != raion.id
            for k, v in wanted.items():
                setattr(municipality, k, v)
            municipality.raion = raion
            report.updated += changed
            report.unchanged += not changed
        for name in filter(None, (v.strip() for v in row.get("villages", "").split(";"))):
            add_village(municipality, name)
    db.session.commit()
    return report


def add_village(municipality, name_ru, name_ky=None, name_en=None):
    for village in municipality.villages:
        if village.name_ru == name_ru:
            return village
    village = Village(name_ru=name_ru, name_ky=name_ky or name_ru, name_en=name_en or latin(name_ru))
    municipality.villages.append(village)
    return village


# --------------------------------------------------------------------------- settings

SETTINGS_FIELDS = ("name_ky", "name_ru", "name_en", "address", "default_locale", "notice_days",
                   "proposal_days")


def update_settings(municipality, data):
    """Save what the municipality's own staff may change (not the СОАТЕ code, not the address of
    its pages); returns the names of the changed fields, also written to the audit log."""
    from ..core import audit

    changed = [name for name in SETTINGS_FIELDS if getattr(municipality, name) != data[name]]
    for name in changed:
        setattr(municipality, name, data[name])
    if changed:
        audit.record("municipality.settings_changed", municipality, municipality=municipality,
                     fields=changed)
    db.session.commit()
    return changed


class VillageError(Exception):
    """A refused village change, with a translated message and an HTTP status."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def _clean_names(name_ky, name_ru, name_en):
    name_ky, name_ru, name_en = (" ".join((v or "").split()) for v in (name_ky, name_ru, name_en))
    return name_ky or name_ru, name_ru, name_en or latin(name_ru)


def _check_unique(municipality, name_ru, village=None):
    for other in municipality.villages:
        if other is not village and other.name_ru.casefold() == name_ru.casefold():
            raise VillageError(_("This municipality already has a village named %(name)s.", name=name_ru), 409)


def new_village(municipality, name_ky, name_ru, name_en=""):
    from ..core import audit

    name_ky, name_ru, name_en = _clean_names(name_ky, name_ru, name_en)
    _check_unique(municipality, name_ru)
    village = add_village(municipality, name_ru, name_ky, name_en)
    db.session.flush()
    audit.record("municipality.village_added", village, municipality=municipality, name=name_ru)
    db.session.commit()
    return village


def rename_village(village, name_ky, name_ru, name_en=""):
    from ..core import audit

    name_ky, name_ru, name_en = _clean_names(name_ky, name_ru, name_en)
    _check_unique(village.municipality, name_ru, village)
    before = village.name_ru
    village.name_ky, village.name_ru, village.name_en = name_ky, name_ru, name_en
    audit.record("municipality.village_renamed", village, municipality=village.municipality_id,
                 before=before, after=name_ru)
    db.session.commit()


def village_uses(village):
    """How many rows of any table point to this village (every foreign key to village.id)."""
    from sqlalchemy import func

    total = 0
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "village" and fk.column.name == "id":
                total += db.session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == village.id))
    return total


def remove_village(village):
    """Only a village nothing refers to (no resident, hearing, draft, priority, vote, sub-budget):
    removing a used one would rewrite records that were made with it."""
    from ..core import audit

    if village_uses(village):
        raise VillageError(_("%(name)s is used by residents, hearings, drafts or votes and cannot be removed. Rename it instead.",
                             name=village.name), 409)
    municipality = village.municipality
    audit.record("municipality.village_removed", village, municipality=municipality, name=village.name_ru)
    municipality.villages.remove(village)
    db.session.delete(village)
    db.session.commit()
