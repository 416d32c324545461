"""Public registry of issued documents, verification pages, the municipality's certificate."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..core import audit
from ..core.access import CHAIR, abort_with, require_role
from ..core.documents import pdf_response
from ..core.registry import Link, municipality_link
from ..extensions import db, limiter
from ..territory.views import get_municipality
from .forms import CertificateForm, VerifyForm
from .models import IssuedDocument, SigningCredential  # noqa: F401 (tables)
from .services import normalize_code
from .signing import (SigningError, UnusableKeyError, check_can_sign, credential_for,
                      store_credential)
from .verification import verify_pdf, verify_registered

bp = Blueprint("documents", __name__)
PER_PAGE = 50


def kind_labels():
    return {
        "protocol": _("Hearing protocol"),
        "attendance": _("Attendance list"),
        "notice": _("Hearing notice"),
        "citizens_budget": _("Citizens' budget"),
        "proposals": _("Proposals register"),
        "results": _("Voting results"),
        "other": _("Document"),
    }


@bp.app_context_processor
def _labels():
    return {"document_kind_label": lambda kind: kind_labels().get(kind, kind)}


def _registry(municipality=None):
    page = max(request.args.get("page", 1, type=int), 1)
    query = select(IssuedDocument)
    count = select(func.count(IssuedDocument.id))
    if municipality is not None:
        query = query.filter_by(municipality_id=municipality.id)
        count = count.filter_by(municipality_id=municipality.id)
    kind = request.args.get("kind")
    if kind in kind_labels():
        query = query.filter_by(kind=kind)
        count = count.filter_by(kind=kind)
    total = db.session.scalar(count)
    docs = db.session.execute(query.order_by(IssuedDocument.id.desc())
                              .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).scalars().all()
    return render_template("documents/registry.html", docs=docs, total=total, page=page,
                           per_page=PER_PAGE, municipality=municipality, kind=kind,
                           kinds=kind_labels())


@bp.route("/documents/")
def registry():
    return _registry()


@bp.route("/m/<slug>/documents/")
def municipality_registry(slug):
    return _registry(get_municipality(slug))


@municipality_link
def _registry_link(municipality, is_staff):
    links = [Link(_("Issued documents"), url_for("documents.municipality_registry", slug=municipality.slug))]
    if is_staff:
        links.append(Link(_("Signing certificate"), url_for("documents.certificate", slug=municipality.slug)))
    return links


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])
def verify():
    form = VerifyForm()
    result = None
    if form.validate_on_submit():
        data = form.file.data.read()
        result = verify_pdf(data, code=form.code.data or None)
        if result.document is not None and result.document.municipality is not None:
            from flask import g

            g.municipality = result.document.municipality
    document = (result.expected or result.document) if result else None
    return render_template("documents/verify.html", form=form, result=result, document=document,
                           hearing=_hearing_of(document) if document else None)


@bp.route("/verify/<code>", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])
def verify_code(code):
    wanted = normalize_code(code)
    doc = db.session.execute(select(IssuedDocument).filter_by(code=wanted)).scalar_one_or_none()
    if doc is None:
        abort(404, _("No issued document has this code."))
    if wanted != code:
        return redirect(url_for("documents.verify_code", code=wanted))
    if doc.municipality is not None:
        from flask import g

        g.municipality = doc.municipality
    form = VerifyForm()
    uploaded = None
    if form.validate_on_submit():
        uploaded = verify_pdf(form.file.data.read(), code=doc.code)
    stored = verify_registered(doc)
    return render_template("documents/verify_code.html", doc=doc, stored=stored, form=form,
                           uploaded=uploaded, hearing=_hearing_of(doc))


def _hearing_of(doc):
    """(title, url) of the hearing a document belongs to, when known."""
    if doc.object_type is None or doc.object_id is None:
        return None
    try:
        from ..protocols.services import hearing_link_for_document
    except ImportError:
        return None
    return hearing_link_for_document(doc)


@bp.route("/verify/<code>/pdf")
def download(code):
    doc = db.session.execute(select(IssuedDocument).filter_by(code=normalize_code(code))).scalar_one_or_none()
    if doc is None:
        abort(404)
    if not doc.may_open():
        if not current_user.is_authenticated:
            abort(401)
        abort_with(403, _("This document lists people with their addresses: only staff of the "
                          "municipality can open it. Anyone can check a copy with the form on this page."))
    data = doc.read()
    if data is None:
        abort(404, _("The stored file is missing."))
    return pdf_response(data, doc.filename, inline=request.args.get("download") is None)


@bp.route("/m/<slug>/documents/certificate", methods=["GET", "POST"])
def certificate(slug):
    municipality = get_municipality(slug)
    require_role(municipality, CHAIR)
    form = CertificateForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            # refuse now what could not sign later (e.g. an Ed25519 key: pyHanko signs those
            # with SHA-512 only, we sign with SHA-256)
            check_can_sign(data, form.password.data)
            credential = store_credential(data, form.password.data, municipality=municipality)
        except UnusableKeyError:
            db.session.rollback()
            form.file.errors.append(_("This certificate cannot be used to sign documents: its key "
                                      "type is not supported. Use a certificate with an RSA "
                                      "(2048 bits or more) or ECDSA (P-256, P-384) key."))
        except SigningError:
            db.session.rollback()
            form.password.errors.append(_("The file cannot be opened with this password."))
        else:
            audit.record("certificate.configured", credential, municipality=municipality,
                         subject=credential.subject)
            db.session.commit()
            flash(_("The certificate is saved; new official documents will be signed with it."), "success")
            return redirect(url_for("documents.certificate", slug=slug))
    return render_template("documents/certificate.html", municipality=municipality, form=form,
                           credential=credential_for(municipality)), status
