"""PAdES signatures with pyHanko, signing credentials and the development CA.

Credentials are PKCS#12 bundles; their passwords are encrypted with a Fernet key derived from
SECRET_KEY (HKDF), so the database never holds them in plain text.
"""
import base64
import io
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .models import SigningCredential

FONT = Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans.ttf"
PLATFORM_SEAL = "platform-seal"


# --- secrets -----------------------------------------------------------------------------

def _fernet():
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"aimak-signing-credential",
               info=b"pkcs12 password").derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_password(password):
    return _fernet().encrypt(password.encode()).decode()


def decrypt_password(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SigningError("the certificate password cannot be decrypted (SECRET_KEY changed?)") from exc


class SigningError(RuntimeError):
    pass


class UnusableKeyError(SigningError):
    """The PKCS#12 file opens, but its key cannot make the PAdES signatures we need."""


def off_event_loop(fn, *args, **kwargs):
    """Call a synchronous pyHanko function. Its sync API uses asyncio.run(), which fails in a
    thread that already runs an event loop (e.g. next to Playwright's or under an async
    server); then run it in a short-lived worker thread instead."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def certs_dir():
    return Path(current_app.config.get("CERTS_DIR") or Path(current_app.instance_path) / "certs")


# --- credentials ---------------------------------------------------------------------------

def p12_info(data, password):
    """(subject, not_after) of a PKCS#12 bundle; raises SigningError on a wrong password."""
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError as exc:
        raise SigningError("the PKCS#12 file cannot be opened with this password") from exc
    if key is None or cert is None:
        raise SigningError("the PKCS#12 file holds no key and certificate")
    check_key_type(key)
    return cert.subject.rfc4514_string(), cert.not_valid_after_utc


USABLE_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)


def check_key_type(key):
    """Signatures are made with SHA-256 (md_algorithm below); pyHanko refuses Ed25519 (SHA-512
    only) and Ed448, and DSA / short RSA keys are not acceptable for official documents."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise UnusableKeyError(f"RSA key of {key.key_size} bits (at least 2048 needed)")
        return
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, USABLE_CURVES):
            raise UnusableKeyError(f"elliptic curve {key.curve.name} is not supported")
        return
    raise UnusableKeyError(f"{type(key).__name__.lstrip('_')} keys are not supported")


def blank_pdf(width=72, height=72):
    """A one-page empty PDF (a trial signature; tests' stand-in for a scan)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def check_can_sign(data, password, name="test"):
    """Sign a blank page with the bundle: refuses at upload time what would fail later, when a
    protocol is signed. Raises SigningError (UnusableKeyError when the key is the problem)."""
    p12_info(data, password)
    try:
        sign_pdf(blank_pdf(), [Seal(data, password, name)])
    except UnusableKeyError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure means the bundle cannot sign
        raise UnusableKeyError(str(exc)[:300]) from exc


def store_credential(data, password, municipality=None, user=None, label=""):
    """Keep a PKCS#12 bundle (password encrypted); older ones of the same owner are deactivated."""
    subject, not_after = p12_info(data, password)
    for old in db.session.execute(select(SigningCredential).filter_by(
            municipality_id=getattr(municipality, "id", None), user_id=getattr(user, "id", None),
            active=True)).scalars():
        old.active = False
    credential = SigningCredential(
        municipality_id=getattr(municipality, "id", None), user_id=getattr(user, "id", None),
        label=label or subject, subject=subject, not_after=not_after, pkcs12=data,
        password_encrypted=encrypt_password(password))
    db.session.add(credential)
    return credential


def credential_for(municipality=None, user=None):
    """The active credential of a person (user) or a municipality's seal (user None)."""
    query = select(SigningCredential).filter_by(active=True)
    if user is not None:
        query = query.filter_by(user_id=user.id)
        if municipality is not None:
            query = query.where((SigningCredential.municipality_id == municipality.id)
                                | (SigningCredential.municipality_id.is_(None)))
    else:
        query = query.filter_by(user_id=None, municipality_id=getattr(municipality, "id", None))
    now = datetime.now(timezone.utc)
    for credential in db.session.execute(query.order_by(SigningCredential.id.desc())).scalars():
        if credential.not_after is None or credential.not_after > now:
            return credential
    return None


@dataclass
class Seal:
    """What signs: decrypted PKCS#12 bytes and password, plus who it is for the stamp."""
    data: bytes
    password: str
    name: str
    role: str = ""
    user_id: int | None = None
    kind: str = "seal"  # seal (municipality), platform, person


def platform_seal():
    """The platform seal: a DB credential (no municipality, no user), else instance/certs files."""
    credential = credential_for(None)
    if credential is not None:
        return Seal(credential.pkcs12, decrypt_password(credential.password_encrypted),
                    credential.label, kind="platform")
    base = certs_dir()
    p12, secret = base / f"{PLATFORM_SEAL}.p12", base / f"{PLATFORM_SEAL}.pass"
    if p12.is_file() and secret.is_file():
        return Seal(p12.read_bytes(), decrypt_password(secret.read_text().strip()),
                    _cn(p12.read_bytes(), decrypt_password(secret.read_text().strip())),
                    kind="platform")
    return None


def _cn(data, password):
    _key, cert, _ = pkcs12.load_key_and_certificates(data, password.encode())
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return names[0].value if names else cert.subject.rfc4514_string()


def seals_for(municipality, people=()):
    """Who signs: each person in `people` ((user, role) in order) when all have certificates,
    otherwise the municipality's seal, otherwise the platform seal."""
    personal = []
    for user, role in people:
        credential = credential_for(municipality, user)
        if credential is None:
            personal = None
            break
        personal.append(Seal(credential.pkcs12, decrypt_password(credential.password_encrypted),
                             user.full_name, role, user.id, "person"))
    if personal:
        return personal
    credential = credential_for(municipality) if municipality is not None else None
    if credential is not None:
        return [Seal(credential.pkcs12, decrypt_password(credential.password_encrypted),
                     municipality.name, "", None, "seal")]
    seal = platform_seal()
    if seal is None:
        raise SigningError("no certificate: configure one for the municipality or run `flask certs dev-ca`")
    return [seal]


# --- signing -------------------------------------------------------------------------------

STAMP_TEXT = {
    "ky": "Электрондук кол тамга менен кол коюлду\n%(signer)s\n%(role)s\n%(when)s",
    "ru": "Подписано электронной подписью\n%(signer)s\n%(role)s\n%(when)s",
    "en": "Digitally signed\n%(signer)s\n%(role)s\n%(when)s",
}


def _font_factory(size):
    """pyHanko's OpenType engine assumes 1000 units per em when it writes glyph widths (/W) and
    TJ adjustments; DejaVu has 2048, which spreads letters apart. Scale everything to 1000."""
    from dataclasses import dataclass as _dataclass

    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class Accumulator(GlyphAccumulator):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._to_thousand = 1000 / self.units_per_em
            self.hb_font.scale = (1000, 1000)
            self.units_per_em = 1000

        def _get_cid_and_width(self, glyph_id):
            if glyph_id in self._glyphs:
                return self._glyphs[glyph_id]
            cid, width = super()._get_cid_and_width(glyph_id)
            self._glyphs[glyph_id] = result = cid, round(width * self._to_thousand)
            return result

    @_dataclass(frozen=True)
    class Factory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            fh = open(self.font_file, "rb")  # noqa: SIM115 - pyHanko reads it lazily
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return Accumulator(writer=writer, font_handle=fh, font_size=self.font_size,
                               obj_stream=obj_stream)

    return Factory(str(FONT), font_size=size)


# Bishkek time, like every time on the site's pages. sign_pdf passes it as "when": pyHanko
# overwrites its own "ts" parameter with the signing time formatted in UTC.
STAMP_TIME_FORMAT = "%d.%m.%Y %H:%M:%S (UTC+6)"


def stamp_time(now=None):
    from ..core.i18n import to_local

    return to_local(now or datetime.now(timezone.utc)).strftime(STAMP_TIME_FORMAT)


def _stamp_style(lang):
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    text = STAMP_TEXT.get((lang or "ky")[:2], STAMP_TEXT["ky"])
    if lang and "+" in lang:  # bilingual edition: Kyrgyz and Russian first lines
        text = STAMP_TEXT["ky"].split("\n")[0] + " / " + STAMP_TEXT["ru"]
    return TextStampStyle(
        stamp_text=text, timestamp_format=STAMP_TIME_FORMAT, border_width=1,
        text_box_style=TextBoxStyle(font=_font_factory(8), font_size=8, leading=10))


def sign_pdf(pdf, seals, box=None, lang=None, reason="", location=""):
    """Apply each seal in turn (incremental updates). `box` = (page_index, x1, y1, x2, y2) in
    PDF points: the area where visible stamps go side by side; None → invisible signatures.
    Returns (bytes, [signer dicts])."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signed_by = []
    style = _stamp_style(lang)
    for index, seal in enumerate(seals):
        try:
            signer = signers.SimpleSigner.load_pkcs12_data(seal.data, [], seal.password.encode())
        except Exception as exc:  # noqa: BLE001 - any load problem is a configuration problem
            raise SigningError(f"cannot load the certificate of {seal.name}: {exc}") from exc
        if signer is None:
            raise SigningError(f"cannot load the certificate of {seal.name}")
        name = f"Signature{index + 1}"
        spec = None
        if box is not None:
            page, x1, y1, x2, y2 = box
            width = (x2 - x1) / max(len(seals), 1)
            spec = fields.SigFieldSpec(
                sig_field_name=name, on_page=page,
                box=(int(x1 + index * width + 2), int(y1), int(x1 + (index + 1) * width - 4), int(y2)))
        else:
            spec = fields.SigFieldSpec(sig_field_name=name)
        meta = signers.PdfSignatureMetadata(
            field_name=name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason or None, location=location or None, name=seal.name)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        pdf_signer = signers.PdfSigner(meta, signer, stamp_style=style, new_field_spec=spec)
        try:
            out = off_event_loop(pdf_signer.sign_pdf, writer, appearance_text_params={
                "signer": seal.name[:60], "role": seal.role or "", "when": stamp_time()})
        except Exception as exc:  # noqa: BLE001 - pyHanko's SigningError, key/algorithm mismatch…
            raise SigningError(f"cannot sign with the certificate of {seal.name}: {exc}") from exc
        pdf = out.getvalue()
        signed_by.append({"name": seal.name, "role": seal.role, "kind": seal.kind,
                          "user_id": seal.user_id,
                          "subject": signer.signing_cert.subject.human_friendly,
                          "signed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    return pdf, signed_by


# --- development CA --------------------------------------------------------------------------

def _name(cn, org="Aimak development"):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KG"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(cn="Aimak Development CA", days=3650):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def issue_cert(ca_key, ca_cert, cn, org="Aimak development", days=1095):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(_name(cn, org)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def to_p12(key, cert, ca_cert, password, friendly=b"aimak"):
    return pkcs12.serialize_key_and_certificates(
        friendly, key, cert, [ca_cert], serialization.BestAvailableEncryption(password.encode()))


def load_ca():
    base = certs_dir()
    key_path, cert_path = base / "dev-ca.key", base / "dev-ca.pem"
    if not (key_path.is_file() and cert_path.is_file()):
        return None
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return key, x509.load_pem_x509_certificate(cert_path.read_bytes())


def ensure_dev_ca():
    """Create (once) the development CA and the platform seal under instance/certs/."""
    base = certs_dir()
    base.mkdir(parents=True, exist_ok=True)
    loaded = load_ca()
    if loaded is None:
        key, cert = make_ca()
        (base / "dev-ca.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        os.chmod(base / "dev-ca.key", 0o600)
        (base / "dev-ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        loaded = key, cert
    ca_key, ca_cert = loaded
    if not (base / f"{PLATFORM_SEAL}.p12").is_file() or not (base / f"{PLATFORM_SEAL}.pass").is_file():
        password = secrets.token_urlsafe(18)
        key, cert = issue_cert(ca_key, ca_cert, "Aimak platform seal", "Aimak")
        (base / f"{PLATFORM_SEAL}.p12").write_bytes(to_p12(key, cert, ca_cert, password))
        (base / f"{PLATFORM_SEAL}.pass").write_text(encrypt_password(password))
    return ca_key, ca_cert


def dev_credential(cn, org, municipality=None, user=None):
    """Issue a development certificate and store it as the active credential of its owner.
    The PKCS#12 file is also written to instance/certs/ for use outside the platform."""
    ca_key, ca_cert = ensure_dev_ca()
    password = secrets.token_urlsafe(18)
    key, cert = issue_cert(ca_key, ca_cert, cn, org)
    data = to_p12(key, cert, ca_cert, password)
    owner = f"user-{user.id}" if user is not None else f"municipality-{municipality.slug}"
    (certs_dir() / f"{owner}.p12").write_bytes(data)
    return store_credential(data, password, municipality=municipality, user=user, label=cn)


def trust_roots():
    """Certificates signatures must chain to: SIGNATURE_TRUST_ROOTS (config list or environment,
    PEM/DER paths separated by os.pathsep) and, outside production (SIGNATURE_TRUST_DEV_CA),
    the development CA of `flask certs dev-ca`."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    paths = list(current_app.config.get("SIGNATURE_TRUST_ROOTS")
                 or [p for p in os.environ.get("SIGNATURE_TRUST_ROOTS", "").split(os.pathsep) if p])
    dev = certs_dir() / "dev-ca.pem"
    production = os.environ.get("AIMAK_ENV") == "production"
    if current_app.config.get("SIGNATURE_TRUST_DEV_CA", not production) and dev.is_file():
        paths.append(str(dev))
    roots = []
    for path in paths:
        data = Path(path).read_bytes()
        if pem.detect(data):
            for _type, _headers, der in pem.unarmor(data, multiple=True):
                roots.append(asn1_x509.Certificate.load(der))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots
