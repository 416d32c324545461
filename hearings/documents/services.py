"""Issue official documents: code → QR/URL in the PDF → render → sign → hash → store → registry."""
import hashlib
import secrets
from pathlib import Path

from contextlib import nullcontext

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from weasyprint import HTML

from ..core import audit
from ..core.documents import absolute_url, qr_svg, safe_fetcher
from ..extensions import db
from .models import IssuedDocument
from .signing import SigningError, seals_for, sign_pdf  # noqa: F401 (re-exported)

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
SIGNATURE_ANCHOR = "aimak-signatures"  # an element with this id reserves room for the stamps


def new_code(length=8):
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if db.session.execute(select(IssuedDocument.id).filter_by(code=code)).first() is None:
            return code


def normalize_code(code):
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:16]


def _page_label(lang):
    return {"ky": "бет", "ru": "стр."}.get((lang or "")[:2], "page")


def render_document(template, context):
    """Render to PDF; return (bytes, box) where box = (page, x1, y1, x2, y2) in PDF points of
    the element with id `aimak-signatures` (room for the signature stamps), or None."""
    html = render_template(template, **context)
    document = HTML(string=html, base_url="aimak-static:/", url_fetcher=safe_fetcher).render()
    box = None
    for index, page in enumerate(document.pages):
        if SIGNATURE_ANCHOR in page.anchors:
            x1, y1, x2, y2 = page.anchors[SIGNATURE_ANCHOR]  # CSS px, y downwards
            height_pt = page.height * 0.75
            if y2 - y1 < 40:  # an empty marker: take 26 mm below it
                y2 = y1 + 26 * 96 / 25.4
            box = (index, x1 * 0.75, height_pt - y2 * 0.75, x2 * 0.75, height_pt - y1 * 0.75)
    return document.write_pdf(), box


def verify_context(code, lang=None):
    url = absolute_url("documents.verify_code", code=code)
    with force_locale(lang) if lang else nullcontext():
        label = _("Check this document in the public registry: scan the code or open")
    return {"verify_url": url, "verify_qr": qr_svg(url), "doc_code": code, "verify_label": label}


def _store(doc, data):
    store = current_app.config.get("DOCUMENT_STORE")
    if not store:
        doc.content = data
        return
    folder = doc.created_at.strftime("%Y") if doc.created_at else "documents"
    relative = f"{folder}/{doc.code}.pdf"
    path = Path(store) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    doc.storage_path = relative


def read_bytes(doc):
    if doc.content is not None:
        return doc.content
    if doc.storage_path:
        path = Path(current_app.config["DOCUMENT_STORE"]) / doc.storage_path
        if path.is_file():
            return path.read_bytes()
    return None


def issue_document(kind, municipality, title, template, context, obj=None, lang=None, sign=False,
                   *, signatories=(), reason="", supersedes=None, issued_by=None):
    """Render `template` (extends documents/base.html) into an issued, registered PDF.

    The context gets verify_url / verify_qr / doc_code / verify_label so the PDF carries a QR
    code and a short URL to its public verification page. `sign=True` applies PAdES signatures:
    `signatories` ((user, role label) in signing order) when each has a certificate, else the
    municipality's seal, else the platform seal. The caller commits (the row is flushed).
    `lang` may be "ky", "ru", "en" or "ky+ru" (rendered with the first language's locale).
    """
    if not has_request_context():  # command line / demo seed: URLs need a request context
        with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
            return issue_document(kind, municipality, title, template, context, obj, lang, sign,
                                  signatories=signatories, reason=reason, supersedes=supersedes,
                                  issued_by=issued_by)
    from ..core.models import utcnow

    code = new_code()
    render_lang = (lang or "").split("+")[0] or None
    context = dict(context)
    context.update(verify_context(code, render_lang))
    context.setdefault("lang", render_lang)
    context.setdefault("page_label", _page_label(render_lang))
    context.setdefault("title", title)
    if render_lang:
        with force_locale(render_lang):
            pdf, box = render_document(template, context)
    else:
        pdf, box = render_document(template, context)
    signed_by = []
    if sign:
        location = municipality.name_ru if municipality is not None else ""
        pdf, signed_by = sign_pdf(pdf, seals_for(municipality, signatories), box=box, lang=lang,
                                  reason=reason or f"{title} [{code}]"[:200], location=location)
    actor = issued_by
    if actor is None:
        try:
            actor = current_user if current_user and current_user.is_authenticated else None
        except Exception:  # noqa: BLE001 - outside a request there is no current user
            actor = None
    doc = IssuedDocument(
        code=code, kind=kind, title=title[:500], lang=lang, created_at=utcnow(),
        municipality_id=getattr(municipality, "id", None), issued_by_id=getattr(actor, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(getattr(obj, "id", "")) if obj is not None else None,
        sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), signed=bool(signed_by),
        signers=signed_by)
    _store(doc, pdf)
    db.session.add(doc)
    db.session.flush()
    if supersedes is not None:
        supersedes.superseded_by_id = doc.id
    audit.record("document.issued", doc, municipality=municipality, actor=actor, code=code,
                 kind=kind, sha256=doc.sha256, signed=doc.signed)
    return doc


def documents_for(obj, kind=None):
    """Issued documents of an object, newest first."""
    query = select(IssuedDocument).filter_by(object_type=type(obj).__name__, object_id=str(obj.id))
    if kind:
        query = query.filter_by(kind=kind)
    return db.session.execute(query.order_by(IssuedDocument.id.desc())).scalars().all()


def latest_for(obj, kind=None):
    docs = documents_for(obj, kind)
    return docs[0] if docs else None
