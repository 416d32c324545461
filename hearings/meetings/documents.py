"""Documents of a hearing: iCal, A4 notice, ticket, attendance list (two forms), register export."""
import hashlib
import json
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from icalendar import Calendar, Event, vText
from sqlalchemy import select

from ..core.documents import absolute_url, qr_svg, render_pdf
from ..core.i18n import current_lang, format_local
from ..core.models import utcnow
from ..extensions import db
from . import services

# kinds known to the registry of issued documents (documents.models.KINDS)
NOTICE_KIND = "notice"
ATTENDANCE_KIND = "attendance"
PAGE_LABEL = {"ky": "бет", "ru": "стр.", "en": "page"}


def _lang(lang, hearing):
    return lang if lang in ("ky", "ru", "en") else current_lang() or hearing.municipality.default_locale


def ical(hearing, page_url):
    """A standard VCALENDAR with one VEVENT (icalendar library, not hand-written)."""
    cal = Calendar()
    cal.add("prodid", "-//Aimak//public hearings//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    host = current_app.config["SITE_URL"].split("//")[-1].split("/")[0] or "aimak"
    event.add("uid", f"hearing-{hearing.id}@{host}")
    event.add("dtstamp", utcnow().replace(microsecond=0))
    event.add("dtstart", hearing.starts_at)
    event.add("dtend", hearing.ends_at or hearing.starts_at + timedelta(hours=2))
    event.add("summary", hearing.title)
    location = ", ".join(x for x in (hearing.venue_address,
                                     hearing.village.name if hearing.village else "") if x)
    event.add("location", vText(location))
    lines = [_("Public hearing"), hearing.organiser]
    lines += [f"{i.position}. {i.title}" for i in hearing.agenda]
    if hearing.online_url:
        lines.append(hearing.online_url)
    lines.append(page_url)
    event.add("description", "\n".join(x for x in lines if x))
    event.add("url", page_url)
    if hearing.status == "cancelled":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


def subject_of(hearing):
    """'on …' phrase for document headings (domain.md)."""
    return {
        "draft_budget": _("the draft local budget"),
        "execution_report": _("the budget execution report"),
        "charter": _("the community charter"),
    }.get(hearing.kind) or _("«%(title)s»", title=hearing.title)


def issued_pdf(kind, hearing, template, context, lang):
    """An official copy through the registry of issued documents (code + QR to its verification
    page). The latest copy is reused while the hearing (and its register) did not change."""
    try:
        from ..documents.services import documents_for, issue_document, read_bytes
    except ImportError:  # registry not installed: a plain PDF
        return render_pdf(template, **context)
    for doc in documents_for(hearing, kind):
        if doc.lang == lang and doc.superseded_by_id is None and doc.created_at >= hearing.updated_at:
            data = read_bytes(doc)
            if data:
                return data
            break
    doc = issue_document(kind, hearing.municipality, context["title"], template, context, obj=hearing,
                         lang=lang)
    db.session.commit()
    return read_bytes(doc)


def notice_fingerprint(hearing, lang, context):
    """SHA-256 of everything the notice prints (and its language): the same notice is one
    registry entry, whatever else (registrations, check-ins) changes on the hearing."""
    fields = [lang, hearing.municipality.name, str(context.get("subject", "")), hearing.title,
              hearing.starts_at.isoformat() if hearing.starts_at else "",
              hearing.ends_at.isoformat() if hearing.ends_at else "", hearing.venue_address,
              hearing.village.name if hearing.village else "", hearing.online_url, hearing.organiser,
              hearing.basis_act_no, hearing.basis_act_date.isoformat() if hearing.basis_act_date else "",
              hearing.summary, hearing.contact,
              hearing.proposal_deadline.isoformat() if hearing.proposal_deadline else "",
              context.get("page_url", ""), context.get("footer_note", ""),
              [(i.position, i.title, i.rapporteur) for i in hearing.agenda]]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, default=str).encode()).hexdigest()


def issued_notice(hearing, template, context, lang):
    """The notice through the registry, keyed on its content: issued once per language and
    content; a changed notice supersedes the previous copy in that language."""
    try:
        from ..documents.services import documents_for, issue_document, read_bytes
    except ImportError:  # registry not installed: a plain PDF
        return render_pdf(template, **context)
    from ..core.audit import AuditEvent

    fingerprint = notice_fingerprint(hearing, lang, context)
    current = [d for d in documents_for(hearing, NOTICE_KIND) if d.lang == lang and d.superseded_by_id is None]
    if current:
        events = db.session.execute(select(AuditEvent).where(
            AuditEvent.action == "hearing.notice.issue", AuditEvent.object_type == "Hearing",
            AuditEvent.object_id == str(hearing.id)).order_by(AuditEvent.id.desc())).scalars().all()
        issued_for = {(e.details or {}).get("document"): (e.details or {}).get("fingerprint") for e in events}
        for doc in current:
            if issued_for.get(doc.id) == fingerprint:
                data = read_bytes(doc)
                if data:
                    return data
    previous = current[0] if current else None
    doc = issue_document(NOTICE_KIND, hearing.municipality, context["title"], template, context, obj=hearing,
                         lang=lang, supersedes=previous)
    for older in current[1:]:  # copies issued before keying on content
        older.superseded_by_id = doc.id
    services.audit.record("hearing.notice.issue", hearing, document=doc.id, fingerprint=fingerprint,
                          lang=lang, supersedes=getattr(previous, "id", None))
    db.session.commit()
    return read_bytes(doc)


def notice_pdf(hearing, lang=None, official=True):
    lang = _lang(lang, hearing)
    with force_locale(lang):
        page_url = absolute_url("meetings.show", slug=hearing.municipality.slug, hearing_id=hearing.id)
        context = dict(hearing=hearing, lang=lang, page_label=PAGE_LABEL[lang], page_url=page_url,
                       qr=qr_svg(page_url, scale=4), subject=subject_of(hearing),
                       title=_("Notice of a public hearing"), footer_note=hearing.municipality.name)
        if official and hearing.is_public:
            return issued_notice(hearing, "meetings/pdf/notice.html", context, lang)
        return render_pdf("meetings/pdf/notice.html", **context)


def ticket_pdf(reg, checkin_url, lang=None):
    hearing = reg.hearing
    lang = _lang(lang, hearing)
    with force_locale(lang):
        return render_pdf("meetings/pdf/ticket.html", reg=reg, hearing=hearing, lang=lang,
                          page_label=PAGE_LABEL[lang], qr=qr_svg(checkin_url, scale=6),
                          title=_("Ticket"), footer_note=hearing.municipality.name)


def shorten(text, limit):
    """`text` cut at a word boundary to at most `limit` characters, with "…" when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut and text[limit - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def mask_phone(phone):
    if not phone:
        return ""
    if len(phone) < 8:
        return "•" * len(phone)
    return phone[:7] + "•" * (len(phone) - 9) + phone[-2:]


def attendance_rows(hearing, form):
    """'sheet': everyone holding a seat (pre-registered); 'list': everyone checked in."""
    regs = [r for r in hearing.registrations if r.status == "registered"]
    if form == "list":
        regs = [r for r in regs if r.checked_in_at]
        regs.sort(key=lambda r: (r.checked_in_at, r.position))
    return regs


def attendance_pdf(hearing, form="list", lang=None, public=True, blank_rows=None, official=False):
    """The attendance list (form='list') or the blank sign-in sheet (form='sheet'). Never a PIN.

    `official=True` (a held hearing's public list) registers the copy as an issued document."""
    lang = _lang(lang, hearing)
    regs = attendance_rows(hearing, form)
    if blank_rows is None:
        blank_rows = 0 if form == "list" else max(10, min(60, (hearing.capacity or 0) - len(regs)))
    rows = [{
        "name": r.full_name, "village": r.village,
        "phone": mask_phone(r.phone) if public else r.phone,
        "category": r.category, "gender": r.gender, "youth": r.age_group == "youth",
        "consent": r.consent,
    } for r in regs] + [None] * blank_rows
    keep = min(3, len(rows))
    with force_locale(lang):
        context = dict(hearing=hearing, lang=lang, form=form, head_rows=rows[:len(rows) - keep],
                       tail_rows=rows[len(rows) - keep:], start_tail=len(rows) - keep,
                       totals=services.totals(regs), subject=subject_of(hearing),
                       page_label=PAGE_LABEL[lang], title=_("Attendance list"),
                       footer_note=hearing.municipality.name + " · " + shorten(hearing.title, 80))
        if official and public and form == "list":
            return issued_pdf(ATTENDANCE_KIND, hearing, "meetings/pdf/attendance.html", context, lang)
        return render_pdf("meetings/pdf/attendance.html", **context)


def register_rows(hearing):
    header = [_("No."), _("Code"), _("Channel"), _("Status"), _("Full name"), _("Village, street, house"),
              _("Phone"), _("E-mail"), _("Category"), _("Gender"), _("Age group"), _("Consent"),
              _("Registered at"), _("Checked in at"), _("Checked in by"), _("Merged into")]
    from .forms import CATEGORY_CHOICES, CHANNEL_LABELS, REG_STATUS_LABELS
    cats = dict(CATEGORY_CHOICES)
    rows = []
    for r in hearing.registrations:
        rows.append([r.position, services.format_code(r.code), str(CHANNEL_LABELS.get(r.channel, r.channel)),
                     str(REG_STATUS_LABELS.get(r.status, r.status)), r.full_name, r.village, r.phone,
                     r.email, str(cats.get(r.category or "", "")) if r.category else "",
                     {"female": _("Female"), "male": _("Male")}.get(r.gender or "", ""),
                     {"youth": _("Under 28"), "adult": _("28 or older")}.get(r.age_group or "", ""),
                     _("yes") if r.consent else _("no"), format_local(r.created_at),
                     format_local(r.checked_in_at),
                     r.checked_in_by.full_name if r.checked_in_by else "",
                     services.format_code(r.merged_into.code) if r.merged_into else ""])
    return header, rows


def xlsx(header, rows):
    """The register as .xlsx; every cell through core.exports.safe_cell (no formulas, no
    control characters)."""
    from ..core.exports import xlsx_bytes

    return xlsx_bytes(header, rows, title="register")
