"""Operations that change hearings: announce, register, cancel, check in, merge, proceedings.

Each public function commits once and records an audit entry before committing.
"""
import re
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select, update

from ..accounts import pin as pins
from ..core import audit
from ..core.fields import clean_text
from ..core.i18n import current_lang, format_local, to_local
from ..core.mail import send_mail
from ..core.models import utcnow
from ..extensions import db
from .models import (AGE_GROUPS, CATEGORIES, CHANNELS, GENDERS, YOUTH_AGE, Decision,
                     Hearing, Proposal, Question, Registration, Speech, Vote)

CODE_ALPHABET = "ACEFHJKMNPRTUVWXY3479"   # no look-alikes (0/O, 1/I/L, 5/S, 8/B, 2/Z, 6/G)


class HearingError(Exception):
    """A translated message for the user; `status` is the HTTP status to answer with."""

    def __init__(self, message, status=400, field=None):
        super().__init__(message)
        self.status = status
        self.field = field


# --- announcement ------------------------------------------------------------------------

def notice_check(hearing, when=None):
    """(ok, message): is publishing now within the municipality's notice rule?"""
    when = when or utcnow()
    if hearing.starts_at <= when:
        return False, _("The hearing start is in the past.")
    if not hearing.is_late(when):
        return True, ""
    due = hearing.notice_due()
    return False, _("The notice must be published at least %(days)d calendar days before the hearing (by %(date)s).",
                    days=hearing.municipality.notice_days, date=due.strftime("%d.%m.%Y"))


def announce(hearing, override_reason="", notice_where=""):
    if hearing.status != "draft":
        raise HearingError(_("Only a hearing in preparation can be announced."), 409)
    if hearing.starts_at <= utcnow():
        raise HearingError(_("The hearing start is in the past."), 400)
    if not hearing.agenda:
        raise HearingError(_("Add at least one agenda item before announcing."), 400)
    ok, message = notice_check(hearing)
    override_reason = (override_reason or "").strip()
    if not ok:
        if not override_reason:
            raise HearingError(message + " " + _("To publish anyway, give the reason for the short notice."),
                               400, field="override_reason")
        hearing.notice_override_reason = override_reason
    else:
        hearing.notice_override_reason = ""
    if hearing.proposal_deadline is None:
        hearing.proposal_deadline = hearing.default_proposal_deadline()
    hearing.status = "announced"
    hearing.published_at = utcnow()
    hearing.notice_where = (notice_where or "").strip()[:300]
    audit.record("hearing.announce", hearing, late=not ok,
                 override_reason=hearing.notice_override_reason or None)
    db.session.commit()


STATUS_CHANGES = {"announced": ("held", "cancelled"), "draft": ("cancelled",)}


def status_change_allowed(hearing, status):
    return status in STATUS_CHANGES.get(hearing.status, ())


def set_status(hearing, status, reason=""):
    """Mark a hearing held (not before its start) or cancel it (with a reason; everyone
    registered with an e-mail address is told). Returns the number of e-mails sent."""
    if not status_change_allowed(hearing, status):
        raise HearingError(_("This change of status is not possible."), 409)
    reason = clean_text(reason or "").strip()[:2000]
    if status == "held" and hearing.starts_at > utcnow():
        raise HearingError(_("The hearing has not started yet: it can be marked as held from %(date)s.",
                             date=format_local(hearing.starts_at)), 409)
    if status == "cancelled" and not reason:
        raise HearingError(_("Give the reason for cancelling the hearing."), 400, field="reason")
    was_public = hearing.status == "announced"
    hearing.status = status
    if status == "held" and hearing.opened_at is None:
        hearing.opened_at = hearing.starts_at
        hearing.closed_at = hearing.ends_at
    audit.record(f"hearing.{status}", hearing, reason=reason or None)
    db.session.commit()
    sent = 0
    if status == "cancelled" and was_public:
        regs = db.session.execute(select(Registration).where(
            Registration.hearing_id == hearing.id, Registration.status.in_(("registered", "waitlisted")),
            Registration.email != "")).scalars().all()
        for reg in regs:
            send_cancellation(reg, reason)
            sent += 1
    return sent


# --- register of participants ------------------------------------------------------------

def normalize_name(name):
    name = unicodedata.normalize("NFC", clean_text(name or ""))
    return re.sub(r"\s+", " ", name).strip()


def _name_key(name):
    return normalize_name(name).casefold().replace("ё", "е")


def new_code():
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not db.session.scalar(select(Registration.id).filter_by(code=code)):
            return code


def format_code(code):
    return f"{code[:3]}-{code[3:]}" if code and len(code) == 6 else code


def parse_code(text):
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper().replace("О", "0"))[:12]


def _lock(hearing):
    """Serialise registrations of one hearing: row lock on PostgreSQL, write lock on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Hearing.id).where(Hearing.id == hearing.id).with_for_update())
    else:  # the UPDATE takes SQLite's write lock before we count
        db.session.execute(update(Hearing).where(Hearing.id == hearing.id).values(seq=Hearing.seq + 1))


def _counts(hearing):
    rows = db.session.execute(select(Registration.status, func.count(Registration.id))
                              .where(Registration.hearing_id == hearing.id)
                              .group_by(Registration.status)).all()
    return dict(rows)


def age_group_from(birth_year):
    if not birth_year:
        return None
    return "youth" if to_local(utcnow()).year - birth_year < YOUTH_AGE else "adult"


def register(hearing, *, full_name, channel="online", village="", phone="", email="", user=None,
             pin=None, gender=None, age_group=None, category=None, consent=False, client_key=None,
             actor=None, check_in=False, allow_closed=False):
    """Add a participant; waiting list when the hall is full. Returns the Registration.

    The same `client_key` twice (double submit) returns the first registration. A logged-in user
    already registered for the hearing gets the existing registration back.
    """
    if channel not in CHANNELS:
        raise HearingError(_("Not a valid choice."))
    if hearing.status != "announced" and not (allow_closed and hearing.status == "held"):
        raise HearingError(_("Registration for this hearing is closed."), 409)
    if channel == "online" and hearing.starts_at <= utcnow():
        raise HearingError(_("Registration for this hearing is closed."), 409)
    full_name = normalize_name(full_name)
    if not full_name:
        raise HearingError(_("Enter the full name."), field="full_name")
    _lock(hearing)  # before the duplicate checks: two servers, one double click → one row
    if client_key:
        existing = db.session.scalar(select(Registration).filter_by(hearing_id=hearing.id,
                                                                    client_key=client_key))
        if existing:
            if existing.user_id != getattr(user, "id", None):  # someone else's form key
                raise HearingError(_("This form was already used. Reload the page and try again."), 409)
            return existing
    if user is not None and channel == "online":
        existing = db.session.scalar(select(Registration).where(
            Registration.hearing_id == hearing.id, Registration.user_id == user.id,
            Registration.status.in_(("registered", "waitlisted"))))
        if existing:
            return existing
    if user is None and channel == "online" and phone:
        # one seat per phone number online; the ticket is not shown again to whoever types the
        # number (it lets its holder cancel), the person has it on screen, on paper or by e-mail
        taken = db.session.scalar(select(Registration.id).where(
            Registration.hearing_id == hearing.id, Registration.phone == clean_text(phone),
            Registration.status.in_(("registered", "waitlisted"))).limit(1))
        if taken:
            raise HearingError(_("This phone number is already registered for this hearing. Use the ticket "
                                 "you received; if it is lost, the municipality's staff can find it."),
                               409, field="phone")
    counts = _counts(hearing)
    full = hearing.capacity is not None and counts.get("registered", 0) >= hearing.capacity
    if full and channel != "online":
        raise HearingError(_("All %(n)d seats are taken. Cancel a no-show or raise the capacity first.",
                             n=hearing.capacity), 409)
    position = (db.session.scalar(select(func.max(Registration.position))
                                  .where(Registration.hearing_id == hearing.id)) or 0) + 1
    reg = Registration(
        hearing_id=hearing.id, code=new_code(), token=secrets.token_urlsafe(18), client_key=client_key,
        channel=channel, full_name=full_name, village=clean_text(village or "").strip()[:200],
        phone=clean_text(phone or ""), email=clean_text(email or "").strip()[:254], user_id=getattr(user, "id", None),
        pin_hmac=pins.pin_hmac(pin) if pin else (getattr(user, "pin_hmac", None) if user else None),
        status="waitlisted" if full else "registered", position=position,
        gender=gender if gender in GENDERS else None,
        age_group=age_group if age_group in AGE_GROUPS else None,
        category=category if category in CATEGORIES else None,
        consent=bool(consent), created_by_id=getattr(actor, "id", None),
        # the language the person registered in is the language of their e-mails
        locale=current_lang() if channel == "online" and has_request_context() else None)
    if user is not None:
        reg.gender = reg.gender or user.gender
        reg.age_group = reg.age_group or age_group_from(user.birth_year)
    if check_in:
        reg.checked_in_at = utcnow()
        reg.checked_in_by_id = getattr(actor, "id", None)
    db.session.add(reg)
    hearing.updated_at = utcnow()
    db.session.flush()
    audit.record("hearing.register", reg, municipality=hearing.municipality_id, hearing=hearing.id,
                 channel=channel, status=reg.status)
    db.session.commit()
    if reg.email:
        send_confirmation(reg)
    return reg


def cancel(reg, actor=None):
    """Cancel a registration; the first on the waiting list moves up. Returns the promoted one."""
    if not reg.is_active:
        raise HearingError(_("This registration is already cancelled."), 409)
    if reg.checked_in:
        raise HearingError(_("This person has already checked in."), 409)
    hearing = reg.hearing
    _lock(hearing)
    was_seat = reg.status == "registered"
    reg.status = "cancelled"
    reg.cancelled_at = hearing.updated_at = utcnow()
    promoted = None
    if was_seat:
        promoted = _promote(hearing)
    audit.record("hearing.cancel_registration", reg, municipality=hearing.municipality_id,
                 promoted=promoted.id if promoted else None)
    db.session.commit()
    if promoted and promoted.email:
        send_promotion(promoted)
    return promoted


def _promote(hearing):
    counts = _counts(hearing)
    if hearing.capacity is not None and counts.get("registered", 0) >= hearing.capacity:
        return None
    nxt = db.session.scalar(select(Registration).where(
        Registration.hearing_id == hearing.id, Registration.status == "waitlisted")
        .order_by(Registration.position).limit(1))
    if nxt:
        nxt.status = "registered"
        nxt.promoted_at = utcnow()
    return nxt


def set_capacity(hearing, capacity):
    """Change capacity; when raised, people move up from the waiting list."""
    _lock(hearing)
    counts = _counts(hearing)
    if capacity is not None and capacity < counts.get("registered", 0):
        raise HearingError(_("%(n)d people already hold a seat; the capacity cannot be lower.",
                             n=counts.get("registered", 0)), 409, field="capacity")
    hearing.capacity = capacity
    hearing.updated_at = utcnow()
    promoted = []
    while True:
        p = _promote(hearing)
        if not p:
            break
        promoted.append(p)
        db.session.flush()
    audit.record("hearing.capacity", hearing, capacity=capacity, promoted=len(promoted))
    db.session.commit()
    for p in promoted:
        if p.email:
            send_promotion(p)
    return promoted


def check_in(hearing, code, actor):
    """Mark the registration with this code present. Returns (registration, already_checked_in)."""
    code = parse_code(code)
    reg = db.session.scalar(select(Registration).filter_by(hearing_id=hearing.id, code=code)) if code else None
    if reg is None:
        raise HearingError(_("No registration with this code for this hearing."), 404, field="code")
    if reg.status == "cancelled":
        raise HearingError(_("This registration was cancelled."), 409, field="code")
    if reg.status == "merged":
        reg = reg.merged_into
    if reg.status == "waitlisted":
        raise HearingError(_("This person is on the waiting list; no seat is free yet."), 409, field="code")
    if reg.checked_in_at:
        return reg, True
    reg.checked_in_at = hearing.updated_at = utcnow()
    reg.checked_in_by_id = actor.id
    audit.record("hearing.check_in", reg, municipality=hearing.municipality_id, hearing=hearing.id)
    db.session.commit()
    return reg, False


def undo_check_in(reg):
    reg.checked_in_at = None
    reg.checked_in_by_id = None
    reg.hearing.updated_at = utcnow()
    audit.record("hearing.undo_check_in", reg, municipality=reg.hearing.municipality_id)
    db.session.commit()


# --- duplicates --------------------------------------------------------------------------

def duplicate_groups(hearing):
    """Groups of active registrations that look like the same person (PIN-HMAC or phone+name).

    Nothing is removed: staff look at each group and merge or mark 'different people'.
    """
    regs = db.session.execute(select(Registration).where(
        Registration.hearing_id == hearing.id,
        Registration.status.in_(("registered", "waitlisted")))
        .order_by(Registration.position)).scalars().all()
    parent = {r.id: r.id for r in regs}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = {}
    for r in regs:
        candidates = []
        if r.pin_hmac:
            candidates.append(("pin", r.pin_hmac))
        if r.phone:
            candidates.append(("phone", r.phone, _name_key(r.full_name)))
        for key in candidates:
            if key in keys:
                parent[find(r.id)] = find(keys[key])
            else:
                keys[key] = r.id
    groups = {}
    for r in regs:
        groups.setdefault(find(r.id), []).append(r)
    result = []
    for members in groups.values():
        if len(members) > 1 and not all(m.not_duplicate for m in members[1:]):
            result.append(members)
    return result


def find_same_person(hearing, *, full_name="", phone="", pin=None):
    """Active registrations of this hearing that look like this person: the same PIN, or the
    same phone and name (the rule of `duplicate_groups`), so the door can offer them first."""
    regs = db.session.execute(select(Registration).where(
        Registration.hearing_id == hearing.id,
        Registration.status.in_(("registered", "waitlisted")))
        .order_by(Registration.position)).scalars().all()
    pin_key = pins.pin_hmac(pin) if pin else None
    name_key = _name_key(full_name)
    return [r for r in regs
            if (pin_key and r.pin_hmac == pin_key)
            or (phone and r.phone == phone and _name_key(r.full_name) == name_key)]


def merge(keep, other, actor=None):
    """Fold `other` into `keep`: other stays in the register as 'merged' (never deleted)."""
    if keep.hearing_id != other.hearing_id or keep.id == other.id:
        raise HearingError(_("These registrations cannot be merged."), 400)
    if not other.is_active or not keep.is_active:
        raise HearingError(_("These registrations cannot be merged."), 409)
    hearing = keep.hearing
    _lock(hearing)
    if other.checked_in_at and not keep.checked_in_at:
        keep.checked_in_at, keep.checked_in_by_id = other.checked_in_at, other.checked_in_by_id
    for field in ("email", "phone", "village", "gender", "age_group", "category", "pin_hmac", "user_id"):
        if not getattr(keep, field) and getattr(other, field):
            setattr(keep, field, getattr(other, field))
    if keep.status == "waitlisted" and other.status == "registered":
        keep.status = "registered"
    freed = other.status == "registered" and keep.status == "registered"
    other.status = "merged"
    other.merged_into_id = keep.id
    hearing.updated_at = utcnow()
    db.session.flush()
    promoted = _promote(hearing) if freed else None
    audit.record("hearing.merge", keep, municipality=hearing.municipality_id, merged=other.id)
    db.session.commit()
    if promoted and promoted.email:
        send_promotion(promoted)
    return keep


def mark_not_duplicate(reg):
    reg.not_duplicate = True
    audit.record("hearing.not_duplicate", reg, municipality=reg.hearing.municipality_id)
    db.session.commit()


# --- mail ----------------------------------------------------------------------------------

def ticket_url(reg):
    base = current_app.config["SITE_URL"].rstrip("/")
    return base + url_for("meetings.ticket", slug=reg.hearing.municipality.slug, token=reg.token)


def _lang_of(reg):
    return (reg.locale or (reg.user.locale if reg.user and reg.user.locale else None)
            or reg.hearing.municipality.default_locale or "ky")


def _when_where(hearing):
    return _("%(when)s, %(where)s", when=format_local(hearing.starts_at),
             where=hearing.venue_address or "")


def send_confirmation(reg):
    with force_locale(_lang_of(reg)):
        hearing = reg.hearing
        if reg.status == "waitlisted":
            subject = _("Waiting list: %(title)s", title=hearing.title)
            first = _("All seats are taken; you are on the waiting list. We will write when a seat is free.")
        else:
            subject = _("Registration confirmed: %(title)s", title=hearing.title)
            first = _("You are registered for the public hearing.")
        body = "\n".join([first, "", hearing.title, _when_where(hearing), "",
                          _("Your code: %(code)s", code=format_code(reg.code)),
                          _("Your ticket: %(url)s", url=ticket_url(reg))])
        send_mail(reg.email, subject, body)


def send_promotion(reg):
    with force_locale(_lang_of(reg)):
        hearing = reg.hearing
        body = "\n".join([_("A seat became free and it is yours now."), "", hearing.title,
                          _when_where(hearing), "",
                          _("Your code: %(code)s", code=format_code(reg.code)),
                          _("Your ticket: %(url)s", url=ticket_url(reg))])
        send_mail(reg.email, _("You have a seat: %(title)s", title=hearing.title), body)


def send_cancellation(reg, reason):
    with force_locale(_lang_of(reg)):
        hearing = reg.hearing
        body = "\n".join([_("The public hearing is cancelled."), "", hearing.title, _when_where(hearing), "",
                          _("Reason: %(reason)s", reason=reason), "",
                          _("Your registration (code %(code)s) is no longer needed.", code=format_code(reg.code))])
        send_mail(reg.email, _("Cancelled: %(title)s", title=hearing.title), body)


def send_reminders(now=None):
    """E-mail everyone registered for a hearing that takes place tomorrow (Bishkek date)."""
    now = now or utcnow()
    tomorrow = to_local(now).date() + timedelta(days=1)
    hearings = db.session.execute(select(Hearing).where(
        Hearing.status == "announced", Hearing.starts_at > now,
        Hearing.starts_at < now + timedelta(days=3))).scalars().all()
    sent = 0
    for hearing in hearings:
        if to_local(hearing.starts_at).date() != tomorrow:
            continue
        regs = db.session.execute(select(Registration).where(
            Registration.hearing_id == hearing.id, Registration.status == "registered",
            Registration.email != "", Registration.reminder_sent_at.is_(None))).scalars().all()
        for reg in regs:
            with force_locale(_lang_of(reg)):
                body = "\n".join([_("Reminder: the public hearing is tomorrow."), "", hearing.title,
                                  _when_where(hearing), "",
                                  _("Your code: %(code)s", code=format_code(reg.code)),
                                  _("Your ticket: %(url)s", url=ticket_url(reg))])
                send_mail(reg.email, _("Tomorrow: %(title)s", title=hearing.title), body)
            reg.reminder_sent_at = utcnow()
            sent += 1
    if sent:
        audit.record("hearing.reminders", None, sent=sent)
    db.session.commit()
    return sent


# --- proceedings (idempotent by client_key) --------------------------------------------------

PROCEEDINGS = {"question": Question, "speech": Speech, "proposal": Proposal, "vote": Vote,
               "decision": Decision}


def save_item_report(item, rapporteur, rapporteur_position, summary):
    item.rapporteur = rapporteur
    item.rapporteur_position = rapporteur_position
    item.summary = summary
    audit.record("hearing.report", item, municipality=item.hearing.municipality_id)
    db.session.commit()
    return item


def save_row(hearing, kind, client_key, values, item=None):
    """Create or update one proceedings row. The same client_key updates the same row."""
    model = PROCEEDINGS[kind]
    if not client_key or len(client_key) > 40:
        raise HearingError(_("The form has expired; reload the page."), 400)
    row = db.session.scalar(select(model).filter_by(hearing_id=hearing.id, client_key=client_key))
    created = row is None
    if created:
        row = model(hearing_id=hearing.id, client_key=client_key)
        if item is not None:
            row.agenda_item_id = item.id
        if model is Proposal:
            _lock(hearing)
            row.number = (db.session.scalar(select(func.max(Proposal.number))
                                            .where(Proposal.hearing_id == hearing.id)) or 0) + 1
        db.session.add(row)
    for key, value in values.items():
        setattr(row, key, clean_text(value))
    db.session.flush()
    audit.record(f"hearing.{kind}." + ("add" if created else "edit"), row,
                 municipality=hearing.municipality_id)
    db.session.commit()
    return row


def delete_row(hearing, kind, row_id):
    model = PROCEEDINGS[kind]
    row = db.session.get(model, row_id)
    if row is None or row.hearing_id != hearing.id:
        raise HearingError(_("Not found."), 404)
    audit.record(f"hearing.{kind}.delete", row, municipality=hearing.municipality_id)
    db.session.delete(row)
    db.session.commit()


def submit_online_proposal(hearing, user, content, budget_line="", amount=None, item=None, client_key=None):
    if not hearing.proposals_open:
        raise HearingError(_("Written proposals for this hearing are closed."), 409)
    if not client_key or len(client_key) > 40:
        raise HearingError(_("The form has expired; reload the page."), 400)
    existing = db.session.scalar(select(Proposal).filter_by(hearing_id=hearing.id, client_key=client_key))
    if existing is not None and (existing.source != "online" or existing.user_id != user.id):
        # someone else's form key: never overwrite their proposal or its author
        raise HearingError(_("This form was already used. Reload the page and try again."), 409)
    values = dict(source="online", user_id=user.id, author_name=user.display_name, content=content,
                  budget_line=budget_line or "", amount=amount, submitted_at=utcnow())
    return save_row(hearing, "proposal", client_key, values, item=item)


def totals(regs):
    """Counts for attendance lists: all, women, youth (<28)."""
    return {"total": len(regs), "women": sum(1 for r in regs if r.gender == "female"),
            "youth": sum(1 for r in regs if r.age_group == "youth")}
