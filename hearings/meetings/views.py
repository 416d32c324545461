"""Public hearings: public pages, registration and tickets, the door, the register, proceedings."""
import re
from datetime import timezone

from flask import (Blueprint, Response, abort, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from markupsafe import Markup, escape
from flask_login import current_user
from sqlalchemy import and_, func, select

from ..accounts.forms import normalize_phone
from ..accounts.models import Membership, User
from ..core.access import abort_with, can, owned_or_404, require_login, require_role
from ..core.documents import absolute_url, pdf_response, qr_svg
from ..core.exports import csv_text, xlsx_bytes
from ..core.i18n import BISHKEK, format_local, to_local
from ..core.models import utcnow
from ..core.registry import (HomeItem, Link, counts_by_municipality, home_section, municipality_link,
                             overview_counter)
from ..extensions import db, limiter, per_person
from ..territory.views import get_municipality
from . import documents, services
from .forms import (CATEGORY_CHOICES, CHANNEL_LABELS, KIND_CHOICES, REG_STATUS_LABELS, STATUS_LABELS,
                    AnnounceForm, CapacityForm, CheckInForm, DecisionForm, HearingForm,
                    OnlineProposalForm, ProposalForm, QuestionForm, QuickRegisterForm, RegisterForm,
                    ReportForm, SpeechForm, StatusForm, VoteForm, WalkInForm, new_key)
from .models import AgendaItem, Hearing, Proposal, Registration
from .services import HearingError, format_code

bp = Blueprint("meetings", __name__, url_prefix="/m/<slug>/hearings")

MANAGE = ("staff", "chair")
DOOR = ("staff", "secretary", "chair")
ROW_FORMS = {"question": QuestionForm, "speech": SpeechForm, "proposal": ProposalForm,
             "vote": VoteForm, "decision": DecisionForm}


@bp.app_context_processor
def meeting_helpers():
    return {"kind_label": kind_label, "status_label": lambda s: STATUS_LABELS.get(s, s),
            "channel_label": lambda c: CHANNEL_LABELS.get(c, c),
            "reg_status_label": lambda s: REG_STATUS_LABELS.get(s, s),
            "category_label": category_label, "format_code": format_code}


LONG_RUN = re.compile(r"\S{19,}")


@bp.app_template_filter("breakable")
def breakable(text, every=12):
    """Escaped text with line-break opportunities (<wbr>) inside long unbroken runs (e-mails,
    addresses typed without spaces) so table cells wrap instead of widening the table."""
    def split(match):
        run = match.group(0)
        parts, chunk = [], ""
        for ch in run:
            chunk += ch
            if ch in ",./_-@;:" or len(chunk) >= every:
                parts.append(chunk)
                chunk = ""
        if chunk:
            parts.append(chunk)
        return "\x00".join(parts)

    escaped = str(escape(LONG_RUN.sub(split, str(text or ""))))
    return Markup(escaped.replace("\x00", "<wbr>"))


def kind_label(kind):
    return dict(KIND_CHOICES).get(kind, kind)


def category_label(cat):
    return dict(CATEGORY_CHOICES).get(cat or "", "") if cat else ""


# --- loading and access ------------------------------------------------------------------------

def load(slug, hearing_id, *roles):
    """The hearing of this municipality; staff-only (roles) or public once published."""
    municipality = get_municipality(slug)
    hearing = owned_or_404(Hearing, hearing_id, municipality_id=municipality.id)
    if roles:
        require_role(municipality, *roles)
    elif not hearing.is_public and not can(municipality, *DOOR):
        abort(404)
    return municipality, hearing


def is_locked(hearing):
    """The hearing was cancelled, or its protocol is submitted or signed: its register and
    record are read-only."""
    if hearing.status == "cancelled":
        return True
    try:
        from ..protocols.services import hearing_is_locked
    except ImportError:
        return False
    return hearing_is_locked(hearing)


def locked_text(hearing):
    if hearing.status == "cancelled":
        return _("This hearing was cancelled: its register and record can no longer change.")
    try:
        from ..protocols.services import locked_message
    except ImportError:
        return ""
    return locked_message()


def typed_values(form):
    """(label, text) of what was posted with a refused form, so nothing typed is lost."""
    out = []
    for name, fld in form._fields.items():
        if name in ("client_key", "csrf_token") or fld.type in ("HiddenField", "CSRFTokenField"):
            continue
        value = fld.data
        if isinstance(value, str) and value.strip():
            out.append((fld.label.text, value))
    return out


def wants_json():
    return request.headers.get("X-Requested-With") == "fetch" or request.accept_mimetypes.best == "application/json"


def to_utc(naive_local):
    if naive_local is None:
        return None
    return naive_local.replace(tzinfo=BISHKEK).astimezone(timezone.utc)


def from_utc(value):
    return to_local(value).replace(tzinfo=None) if value else None


# --- registry hooks ----------------------------------------------------------------------------

@home_section
def upcoming_on_home(municipality):
    rows = db.session.execute(select(Hearing).where(
        Hearing.municipality_id == municipality.id, Hearing.status == "announced",
        Hearing.starts_at > utcnow()).order_by(Hearing.starts_at)).scalars().all()
    return [HomeItem(_("Public hearing"), h.title,
                     url_for("meetings.show", slug=municipality.slug, hearing_id=h.id),
                     _("on %(date)s", date=to_local(h.starts_at).strftime("%d.%m.%Y %H:%M")))
            for h in rows]


@overview_counter
def upcoming_counts(ids):
    return counts_by_municipality(
        Hearing, and_(Hearing.status == "announced", Hearing.starts_at > utcnow()), ids)


@municipality_link
def hearing_links(municipality, is_staff):
    links = [Link(_("Public hearings"), url_for("meetings.index", slug=municipality.slug))]
    if is_staff and can(municipality, *MANAGE):
        links.append(Link(_("New hearing"), url_for("meetings.create", slug=municipality.slug)))
    return links


# --- public pages -------------------------------------------------------------------------------

@bp.route("/")
def index(slug):
    municipality = get_municipality(slug)
    staff = can(municipality, *DOOR)
    query = select(Hearing).where(Hearing.municipality_id == municipality.id)
    if not staff:
        query = query.where(Hearing.published_at.is_not(None), Hearing.status != "draft")
    hearings = db.session.execute(query.order_by(Hearing.starts_at.desc())).scalars().all()
    now = utcnow()
    upcoming = [h for h in hearings if h.starts_at > now and h.status in ("draft", "announced")]
    past = [h for h in hearings if h not in upcoming]
    return render_template("meetings/index.html", municipality=municipality, upcoming=upcoming[::-1],
                           past=past, staff=staff, can_manage=can(municipality, *MANAGE))


@bp.route("/<int:hearing_id>")
def show(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id)
    return render_show(municipality, hearing)


def agenda_choices(hearing):
    return [(0, "—")] + [(i.id, f"{i.position}. {i.title}") for i in hearing.agenda]


def render_show(municipality, hearing, proposal_form=None, status=200):
    """The hearing page; `proposal_form` (a proposal that was refused) keeps what was typed."""
    my_reg = None
    if current_user.is_authenticated:
        my_reg = db.session.scalar(select(Registration).where(
            Registration.hearing_id == hearing.id, Registration.user_id == current_user.id,
            Registration.status.in_(("registered", "waitlisted"))))
    if proposal_form is None and hearing.proposals_open and current_user.is_authenticated:
        proposal_form = OnlineProposalForm()
        proposal_form.agenda_item_id.choices = agenda_choices(hearing)
    online_proposals = [p for p in hearing.proposals if p.source == "online"]
    page_url = absolute_url("meetings.show", slug=municipality.slug, hearing_id=hearing.id)
    draft = visible_draft(municipality, hearing)
    return render_template("meetings/show.html", municipality=municipality, hearing=hearing,
                           my_reg=my_reg, quick=QuickRegisterForm(), proposal_form=proposal_form,
                           online_proposals=online_proposals, page_url=page_url, now=utcnow(),
                           draft=draft, staff=can(municipality, *DOOR),
                           can_manage=can(municipality, *MANAGE)), status


def visible_draft(municipality, hearing):
    """The linked draft when this visitor may see it (staff always; others once published)."""
    draft = hearing.draft
    if draft is None:
        return None
    if can(municipality):  # staff of the municipality, as on the draft's own pages
        return draft
    return draft if getattr(draft, "is_public", False) else None


@bp.route("/<int:hearing_id>/calendar.ics")
def ical(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id)
    data = documents.ical(hearing, absolute_url("meetings.show", slug=slug, hearing_id=hearing.id))
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="hearing-{hearing.id}.ics"'})


@bp.route("/<int:hearing_id>/notice.pdf")
def notice_pdf(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id)
    lang = request.args.get("lang") if request.args.get("lang") in ("ky", "ru", "en") else None
    data = documents.notice_pdf(hearing, lang=lang)
    return pdf_response(data, f"notice-{hearing.id}.pdf")


@bp.route("/<int:hearing_id>/register", methods=["GET", "POST"])
@limiter.limit("60/hour", methods=["POST"], key_func=per_person)  # a village may share one address
def register(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id)
    if current_user.is_authenticated:
        form = QuickRegisterForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                abort_with(400, _("The form has expired; reload the page."))
            try:
                reg = services.register(hearing, full_name=current_user.full_name, channel="online",
                                        village=current_user.village.name if current_user.village else "",
                                        phone=current_user.phone or "", email=current_user.email,
                                        user=current_user, consent=True, client_key=form.client_key.data)
            except HearingError as error:
                abort_with(error.status, str(error))
            flash_registered(reg)
            return redirect(url_for("meetings.ticket", slug=slug, token=reg.token))
        return redirect(url_for("meetings.show", slug=slug, hearing_id=hearing.id))
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            reg = services.register(hearing, full_name=form.full_name.data, channel="online",
                                    village=form.village.data, phone=normalize_phone(form.phone.data),
                                    email=form.email.data or "", gender=form.gender.data,
                                    age_group=form.age_group.data, category=form.category.data,
                                    consent=form.consent.data, client_key=form.client_key.data)
        except HearingError as error:
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:  # shown beside the field, the form as typed
                field.errors = list(field.errors or []) + [str(error)]
            elif error.status != 400:
                abort_with(error.status, str(error))
            else:
                flash(str(error), "error")
            status = error.status
        else:
            flash_registered(reg)
            return redirect(url_for("meetings.ticket", slug=slug, token=reg.token))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/register.html", municipality=municipality, hearing=hearing,
                           form=form), status


def flash_registered(reg):
    if reg.status == "waitlisted":
        flash(_("All seats are taken: you are on the waiting list (number %(n)d).",
                n=waiting_number(reg)), "warning")
    else:
        flash(_("You are registered. Show this code at the door."), "success")


def waiting_number(reg):
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.hearing_id == reg.hearing_id, Registration.status == "waitlisted",
        Registration.position <= reg.position)) or 0


def load_ticket(slug, token):
    municipality = get_municipality(slug)
    reg = db.session.scalar(select(Registration).filter_by(token=token))
    if reg is None or reg.hearing.municipality_id != municipality.id:
        abort(404)
    return municipality, reg


@bp.route("/ticket/<token>")
def ticket(slug, token, cancel_error=None):
    municipality, reg = load_ticket(slug, token)
    checkin_url = absolute_url("meetings.door", slug=slug, hearing_id=reg.hearing_id, code=reg.code)
    return render_template("meetings/ticket.html", municipality=municipality, reg=reg,
                           hearing=reg.hearing, qr=qr_svg(checkin_url, scale=6), cancel_error=cancel_error,
                           waiting=waiting_number(reg) if reg.status == "waitlisted" else None), \
        (400 if cancel_error else 200)


@bp.route("/ticket/<token>.pdf")
def ticket_pdf(slug, token):
    municipality, reg = load_ticket(slug, token)
    checkin_url = absolute_url("meetings.door", slug=slug, hearing_id=reg.hearing_id, code=reg.code)
    return pdf_response(documents.ticket_pdf(reg, checkin_url), f"ticket-{reg.code}.pdf")


@bp.route("/ticket/<token>/cancel", methods=["POST"])
def cancel_ticket(slug, token):
    municipality, reg = load_ticket(slug, token)
    if request.form.get("confirm") != "y":  # one mistaken tap must not give the seat away
        return ticket(slug, token, cancel_error=_("Tick the box to confirm that you will not come."))
    try:
        services.cancel(reg)
    except HearingError as error:
        abort_with(error.status, str(error))
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("meetings.show", slug=slug, hearing_id=reg.hearing_id))


@bp.route("/<int:hearing_id>/proposals", methods=["POST"])
@limiter.limit("20/hour", key_func=per_person)
def propose(slug, hearing_id):
    require_login()
    municipality, hearing = load(slug, hearing_id)
    form = OnlineProposalForm()
    form.agenda_item_id.choices = agenda_choices(hearing)
    if not form.validate_on_submit():
        flash(_("Please correct the marked fields."), "error")
        return render_show(municipality, hearing, proposal_form=form, status=400)
    item = next((i for i in hearing.agenda if i.id == form.agenda_item_id.data), None)
    try:
        services.submit_online_proposal(hearing, current_user, form.content.data.strip(),
                                        form.budget_line.data, form.amount.data, item=item,
                                        client_key=form.client_key.data or new_key())
    except HearingError as error:
        db.session.rollback()
        if error.status == 409 and hearing.proposals_open:
            form.client_key.data = new_key()  # a fresh key: sending again makes a new proposal
        flash(str(error), "error")
        return render_show(municipality, hearing, proposal_form=form, status=error.status)
    flash(_("Thank you: your proposal is received and will be considered at the hearing."), "success")
    return redirect(url_for("meetings.show", slug=slug, hearing_id=hearing.id))


# --- staff: create, edit, announce ----------------------------------------------------------

def prepare_hearing_form(form, municipality):
    form.village_id.choices = [(0, "—")] + [(v.id, v.name) for v in municipality.villages]
    people = db.session.execute(select(User).join(Membership).where(
        Membership.municipality_id == municipality.id).distinct().order_by(User.full_name)).scalars().all()
    form.chair_id.choices = [(0, "—")] + [(u.id, u.full_name) for u in people
                                          if "chair" in u.roles_in(municipality.id)]
    form.secretary_id.choices = [(0, "—")] + [(u.id, u.full_name) for u in people
                                              if "secretary" in u.roles_in(municipality.id)]
    form.draft_id.choices = [(0, "—")] + [(d.id, f"{d.kind_label}: {d.title}") for d in drafts_of(municipality)]


def drafts_of(municipality):
    from ..drafts.models import Draft

    return db.session.execute(select(Draft).where(Draft.municipality_id == municipality.id)
                              .order_by(Draft.id.desc())).scalars().all()


# list numbering typed before an agenda line: "1. ", "2) ", "3 - ", "4 – " (not "2028-жылга")
AGENDA_NUMBER = re.compile(r"^\d{1,3}\s*(?:[.)]|\s[-–—])\s+")


def parse_agenda(text):
    """One agenda item per line, `title | rapporteur`; anything but text means no items."""
    items = []
    if not isinstance(text, str):
        return items
    for line in text.splitlines():
        line = AGENDA_NUMBER.sub("", line.strip(), count=1).strip()
        if not line:
            continue
        title, _sep, rapporteur = line.partition("|")
        items.append((title.strip()[:500], rapporteur.strip()[:200]))
    return items


def apply_hearing_form(form, hearing, municipality):
    hearing.kind = form.kind.data
    hearing.title = form.title.data.strip()
    hearing.summary = (form.summary.data or "").strip()
    hearing.starts_at = to_utc(form.starts_at.data)
    hearing.ends_at = to_utc(form.ends_at.data)
    hearing.venue_address = form.venue_address.data.strip()
    valid_villages = {v.id for v in municipality.villages}
    hearing.village_id = form.village_id.data if form.village_id.data in valid_villages else None
    hearing.online_url = form.online_url.data or ""
    hearing.organiser = form.organiser.data.strip()
    hearing.contact = form.contact.data or ""
    hearing.basis_act_no = form.basis_act_no.data or ""
    hearing.basis_act_date = form.basis_act_date.data
    chairs = {c[0] for c in form.chair_id.choices if c[0]}
    secretaries = {c[0] for c in form.secretary_id.choices if c[0]}
    hearing.chair_id = form.chair_id.data if form.chair_id.data in chairs else None
    hearing.chair_name = form.chair_name.data or ""
    hearing.chair_position = form.chair_position.data or ""
    hearing.secretary_id = form.secretary_id.data if form.secretary_id.data in secretaries else None
    hearing.secretary_name = form.secretary_name.data or ""
    hearing.secretary_position = form.secretary_position.data or ""
    hearing.invited = form.invited.data or ""
    hearing.proposal_deadline = to_utc(form.proposal_deadline.data)
    drafts = {d.id: d for d in drafts_of(municipality)}
    draft = drafts.get(form.draft_id.data)
    hearing.draft_id = draft.id if draft else None
    hearing.draft_kind = draft.kind if draft else None
    if not isinstance(form.agenda.data, str):  # field not posted: keep the agenda as it is
        return
    items = parse_agenda(form.agenda.data)
    existing = list(hearing.agenda)
    for i, (title, rapporteur) in enumerate(items, start=1):
        if i <= len(existing):
            existing[i - 1].title = title
            existing[i - 1].rapporteur = rapporteur or existing[i - 1].rapporteur
        else:
            hearing.agenda.append(AgendaItem(position=i, title=title, rapporteur=rapporteur,
                                             draft_kind=hearing.draft_kind, draft_id=hearing.draft_id))
    for extra in existing[len(items):]:
        if extra.questions or extra.speeches or extra.votes or extra.decisions or extra.proposals:
            continue  # never lose recorded proceedings
        hearing.agenda.remove(extra)


@bp.route("/new", methods=["GET", "POST"])
def create(slug):
    municipality = get_municipality(slug)
    require_role(municipality, *MANAGE)
    form = HearingForm()
    prepare_hearing_form(form, municipality)
    if request.method == "GET":
        form.organiser.data = _("%(name)s aiyl okmotu", name=municipality.name)
        form.venue_address.data = municipality.address
    if form.validate_on_submit():
        hearing = Hearing(municipality_id=municipality.id, municipality=municipality, status="draft")
        apply_hearing_form(form, hearing, municipality)
        hearing.capacity = form.capacity.data
        db.session.add(hearing)
        db.session.flush()
        services.audit.record("hearing.create", hearing)
        db.session.commit()
        flash(_("The hearing is saved. Check it and announce it."), "success")
        return redirect(url_for("meetings.show", slug=slug, hearing_id=hearing.id))
    return render_template("meetings/edit.html", municipality=municipality, form=form, hearing=None,
                           rule_days=municipality.notice_days), 400 if request.method == "POST" else 200


@bp.route("/<int:hearing_id>/edit", methods=["GET", "POST"])
def edit(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id, *MANAGE)
    if hearing.status in ("held", "cancelled"):
        abort_with(409, _("A held or cancelled hearing cannot be changed."))
    form = HearingForm(obj=hearing if request.method == "GET" else None)  # a POST stands on its own
    prepare_hearing_form(form, municipality)
    if request.method == "GET":
        form.starts_at.data = from_utc(hearing.starts_at)
        form.ends_at.data = from_utc(hearing.ends_at)
        form.proposal_deadline.data = from_utc(hearing.proposal_deadline)
        form.village_id.data = hearing.village_id or 0
        form.chair_id.data = hearing.chair_id or 0
        form.secretary_id.data = hearing.secretary_id or 0
        form.draft_id.data = hearing.draft_id or 0
        form.agenda.data = "\n".join(f"{i.title} | {i.rapporteur}" if i.rapporteur else i.title
                                     for i in hearing.agenda)
    if form.validate_on_submit():
        apply_hearing_form(form, hearing, municipality)
        hearing.updated_at = utcnow()
        if form.capacity.data != hearing.capacity:
            services.audit.record("hearing.edit", hearing)
            try:
                services.set_capacity(hearing, form.capacity.data)
            except HearingError as error:
                db.session.rollback()
                form.capacity.errors.append(str(error))
                return render_template("meetings/edit.html", municipality=municipality, form=form,
                                       hearing=hearing, rule_days=municipality.notice_days), 409
        else:
            services.audit.record("hearing.edit", hearing)
            db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("meetings.show", slug=slug, hearing_id=hearing.id))
    return render_template("meetings/edit.html", municipality=municipality, form=form, hearing=hearing,
                           rule_days=municipality.notice_days), 400 if request.method == "POST" else 200


@bp.route("/<int:hearing_id>/announce", methods=["GET", "POST"])
def announce(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id, *MANAGE)
    form = AnnounceForm()
    ok, message = services.notice_check(hearing)
    status = 200
    if form.validate_on_submit():
        try:
            services.announce(hearing, form.override_reason.data, form.notice_where.data)
        except HearingError as error:
            db.session.rollback()
            if error.field == "override_reason":
                form.override_reason.errors.append(str(error))
            else:
                flash(str(error), "error")
            status = error.status
        else:
            flash(_("The hearing is announced and public."), "success")
            return redirect(url_for("meetings.show", slug=slug, hearing_id=hearing.id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/announce.html", municipality=municipality, hearing=hearing,
                           form=form, ok=ok, message=message), status


@bp.route("/<int:hearing_id>/status/<status>", methods=["POST"])
def change_status(slug, hearing_id, status):
    """'Mark as held' / 'Cancel the hearing'. The button on the hearing page opens a confirmation
    page (no JavaScript needed); only its form (step=confirm, the box ticked, for cancelling a
    reason) changes the status."""
    municipality, hearing = load(slug, hearing_id, *MANAGE)
    if not services.status_change_allowed(hearing, status):
        abort_with(409, _("This change of status is not possible."))
    form = StatusForm()
    code = 200
    not_yet = status == "held" and hearing.starts_at > utcnow()
    if not_yet:
        flash(_("The hearing has not started yet: it can be marked as held from %(date)s.",
                date=format_local(hearing.starts_at)), "error")
        code = 409
    elif request.form.get("step") == "confirm":
        if form.validate_on_submit() and (status != "cancelled" or (form.reason.data or "").strip()):
            try:
                sent = services.set_status(hearing, status, reason=form.reason.data or "")
            except HearingError as error:
                db.session.rollback()
                if error.field == "reason":
                    form.reason.errors = [str(error)]
                else:
                    flash(str(error), "error")
                code = error.status
            else:
                if status == "cancelled":
                    flash(_("The hearing is cancelled; %(n)d registered people were told by e-mail.", n=sent),
                          "success")
                else:
                    flash(_("The hearing is marked as held."), "success")
                return redirect(url_for("meetings.show", slug=slug, hearing_id=hearing.id))
        else:
            if status == "cancelled" and not (form.reason.data or "").strip():
                form.reason.errors = list(form.reason.errors) + [_("Give the reason for cancelling the hearing.")]
            code = 400
    else:  # the first click: ask to confirm, nothing typed yet
        form = StatusForm(formdata=None)
    emails = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.hearing_id == hearing.id, Registration.status.in_(("registered", "waitlisted")),
        Registration.email != "")) or 0
    return render_template("meetings/status.html", municipality=municipality, hearing=hearing,
                           form=form, status=status, emails=emails, not_yet=not_yet), code


# --- staff: the register, the door ---------------------------------------------------------------

@bp.route("/<int:hearing_id>/register/manage")
def manage(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    return render_manage(municipality, hearing, CapacityForm(capacity=hearing.capacity))


def render_manage(municipality, hearing, cap_form, status=200):
    regs = hearing.registrations
    groups = services.duplicate_groups(hearing)
    present = [r for r in regs if r.checked_in_at and r.status == "registered"]
    return render_template("meetings/manage.html", municipality=municipality, hearing=hearing,
                           regs=regs, groups=groups, present=present, totals=services.totals(present),
                           cap_form=cap_form, can_manage=can(municipality, *MANAGE),
                           locked=is_locked(hearing), locked_message=locked_text(hearing)), status


def refuse_if_locked(municipality, hearing):
    """A write to a locked hearing: the read-only register page with the reason, 403."""
    if is_locked(hearing):
        flash(locked_text(hearing), "error")
        return render_manage(municipality, hearing, CapacityForm(capacity=hearing.capacity), 403)
    return None


@bp.route("/<int:hearing_id>/capacity", methods=["POST"])
def capacity(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id, *MANAGE)
    refused = refuse_if_locked(municipality, hearing)
    if refused:
        return refused
    form = CapacityForm()
    if not form.validate_on_submit():
        if not form.capacity.errors:
            form.capacity.errors = [_("The form has expired; reload the page.")]
        flash(_("Please correct the marked fields."), "error")
        return render_manage(municipality, hearing, form, 400)
    try:
        promoted = services.set_capacity(hearing, form.capacity.data)
    except HearingError as error:
        db.session.rollback()
        form.capacity.errors = [str(error)]
        return render_manage(municipality, hearing, form, error.status)
    flash(_("Capacity saved; %(n)d moved up from the waiting list.", n=len(promoted)), "success")
    return redirect(url_for("meetings.manage", slug=slug, hearing_id=hearing.id))


def load_reg(hearing, reg_id):
    reg = owned_or_404(Registration, reg_id, hearing_id=hearing.id)
    return reg


@bp.route("/<int:hearing_id>/registrations/<int:reg_id>/cancel", methods=["POST"])
def staff_cancel(slug, hearing_id, reg_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    reg = load_reg(hearing, reg_id)
    if reg.is_active and not reg.checked_in:  # otherwise services.cancel explains (409)
        refused = refuse_if_locked(municipality, hearing)
        if refused:
            return refused
    try:
        services.cancel(reg, actor=current_user)
    except HearingError as error:
        abort_with(error.status, str(error))
    flash(_("The registration is cancelled."), "success")
    return redirect(url_for("meetings.manage", slug=slug, hearing_id=hearing.id))


@bp.route("/<int:hearing_id>/registrations/<int:reg_id>/merge", methods=["POST"])
def merge(slug, hearing_id, reg_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    keep = load_reg(hearing, reg_id)
    try:
        other = load_reg(hearing, int(request.form.get("other", "0")))
    except ValueError:
        abort(404)
    if keep.id != other.id and keep.is_active and other.is_active:  # otherwise services.merge explains
        refused = refuse_if_locked(municipality, hearing)
        if refused:
            return refused
    try:
        services.merge(keep, other, actor=current_user)
    except HearingError as error:
        abort_with(error.status, str(error))
    flash(_("Merged: %(name)s is one participant now.", name=keep.full_name), "success")
    return redirect(url_for("meetings.manage", slug=slug, hearing_id=hearing.id))


@bp.route("/<int:hearing_id>/registrations/<int:reg_id>/distinct", methods=["POST"])
def not_duplicate(slug, hearing_id, reg_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    refused = refuse_if_locked(municipality, hearing)
    if refused:
        return refused
    services.mark_not_duplicate(load_reg(hearing, reg_id))
    flash(_("Marked as a different person."), "success")
    return redirect(url_for("meetings.manage", slug=slug, hearing_id=hearing.id))


@bp.route("/<int:hearing_id>/registrations/<int:reg_id>/undo", methods=["POST"])
def undo_check_in(slug, hearing_id, reg_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    reg = load_reg(hearing, reg_id)
    if is_locked(hearing):
        flash(locked_text(hearing), "error")
        return render_door(municipality, hearing, CheckInForm(prefix="c"), WalkInForm(prefix="w"), status=403)
    services.undo_check_in(reg)
    flash(_("Check-in undone."), "success")
    return redirect(url_for("meetings.door", slug=slug, hearing_id=hearing.id))


@bp.route("/<int:hearing_id>/door", methods=["GET", "POST"])
def door(slug, hearing_id):
    """The secretary's phone page: check in by code (typed or from a scanned QR), walk-ins."""
    municipality, hearing = load(slug, hearing_id, *DOOR)
    form = CheckInForm(prefix="c")
    walk = WalkInForm(prefix="w")
    status = 200
    result = None
    walk_error = None
    duplicates = []
    locked = is_locked(hearing)
    if request.method == "GET" and request.args.get("code"):
        form.code.data = format_code(services.parse_code(request.args["code"]))
        result = db.session.scalar(select(Registration).filter_by(
            hearing_id=hearing.id, code=services.parse_code(request.args["code"])))
        if result is None:
            form.code.errors = [_("No registration with this code for this hearing.")]
            status = 404
        elif result.status == "merged" and result.merged_into is not None:
            result = result.merged_into
    if request.method == "POST" and request.form.get("action") == "checkin":
        if form.validate_on_submit() and locked:
            flash(locked_text(hearing), "error")
            status = 403
        elif form.validate_on_submit():
            try:
                reg, already = services.check_in(hearing, form.code.data, current_user)
            except HearingError as error:
                form.code.errors.append(str(error))
                status = error.status
            else:
                if already:
                    flash(already_message(reg), "warning")
                else:
                    flash(_("Checked in: %(name)s.", name=reg.full_name), "success")
                return redirect(url_for("meetings.door", slug=slug, hearing_id=hearing.id))
        else:
            status = 400
    if request.method == "POST" and request.form.get("action") == "walkin":
        if walk.validate_on_submit() and locked:
            flash(locked_text(hearing), "error")
            walk_error = locked_text(hearing)
            status = 403
        elif walk.validate_on_submit():
            phone = normalize_phone(walk.phone.data) if walk.phone.data else ""
            if not walk.different_person.data:
                duplicates = services.find_same_person(hearing, full_name=walk.full_name.data,
                                                       phone=phone, pin=walk.pin.data or None)
            if duplicates:
                walk_error = _("This person may already be registered (same PIN, or same phone and name). Check in the existing registration below, or confirm that this is a different person.")
                status = 409
            else:
                try:
                    reg = services.register(
                        hearing, full_name=walk.full_name.data, channel=walk.channel.data,
                        village=walk.village.data, phone=phone,
                        pin=walk.pin.data or None, gender=walk.gender.data, age_group=walk.age_group.data,
                        category=walk.category.data, consent=walk.consent.data,
                        client_key=walk.client_key.data, actor=current_user,
                        check_in=walk.present.data, allow_closed=True)
                except HearingError as error:
                    db.session.rollback()
                    walk_error = str(error)
                    status = error.status
                else:
                    if reg.checked_in_at:
                        flash(_("Registered and checked in: %(name)s (code %(code)s).", name=reg.full_name,
                                code=format_code(reg.code)), "success")
                    else:
                        flash(_("Registered: %(name)s (code %(code)s).", name=reg.full_name,
                                code=format_code(reg.code)), "success")
                    return redirect(url_for("meetings.door", slug=slug, hearing_id=hearing.id))
        else:
            walk_error = _("Please correct the marked fields.")
            status = 400
    return render_door(municipality, hearing, form, walk, result=result, walk_error=walk_error,
                       duplicates=duplicates, status=status)


def already_message(reg):
    return _("%(name)s was already checked in at %(time)s.", name=reg.full_name,
             time=to_local(reg.checked_in_at).strftime("%H:%M"))


def render_door(municipality, hearing, form, walk, result=None, walk_error=None, duplicates=(), status=200):
    recent = db.session.execute(select(Registration).where(
        Registration.hearing_id == hearing.id, Registration.checked_in_at.is_not(None),
        Registration.status == "registered")
        .order_by(Registration.checked_in_at.desc())).scalars().all()
    dup_count = len(services.duplicate_groups(hearing))
    if status == 200:  # fresh nonce after a successful walk-in
        walk.client_key.data = new_key()
    return render_template("meetings/door.html", municipality=municipality, hearing=hearing,
                           form=form, walk=walk, result=result, recent=recent,
                           present=len(recent), totals=services.totals(recent),
                           dup_count=dup_count, walk_error=walk_error, duplicates=duplicates,
                           already=already_message(result) if result is not None and result.checked_in_at else None,
                           locked=is_locked(hearing), locked_message=locked_text(hearing)), status


@bp.route("/<int:hearing_id>/attendance.pdf")
def attendance_pdf(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    form = request.args.get("form", "list")
    if form not in ("sheet", "list"):
        abort_with(400, _("Not a valid choice."))
    lang = request.args.get("lang") if request.args.get("lang") in ("ky", "ru", "en") else None
    public = request.args.get("copy", "public") != "internal"
    data = documents.attendance_pdf(hearing, form=form, lang=lang, public=public,
                                    official=hearing.status == "held")
    return pdf_response(data, f"attendance-{form}-{hearing.id}.pdf")


@bp.route("/<int:hearing_id>/register.<fmt>")
def export(slug, hearing_id, fmt):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = documents.register_rows(hearing)
    services.audit.record("hearing.export", hearing, format=fmt)
    db.session.commit()
    if fmt == "csv":
        return Response(csv_text(header, rows), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="register-{hearing.id}.csv"'})
    return Response(xlsx_bytes(header, rows, title="register"),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="register-{hearing.id}.xlsx"'})


# --- proceedings -------------------------------------------------------------------------------

@bp.route("/<int:hearing_id>/proceedings")
def proceedings(slug, hearing_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    unassigned = [p for p in hearing.proposals if p.agenda_item_id is None]
    return render_template("meetings/proceedings.html", municipality=municipality, hearing=hearing,
                           unassigned=unassigned, locked=is_locked(hearing),
                           locked_message=locked_text(hearing))


def load_item(hearing, item_id):
    item = owned_or_404(AgendaItem, item_id, hearing_id=hearing.id)
    return item


def row_forms(item, failed=None):
    """Forms for each recorded row (edit in place) plus an empty one per kind; `failed` (a form
    that did not validate) takes the place of the form with the same prefix, keeping the text."""
    forms = {}
    for kind, rows in (("question", item.questions), ("speech", item.speeches),
                       ("proposal", item.proposals), ("vote", item.votes), ("decision", item.decisions)):
        cls = ROW_FORMS[kind]
        existing = []
        for row in rows:
            f = cls(obj=row, prefix=f"{kind}{row.id}", formdata=None)
            if not row.client_key:
                f.client_key.data = new_key()
            if failed is not None and failed._prefix == f._prefix:
                f = failed
            existing.append((row, f))
        blank = cls(prefix=f"{kind}new", formdata=None)
        blank.client_key.data = new_key()
        if failed is not None and failed._prefix == blank._prefix:
            blank = failed
        forms[kind] = (existing, blank)
    return forms


@bp.route("/<int:hearing_id>/proceedings/<int:item_id>", methods=["GET"])
def item_page(slug, hearing_id, item_id, failed=None, report=None, status=200, unsaved=None):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    item = load_item(hearing, item_id)
    report = report or ReportForm(obj=item, formdata=None)
    return render_template("meetings/item.html", municipality=municipality, hearing=hearing, item=item,
                           report=report, forms=row_forms(item, failed), locked=is_locked(hearing),
                           locked_message=locked_text(hearing), unsaved=unsaved or []), status


def refuse_locked_item(slug, hearing, item, form=None):
    """A save on a locked hearing: 403, the read-only page, and what was typed shown to copy."""
    if not is_locked(hearing):
        return None
    if wants_json():
        return jsonify(ok=False, error=locked_text(hearing)), 403
    flash(locked_text(hearing), "error")
    return item_page(slug, hearing.id, item.id, status=403,
                     unsaved=typed_values(form) if form is not None else [])


@bp.route("/<int:hearing_id>/proceedings/<int:item_id>/report", methods=["POST"])
def save_report(slug, hearing_id, item_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    item = load_item(hearing, item_id)
    form = ReportForm()
    refused = refuse_locked_item(slug, hearing, item, form)
    if refused:
        return refused
    if not form.validate_on_submit():
        return fail(form, slug, hearing, item, report=True)
    services.save_item_report(item, form.rapporteur.data or "", form.rapporteur_position.data or "",
                              form.summary.data or "")
    return saved(slug, hearing, item, None)


def fail(form, slug, hearing, item, status=400, report=False):
    """JSON for the autosave script; otherwise the page again with the typed text and errors."""
    errors = [f"{getattr(form, name).label.text}: {e}" for name, errs in form.errors.items() for e in errs]
    message = _("Please correct the marked fields.") + " " + "; ".join(errors)
    if wants_json():
        return jsonify(ok=False, error=message), status
    flash(message, "error")
    unsaved = typed_values(form) if is_locked(hearing) else None  # read-only page: show the text
    if report:
        return item_page(slug, hearing.id, item.id, report=form, status=status, unsaved=unsaved)
    return item_page(slug, hearing.id, item.id, failed=form, status=status, unsaved=unsaved)


def saved(slug, hearing, item, row):
    if wants_json():
        return jsonify(ok=True, id=getattr(row, "id", None), message=_("Saved."),
                       number=getattr(row, "number", None))
    flash(_("Saved."), "success")
    anchor = f"#{type(row).__name__.lower()}-{row.id}" if row is not None else ""
    return redirect(url_for("meetings.item_page", slug=slug, hearing_id=hearing.id, item_id=item.id) + anchor)


@bp.route("/<int:hearing_id>/proceedings/<int:item_id>/<kind>", methods=["POST"])
def save_row(slug, hearing_id, item_id, kind):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    item = load_item(hearing, item_id)
    if kind not in ROW_FORMS:
        abort(404)
    prefix = request.args.get("prefix", f"{kind}new")
    if not prefix.startswith(kind):
        abort(400)
    form = ROW_FORMS[kind](prefix=prefix)
    if not form.validate_on_submit():
        return fail(form, slug, hearing, item)
    refused = refuse_locked_item(slug, hearing, item, form)
    if refused:
        return refused
    values = {name: field.data for name, field in form._fields.items()
              if name not in ("client_key", "csrf_token")}
    for key, value in list(values.items()):
        if isinstance(value, str):
            values[key] = value.strip()
        elif value is None and form._fields[key].type in ("StringField", "TextAreaField"):
            values[key] = ""
        elif value is None and kind == "vote":
            values[key] = 0
    try:
        row = services.save_row(hearing, kind, form.client_key.data, values, item=item)
    except HearingError as error:
        if wants_json():
            return jsonify(ok=False, error=str(error)), error.status
        abort_with(error.status, str(error))
    return saved(slug, hearing, item, row)


@bp.route("/<int:hearing_id>/proceedings/<int:item_id>/<kind>/<int:row_id>/delete", methods=["POST"])
def delete_row(slug, hearing_id, item_id, kind, row_id):
    municipality, hearing = load(slug, hearing_id, *DOOR)
    item = load_item(hearing, item_id)
    if kind not in ROW_FORMS:
        abort(404)
    refused = refuse_locked_item(slug, hearing, item)
    if refused:
        return refused
    try:
        services.delete_row(hearing, kind, row_id)
    except HearingError as error:
        abort_with(error.status, str(error))
    flash(_("Deleted."), "success")
    return redirect(url_for("meetings.item_page", slug=slug, hearing_id=hearing.id, item_id=item.id))


@bp.route("/<int:hearing_id>/proposals/<int:proposal_id>/assign", methods=["POST"])
def assign_proposal(slug, hearing_id, proposal_id):
    """Attach an online proposal to an agenda item so it is decided there."""
    municipality, hearing = load(slug, hearing_id, *DOOR)
    proposal = owned_or_404(Proposal, proposal_id, hearing_id=hearing.id)
    try:
        item = load_item(hearing, int(request.form.get("item", "0")))
    except ValueError:
        abort(404)
    refused = refuse_locked_item(slug, hearing, item)
    if refused:
        return refused
    proposal.agenda_item_id = item.id
    services.audit.record("hearing.proposal.assign", proposal, municipality=hearing.municipality_id)
    db.session.commit()
    return redirect(url_for("meetings.item_page", slug=slug, hearing_id=hearing.id, item_id=item.id))
