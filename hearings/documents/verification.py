"""Validate a PDF: pyHanko signature validation against our trust roots + the registry hash."""
import hashlib
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from .models import IssuedDocument


@dataclass
class SignatureReport:
    field: str
    signer: str
    signed_at: object
    intact: bool
    valid: bool
    trusted: bool
    covers_document: bool
    modification: str
    ok: bool
    problems: list = field(default_factory=list)


@dataclass
class VerificationResult:
    valid: bool
    sha256: str
    document: IssuedDocument | None = None      # registry entry the bytes match
    expected: IssuedDocument | None = None      # registry entry asked for (by code)
    matches_registry: bool = False
    signatures: list = field(default_factory=list)
    reasons: list = field(default_factory=list)  # why not valid (translated)
    notes: list = field(default_factory=list)

    @property
    def signed(self):
        return bool(self.signatures)


def _validation_context():
    from pyhanko_certvalidator import ValidationContext

    from .signing import trust_roots

    return ValidationContext(trust_roots=trust_roots(), allow_fetching=False,
                             revocation_mode="soft-fail")


def signer_name(cert):
    """'Name (Organisation)' from a certificate subject."""
    if cert is None:
        return ""
    subject = cert.subject.native
    name = subject.get("common_name") or cert.subject.human_friendly
    org = subject.get("organization_name")
    return f"{name} ({org})" if org and org not in name else name


def check_signatures(data):
    """[SignatureReport] for every embedded signature; raises ValueError when not a PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    from .signing import off_event_loop

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    reports = []
    signatures = reader.embedded_signatures
    for sig in signatures:
        name = sig.field_name or ""
        try:
            status = off_event_loop(validate_pdf_signature, sig, _validation_context())
        except Exception as exc:  # noqa: BLE001 - broken signature data = not valid
            reports.append(SignatureReport(name, "", None, False, False, False, False, "",
                                           False, [str(exc)[:200]]))
            continue
        signer = signer_name(status.signing_cert)
        coverage = getattr(status.coverage, "name", str(status.coverage))
        level = getattr(status.modification_level, "name", str(status.modification_level))
        problems = []
        if not status.intact:
            problems.append(_("the signed bytes were changed"))
        if not status.valid:
            problems.append(_("the signature value is wrong"))
        if not status.trusted:
            problems.append(_("the certificate does not chain to a trusted root"))
        if not status.bottom_line and status.intact and status.valid and status.trusted:
            problems.append(_("the document was changed after signing"))
        reports.append(SignatureReport(
            field=name, signer=signer, signed_at=status.signer_reported_dt,
            intact=status.intact, valid=status.valid, trusted=status.trusted,
            covers_document=coverage == "ENTIRE_FILE", modification=level,
            ok=bool(status.bottom_line), problems=problems))
    # The last signature must cover the whole file: anything appended after it is a change
    # (pyHanko's diff analysis already flags page-content changes; this also catches others).
    if reports and not reports[-1].covers_document:
        last = reports[-1]
        if last.ok and last.modification not in ("NONE", "LTA_UPDATES"):
            last.ok = False
            last.problems.append(_("the document was changed after signing"))
    return reports, signatures


def _byte_range_end(sig):
    """End offset of a signature's /ByteRange, or None when it is malformed (a hostile file
    can put anything there: too few entries, names, a dictionary, huge numbers)."""
    try:
        byte_range = sig.sig_object.get("/ByteRange")
        if not isinstance(byte_range, (list, tuple)) or len(byte_range) != 4:
            return None
        values = []
        for item in byte_range:
            if isinstance(item, bool) or not isinstance(item, int):
                return None
            values.append(int(item))
    except Exception:  # noqa: BLE001 - unreadable signature dictionary = no match
        return None
    if any(v < 0 for v in values):
        return None
    return values[2] + values[3]


def _signed_revision_match(data, signatures):
    """Registry entry whose bytes are a signed revision of `data` (changes appended later)."""
    for sig in reversed(signatures):
        end = _byte_range_end(sig)
        if end is not None and 0 < end < len(data):
            digest = hashlib.sha256(data[:end]).hexdigest()
            doc = db.session.execute(select(IssuedDocument).filter_by(sha256=digest)).scalars().first()
            if doc is not None:
                return doc
    return None


def verify_pdf(data, code=None):
    """Is this PDF an issued document, unchanged, with valid signatures?"""
    digest = hashlib.sha256(data).hexdigest()
    result = VerificationResult(valid=False, sha256=digest)
    if code:
        from .services import normalize_code

        result.expected = db.session.execute(
            select(IssuedDocument).filter_by(code=normalize_code(code))).scalar_one_or_none()
    result.document = db.session.execute(
        select(IssuedDocument).filter_by(sha256=digest).order_by(IssuedDocument.id)).scalars().first()
    if result.expected is not None:
        result.matches_registry = result.expected.sha256 == digest
    else:
        result.matches_registry = result.document is not None
    if not data.startswith(b"%PDF"):
        result.reasons.append(_("The file is not a PDF."))
        return result
    try:
        result.signatures, embedded = check_signatures(data)
    except Exception:  # noqa: BLE001 - a damaged file must give "not valid", not a crash
        result.reasons.append(_("The file cannot be read as a PDF (it is damaged or changed)."))
        embedded = []
    for report in result.signatures:
        if not report.ok:
            result.reasons.append(_("Signature by %(signer)s is not valid: %(problems)s",
                                    signer=report.signer or report.field,
                                    problems="; ".join(report.problems) or _("unknown problem")))
    if not result.matches_registry:
        if result.expected is not None:
            result.reasons.append(_("The file is not the document registered under code %(code)s "
                                    "(its SHA-256 differs).", code=result.expected.code))
        else:
            try:
                previous = _signed_revision_match(data, embedded) if embedded else None
            except Exception:  # noqa: BLE001 - a damaged file must give "not valid", not a crash
                previous = None
            if previous is not None:
                result.reasons.append(_("The file is document %(code)s with changes added after "
                                        "it was issued.", code=previous.code))
                result.expected = previous
            else:
                result.reasons.append(_("The file is not in the registry of issued documents."))
    registered = result.expected or result.document
    if registered is not None and registered.signed and not result.signatures:
        result.reasons.append(_("The registered document is signed, but this file has no signature."))
    if not result.signatures and result.matches_registry:
        result.notes.append(_("This document has no digital signature; it matches the registry."))
    if registered is not None and registered.superseded_by is not None:
        result.notes.append(_("This document was superseded by %(code)s.",
                              code=registered.superseded_by.code))
    result.valid = not result.reasons
    if result.document is None and result.expected is not None and result.matches_registry:
        result.document = result.expected
    return result


def verify_registered(doc):
    """Re-validate the stored bytes of a registry entry (for its /verify/<code> page)."""
    data = doc.read()
    if data is None:
        result = VerificationResult(valid=False, sha256="", expected=doc)
        result.reasons.append(_("The stored file is missing."))
        return result
    return verify_pdf(data, code=doc.code)
