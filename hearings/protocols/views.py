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


def _run(step, slug, hearing_id, success, municipality=None, hearing=None, error_field=None, **forms):
    """Run a workflow step. A step refused because of the protocol's state is a 403 with the
    reason on the error page; a refused input (ProtocolInputError) re-shows the protocol page
    with the message (next to `error_field` when given), status 400, and the forms as the
    user filled them in."""
    try:
        step()
    except services.ProtocolError as exc:
        db.session.rollback()
        if exc.status == 400 and hearing is not None:
            if error_field is not None:
                error_field.errors = list(error_field.errors or []) + [str(exc)]
            else:
                flash(str(exc), "error")
            return _render_show(municipality, hearing, 400, **forms)
        abort_with(exc.status, str(exc))
    flash(success, "success")
    return _back(slug, hearing_id)


@bp.route("/<int:hearing_id>/protocol")
def show(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    return _render_show(municipality, hearing)


def _render_show(municipality, hearing, status=200, **forms):
    """The protocol page; `forms` replaces blank forms by ones the user filled in (with errors)."""
    versions = services.protocols_of(hearing)
    is_staff = can(municipality)
    if not is_staff and not any(p.status == SIGNED for p in versions):
        abort(404, _("The protocol of this hearing has not been published yet."))
    current = versions[-1] if versions else None
    context = dict(
        municipality=municipality, hearing=hearing, versions=versions,
        current=current, is_staff=is_staff, can_edit=can(municipality, *EDITORS),
        is_secretary=can(municipality, SECRETARY),
        is_chair=services.is_chair(municipality.id, current_user),
        can_start=is_staff and not versions and services.has_proceedings(hearing),
        due=current.due_date if current else services.due_date_for(hearing),
        overdue=services.is_overdue(hearing), status_label=services.status_label,
        form=ProtocolForm(obj=current, formdata=None) if current else ProtocolForm(formdata=None),
        return_form=ReturnForm(formdata=None), correction_form=CorrectionForm(formdata=None),
        paper_form=PaperForm(formdata=None))
    context.update(forms)
    return render_template("protocols/show.html", **context), status


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
        return _render_show(municipality, hearing, 400, form=form)
    return _run(lambda: services.update_protocol(protocol, current_user, form.languages.data,
                                                 form.correction_reason.data),
                slug, hearing_id, _("The protocol was saved."), municipality, hearing, form.languages, form=form)


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
                _("The protocol was submitted to the chair for approval."), municipality, hearing)


@bp.route("/<int:hearing_id>/protocol/approve", methods=["POST"])
def approve(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, CHAIR)
    protocol = _current(hearing)
    return _signing(lambda: services.approve(protocol, current_user), slug, hearing_id,
                    _("The protocol is approved, signed and published."))


def _signing(step, slug, hearing_id, success, municipality=None, hearing=None, error_field=None, **forms):
    """_run for the steps that sign: a certificate that is missing or cannot sign is a clear
    409 message; the rollback leaves the protocol submitted (and no scan or PDF on disk)."""
    from ..documents.signing import SigningError

    try:
        return _run(step, slug, hearing_id, success, municipality, hearing, error_field, **forms)
    except SigningError:
        db.session.rollback()
        abort_with(409, _("The protocol could not be signed: no usable signing certificate is "
                          "configured. The chair can upload one (RSA or ECDSA key) on the "
                          "“Signing certificate” page."))


@bp.route("/<int:hearing_id>/protocol/return", methods=["POST"])
def send_back(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, CHAIR)
    protocol = _current(hearing)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render_show(municipality, hearing, 400, return_form=form)
    return _run(lambda: services.return_for_changes(protocol, current_user, form.note.data),
                slug, hearing_id, _("The protocol was returned to the secretary."))


@bp.route("/<int:hearing_id>/protocol/paper", methods=["POST"])
def paper(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    # the secretary passes this role check so that the error explains who may do it; the
    # service refuses anyone but the chair (the signature recorded is the chair's)
    require_role(municipality, SECRETARY, CHAIR)
    protocol = _current(hearing)
    form = PaperForm()
    if not form.validate_on_submit():
        flash(_("Choose the scanned file."), "error")
        return _back(slug, hearing_id)
    data = form.scan.data.read()
    return _signing(lambda: services.record_paper_signature(protocol, current_user, data,
                                                            form.scan.data.filename),
                    slug, hearing_id,
                    _("The paper signature was recorded; the protocol is signed and published."),
                    municipality, hearing, form.scan, paper_form=form)


@bp.route("/<int:hearing_id>/protocol/correct", methods=["POST"])
def correct(slug, hearing_id):
    municipality, hearing = _load(slug, hearing_id)
    require_role(municipality, *EDITORS)
    protocol = _current(hearing)
    form = CorrectionForm()
    if protocol.status == SIGNED and not form.validate_on_submit():
        # a missing or too long reason: the page again, with the message and what was typed
        return _render_show(municipality, hearing, 400, correction_form=form)
    return _run(lambda: services.start_correction(protocol, current_user, form.reason.data),
                slug, hearing_id, _("A new version of the protocol was started; the signed one stays public."),
                municipality, hearing, form.reason, correction_form=form)


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
