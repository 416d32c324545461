"""Protocol pages: public versions, the staff workflow, previews, the overdue dashboard."""
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core.access import CHAIR, SECRETARY, STAFF, abort_with, can, owned_or_404, require_role
from ..core.documents import pdf_response
from ..core.i18n import current_lang, to_local
from ..core.models import utcnow
from ..core.registry import Link, municipality_link
from ..documents import models as _documents_models  # noqa: F401 (issued_document table first)
from ..extensions import db
from ..meetings.models import Hearing
from ..territory.views import get_municipality
from . import guard, services  # noqa: F401 (guard registers the flush check)
from .forms import CorrectionForm, PaperForm, ProtocolForm, ReturnForm
from .models import DRAFT, SIGNED, Protocol, ProtocolSignoff

bp = Blueprint("protocols", __name__, url_prefix="/m/<slug>/hearings")

EDITORS = (STAFF, SECRETARY)


def _load(slug, hearing_id):
    municipality = get_municipality(slug)
    hearing = owned_or_404(Hearing, hearing_id, municipality_id=municipality.id)
    return municipality, hearing


def _current(hearing):
    protocol = services.latest(hearing)
    if protocol is None:
        abort(404, _("This hearing has no protocol yet."))
    return protocol


def _back(slug, hearing_id):
    return redirect(url_for("protocols.show", slug=slug, hearing_id=hearing_id))


def _run(step, slug, hearing_id, success):
    """Run a workflow step; a refused step is a 403 with the reason on the error page."""
    try:
        step()
    except services.ProtocolError as exc:
        db.session.rollback()
        abort_with(403, str(exc))
    flash(success, "success")
    return _back(slug, hearing_id)


@bp.route("/<int:hearing_id>/protocol")
def show(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    versions = services.protocols_of(hearing)
    is_staff = can(municipality)
    if not is_staff and not any(p.status == SIGNED for p in versions):
        abort(404, _("The protocol of this hearing has not been published yet."))
    current = versions[-1] if versions else None
    return render_template(
        "protocols/show.html", municipality=municipality, hearing=hearing, versions=versions,
        current=current, is_staff=is_staff, can_edit=can(municipality, *EDITORS),
        is_secretary=can(municipality, SECRETARY), is_chair=can(municipality, CHAIR),
        can_start=is_staff and not versions and services.has_proceedings(hearing),
        due=current.due_date if current else services.due_date_for(hearing),
        overdue=services.is_overdue(hearing), status_label=services.status_label,
        form=ProtocolForm(obj=current) if current else ProtocolForm(),
        return_form=ReturnForm(), correction_form=CorrectionForm(), paper_form=PaperForm())


@bp.route("/<int:hearing_id>/protocol/create", methods=["POST"])
def create(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, *EDITORS, CHAIR)
    form = ProtocolForm()
    return _run(lambda: services.create_protocol(hearing, current_user, form.languages.data),
                slug, hearing_id, _("The draft protocol was created from the hearing record."))


@bp.route("/<int:hearing_id>/protocol/edit", methods=["POST"])
def edit(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, *EDITORS)
    protocol = _current(hearing)
    if protocol.status != DRAFT:
        abort_with(403, _("This protocol is signed and locked; it cannot be changed. Start a "
                          "correction (a new version) instead.") if protocol.status == SIGNED else
                   _("The protocol was submitted to the chair and cannot be edited now."))
    form = ProtocolForm()
    if not form.validate_on_submit():
        flash(_("Please correct the marked fields."), "error")
        return _back(slug, hearing_id)
    return _run(lambda: services.update_protocol(protocol, current_user, form.languages.data,
                                                 form.correction_reason.data),
                slug, hearing_id, _("The protocol was saved."))


@bp.route("/<int:hearing_id>/protocol/preview.pdf")
def preview(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality)
    protocol = services.latest(hearing)
    languages = request.args.get("lang") or (protocol.languages if protocol else current_lang())
    if languages not in ("ky", "ru", "en", "ky+ru"):
        languages = "ky"
    data = services.render_preview(hearing, languages, protocol)
    return pdf_response(data, f"protocol-draft-{hearing.id}-{languages.replace('+', '-')}.pdf")


@bp.route("/<int:hearing_id>/protocol/submit", methods=["POST"])
def submit(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, SECRETARY)
    protocol = _current(hearing)
    return _run(lambda: services.submit(protocol, current_user), slug, hearing_id,
                _("The protocol was submitted to the chair for approval."))


@bp.route("/<int:hearing_id>/protocol/approve", methods=["POST"])
def approve(slug, hearing_id):
    from ..documents.signing import SigningError

    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, CHAIR)
    protocol = _current(hearing)
    try:
        return _run(lambda: services.approve(protocol, current_user), slug, hearing_id,
                    _("The protocol is approved, signed and published."))
    except SigningError:
        db.session.rollback()
        abort_with(409, _("The protocol could not be signed: no signing certificate is configured."))


@bp.route("/<int:hearing_id>/protocol/return", methods=["POST"])
def send_back(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, CHAIR)
    protocol = _current(hearing)
    form = ReturnForm()
    return _run(lambda: services.return_for_changes(protocol, current_user, form.note.data),
                slug, hearing_id, _("The protocol was returned to the secretary."))


@bp.route("/<int:hearing_id>/protocol/paper", methods=["POST"])
def paper(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, SECRETARY, CHAIR)
    protocol = _current(hearing)
    form = PaperForm()
    if not form.validate_on_submit():
        flash(_("Choose the scanned file."), "error")
        return _back(slug, hearing_id)
    data = form.scan.data.read()
    return _run(lambda: services.record_paper_signature(protocol, current_user, data,
                                                        form.scan.data.filename),
                slug, hearing_id, _("The paper signature was recorded; the protocol is signed and published."))


@bp.route("/<int:hearing_id>/protocol/correct", methods=["POST"])
def correct(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, *EDITORS)
    protocol = _current(hearing)
    form = CorrectionForm()
    return _run(lambda: services.start_correction(protocol, current_user, form.reason.data),
                slug, hearing_id, _("A new version of the protocol was started; the signed one stays public."))


@bp.route("/<int:hearing_id>/protocol/v<int:version>.pdf")
def version_pdf(slug, hearing_id, version):
    municipality, hearing = _load(slug, hearing_id)
    protocol = db.session.execute(select(Protocol).filter_by(hearing_id=hearing.id, version=version)
                                  ).scalar_one_or_none()
    if protocol is None or protocol.document is None:
        abort(404)
    data = protocol.document.read()
    if data is None:
        abort(404)
    return pdf_response(data, f"protocol-{protocol.number}-{protocol.year}-v{protocol.version}.pdf")


@bp.route("/<int:hearing_id>/protocol/scan/<int:signoff_id>")
def scan(slug, hearing_id, signoff_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality)
    row = db.session.get(ProtocolSignoff, signoff_id)
    if row is None or row.protocol.hearing_id != hearing.id or not row.scan_path:
        abort(404)
    path = Path(current_app.config["DOCUMENT_STORE"]) / row.scan_path
    if not path.is_file():
        abort(404)
    return Response(path.read_bytes(), mimetype=row.scan_mime,
                    headers={"Content-Disposition": f'inline; filename="{path.name}"'})


@bp.route("/protocols")
def dashboard(slug):
    municipality = get_municipality(slug)
    require_role(municipality)
    hearings = db.session.execute(
        select(Hearing).filter_by(municipality_id=municipality.id)
        .where(Hearing.status == "held").order_by(Hearing.starts_at.desc())).scalars().all()
    today = to_local(utcnow()).date()
    rows = []
    for hearing in hearings:
        versions = services.protocols_of(hearing)
        current = versions[-1] if versions else None
        due = versions[0].due_date if versions else services.due_date_for(hearing)
        rows.append({"hearing": hearing, "protocol": current, "due": due,
                     "overdue": services.is_overdue(hearing, today)})
    rows.sort(key=lambda r: (not r["overdue"], r["due"]))
    return render_template("protocols/dashboard.html", municipality=municipality, rows=rows,
                           status_label=services.status_label,
                           overdue_count=sum(1 for r in rows if r["overdue"]))


@municipality_link
def _dashboard_link(municipality, is_staff):
    if not is_staff:
        return []
    count = len(services.overdue_for(municipality))
    label = _("Protocols")
    if count:
        label = _("Protocols (%(n)d overdue)", n=count)
    return [Link(label, url_for("protocols.dashboard", slug=municipality.slug))]
