"""Hostile PDFs on the public verification pages: never a 500, always "not valid"."""
import io
import re

import pytest

from hearings.documents.services import issue_document
from hearings.documents.verification import verify_pdf
from hearings.extensions import db


def _signed(municipality):
    doc = issue_document("notice", municipality, "Кулактандыруу", "documents/simple.html",
                         {"paragraphs": ["ңөү"]}, lang="ky", sign=True)
    db.session.commit()
    return doc


def _edit_byte_range(data, replacement):
    """Replace the /ByteRange array of the signature, keeping the file length."""
    match = re.search(rb"/ByteRange\s*\[[^\]]*\]", data)
    assert match, "signed PDF has a /ByteRange"
    original = match.group(0)
    new = replacement.ljust(len(original))
    assert len(new) == len(original)
    return data[:match.start()] + new + data[match.end():]


HOSTILE = {
    "two entries": b"/ByteRange [0 10]",
    "names": b"/ByteRange [/A /B /C /D]",
    "dictionary": b"/ByteRange <</A 1 /B 2>>",
    "negative": b"/ByteRange [0 -5 -9 -1]",
    "huge": b"/ByteRange [0 1 9999999999 1]",
    "strings": b"/ByteRange [(a) (b) (c) (d)]",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_malformed_byte_range_is_not_valid_not_500(app, client, municipality, dev_ca, english, kind):
    doc = _signed(municipality)
    # appended bytes: the file is not in the registry, so the "signed revision" lookup runs
    data = _edit_byte_range(doc.read(), HOSTILE[kind]) + b"\n%changed\n"
    result = verify_pdf(data)
    assert not result.valid
    page = client.post("/verify?lang=en", data={"file": (io.BytesIO(data), "x.pdf")},
                       content_type="multipart/form-data")
    assert page.status_code < 500
    assert "Not valid" in page.get_data(as_text=True)
    page = client.post(f"/verify/{doc.code}?lang=en", data={"file": (io.BytesIO(data), "x.pdf")},
                       content_type="multipart/form-data")
    assert page.status_code < 500
    assert "Not valid" in page.get_data(as_text=True)


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n",
    b"%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange [0 1] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    b"%PDF-" + b"\x00\xff" * 500,
])
def test_damaged_pdf_is_not_valid_not_500(app, client, municipality, english, data):
    page = client.post("/verify?lang=en", data={"file": (io.BytesIO(data), "x.pdf")},
                       content_type="multipart/form-data")
    assert page.status_code < 500
    assert "Not valid" in page.get_data(as_text=True)
