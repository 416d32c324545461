import hashlib
import io

from pypdf import PdfReader

from hearings.documents.services import issue_document
from hearings.documents.verification import verify_pdf
from hearings.extensions import db


def text_of(pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def issue(municipality, sign=True, title="Кулактандыруу: бюджеттин долбоору", **kw):
    doc = issue_document("notice", municipality, title, "documents/simple.html",
                         {"paragraphs": ["Өткөрүлүүчү жери: айыл өкмөтү, ңөү"]}, lang="ky",
                         sign=sign, **kw)
    db.session.commit()
    return doc


def test_issue_unsigned_registers_hash_and_code(app, municipality, english):
    doc = issue(municipality, sign=False)
    data = doc.read()
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    text = text_of(data)
    assert doc.code in text and f"/verify/{doc.code}" in text
    assert "ңөү" in text
    result = verify_pdf(data)
    assert result.valid and result.document.id == doc.id and not result.signatures


def test_platform_seal_signs_and_verifies(app, municipality, dev_ca, english):
    doc = issue(municipality)
    assert doc.signed and doc.signers[0]["kind"] == "platform"
    result = verify_pdf(doc.read())
    assert result.valid, result.reasons
    assert len(result.signatures) == 1 and result.signatures[0].signer
    assert result.signatures[0].signed_at is not None


def test_two_personal_signatures_in_order(app, municipality, users, person_certs, english):
    doc = issue(municipality, signatories=[(users["secretary"], "Катчы"), (users["chair"], "Төрага")])
    assert [s["name"] for s in doc.signers] == [users["secretary"].full_name, users["chair"].full_name]
    result = verify_pdf(doc.read())
    assert result.valid, result.reasons
    assert [s.ok for s in result.signatures] == [True, True]


def test_flipped_byte_is_not_valid(app, municipality, dev_ca, english):
    doc = issue(municipality)
    data = bytearray(doc.read())
    # flip one byte inside the signed page content (well before the signature)
    data[len(data) // 3] ^= 0x01
    result = verify_pdf(bytes(data))
    assert not result.valid
    assert not result.matches_registry


def test_incremental_update_changing_page_is_not_valid(app, municipality, dev_ca, english):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    doc = issue(municipality)
    writer = IncrementalPdfFileWriter(io.BytesIO(doc.read()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 400 Td (FORGED) Tj ET")
    ref = writer.add_object(stream)
    contents = page["/Contents"]
    if isinstance(contents.get_object(), generic.ArrayObject):
        new = generic.ArrayObject(list(contents.get_object()) + [ref])
    else:
        new = generic.ArrayObject([contents, ref])
    page["/Contents"] = new
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    forged = out.getvalue()
    assert forged.startswith(doc.read())
    result = verify_pdf(forged)
    assert not result.valid
    assert any("changed" in r for r in result.reasons)
    assert result.expected.id == doc.id  # recognised as that document, changed afterwards


def test_another_documents_bytes_fail_for_this_code(app, municipality, dev_ca, english):
    first = issue(municipality, title="Биринчи")
    second = issue(municipality, title="Экинчи")
    result = verify_pdf(second.read(), code=first.code)
    assert not result.valid
    assert not result.matches_registry


def test_verify_pages(app, client, municipality, dev_ca, english):
    doc = issue(municipality)
    page = client.get(f"/verify/{doc.code}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Valid" in html and doc.sha256 in html
    ok = client.post(f"/verify/{doc.code}?lang=en",
                     data={"file": (io.BytesIO(doc.read()), "copy.pdf")},
                     content_type="multipart/form-data")
    assert "yes: the bytes are identical" in ok.get_data(as_text=True)
    bad = client.post("/verify?lang=en", data={"file": (io.BytesIO(doc.read()[:-300] + b"x" * 300), "x.pdf")},
                      content_type="multipart/form-data")
    assert "Not valid" in bad.get_data(as_text=True)
    registry = client.get("/documents/?lang=en").get_data(as_text=True)
    assert doc.code in registry and "1 document" in registry
    assert client.get(f"/verify/{doc.code}/pdf").data == doc.read()


def test_cli_verify_exit_codes(app, municipality, dev_ca, tmp_path):
    doc = issue(municipality)
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(doc.read())
    data = bytearray(doc.read())
    data[len(data) // 3] ^= 0x01
    bad.write_bytes(bytes(data))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["documents", "verify", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid")
    result = runner.invoke(args=["documents", "verify", str(bad)])
    assert result.exit_code == 1 and result.output.startswith("invalid")


def test_untrusted_signer_is_not_valid(app, municipality, dev_ca, english):
    """A certificate from another CA (not a trust root) does not verify."""
    from hearings.documents import signing

    ca_key, ca_cert = signing.make_ca("Rogue CA")
    key, cert = signing.issue_cert(ca_key, ca_cert, "Rogue")
    signing.store_credential(signing.to_p12(key, cert, ca_cert, "pw"), "pw", municipality=municipality)
    db.session.commit()
    doc = issue(municipality)
    result = verify_pdf(doc.read())
    assert not result.valid
    assert "trusted root" in " ".join(result.reasons)


def test_password_is_not_stored_in_plain_text(app, municipality, dev_ca):
    from hearings.documents import signing
    from hearings.documents.models import SigningCredential

    ca_key, ca_cert = signing.load_ca()
    key, cert = signing.issue_cert(ca_key, ca_cert, "Seal")
    signing.store_credential(signing.to_p12(key, cert, ca_cert, "s3cret-pass"), "s3cret-pass",
                             municipality=municipality)
    db.session.commit()
    row = db.session.query(SigningCredential).one()
    assert "s3cret-pass" not in row.password_encrypted
    assert signing.decrypt_password(row.password_encrypted) == "s3cret-pass"


def test_chair_configures_municipality_certificate(app, client, login_as, users, municipality, dev_ca, english):
    from hearings.documents import signing
    from hearings.documents.models import SigningCredential

    ca_key, ca_cert = signing.load_ca()
    key, cert = signing.issue_cert(ca_key, ca_cert, "Теплоключенка мөөрү")
    p12 = signing.to_p12(key, cert, ca_cert, "pass-123")
    url = "/m/teploklyuchenka/documents/certificate"
    login_as(users["staff"])
    assert client.get(url).status_code == 403
    login_as(users["chair"])
    wrong = client.post(url, data={"file": (io.BytesIO(p12), "seal.p12"), "password": "nope"},
                        content_type="multipart/form-data")
    assert "cannot be opened with this password" in wrong.get_data(as_text=True)
    ok = client.post(url, data={"file": (io.BytesIO(p12), "seal.p12"), "password": "pass-123"},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    row = db.session.query(SigningCredential).one()
    assert "pass-123" not in row.password_encrypted
    doc = issue(municipality)
    assert doc.signers[0]["kind"] == "seal" and doc.signers[0]["name"] == municipality.name
    assert verify_pdf(doc.read()).valid


def test_cli_dev_ca_issues_certificates(app, users, dev_ca):
    from hearings.documents.signing import credential_for

    result = app.test_cli_runner().invoke(args=["certs", "dev-ca"])
    assert result.exit_code == 0, result.output
    municipality = users["chair"].municipality
    assert credential_for(municipality) is not None
    assert credential_for(municipality, users["chair"]) is not None
    assert credential_for(municipality, users["secretary"]) is not None
    assert credential_for(municipality, users["staff"]) is None


def test_unknown_code_is_404(client, municipality):
    assert client.get("/verify/NOPE2345").status_code == 404


def test_signing_and_validation_work_beside_a_running_event_loop(app, municipality, dev_ca, english):
    """pyHanko's sync API calls asyncio.run(); Playwright (or an async server) may already run a
    loop in this thread."""
    import asyncio

    async def inside_loop():
        doc = issue(municipality)
        return verify_pdf(doc.read())

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop yet in this thread: make one and sign inside it
        assert asyncio.run(inside_loop()).valid
    else:  # Playwright's session-wide browser already runs a loop here: that is the case itself
        doc = issue(municipality)
        assert verify_pdf(doc.read()).valid


def test_attendance_lists_open_for_the_municipalitys_staff_only(app, client, login_as, users, municipality):
    with app.test_request_context():
        doc = issue_document("attendance", municipality, "Катышуучулардын тизмеси", "documents/simple.html",
                             {"paragraphs": ["Асанова Айгүл, Ак-Суу, Ленин 5"]}, lang="ky", sign=False)
        db.session.commit()
    pdf_url = f"/verify/{doc.code}/pdf"
    r = client.get(pdf_url)
    assert r.status_code == 302 and "/account/login" in r.location
    page = client.get(f"/verify/{doc.code}?lang=en").get_data(as_text=True)
    assert "only staff of the municipality can open it" in page and pdf_url not in page
    for role in ("resident", "staff_b"):
        login_as(users[role])
        assert client.get(pdf_url).status_code == 403, role
    login_as(users["secretary"])
    r = client.get(pdf_url)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert pdf_url in client.get(f"/verify/{doc.code}").get_data(as_text=True)
