"""QA findings on drafts: safe CSV register, hostile XLSX imports, zip bombs, comment targets,
the hide form, charter import limits and ambiguous amounts."""
import csv
import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from hearings.drafts import services
from hearings.drafts.imports import parse_amount, parse_budget_file
from hearings.drafts.models import BudgetLine, CharterSection, Comment
from hearings.extensions import db

BASE = "/m/teploklyuchenka/drafts"


def upload(client, draft, name, data):
    return client.post(f"{BASE}/{draft.id}/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


# --- 2. register CSV ---------------------------------------------------------------------------

def test_register_csv_does_not_write_formulas(client, users, make_budget):
    draft = make_budget()
    for text in ("=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3+4", "@SUM(A1)"):
        services.add_comment(draft, users["resident"], text)
    r = client.get(f"{BASE}/{draft.id}/register.csv?lang=en")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    texts = [row[6] for row in rows[1:]]
    assert texts == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+2", "'-3+4", "'@SUM(A1)"]


# --- 3. malformed XLSX ---------------------------------------------------------------------------

def _xlsx(rows=(("kind", "code", "name_ky", "amount"), ("revenue", "1111", "Салык", 100))):
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace(data, member, fn):
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == member:
                content = fn(content)
            dst.writestr(info.filename, content)
    return out.getvalue()


def _cell(data, new_cell):
    """Replace cell D2 (the amount 100) of the sheet by raw XML."""
    return _replace(data, "xl/worksheets/sheet1.xml",
                    lambda x: re.sub(rb'<c r="D2"[^>]*><v>100</v></c>', new_cell, x))


BROKEN = {
    "sheet xml": lambda d: _replace(d, "xl/worksheets/sheet1.xml", lambda x: x[: len(x) // 2]),
    "workbook xml": lambda d: _replace(d, "xl/workbook.xml", lambda x: b"<workbook><sheets><"),
    "missing shared string": lambda d: _cell(d, b'<c r="D2" t="s"><v>999</v></c>'),
    "impossible date": lambda d: _cell(d, b'<c r="D2" t="d"><v>2026-02-30</v></c>'),
    "bad number": lambda d: _cell(d, b'<c r="D2" t="n"><v>12abc</v></c>'),
    "truncated zip": lambda d: d[: len(d) // 2],
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_damaged_xlsx_is_refused_with_a_message(client, users, make_budget, login_as, budget_lines, kind):
    draft = make_budget(publish=False)
    before = db.session.query(BudgetLine).count()
    login_as(users["staff"])
    r = upload(client, draft, "budget.xlsx", BROKEN[kind](_xlsx()))
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "The file was not imported: nothing was changed." in page
    assert ("not a valid Excel (.xlsx) workbook" in page
            or "cannot be read from this row on" in page)
    db.session.expire_all()
    assert db.session.query(BudgetLine).count() == before


def test_damaged_cell_names_the_row(app, english):
    data = _cell(_xlsx(), b'<c r="D2" t="d"><v>2026-02-30</v></c>')
    rows, problems = parse_budget_file("b.xlsx", data)
    assert rows == [] and len(problems) == 1
    assert str(problems[0]).startswith("Row 2: This file cannot be read from this row on")


# --- 4. zip bombs ----------------------------------------------------------------------------------

def test_xlsx_zip_bomb_is_refused_quickly(client, users, make_budget, login_as):
    strings = b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" + \
        b"<si><t>a</t></si>" * 2_500_000 + b"</sst>"
    src = zipfile.ZipFile(io.BytesIO(_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                          b'ContentType="application/vnd.openxmlformats-officedocument.'
                                          b'spreadsheetml.sharedStrings+xml"/></Types>')
            dst.writestr(info.filename, content)
        dst.writestr("xl/sharedStrings.xml", strings)
    bomb = out.getvalue()
    assert len(bomb) < 1024 * 1024 and len(strings) > 30 * 1024 * 1024
    draft = make_budget(publish=False)
    login_as(users["staff"])
    started = time.monotonic()
    r = upload(client, draft, "bomb.xlsx", bomb)
    assert time.monotonic() - started < 5
    assert r.status_code == 400
    assert "The workbook is too large" in r.get_data(as_text=True)


def test_too_many_xlsx_rows_are_refused(app, english):
    rows = [("kind", "code", "name_ky", "amount")] + [("revenue", str(i), "A", 1) for i in range(2100)]
    parsed, problems = parse_budget_file("b.xlsx", _xlsx(rows))
    assert parsed == [] and "Too many rows (at most 2000)" in str(problems[0])


# --- 5. comment target, form anchor ----------------------------------------------------------------

def test_huge_comment_target_is_an_unknown_target(client, users, make_budget, login_as):
    draft = make_budget()
    login_as(users["resident"])
    for target in ("line-" + "9" * 5000, "section-" + "1" * 5000, "line-١٢", "nonsense"):
        r = client.post(f"{BASE}/{draft.id}/comments?lang=en",
                        data={"text": "Менин пикирим", "target": target})
        assert r.status_code == 400
        page = r.get_data(as_text=True)
        assert "Choose what your comment is about." in page
        assert "Менин пикирим" in page  # what was typed is kept
    assert db.session.query(Comment).count() == 0


def test_failed_comment_lands_on_the_form(client, users, make_budget, login_as):
    draft = make_budget()
    login_as(users["resident"])
    page = client.get(f"{BASE}/{draft.id}/?lang=en").get_data(as_text=True)
    assert f'action="{BASE}/{draft.id}/comments#comment-form"' in page
    r = client.post(f"{BASE}/{draft.id}/comments?lang=en", data={"text": "   ", "target": ""})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    form = html[html.index('id="comment-form"'):]
    form = form[: form.index("</form>")]
    assert "Please correct the marked fields." in form and 'class="error"' in form


# --- 11. hide without a reason ---------------------------------------------------------------------

def test_hide_without_reason_reshows_the_page_with_the_message(client, users, make_budget, login_as):
    draft = make_budget()
    c = services.add_comment(draft, users["resident"], "Жарнама")
    login_as(users["staff"])
    r = client.post(f"{BASE}/{draft.id}/comments/{c.id}/hide?lang=en", data={"reason": "  "})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Answers to comments" in page
    form = page[page.index(f'id="hide-form-{c.id}"'):]
    assert "Give the reason for hiding the comment." in form[: form.index("</form>")]
    too_long = "ы" * 2001
    r = client.post(f"{BASE}/{draft.id}/comments/{c.id}/hide?lang=en", data={"reason": too_long})
    assert r.status_code == 400 and too_long in r.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Comment, c.id).is_hidden


# --- 12. charter numbers, import messages, ambiguous amounts ---------------------------------------

def test_charter_import_refuses_long_section_numbers_and_says_sections(client, users, make_charter, login_as):
    draft = make_charter(publish=False)
    login_as(users["staff"])
    r = upload(client, draft, "ustav.md", ("# " + "1" * 5000 + ". Жалпы\nТекст\n").encode())
    assert r.status_code == 400
    assert "Line 1: The section number is too long (at most 20 characters)." in r.get_data(as_text=True)
    db.session.expire_all()
    assert all(len(s.number) <= 20 for s in db.session.query(CharterSection))
    r = upload(client, draft, "ustav.md", "# 1. A\nx\n# 2. B\ny\n# 3. C\nz\n# 4. D\nw\n".encode())
    assert r.status_code == 302
    page = client.get(r.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Sections imported: 4." in page and "Imported 4 rows" not in page


def test_ambiguous_amounts_are_refused():
    from decimal import Decimal

    for bad in ("12,5,6", "12 5 6", "1,234", "1,23,4.5", "1.234.567"):
        with pytest.raises(ValueError):
            parse_amount(bad)
    assert parse_amount("1,234,567") == Decimal("1234567.00")
    assert parse_amount("1 500 000,50") == Decimal("1500000.50")
    assert parse_amount("12,5") == Decimal("12.50")


def test_ambiguous_amount_in_a_file_names_row_and_column(app, english):
    rows, problems = parse_budget_file("b.csv", "kind;code;name_ru;amount\nrevenue;1;A;12,5,6\n".encode())
    assert rows == [] and str(problems[0]).startswith("Row 2, column “amount”: “12,5,6” is not an amount")


# --- 9. percentages in the language's style ------------------------------------------------------

def test_percentages_use_the_decimal_comma_in_kyrgyz_and_russian(client, users, make_budget):
    from pypdf import PdfReader

    draft = make_budget()
    for lang in ("ky", "ru"):
        page = " ".join(client.get(f"{BASE}/{draft.id}/?lang={lang}").get_data(as_text=True).split())
        assert "+20,0 %" in page and "60,0 %" in page and "+20.0%" not in page and "60.0%" not in page
    page = " ".join(client.get(f"{BASE}/{draft.id}/?lang=en").get_data(as_text=True).split())
    assert "+20.0%" in page and "60.0%" in page
    for lang, expected in (("ky", "+20,0 %"), ("ru", "+20,0 %"), ("en", "+20.0%")):
        pdf = client.get(f"{BASE}/{draft.id}/citizens-budget.pdf?lang={lang}").data
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
        assert expected in text, lang


# --- 10. chart labels are not cut -----------------------------------------------------------------

def test_compact_chart_leaves_room_for_the_longest_amount(app):
    from decimal import Decimal

    from hearings.drafts.charts import category_bars_compact_svg, text_width

    rows = [("Roads", Decimal("4700000")), ("Education", Decimal("1200000")),
            ("Housing and communal services", Decimal("300000"))]
    svg = str(category_bars_compact_svg(rows, lang="en", width=520, font=12))
    texts = re.findall(r'<text x="(\d+(?:\.\d+)?)" y="[^"]+" font-size="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    for x, size, text in texts:
        assert float(x) + text_width(text, float(size)) <= 520, text
    assert "4,700.0\u00a0thousand som" in svg
