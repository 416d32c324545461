"""Protocol workflow: draft → submitted (secretary) → approved and signed (chair) → locked.

A signed protocol and its hearing record are immutable; a correction is a new version that
supersedes the old one (both stay public). Meetings must call `hearing_is_locked(hearing)` before
changing a hearing's record (proceedings, registrations, check-in, hearing fields).
"""
import hashlib
from datetime import date, timedelta
from pathlib import Path

from flask import current_app, has_request_context, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..core import audit
from ..core.i18n import format_money, format_number, official_date, to_local
from ..core.models import utcnow
from ..extensions import db
from . import layout
from .models import APPROVED, DRAFT, LANGUAGES, SIGNED, SUBMITTED, Protocol, ProtocolSignoff

LOCKING = (SUBMITTED, APPROVED, SIGNED)


class ProtocolError(Exception):
    """A workflow step that is not allowed now; the message is shown to the user (403)."""

    status = 403


class ProtocolStateError(ProtocolError):
    """The hearing is not in a state that allows this step (409)."""

    status = 409


class ProtocolInputError(ProtocolError):
    """What the user sent cannot be used (e.g. a scan that does not open): 400, shown on the page."""

    status = 400


def is_chair(municipality_id, user):
    """Does `user` hold the chair's role in this municipality? (Not: is a platform admin.) The
    chair's signature, on paper or digital, is recorded only from the chair's own account."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(m.municipality_id == municipality_id and m.role == "chair"
               for m in getattr(user, "memberships", ()))


def _require_chair(protocol, actor):
    if not is_chair(protocol.municipality_id, actor):
        raise ProtocolError(_("Only the chair, from their own account, can approve the protocol "
                              "or record the chair's signature."))


# --- dates -------------------------------------------------------------------------------

def add_working_days(day, n, holidays=()):
    """The date `n` working days (Mon–Fri, not in `holidays`) after `day`."""
    current = day
    while n > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            n -= 1
    return current


def hearing_day(hearing):
    return to_local(hearing.closed_at or hearing.ends_at or hearing.starts_at).date()


def due_date_for(hearing):
    days = int(current_app.config.get("PROTOCOL_DUE_WORKING_DAYS", 5))
    holidays = {date.fromisoformat(d) if isinstance(d, str) else d
                for d in current_app.config.get("PUBLIC_HOLIDAYS", ())}
    return add_working_days(hearing_day(hearing), days, holidays)


def is_overdue(hearing, today=None):
    """No signed version yet and past the due date (of the first version, or computed)."""
    today = today or to_local(utcnow()).date()
    versions = protocols_of(hearing)
    if any(p.status == SIGNED for p in versions):
        return False
    due = versions[0].due_date if versions else due_date_for(hearing)
    return today > due


# --- queries -----------------------------------------------------------------------------

def protocols_of(hearing):
    return db.session.execute(select(Protocol).filter_by(hearing_id=hearing.id)
                              .order_by(Protocol.version)).scalars().all()


def latest(hearing):
    return db.session.execute(select(Protocol).filter_by(hearing_id=hearing.id)
                              .order_by(Protocol.version.desc()).limit(1)).scalar_one_or_none()


def hearing_is_locked(hearing) -> bool:
    """True when the hearing's record must not change: its latest protocol is submitted,
    approved or signed. A correction (new draft version) unlocks it until that is signed."""
    if hearing is None or getattr(hearing, "id", None) is None:
        return False
    status = db.session.execute(select(Protocol.status).filter_by(hearing_id=hearing.id)
                                .order_by(Protocol.version.desc()).limit(1)).scalar_one_or_none()
    return status in LOCKING


def locked_message():
    return _("The protocol of this hearing has been submitted or signed: the hearing record can no "
             "longer be changed. To correct it, start a new version of the protocol.")


def has_proceedings(hearing):
    """A protocol can be drafted once the hearing was held or anything was recorded (never for
    a cancelled hearing); it is submitted only once the hearing is marked as held."""
    if hearing.status == "cancelled":
        return False
    if hearing.status == "held" or hearing.opened_at is not None:
        return True
    return any(i.summary or i.questions or i.speeches or i.votes or i.decisions
               for i in hearing.agenda) or bool(hearing.proposals)


def hearing_link_for_document(doc):
    """(title, url) of the hearing an issued document belongs to (used by verification pages)."""
    from ..meetings.models import Hearing

    hearing = None
    if doc.object_type == "Protocol":
        protocol = db.session.get(Protocol, int(doc.object_id))
        hearing = protocol.hearing if protocol else None
    elif doc.object_type == "Hearing":
        hearing = db.session.get(Hearing, int(doc.object_id))
    if hearing is None:
        return None
    return hearing.title, url_for("meetings.show", slug=hearing.municipality.slug, hearing_id=hearing.id)


# --- workflow ----------------------------------------------------------------------------

def _actor_ip():
    return request.remote_addr if has_request_context() else None


def _require(protocol, *statuses):
    if protocol.status not in statuses:
        if protocol.status == SIGNED:
            raise ProtocolError(_("This protocol is signed and locked; it cannot be changed. "
                                  "Start a correction (a new version) instead."))
        raise ProtocolError(_("This step is not possible while the protocol is %(status)s.",
                              status=status_label(protocol.status)))


def status_label(status):
    return {DRAFT: _("draft"), SUBMITTED: _("submitted to the chair"),
            APPROVED: _("approved, not yet signed"), SIGNED: _("signed")}.get(status, status)


def next_number(municipality_id, year):
    current = db.session.scalar(select(func.max(Protocol.number)).filter_by(
        municipality_id=municipality_id, year=year))
    return (current or 0) + 1


def create_protocol(hearing, actor, languages=None):
    if latest(hearing) is not None:
        raise ProtocolError(_("This hearing already has a protocol."))
    if hearing.status == "cancelled":
        raise ProtocolStateError(_("The hearing was cancelled: it has no protocol."))
    if not has_proceedings(hearing):
        raise ProtocolError(_("The hearing has not been held yet: there is nothing to record."))
    languages = languages if languages in LANGUAGES else (hearing.municipality.default_locale or "ky")
    year = hearing_day(hearing).year
    protocol = Protocol(municipality_id=hearing.municipality_id, hearing_id=hearing.id, year=year,
                        number=next_number(hearing.municipality_id, year), version=1,
                        status=DRAFT, languages=languages, due_date=due_date_for(hearing),
                        created_by_id=getattr(actor, "id", None))
    db.session.add(protocol)
    db.session.flush()
    audit.record("protocol.created", protocol, municipality=hearing.municipality_id, actor=actor,
                 number=protocol.number, year=year)
    db.session.commit()
    return protocol


def update_protocol(protocol, actor, languages, correction_reason=None):
    _require(protocol, DRAFT)
    if languages not in LANGUAGES:
        raise ProtocolInputError(_("Choose a language of the protocol."))
    protocol.languages = languages
    if correction_reason is not None and protocol.version > 1:
        protocol.correction_reason = correction_reason.strip()
    audit.record("protocol.updated", protocol, actor=actor, languages=languages)
    db.session.commit()
    return protocol


def _signoff(protocol, role, method, actor, signer_name, **extra):
    row = ProtocolSignoff(protocol=protocol, role=role, method=method, user_id=getattr(actor, "id", None),
                          account_email=getattr(actor, "email", "") or "", signer_name=signer_name,
                          at=utcnow(), ip=_actor_ip(), **extra)
    db.session.add(row)
    return row


def submit(protocol, actor):
    _require(protocol, DRAFT)
    if protocol.hearing.status != "held":
        raise ProtocolStateError(_("Mark the hearing as held before submitting its protocol."))
    if protocol.version > 1 and not protocol.correction_reason:
        raise ProtocolInputError(_("Give the reason for the correction before submitting."))
    protocol.status = SUBMITTED
    protocol.submitted_at = utcnow()
    protocol.returned_note = ""
    _signoff(protocol, "secretary", "account", actor, actor.full_name)
    audit.record("protocol.submitted", protocol, actor=actor)
    db.session.commit()
    return protocol


def return_for_changes(protocol, actor, note=""):
    _require(protocol, SUBMITTED, APPROVED)
    protocol.status = DRAFT
    protocol.returned_note = (note or "").strip()
    protocol.submitted_at = protocol.approved_at = None
    for row in list(protocol.signoffs):
        db.session.delete(row)
    audit.record("protocol.returned", protocol, actor=actor, note=protocol.returned_note)
    db.session.commit()
    return protocol


def approve(protocol, actor):
    """The chair approves from their account; the PDF is then signed and the protocol locked."""
    _require(protocol, SUBMITTED)
    _require_chair(protocol, actor)
    protocol.status = APPROVED
    protocol.approved_at = utcnow()
    _signoff(protocol, "chair", "account", actor, actor.full_name)
    audit.record("protocol.approved", protocol, actor=actor)
    db.session.flush()
    return sign_and_lock(protocol, actor)


def record_paper_signature(protocol, actor, data, filename=""):
    """The chair signed the printed protocol and uploads its scan from their own account: keep
    the scan, then issue and lock. Nothing stays on disk when a step fails."""
    _require(protocol, SUBMITTED)
    _require_chair(protocol, actor)
    mime = scan_mime(data)
    if mime is None:
        raise ProtocolInputError(_("The scan cannot be opened: upload a PDF, JPEG or PNG file of "
                                   "the signed page."))
    digest = hashlib.sha256(data).hexdigest()
    relative = f"scans/protocol-{protocol.id}-{digest[:12]}.{mime.split('/')[1]}"
    path = Path(current_app.config["DOCUMENT_STORE"]) / relative
    existed = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        protocol.status = APPROVED
        protocol.approved_at = utcnow()
        _signoff(protocol, "chair", "paper", actor, protocol.hearing.chair_display or "",
                 scan_path=relative, scan_mime=mime, scan_sha256=digest)
        audit.record("protocol.signed_on_paper", protocol, actor=actor, scan_sha256=digest)
        db.session.flush()
        return sign_and_lock(protocol, actor)
    except BaseException:
        if not existed:
            path.unlink(missing_ok=True)
        raise


MAX_SCAN_PIXELS = 80_000_000


def scan_mime(data):
    """The MIME type of a scan that really opens (a PDF with pages, a JPEG or PNG image that
    decodes), else None. Magic bytes alone are not enough: "%PDF-1.4 hello" is no scan."""
    if data.startswith(b"%PDF"):
        try:
            import io

            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data), strict=False)
            if len(reader.pages) < 1:
                return None
            reader.pages[0].mediabox  # noqa: B018 - the first page must be readable
        except Exception:  # noqa: BLE001 - any parsing problem: not a usable scan
            return None
        return "application/pdf"
    for magic, fmt, mime in ((b"\xff\xd8\xff", "JPEG", "image/jpeg"),
                             (b"\x89PNG\r\n\x1a\n", "PNG", "image/png")):
        if data.startswith(magic):
            return mime if _image_opens(data, fmt) else None
    return None


def _image_opens(data, fmt):
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != fmt or image.width * image.height > MAX_SCAN_PIXELS:
                    return False
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except Exception:  # noqa: BLE001 - truncated, corrupt or hostile image
        return False
    return True


def sign_and_lock(protocol, actor):
    """Issue the PDF (registry + PAdES signatures) and lock the protocol and its hearing."""
    from ..documents.services import issue_document

    _require(protocol, APPROVED)
    lang = protocol.lang_list[0]
    people = []
    by_role = {s.role: s for s in protocol.signoffs}
    secretary, chair = by_role.get("secretary"), by_role.get("chair")
    if secretary and chair and secretary.method == chair.method == "account" \
            and secretary.user and chair.user:
        people = [(secretary.user, layout.label("secretary", lang)),
                  (chair.user, layout.label("chair", lang))]
    previous = protocol.supersedes.document if protocol.supersedes is not None else None
    doc = issue_document(
        "protocol", protocol.municipality, document_title(protocol, lang), "protocols/pdf/protocol.html",
        pdf_context(protocol), obj=protocol, lang=protocol.languages, sign=True, signatories=people,
        supersedes=previous, issued_by=actor)
    protocol.document_id = doc.id
    protocol.status = SIGNED
    protocol.signed_at = utcnow()
    audit.record("protocol.signed", protocol, actor=actor, document=doc.code, sha256=doc.sha256)
    db.session.commit()
    return protocol


def start_correction(protocol, actor, reason):
    """A new draft version superseding a signed one (same number, version + 1)."""
    _require(protocol, SIGNED)
    if latest(protocol.hearing).id != protocol.id:
        raise ProtocolError(_("A newer version of this protocol already exists."))
    reason = (reason or "").strip()
    if not reason:
        raise ProtocolInputError(_("Give the reason for the correction."))
    new = Protocol(municipality_id=protocol.municipality_id, hearing_id=protocol.hearing_id,
                   year=protocol.year, number=protocol.number, version=protocol.version + 1,
                   supersedes_id=protocol.id, status=DRAFT, languages=protocol.languages,
                   correction_reason=reason, due_date=protocol.due_date,
                   created_by_id=getattr(actor, "id", None))
    db.session.add(new)
    db.session.flush()
    audit.record("protocol.correction_started", new, actor=actor, supersedes=protocol.id, reason=reason)
    db.session.commit()
    return new


def overdue_for(municipality, today=None):
    """Held hearings whose protocol is not signed and past due: [(hearing, protocol|None, due)]."""
    from ..meetings.models import Hearing

    today = today or to_local(utcnow()).date()
    rows = []
    hearings = db.session.execute(select(Hearing).filter_by(municipality_id=municipality.id)
                                  .where(Hearing.status == "held")).scalars().all()
    for hearing in hearings:
        versions = protocols_of(hearing)
        if any(p.status == SIGNED for p in versions):
            continue
        due = versions[0].due_date if versions else due_date_for(hearing)
        if today > due:
            rows.append((hearing, versions[-1] if versions else None, due))
    return rows


# --- the document ------------------------------------------------------------------------

def document_title(protocol, lang):
    return (f"{layout.label('protocol', lang).capitalize()} № {protocol.display_number}: "
            f"{protocol.hearing.title}")[:500]


def _linked_drafts(hearing):
    try:
        from ..drafts.models import Draft
    except ImportError:
        return []
    ids = []
    for draft_id in [hearing.draft_id] + [i.draft_id for i in hearing.agenda]:
        if draft_id and draft_id not in ids:
            ids.append(draft_id)
    drafts = []
    for draft_id in ids:
        draft = db.session.get(Draft, draft_id)
        if draft is not None and draft.municipality_id == hearing.municipality_id:
            drafts.append(draft)
    return drafts


def _comments(draft):
    from ..drafts.models import Comment

    return db.session.execute(select(Comment).filter_by(draft_id=draft.id)
                              .where(Comment.hidden_at.is_(None)).order_by(Comment.created_at, Comment.id)
                              ).scalars().all()


def _citizens_budget(drafts):
    try:
        from ..drafts.services import budget_summary
    except ImportError:
        return None
    for draft in drafts:
        version = draft.current_version
        if draft.is_budget and version is not None and version.lines:
            return {"draft": draft, "version": version, "summary": budget_summary(version)}
    return None


def _percent(value, lang):
    """ky/ru '31,2 %', en '31.2%' (the decimal separator of the language, like the money)."""
    if value is None:
        return ""
    number = format_number(value, "#,##0.0", lang)
    return number + ("\u00a0%" if lang in ("ky", "ru") else "%")


def pdf_context(protocol=None, hearing=None, languages=None, preview=False):
    """Everything the protocol template needs, taken from the hearing's record (never retyped)."""
    from ..meetings.documents import attendance_rows
    from ..meetings.services import totals

    hearing = hearing or protocol.hearing
    municipality = hearing.municipality
    langs = (languages or (protocol.languages if protocol else None) or "ky").split("+")
    present = attendance_rows(hearing, "list")
    drafts = _linked_drafts(hearing)
    fiscal_year = next((d.fiscal_year for d in drafts if d.fiscal_year), None)
    day = hearing_day(hearing)
    if fiscal_year is None:
        fiscal_year = day.year - 1 if hearing.kind == "execution_report" else day.year + 1
    start = to_local(hearing.opened_at or hearing.starts_at)
    end = to_local(hearing.closed_at or hearing.ends_at) if (hearing.closed_at or hearing.ends_at) else None
    number = protocol.number if protocol else next_number(municipality.id, day.year)
    editions = []
    for lang in langs:
        name = getattr(municipality, f"name_{lang}", "") or municipality.name_ru
        village = hearing.village
        village_name = (getattr(village, f"name_{lang}", "") or village.name_ru) if village else ""
        editions.append({
            "lang": lang,
            "L": (lambda key, _lang=lang, **values: layout.label(key, _lang, **values)),
            "decision": (lambda key, _lang=lang: layout.pick(layout.DECISIONS, key, _lang)),
            "category": (lambda key, _lang=lang: layout.pick(layout.CATEGORIES, key, _lang)),
            "gender": (lambda key, _lang=lang: layout.pick(layout.GENDERS, key, _lang)),
            "money": (lambda amount, _lang=lang: format_money(amount, _lang) if amount is not None else ""),
            "percent": (lambda value, _lang=lang: _percent(value, _lang)),
            "subject": layout.subject(hearing, lang, name, fiscal_year),
            "place": layout.label("village", lang, name=village_name) if village_name else name,
            "date": official_date(day, lang),
            "act_date": official_date(hearing.basis_act_date, lang) if hearing.basis_act_date else "",
            "notice_date": official_date(hearing.published_at, lang) if hearing.published_at else "",
        })
    main = langs[0]
    return {
        "hearing": hearing, "municipality": municipality, "protocol": protocol, "preview": preview,
        "number": number, "version": protocol.version if protocol else 1,
        "editions": editions, "main": editions[0], "bilingual": len(editions) > 1,
        "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M") if end else "",
        "counts": totals(present), "present": present,
        "proposals": list(hearing.proposals),
        "unassigned": [p for p in hearing.proposals if p.agenda_item_id is None],
        "drafts": [(d, _comments(d)) for d in drafts],
        "budget": _citizens_budget(drafts),
        "lang": main, "page_label": layout.label("page", main),
        # the footer in the protocol's first language, like its title page
        "footer_note": f"{getattr(municipality, f'name_{main}', '') or municipality.name_ru} · № {number}/{day.year}",
        "title": " / ".join(layout.label("protocol", e["lang"]) for e in editions) + f" № {number}",
    }


def render_preview(hearing, languages="ky", protocol=None):
    """The unsigned draft PDF (not registered): for checking before submission."""
    from flask_babel import force_locale

    from ..core.documents import render_pdf

    context = pdf_context(protocol, hearing, languages, preview=True)
    with force_locale(context["lang"]):
        return render_pdf("protocols/pdf/protocol.html", **context)
