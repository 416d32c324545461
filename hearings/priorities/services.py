"""Participatory budgeting operations. Each changes state, records an audit entry and commits once."""
import hashlib
import io
import json
import os
import secrets
from collections import Counter
from datetime import date
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.i18n import format_money
from ..core.mail import send_mail
from ..core.models import utcnow
from ..extensions import db
from ..voting import (ApprovalBallot, BallotLimits, CumulativeBallot, Instance, OrdinalBallot,
                      Outcome, Project, tally, validate_ballot, write_pb)
from .models import (Ballot, ExecutionUpdate, PaperBallot, Participation, PBProcess, PhaseChange, Priority,
                     SubBudget, Supporter, TallyCache, age_group)

PHOTO_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PHOTO_MAX_BYTES = 15 * 1024 * 1024  # a phone photo as taken; stored at most 2000 px wide
PHOTO_MAX_PIXELS = 50_000_000  # a 50-megapixel camera; more is a decompression bomb
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# what the results page compares with the official rule (all fast: plain MES, not add1)
COMPARE_RULES = ("greedy", "mes", "phragmen")
_TALLY_CACHE = {}  # process id -> (fingerprint, outcomes): MES with add1 completion can be slow


class PBError(Exception):
    """A refusal with a translated message for the user (and an HTTP status)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


class AlreadyVoted(PBError):
    def __init__(self):
        super().__init__(_("You have already voted in this process. Each person votes once."), 409)


# --------------------------------------------------------------------------- engine bridge


def limits_of(process):
    share = Decimal(process.min_share) if process.min_share is not None else None
    return BallotLimits(
        kind=process.ballot_kind, min_projects=process.min_projects or 0,
        max_projects=process.max_projects, min_share=share,
        total_points=process.total_points if process.ballot_kind == "cumulative" else None,
        max_points_per_project=process.max_points_per_project if process.ballot_kind == "cumulative" else None,
        top_k=process.top_k if process.ballot_kind == "ordinal" else None)


def on_ballot(process):
    """The priorities voters choose from: accepted ones, in a stable order."""
    return db.session.execute(
        select(Priority).filter_by(process_id=process.id, status="accepted").order_by(Priority.id)
    ).scalars().all()


def instance_of(process, priorities=None):
    priorities = on_ballot(process) if priorities is None else priorities
    projects = [Project(id=p.pid, cost=p.cost, name=p.title, category=p.category or None,
                        village=p.village.name_ru if p.village else None) for p in priorities]
    subs = {s.village.name_ru: s.amount for s in process.sub_budgets} or None
    meta = {"description": process.title, "country": "Kyrgyzstan",
            "unit": process.municipality.name_ru if process.municipality else "",
            "currency": "KGS", "rule": process.rule,
            "date_begin": process.voting_opens.date().isoformat(),
            "date_end": process.voting_closes.date().isoformat()}
    return Instance(projects, process.budget, limits_of(process), sub_budgets=subs, meta=meta)


def ballot_of(process, content):
    kind = process.ballot_kind
    if kind in ("approval", "knapsack"):
        return ApprovalBallot(frozenset(content.get("approve", [])))
    if kind == "cumulative":
        return CumulativeBallot({k: int(v) for k, v in content.get("points", {}).items()})
    return OrdinalBallot(tuple(content.get("rank", [])))


def content_of(ballot):
    if isinstance(ballot, ApprovalBallot):
        return {"approve": sorted(ballot.projects, key=lambda s: (len(s), s))}
    if isinstance(ballot, CumulativeBallot):
        return {"points": {k: v for k, v in sorted(ballot.points.items()) if v}}
    return {"rank": list(ballot.ranking)}


def ballot_from_form(process, form):
    """Read the ballot widget's fields; returns (ballot, errors) with translated messages."""
    kind = process.ballot_kind
    if kind in ("approval", "knapsack"):
        return ApprovalBallot(frozenset(v for v in form.getlist("p") if v)), []
    if kind == "cumulative":
        points = {}
        for key, value in form.items():
            if key.startswith("pts-") and value.strip():
                try:
                    n = int(value.strip())
                except ValueError:
                    return None, [_("Points must be whole numbers.")]
                if n:
                    points[key[4:]] = n
        return CumulativeBallot(points), []
    ranking = []
    k = process.top_k or 3
    for i in range(1, k + 1):
        value = (form.get(f"rank{i}") or "").strip()
        if value:
            ranking.append(value)
    return OrdinalBallot(tuple(ranking)), []


def error_message(error, instance=None):
    """A BallotError (code + params) in the voter's language."""
    p = dict(error.params)

    def money(v):
        return format_money(Decimal(v).quantize(Decimal("0.01")))

    def name(pid):
        if instance is not None:
            try:
                return instance.project(pid).name
            except KeyError:
                pass
        pid = str(pid)
        return pid if len(pid) <= 20 else pid[:20] + "…"  # an id typed into the form, echoed

    code = error.code
    if code == "unknown_project":
        return _("One of the chosen projects is not on this ballot.")
    if code == "duplicate_project":
        return _("You ranked “%(name)s” more than once; each project may appear only once.",
                 name=name(p.get("project")))
    if code == "too_few_projects":
        return ngettext("Choose at least %(num)d project (you chose %(count)d).",
                        "Choose at least %(num)d projects (you chose %(count)d).", p["min"], count=p["count"])
    if code == "too_many_projects":
        return ngettext("Choose at most %(num)d project (you chose %(count)d).",
                        "Choose at most %(num)d projects (you chose %(count)d).", p["max"], count=p["count"])
    if code == "over_budget":
        return _("Your projects cost %(total)s together, more than the budget of %(max)s. Remove a project.",
                 total=money(p["total"]), max=money(p["max"]))
    if code == "under_min_share":
        return _("Your projects cost %(total)s together; please choose projects worth at least %(min)s.",
                 total=money(p["total"]), min=money(p["min"]))
    if code == "too_many_points":
        return _("You gave %(total)s points, but you have %(max)s points in total.", total=p["total"], max=p["max"])
    if code == "over_max_per_project":
        return _("You gave %(points)s points to “%(name)s”; at most %(max)s points per project.",
                 points=p["points"], name=name(p.get("project")), max=p["max"])
    if code == "negative_points":
        return _("Points must be whole numbers of zero or more.")
    if code == "too_many_ranked":
        return ngettext("Rank at most %(num)d project.", "Rank at most %(num)d projects.", p["max"])
    if code == "empty_ballot":
        return _("Your ballot is empty: choose at least one project.")
    return _("This ballot does not match the voting method of this process.")


_INSTANCE_CACHE = {}  # process id -> (key, Instance): what ballots are checked against


def ballot_instance(process):
    """The Instance ballots are validated against, rebuilt only when the process, its sub-budgets
    or its accepted priorities changed (one aggregate query instead of loading every priority)."""
    count, last_change, last_id = db.session.execute(
        select(func.count(Priority.id), func.max(Priority.updated_at), func.max(Priority.id))
        .where(Priority.process_id == process.id, Priority.status == "accepted")).one()
    key = (process.updated_at, count, last_change, last_id,
           tuple((s.village_id, s.amount) for s in process.sub_budgets))
    hit = _INSTANCE_CACHE.get(process.id)
    if hit is not None and hit[0] == key:
        return hit[1]
    instance = instance_of(process)
    if len(_INSTANCE_CACHE) > 1000:
        _INSTANCE_CACHE.clear()
    _INSTANCE_CACHE[process.id] = (key, instance)
    return instance


def check_ballot(process, ballot, instance=None):
    instance = instance or ballot_instance(process)
    return [error_message(e, instance) for e in validate_ballot(instance, ballot)]


# --------------------------------------------------------------------------- processes


def set_sub_budgets(process, amounts):
    """amounts: {village_id: Decimal or None}."""
    existing = {s.village_id: s for s in process.sub_budgets}
    for village_id, amount in amounts.items():
        if amount is None or amount == 0:
            if village_id in existing:
                process.sub_budgets.remove(existing[village_id])
        elif village_id in existing:
            existing[village_id].amount = amount
        else:
            process.sub_budgets.append(SubBudget(village_id=village_id, amount=amount))


def save_process(process, data, sub_amounts, user, municipality):
    creating = process.id is None
    for key, value in data.items():
        setattr(process, key, value)
    if creating:
        process.municipality_id = municipality.id
        process.created_by_id = user.id
        db.session.add(process)
    set_sub_budgets(process, sub_amounts)
    db.session.flush()
    audit.record("pb.process_created" if creating else "pb.process_changed", process,
                 municipality=municipality, title=process.title, budget=str(process.budget),
                 ballot_kind=process.ballot_kind, rule=process.rule)
    db.session.commit()
    return process


def move_phase(process, field, new_value, reason, user):
    old = getattr(process, field)
    setattr(process, field, new_value)
    db.session.add(PhaseChange(process_id=process.id, user_id=user.id, field=field,
                               old_value=old, new_value=new_value, reason=reason))
    audit.record("pb.phase_moved", process, municipality=process.municipality_id, field=field,
                 old=old.isoformat() if old else None, new=new_value.isoformat(), reason=reason)
    db.session.commit()


# --------------------------------------------------------------------------- photos


def upload_dir():
    base = current_app.config.get("UPLOAD_DIR") or os.path.join(
        os.path.dirname(current_app.config["DOCUMENT_STORE"].rstrip("/")), "uploads")
    path = os.path.join(base, "priorities")
    os.makedirs(path, exist_ok=True)
    return path


def check_photo(storage):
    """Return (bytes, mime, ext) for an accepted photo, or raise PBError.

    The image is decoded and saved again: that drops EXIF data (GPS position, camera) and
    anything appended to the file, and caps the size at 2000 px.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = storage.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise PBError(_("The photo is too large: at most %(mb)d MB.", mb=PHOTO_MAX_BYTES // 2**20), 413)
    too_many_pixels = PBError(_("The photo has too many pixels: at most 50 megapixels."), 413)
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            fmt = image.format
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise too_many_pixels
            image.verify()
    except Image.DecompressionBombError:  # Pillow's own limit, met before ours
        raise too_many_pixels
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PBError(_("The photo must be a JPEG, PNG or WebP image."))
    if fmt not in PHOTO_TYPES:
        raise PBError(_("The photo must be a JPEG, PNG or WebP image."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((2000, 2000))
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, fmt, quality=85) if fmt != "PNG" else image.save(out, fmt, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise PBError(_("The photo must be a JPEG, PNG or WebP image."))
    mime, ext = PHOTO_TYPES[fmt]
    return out.getvalue(), mime, ext


def store_photo(storage):
    data, mime, ext = check_photo(storage)
    name = f"{secrets.token_hex(16)}.{ext}"
    with open(os.path.join(upload_dir(), name), "wb") as f:
        f.write(data)
    return name, mime


def photo_path(name):
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = os.path.join(upload_dir(), name)
    return path if os.path.isfile(path) else None


# --------------------------------------------------------------------------- priorities


def submit_priority(process, user, data, photo=None):
    if process.phase() != "submission":
        raise PBError(_("Priorities can be submitted only during the submission phase."), 403)
    priority = Priority(process_id=process.id, author_id=user.id, **data)
    if photo:
        priority.photo_file, priority.photo_mime = store_photo(photo)
    priority.supporters.append(Supporter(user_id=user.id))
    db.session.add(priority)
    db.session.flush()
    audit.record("pb.priority_submitted", priority, municipality=process.municipality_id,
                 title=priority.title)
    db.session.commit()
    return priority


def support(priority, user):
    if priority.process.phase() not in ("submission", "review"):
        raise PBError(_("Support can be added only before the vote."), 403)
    if priority.status in ("rejected", "merged"):
        raise PBError(_("This priority is closed."), 409)
    exists = db.session.execute(select(Supporter).filter_by(priority_id=priority.id, user_id=user.id)).scalar()
    if exists:
        return False
    db.session.add(Supporter(priority_id=priority.id, user_id=user.id))
    audit.record("pb.priority_supported", priority, municipality=priority.process.municipality_id)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _notify_author(priority, subject, body):
    if priority.author and priority.author.email:
        send_mail(priority.author.email, subject, body)


def review(priority, status, adjusted_cost, feasibility_note, public_reason, user):
    process = priority.process
    if process.phase() not in ("submission", "review"):
        raise PBError(_("Priorities can be reviewed only before the vote opens."), 403)
    if priority.status == "merged":
        raise PBError(_("This priority was merged into another one."), 409)
    priority.status = status
    priority.adjusted_cost = adjusted_cost
    priority.feasibility_note = feasibility_note or ""
    priority.public_reason = public_reason or ""
    audit.record("pb.priority_reviewed", priority, municipality=process.municipality_id,
                 status=status, adjusted_cost=str(adjusted_cost) if adjusted_cost is not None else None,
                 reason=public_reason)
    label = str(priority.status_label)
    _notify_author(priority, _("Your priority “%(title)s”: %(status)s", title=priority.title, status=label),
                   _("Your priority “%(title)s” was reviewed: %(status)s.", title=priority.title, status=label)
                   + ("\n\n" + public_reason if public_reason else ""))
    db.session.commit()


def merge(priority, target, public_reason, user):
    process = priority.process
    if process.phase() not in ("submission", "review"):
        raise PBError(_("Priorities can be reviewed only before the vote opens."), 403)
    if target.id == priority.id or target.process_id != priority.process_id or target.status == "merged":
        raise PBError(_("Choose another open priority of the same process."))
    have = {s.user_id for s in target.supporters}
    for s in list(priority.supporters):
        if s.user_id not in have:
            target.supporters.append(Supporter(user_id=s.user_id))
            have.add(s.user_id)
    priority.status = "merged"
    priority.merged_into_id = target.id
    priority.public_reason = public_reason or ""
    audit.record("pb.priority_merged", priority, municipality=process.municipality_id,
                 into=target.id, reason=public_reason)
    _notify_author(priority, _("Your priority “%(title)s” was merged", title=priority.title),
                   _("Your priority “%(title)s” was merged into “%(target)s”. Your support was kept.",
                     title=priority.title, target=target.title))
    db.session.commit()


# --------------------------------------------------------------------------- voting


def new_receipt():
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


# a code copied by hand on a Cyrillic keyboard: letters that look the same
LOOKALIKES = str.maketrans("АВЕКМНОРСТУХЗ", "ABEKMHOPCTYX3")


def normalize_receipt(value):
    raw = "".join(ch for ch in (value or "").upper().translate(LOOKALIKES) if ch.isascii() and ch.isalnum())
    if raw.startswith("P") and raw[1:].isdigit() and len(raw) <= 7:
        return f"P-{int(raw[1:]):06d}"
    if len(raw) == 10:
        return f"{raw[:5]}-{raw[5:]}"
    return raw[:20]


def voter_problem(process, user):
    """Why this account cannot vote online here (translated), or None."""
    if user.municipality_id != process.municipality_id:
        return _("Only residents of this municipality may vote. Set your home municipality in your profile.")
    if not user.confirmed:
        return _("Please confirm your e-mail address before voting.")
    if process.require_pin and not user.pin_hmac:
        return _("This municipality checks for duplicate votes by PIN: add your PIN in your profile first.")
    return None


def has_participated(process, user_id=None, pin_hmac=None):
    conds = []
    if user_id is not None:
        conds.append(Participation.user_id == user_id)
    if pin_hmac:
        conds.append(Participation.pin_hmac == pin_hmac)
    if not conds:
        return False
    from sqlalchemy import or_
    return db.session.execute(
        select(Participation.id).where(Participation.process_id == process.id, or_(*conds)).limit(1)
    ).first() is not None


def _write_vote(process, participation, ballot, channel):
    """Participation + ballot in ONE transaction; the unique constraints decide double votes.

    A clerk's assisted vote is audited (an official acting for somebody). A resident's own
    online vote is not: the participation row already says who voted when, and a chain entry
    per ballot would make every voter of a municipality wait for the chain lock in turn. The
    ballots themselves are covered as a whole by the seal recorded when voting closes."""
    receipt = new_receipt()
    db.session.add(participation)
    db.session.add(Ballot(id=secrets.token_hex(16), process_id=process.id, receipt=receipt,
                          channel=channel, content=content_of(ballot)))
    session = db.session()
    expire = session.expire_on_commit
    try:
        if channel != "online":
            audit.record("pb.voted", process, municipality=process.municipality_id, channel=channel)
        # keep what was loaded before (process, municipality, user): the "thank you" page is
        # rendered from it without reloading every row after the commit
        session.expire_on_commit = False
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AlreadyVoted()
    finally:
        session.expire_on_commit = expire
    return receipt


# --------------------------------------------------------------------------- ballot box seal

SEALED_CHANNELS = ("online", "assisted")  # cast only while voting is open; paper is entered later


def ballot_box_digest(process):
    """(number of ballots, SHA-256) over the ballots cast online and with assistance.

    One line per ballot (receipt, channel, content as canonical JSON), sorted by receipt: the
    same ballots always give the same digest, and changing, adding or removing any one of them
    gives another. Paper ballots are entered after the close, each with its own audit entry."""
    rows = db.session.execute(
        select(Ballot.receipt, Ballot.channel, Ballot.content)
        .where(Ballot.process_id == process.id, Ballot.channel.in_(SEALED_CHANNELS))
        .order_by(Ballot.receipt)).all()
    digest = hashlib.sha256()
    for receipt, channel, content in rows:
        line = "\t".join((receipt, channel, json.dumps(content, sort_keys=True, ensure_ascii=False)))
        digest.update(line.encode() + b"\n")
    return len(rows), digest.hexdigest()


def seal_ballot_box(process):
    """Once voting has closed, record the ballot box's count and digest on the process and in
    the audit chain (once: the UPDATE only succeeds for the first caller). Returns True when
    this call sealed it."""
    if process.sealed_at is not None or not process.results_public():
        return False
    count, digest = ballot_box_digest(process)
    now = utcnow().replace(microsecond=0)
    claimed = db.session.execute(
        update(PBProcess).where(PBProcess.id == process.id, PBProcess.sealed_at.is_(None))
        .values(sealed_at=now, sealed_ballots=count, sealed_digest=digest)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:  # somebody else sealed it meanwhile
        db.session.rollback()
        db.session.refresh(process)
        return False
    audit.record("pb.ballot_box_sealed", process, municipality=process.municipality_id,
                 ballots=count, digest=digest)
    db.session.commit()
    db.session.refresh(process)
    return True


def seal_problem(process):
    """None when the sealed ballots are unchanged (or not sealed yet); else a translated reason."""
    if process.sealed_at is None:
        return None
    count, digest = ballot_box_digest(process)
    if count != process.sealed_ballots:
        return _("The ballot box held %(sealed)d ballots when voting closed; it now holds %(now)d.",
                 sealed=process.sealed_ballots, now=count)
    if digest != process.sealed_digest:
        return _("Ballots were changed after voting closed: the digest no longer matches the seal.")
    return None


def seal_closed_processes():
    """Seal every process whose voting has closed (for cron); returns how many were sealed now."""
    due = db.session.execute(select(PBProcess).where(
        PBProcess.sealed_at.is_(None), PBProcess.voting_closes <= utcnow())).scalars().all()
    return sum(1 for process in due if seal_ballot_box(process))


def cast_vote(process, user, ballot):
    if process.phase() != "voting":
        raise PBError(_("Voting is not open."), 403)
    problem = voter_problem(process, user)
    if problem:
        raise PBError(problem, 403)
    # no has_participated() query: the unique constraints on participation refuse a second vote
    errors = check_ballot(process, ballot)
    if errors:
        raise BallotInvalid(errors)
    participation = Participation(
        process_id=process.id, user_id=user.id, pin_hmac=user.pin_hmac, channel="online",
        village_id=user.village_id, gender=user.gender or "", age_group=age_group(user.birth_year))
    return _write_vote(process, participation, ballot, "online")


class BallotInvalid(PBError):
    def __init__(self, errors):
        super().__init__(errors[0], 400)
        self.errors = errors


def record_in_person(process, clerk, person, ballot=None):
    """Assisted vote (ballot filled with the secretary) or a paper voter marked as voted.

    person: full_name, village_id, gender, birth_year, pin_hmac, user (an account or None),
    channel ("assisted" or "paper").
    """
    if process.phase() != "voting":
        raise PBError(_("Voting is not open."), 403)
    user = person.get("user")
    pin = person.get("pin_hmac") or (user.pin_hmac if user else None)
    if process.require_pin and not pin:
        raise PBError(_("This process checks duplicates by PIN: enter the person's PIN."))
    if has_participated(process, user.id if user else None, pin):
        raise AlreadyVoted()
    participation = Participation(
        process_id=process.id, user_id=user.id if user else None, pin_hmac=pin,
        full_name=person.get("full_name") or (user.full_name if user else ""),
        channel=person["channel"], village_id=person.get("village_id") or (user.village_id if user else None),
        gender=person.get("gender") or (user.gender if user else "") or "",
        age_group=age_group(person.get("birth_year") or (user.birth_year if user else None)),
        recorded_by_id=clerk.id)
    if person["channel"] == "assisted":
        errors = check_ballot(process, ballot)
        if errors:
            raise BallotInvalid(errors)
        return _write_vote(process, participation, ballot, "assisted")
    db.session.add(participation)
    try:
        audit.record("pb.paper_voter_marked", process, municipality=process.municipality_id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyVoted()
    return None


def paper_receipt(serial):
    return f"P-{int(serial):06d}"


def enter_paper(process, clerk, serial, status, ballot=None):
    """First or second entry of a paper ballot. Returns 'first', 'confirmed' or 'mismatch'."""
    if process.phase() not in ("voting", "results", "execution"):
        raise PBError(_("Paper ballots can be entered only once voting has opened."), 403)
    content = None
    if status == "valid":
        errors = check_ballot(process, ballot)
        if errors:
            raise BallotInvalid(errors)
        content = content_of(ballot)
    existing = db.session.execute(
        select(PaperBallot).filter_by(process_id=process.id, serial=serial)).scalar_one_or_none()
    if existing is None:
        paper = PaperBallot(process_id=process.id, serial=serial, status=status,
                            first_content=content, first_by_id=clerk.id)
        if content is not None:
            ballot_row = Ballot(id=secrets.token_hex(16), process_id=process.id,
                                receipt=paper_receipt(serial), channel="paper", content=content)
            db.session.add(ballot_row)
            paper.ballot_id = ballot_row.id
        db.session.add(paper)
        try:
            audit.record("pb.paper_entered", process, municipality=process.municipality_id,
                         serial=serial, status=status)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            raise PBError(_("Paper ballot No. %(serial)s was already entered.", serial=serial), 409)
        return "first"
    if existing.second_by_id is not None:
        raise PBError(_("Paper ballot No. %(serial)s was already entered twice.", serial=serial), 409)
    if existing.first_by_id == clerk.id:
        raise PBError(_("Paper ballot No. %(serial)s was already entered by you; the second entry must be made by another clerk.",
                        serial=serial), 409)
    existing.second_status = status
    existing.second_content = content
    existing.second_by_id = clerk.id
    existing.mismatch = (existing.status != status) or (existing.first_content != content)
    audit.record("pb.paper_second_entry", process, municipality=process.municipality_id,
                 serial=serial, mismatch=existing.mismatch)
    db.session.commit()
    return "mismatch" if existing.mismatch else "confirmed"


def resolve_paper(process, paper, use, clerk):
    """Settle a mismatch by keeping the first or the second entry."""
    if not paper.mismatch:
        raise PBError(_("This paper ballot has no mismatch."), 409)
    if use == "second":
        paper.status, paper.first_content = paper.second_status, paper.second_content
    if paper.ballot_id and (paper.status != "valid"):
        row = db.session.get(Ballot, paper.ballot_id)
        paper.ballot_id = None
        db.session.delete(row)
    elif paper.status == "valid":
        if paper.ballot_id:
            db.session.get(Ballot, paper.ballot_id).content = paper.first_content
        else:
            row = Ballot(id=secrets.token_hex(16), process_id=process.id,
                         receipt=paper_receipt(paper.serial), channel="paper", content=paper.first_content)
            db.session.add(row)
            paper.ballot_id = row.id
    paper.second_status, paper.second_content = paper.status, paper.first_content
    paper.mismatch = False
    audit.record("pb.paper_resolved", process, municipality=process.municipality_id,
                 serial=paper.serial, kept=use)
    db.session.commit()


# --------------------------------------------------------------------------- results


def _cached_outcomes(process, fingerprint):
    """Outcomes already computed for exactly these ballots and projects (memory, then database)."""
    cached = _TALLY_CACHE.get(process.id)
    if cached and cached[0] == fingerprint:
        return cached[1]
    row = db.session.get(TallyCache, process.id)
    if row is None or row.fingerprint != fingerprint:
        return None
    outcomes = {}
    for rule, o in row.data.items():
        outcomes[rule] = Outcome(rule=rule, selected=list(o["selected"]), cost=Decimal(o["cost"]),
                                 support={k: Fraction(v) for k, v in o["support"].items()},
                                 details={})
    _TALLY_CACHE[process.id] = (fingerprint, outcomes)
    return outcomes


def _store_outcomes(process, fingerprint, outcomes):
    """Keep the outcomes so that no other worker has to recompute them (MES add1 is slow)."""
    _TALLY_CACHE[process.id] = (fingerprint, outcomes)
    data = {rule: {"selected": o.selected, "cost": str(o.cost),
                   "support": {k: str(v) for k, v in o.support.items()}} for rule, o in outcomes.items()}
    try:
        with db.session.begin_nested():
            row = db.session.get(TallyCache, process.id)
            if row is None:
                db.session.add(TallyCache(process_id=process.id, fingerprint=fingerprint, data=data))
            else:
                row.fingerprint, row.data = fingerprint, data
        db.session.commit()
    except IntegrityError:  # another worker stored it at the same moment
        db.session.rollback()


def stored_ballots(process):
    rows = db.session.execute(select(Ballot).filter_by(process_id=process.id)).scalars().all()
    return rows


_DERIVED_CACHE = {}  # process id -> (fingerprint, grouped ballots, votes, points, channels)


def _ballot_state(process):
    """What the stored ballots depend on, from one aggregate query: ballots (count, largest id)
    and paper ballots (count, second entries, mismatches, blank, spoiled). Ballots are only
    added, or changed/removed when a paper mismatch is resolved (which lowers the mismatch count
    while second entries only grow), so a changed set of ballots never repeats a state."""
    pid = process.id
    paper = PaperBallot.process_id == pid
    row = db.session.execute(select(
        select(func.count(Ballot.id)).where(Ballot.process_id == pid).scalar_subquery(),
        select(func.max(Ballot.id)).where(Ballot.process_id == pid).scalar_subquery(),
        select(func.count(PaperBallot.id)).where(paper).scalar_subquery(),
        select(func.count(PaperBallot.second_by_id)).where(paper).scalar_subquery(),
        select(func.count(PaperBallot.id)).where(paper, PaperBallot.mismatch.is_(True)).scalar_subquery(),
        select(func.count(PaperBallot.id)).where(paper, PaperBallot.status == "blank").scalar_subquery(),
        select(func.count(PaperBallot.id)).where(paper, PaperBallot.status == "spoiled").scalar_subquery(),
    )).one()
    keys = ("ballots", "last_ballot", "papers", "second_entries", "mismatches", "blank", "spoiled")
    return dict(zip(keys, row))


def _derived(process, fingerprint):
    """Identical ballots grouped (Counter), votes and points per project, ballots per channel;
    read once per fingerprint: only the content and channel columns, parsed once per distinct
    content."""
    hit = _DERIVED_CACHE.get(process.id)
    if hit is not None and hit[0] == fingerprint:
        return hit[1:]
    contents, channels = Counter(), Counter()
    for content, channel in db.session.execute(
            select(Ballot.content, Ballot.channel).where(Ballot.process_id == process.id)):
        contents[json.dumps(content, sort_keys=True)] += 1
        channels[channel] += 1
    counter = Counter()
    for text, n in contents.items():
        counter[ballot_of(process, json.loads(text))] += n
    votes, points = Counter(), Counter()
    for b, n in counter.items():
        for pid in b.named():
            votes[pid] += n
        if isinstance(b, CumulativeBallot):
            for pid, v in b.points.items():
                points[pid] += v * n
    if len(_DERIVED_CACHE) > 200:
        _DERIVED_CACHE.clear()
    _DERIVED_CACHE[process.id] = (fingerprint, counter, votes, points, channels)
    return counter, votes, points, channels


def _tally_state(process):
    """(priorities, instance, ballot state, fingerprint, outcomes) — outcomes computed only when
    the ballots or the projects changed (cached in memory and in the database)."""
    priorities = on_ballot(process)
    instance = instance_of(process, priorities)
    state = _ballot_state(process)
    fingerprint = hashlib.sha256(repr((
        process.rule, process.ballot_kind, process.updated_at,
        [(p.id, p.cost, p.category, p.village) for p in instance.projects],
        str(instance.budget), instance.sub_budgets, instance.limits,
        sorted(state.items()))).encode()).hexdigest()
    outcomes = _cached_outcomes(process, fingerprint)
    if outcomes is None:
        counter = _derived(process, fingerprint)[0]
        outcomes = {}
        for rule in dict.fromkeys((process.rule,) + COMPARE_RULES):
            outcomes[rule] = tally(instance, counter, rule)
        _store_outcomes(process, fingerprint, outcomes)
    return priorities, instance, state, fingerprint, outcomes


def results(process):
    """Everything the results page and exports show. Call only when results are public."""
    priorities, instance, state, fingerprint, outcomes = _tally_state(process)
    counter, votes, points, channels = _derived(process, fingerprint)
    official = outcomes[process.rule]
    selected = set(official.selected)
    order = {pid: i for i, pid in enumerate(official.selected)}
    table = []
    for p in priorities:
        support = official.support.get(p.pid, 0)
        table.append({"priority": p, "votes": votes[p.pid], "points": points[p.pid],
                      "support": support, "selected": p.pid in selected,
                      "order": order.get(p.pid)})
    table.sort(key=lambda r: (-r["support"], -r["votes"], r["priority"].cost, r["priority"].id))
    spent = sum((p.cost for p in priorities if p.pid in selected), Decimal(0))
    return {"instance": instance, "outcome": official, "outcomes": outcomes, "table": table,
            "spent": spent, "ballots": state["ballots"], "channels": channels,
            "blank": state["blank"], "spoiled": state["spoiled"],
            "mismatches": state["mismatches"], "priorities": priorities, "selected": selected,
            "ballot_counter": counter}


def funded_ids(process):
    if not process.results_public():
        return set()
    outcomes = _tally_state(process)[4]
    return {int(pid) for pid in outcomes[process.rule].selected}


def stats(process):
    rows = db.session.execute(
        select(Participation.channel, Participation.village_id, Participation.gender,
               Participation.age_group, func.count(Participation.id))
        .where(Participation.process_id == process.id)
        .group_by(Participation.channel, Participation.village_id, Participation.gender,
                  Participation.age_group)).all()
    out = {"total": 0, "channel": Counter(), "village": Counter(), "gender": Counter(),
           "age": Counter()}
    for channel, village_id, gender, age, n in rows:
        out["total"] += n
        out["channel"][channel] += n
        out["village"][village_id] += n
        out["gender"][gender or ""] += n
        out["age"][age or ""] += n
    return out


def export_json(process, res):
    def num(v):
        return str(v) if isinstance(v, Decimal) else (str(v) if not isinstance(v, int) else v)

    return json.dumps({
        "process": {"id": process.id, "title": process.title, "budget": str(process.budget),
                    "currency": "KGS", "ballot_type": process.ballot_kind, "rule": process.rule,
                    "voting_opens": process.voting_opens.isoformat(),
                    "voting_closes": process.voting_closes.isoformat()},
        "ballots": res["ballots"], "blank_paper": res["blank"], "spoiled_paper": res["spoiled"],
        "total_spent": str(res["spent"]),
        "projects": [{"id": r["priority"].pid, "title": r["priority"].title,
                      "category": r["priority"].category,
                      "village": r["priority"].village.name if r["priority"].village else None,
                      "cost": str(r["priority"].cost), "votes": r["votes"],
                      "points": r["points"], "support": num(r["support"]), "selected": r["selected"]}
                     for r in res["table"]],
        "selected": res["outcome"].selected,
        "compare": {rule: o.selected for rule, o in res["outcomes"].items()},
        "seal": {"sealed_at": process.sealed_at.isoformat(), "ballots": process.sealed_ballots,
                 "channels": list(SEALED_CHANNELS), "sha256": process.sealed_digest}
        if process.sealed_at else None,
    }, ensure_ascii=False, indent=2)


def export_pb(process, res):
    return write_pb(res["instance"], list(res["ballot_counter"].elements()), outcome=res["outcome"])


def add_execution_update(priority, user, status, progress, note, day=None, photo=None):
    if priority.process.phase() not in ("results", "execution"):
        raise PBError(_("Execution can be tracked once the results are out."), 403)
    if priority.id not in funded_ids(priority.process):
        raise PBError(_("Only funded priorities are tracked."), 409)
    update = ExecutionUpdate(priority_id=priority.id, day=day or date.today(), status=status,
                             progress=progress, note=note or "", author_id=user.id)
    if photo:
        update.photo_file, update.photo_mime = store_photo(photo)
    priority.execution_status = status
    priority.execution_progress = progress
    db.session.add(update)
    audit.record("pb.execution_update", priority, municipality=priority.process.municipality_id,
                 status=status, progress=progress)
    db.session.commit()
    return update


def now():
    return utcnow()
