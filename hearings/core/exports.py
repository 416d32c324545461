"""Cells for CSV and XLSX files staff open in a spreadsheet.

Text typed by the public goes into these files. A cell starting with = + - @ (or a tab or a
carriage return) is a formula to Excel and LibreOffice (`=HYPERLINK(...)` can send the row's
phone numbers away), and control characters make openpyxl refuse the whole sheet. So CSV cells
go through `safe_cell` (an apostrophe before a formula sign) and XLSX cells are typed as text;
`csv_text` and `xlsx_bytes` do it for whole tables."""
import csv
import io
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def safe_cell(value):
    """The value as a spreadsheet shows it, never as a formula; numbers stay numbers."""
    if not isinstance(value, str):
        return value
    value = CONTROL.sub("", value)
    if value.startswith(FORMULA_START) and not NUMBER.match(value):
        return "'" + value
    return value


def _xlsx_text(value):
    """In a workbook a cell's type says text or formula, so no apostrophe is needed (a phone
    number +996… stays as typed); control characters still go."""
    return CONTROL.sub("", value) if isinstance(value, str) else value


def csv_text(header, rows, bom=True):
    """CSV (comma, UTF-8, with BOM so Excel reads Cyrillic) of header + rows, every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" if bom else "") + out.getvalue()


def xlsx_bytes(header, rows, title="Sheet"):
    """An .xlsx workbook of header (bold) + rows, every cell safe."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = CONTROL.sub("", title)[:31] or "Sheet"
    ws.append([_xlsx_text(v) for v in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_xlsx_text(v) for v in row])
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":  # openpyxl reads "=…" as a formula: store it as text
                cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
