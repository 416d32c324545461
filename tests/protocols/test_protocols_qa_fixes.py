"""QA findings on protocols: only the chair records the chair's signature, scans must open,
unusable certificates give a clear message (and leave nothing behind), reasons are validated
on the page, annex names and percentages follow the protocol's language, no double period,
Bishkek time in the signature stamp."""
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from hearings.extensions import db
from hearings.protocols import services
from hearings.protocols.models import Protocol, ProtocolSignoff

from .test_protocols import real_pdf


def text_of(pdf):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def real_image(fmt):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, fmt)
    return out.getvalue()


def url_of(hearing):
    return f"/m/teploklyuchenka/hearings/{hearing.id}/protocol"


def submitted(held_hearing, users):
    protocol = services.create_protocol(held_hearing, users["secretary"], "ru")
    services.submit(protocol, users["secretary"])
    return protocol


def scans(app):
    folder = Path(app.config["DOCUMENT_STORE"]) / "scans"
    return sorted(folder.glob("*")) if folder.is_dir() else []


def post_scan(client, hearing, data, name="scan.pdf"):
    return client.post(url_of(hearing) + "/paper?lang=en", data={"scan": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


# --- 6. the chair's signature --------------------------------------------------------------------

def test_secretary_cannot_record_the_chairs_paper_signature(app, client, login_as, held_hearing, users, dev_ca):
    protocol = submitted(held_hearing, users)
    before = scans(app)
    login_as(users["secretary"])
    page = client.get(url_of(held_hearing) + "?lang=en").get_data(as_text=True)
    assert "Record the chair's paper signature" not in page
    r = post_scan(client, held_hearing, real_pdf())
    assert r.status_code == 403
    assert "Only the chair, from their own account" in r.get_data(as_text=True)
    db.session.expire_all()
    protocol = db.session.get(Protocol, protocol.id)
    assert protocol.status == "submitted"
    assert [s.role for s in protocol.signoffs] == ["secretary"]
    assert scans(app) == before


def test_admin_cannot_sign_for_the_chair(app, client, login_as, held_hearing, users, dev_ca):
    protocol = submitted(held_hearing, users)
    login_as(users["admin"])
    assert client.post(url_of(held_hearing) + "/approve").status_code == 403
    assert post_scan(client, held_hearing, real_pdf()).status_code == 403
    db.session.expire_all()
    assert db.session.get(Protocol, protocol.id).status == "submitted"


@pytest.mark.parametrize("data", [
    b"%PDF-1.4 scanned page",
    b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10,
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    b"hello",
])
def test_scan_that_does_not_open_is_400(app, client, login_as, held_hearing, users, dev_ca, data):
    protocol = submitted(held_hearing, users)
    before = scans(app)
    login_as(users["chair"])
    r = post_scan(client, held_hearing, data)
    assert r.status_code == 400
    assert "The scan cannot be opened" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Protocol, protocol.id).status == "submitted"
    assert scans(app) == before


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_chair_records_paper_signature_with_an_image(app, client, login_as, held_hearing, users, dev_ca, fmt):
    protocol = submitted(held_hearing, users)
    login_as(users["chair"])
    r = post_scan(client, held_hearing, real_image(fmt), f"scan.{fmt.lower()}")
    assert r.status_code == 302
    db.session.expire_all()
    protocol = db.session.get(Protocol, protocol.id)
    assert protocol.status == "signed"
    chair = [s for s in protocol.signoffs if s.role == "chair"][0]
    assert chair.method == "paper" and chair.account_email == users["chair"].email


# --- 7. unusable certificates ----------------------------------------------------------------------

def ed25519_p12(password="pw-123"):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import NameOID

    from hearings.documents import signing

    ca_key, ca_cert = signing.load_ca()
    key = ed25519.Ed25519PrivateKey.generate()
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ed25519 seal")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + timedelta(days=30)).sign(ca_key, hashes.SHA256()))
    return signing.to_p12(key, cert, ca_cert, password)


def test_ed25519_certificate_is_refused_at_upload(app, client, login_as, users, municipality, dev_ca):
    from hearings.documents.models import SigningCredential

    login_as(users["chair"])
    r = client.post("/m/teploklyuchenka/documents/certificate?lang=en",
                    data={"file": (io.BytesIO(ed25519_p12()), "seal.p12"), "password": "pw-123"},
                    content_type="multipart/form-data")
    assert r.status_code == 400
    assert "This certificate cannot be used to sign documents" in r.get_data(as_text=True)
    assert db.session.query(SigningCredential).count() == 0
    r = client.post("/m/teploklyuchenka/documents/certificate?lang=en",
                    data={"file": (io.BytesIO(ed25519_p12()), "seal.p12"), "password": "wrong"},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "cannot be opened with this password" in r.get_data(as_text=True)


def _store_unusable_seal(municipality):
    """An Ed25519 credential stored before the upload check existed."""
    from hearings.documents.models import SigningCredential
    from hearings.documents.signing import encrypt_password

    db.session.add(SigningCredential(municipality_id=municipality.id, label="old", subject="CN=old",
                                     pkcs12=ed25519_p12(), password_encrypted=encrypt_password("pw-123")))
    db.session.commit()


def test_signing_failure_is_a_clear_message_and_leaves_nothing(app, client, login_as, held_hearing, users,
                                                              municipality, dev_ca):
    from hearings.documents.models import IssuedDocument

    _store_unusable_seal(municipality)
    protocol = submitted(held_hearing, users)
    before = scans(app)
    login_as(users["chair"])
    r = client.post(url_of(held_hearing) + "/approve?lang=en")
    assert r.status_code == 409
    assert "no usable signing certificate" in r.get_data(as_text=True)
    r = post_scan(client, held_hearing, real_pdf())
    assert r.status_code == 409
    assert "no usable signing certificate" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Protocol, protocol.id).status == "submitted"
    assert db.session.query(ProtocolSignoff).filter_by(role="chair").count() == 0
    assert db.session.query(IssuedDocument).count() == 0
    assert scans(app) == before


# --- 11. reasons validated on the page ------------------------------------------------------------

def test_correction_and_return_reasons_are_validated_on_the_page(app, client, login_as, held_hearing, users, dev_ca):
    protocol = submitted(held_hearing, users)
    login_as(users["chair"])
    note = "ж" * 2001
    r = client.post(url_of(held_hearing) + "/return?lang=en", data={"note": note})
    assert r.status_code == 400 and note in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Protocol, protocol.id).status == "submitted"
    services.approve(db.session.get(Protocol, protocol.id), users["chair"])
    login_as(users["secretary"])
    r = client.post(url_of(held_hearing) + "/correct?lang=en", data={"reason": "  "})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Correct the signed protocol" in page and "This field is required." in page
    reason = "ы" * 2001
    r = client.post(url_of(held_hearing) + "/correct?lang=en", data={"reason": reason})
    assert r.status_code == 400 and reason in r.get_data(as_text=True)
    assert len(services.protocols_of(held_hearing)) == 1
    r = client.post(url_of(held_hearing) + "/correct?lang=en", data={"reason": "Добуш саны"})
    assert r.status_code == 302 and len(services.protocols_of(held_hearing)) == 2


# --- 8, 9, 14. the PDF ----------------------------------------------------------------------------

def _linked_budget(held_hearing, municipality):
    from hearings.core.models import utcnow
    from hearings.drafts.models import BudgetLine, Comment, Draft, DraftVersion

    draft = Draft(municipality_id=municipality.id, kind="budget", fiscal_year=2027,
                  title_ky="2027-жылдын бюджети", title_ru="Бюджет на 2027 год", title_en="Budget 2027",
                  status="closed")
    version = DraftVersion(draft=draft, number=1, published_at=utcnow())
    water = BudgetLine(version=version, position=1, kind="expenditure", code="0631",
                       name_ky="Суу менен камсыздоо", name_ru="Водоснабжение", name_en="Water supply",
                       category="water", amount=Decimal("1500000"))
    school = BudgetLine(position=2, kind="expenditure", code="0912", name_ky="Билим берүү",
                        name_ru="Образование", name_en="", category="education", amount=Decimal("2000000"))
    version.lines.extend([
        BudgetLine(position=0, kind="revenue", code="1111", name_ky="Салыктар", name_ru="Налоги",
                   name_en="Taxes", category="other", amount=Decimal("5000000")), water, school])
    db.session.add_all([draft, version])
    db.session.flush()
    db.session.add(Comment(draft_id=draft.id, version_id=version.id, line_id=water.id, author_name="Асан Ү.",
                           text="Суу түтүгү"))
    db.session.add(Comment(draft_id=draft.id, version_id=version.id, line_id=school.id,
                           author_name="Айгүл", text="Мектеп"))
    held_hearing.draft_kind, held_hearing.draft_id = "draft_budget", draft.id
    db.session.commit()


def test_english_annex_names_lines_in_english_and_percent_follow_the_language(app, held_hearing, municipality):
    _linked_budget(held_hearing, municipality)
    with app.test_request_context():
        en = text_of(services.render_preview(held_hearing, "en"))
        ky = text_of(services.render_preview(held_hearing, "ky"))
        ru = text_of(services.render_preview(held_hearing, "ru"))
    assert "0631 Water supply" in en and "Суу менен камсыздоо" not in en
    assert "0912 Билим берүү" in en          # no English name: the Kyrgyz one
    assert "0631 Водоснабжение" in ru and "0631 Суу менен камсыздоо" in ky
    # expenditure 3.5 mln: education 57.1 %, water 42.9 %
    assert "57.1%" in en and "42.9%" in en
    assert "57,1 %" in ky and "42,9 %" in ky and "57,1 %" in ru
    assert "57.1" not in ky and "57.1" not in ru


def test_no_double_period_after_initials(app, held_hearing):
    held_hearing.chair_name, held_hearing.chair_position = "Осмонова Ж.", ""
    held_hearing.agenda[0].rapporteur, held_hearing.agenda[0].rapporteur_position = "Бекова А.", ""
    db.session.commit()
    with app.test_request_context():
        ky = text_of(services.render_preview(held_hearing, "ky"))
    assert "Осмонова Ж." in ky and "Ж.." not in ky
    assert "Бекова А." in ky and "А.." not in ky


def test_signature_stamp_uses_bishkek_time():
    from hearings.documents.signing import stamp_time

    assert stamp_time(datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)) == "20.11.2026 10:00:00 (UTC+6)"
    assert stamp_time(datetime(2026, 11, 20, 20, 30, tzinfo=timezone.utc)) == "21.11.2026 02:30:00 (UTC+6)"


def test_the_stamp_prints_bishkek_time(app, municipality, dev_ca, monkeypatch):
    """pyHanko overwrites its own "ts" with UTC: the stamp must print our "when" (Bishkek)."""
    from pyhanko.stamp import TextStampStyle

    from hearings.documents import signing

    seen = []
    original = TextStampStyle.create_stamp

    def spy(self, writer, box, text_params):
        seen.append((self.stamp_text % text_params))
        return original(self, writer, box, text_params)

    monkeypatch.setattr(TextStampStyle, "create_stamp", spy)
    monkeypatch.setattr(signing, "stamp_time", lambda now=None: "20.11.2026 10:00:00 (UTC+6)")
    with app.test_request_context():
        signing.sign_pdf(real_pdf(), signing.seals_for(municipality), box=(0, 50, 50, 400, 120), lang="ru")
    assert seen and "20.11.2026 10:00:00 (UTC+6)" in seen[0] and "UTC\n" not in seen[0]
