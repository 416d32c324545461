"""Reading budget lines (CSV, XLSX) and charter sections (plain text / Markdown).

Parsing never writes: it returns (rows, errors); the caller saves only when errors is empty.
Each error names the row (or line) and the column, in the user's language."""
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import force_locale
from flask_babel import gettext as _

from .models import CATEGORIES, EXPENDITURE, REVENUE

MAX_ROWS = 2000
MAX_SECTIONS = 500
MAX_COLUMNS = 50
MAX_XLSX_UNPACKED = 6 * 1024 * 1024    # bytes, all members of the .xlsx together (openpyxl: ~0.5 s/MB)
MAX_XLSX_MEMBERS = 1000
MAX_SECTION_NUMBER = 20               # CharterSection.number is a String(20)

# column → accepted header spellings (lower case)
COLUMNS = {
    "kind": ("kind", "type", "вид", "тип", "түрү", "түр"),
    "code": ("code", "код", "коду"),
    "name_ky": ("name_ky", "name (ky)", "аталышы", "аталышы (ky)", "наименование (ky)"),
    "name_ru": ("name_ru", "name (ru)", "наименование", "наименование (ru)", "аталышы (ru)"),
    "name_en": ("name_en", "name (en)", "name"),
    "category": ("category", "категория", "категориясы"),
    "amount": ("amount", "сумма", "суммасы"),
    "prev_approved": ("prev_approved", "approved last year", "утверждено в прошлом году",
                      "өткөн жылы бекитилген"),
    "prev_executed": ("prev_executed", "executed last year", "исполнено в прошлом году",
                      "өткөн жылы аткарылган"),
    "note": ("note", "примечание", "эскертүү"),
}
REQUIRED = ("kind", "code", "amount")
KIND_WORDS = {
    REVENUE: ("revenue", "revenues", "income", "доход", "доходы", "киреше", "кирешелер"),
    EXPENDITURE: ("expenditure", "expenditures", "expense", "расход", "расходы", "чыгаша",
                  "чыгашалар", "чыгым"),
}


@dataclass
class ImportProblem:
    row: int          # spreadsheet row (the header is row 1) or text line
    column: str       # column name as in the file, or "" for the whole row
    message: str      # translated
    unit: str = "row"  # "row" of a table or "line" of a text file

    def __str__(self):
        if self.unit == "line":
            return _("Line %(row)d: %(message)s", row=self.row, message=self.message)
        if self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s", row=self.row,
                     column=self.column, message=self.message)
        return _("Row %(row)d: %(message)s", row=self.row, message=self.message)


def _norm(text):
    return re.sub(r"\s+", " ", str(text or "").strip().lower())


def _category_aliases():
    aliases = {}
    for key, label in CATEGORIES.items():
        aliases[key] = key
        for lang in ("ky", "ru", "en"):
            with force_locale(lang):
                aliases[_norm(str(label))] = key
    return aliases


AMOUNT_PLAIN = re.compile(r"^\d{1,16}([.,]\d{1,2})?$")
AMOUNT_SPACED = re.compile(r"^\d{1,3}( \d{3}){1,5}([.,]\d{1,2})?$")
AMOUNT_COMMAS = re.compile(r"^\d{1,3}(,\d{3}){1,5}(\.\d{1,2})?$")


def parse_amount(value):
    """Decimal from 1234567.5, '1 234 567,50', '1,234,567.50'; None for blank; ValueError if bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    else:
        text = str(value).replace("\u00a0", " ").replace("\u202f", " ").strip()
        text = re.sub(r"\s*(сом|som|kgs)$", "", text, flags=re.I).strip()
        # Only unambiguous spellings: "1234567,5", "1 234 567,50", "1,234,567.50".
        # "12,5,6" or "12 5 6" could be several things: refuse rather than guess.
        if AMOUNT_PLAIN.match(text) or AMOUNT_SPACED.match(text):
            text = text.replace(" ", "").replace(",", ".")
        elif AMOUNT_COMMAS.match(text) and (text.count(",") > 1 or "." in text):
            # "1,234" alone is 1.234 in Russian and 1234 in English: ambiguous, refused
            text = text.replace(",", "")
        else:
            raise ValueError
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError from None
    if not number.is_finite() or number < 0 or number >= Decimal("1e13"):
        raise ValueError
    if number != number.quantize(Decimal("0.01")):
        raise ValueError
    return number.quantize(Decimal("0.01"))


def _read_csv(data):
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None, [ImportProblem(1, "", _("The file is not readable text (use UTF-8)."))]
    import unicodedata

    text = unicodedata.normalize("NFC", text).replace("\x00", "")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    if "\t" in sample.split("\n", 1)[0] and sample.count("\t") > sample.count(delimiter):
        delimiter = "\t"
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter)), []
    except csv.Error:
        return None, [ImportProblem(1, "", _("The file is not readable text (use UTF-8)."))]


def _xlsx_too_large(data):
    """A translated problem when the archive unpacks to more than MAX_XLSX_UNPACKED bytes
    (a small "zip bomb" would otherwise keep a worker busy for minutes); None when fine."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:  # noqa: BLE001 - not a zip at all: openpyxl reports it below
        return None
    total = sum(max(info.file_size, 0) for info in infos)
    if len(infos) > MAX_XLSX_MEMBERS or total > MAX_XLSX_UNPACKED:
        return ImportProblem(1, "", _(
            "The workbook is too large: unpacked it takes more than %(mb)d MB. "
            "Save only the sheet with the budget lines and try again.",
            mb=MAX_XLSX_UNPACKED // (1024 * 1024)))
    return None


def _unreadable(row=None):
    """'Cannot read this file' as an ImportProblem (with the row when known)."""
    if row is None:
        return ImportProblem(1, "", _("The file is not a valid Excel (.xlsx) workbook."))
    return ImportProblem(row, "", _(
        "This file cannot be read from this row on: a cell is damaged or holds an impossible "
        "value (such as the date 30 February). Save the file again in Excel or LibreOffice."))


def _read_xlsx(data):
    from openpyxl import load_workbook

    too_large = _xlsx_too_large(data)
    if too_large is not None:
        return None, [too_large]
    # Anything wrong inside the file (broken XML, a missing shared string, an impossible date,
    # a number openpyxl cannot convert…) is the file's fault: report it, never crash.
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - see above
        return None, [_unreadable()]
    rows = []
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append(["" if v is None else (v.replace("\x00", "") if isinstance(v, str) else v)
                         for v in row])
            if len(rows) > MAX_ROWS + 2:
                break
    except Exception:  # noqa: BLE001 - see above
        return None, [_unreadable(len(rows) + 1)]
    finally:
        try:
            book.close()
        except Exception:  # noqa: BLE001
            pass
    return rows, []


def parse_budget_file(filename, data):
    """→ (rows as dicts ready for BudgetLine, [ImportProblem]). Nothing is written."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table, problems = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        table, problems = _read_csv(data)
    else:
        return [], [ImportProblem(1, "", _("Upload a .csv or .xlsx file."))]
    if problems:
        return [], problems
    table = [r for r in table]
    while table and not any(str(c).strip() for c in table[-1]):
        table.pop()
    if not table:
        return [], [ImportProblem(1, "", _("The file is empty."))]
    if len(table) > MAX_ROWS + 1:
        return [], [ImportProblem(MAX_ROWS + 2, "", _("Too many rows (at most %(n)d).", n=MAX_ROWS))]

    header = [_norm(c) for c in table[0]]
    columns = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names and key not in columns:
                columns[key] = i
    missing = [k for k in REQUIRED if k not in columns]
    problems = [ImportProblem(1, k, _("This column is missing from the first row."))
                for k in missing]
    if not any(k in columns for k in ("name_ky", "name_ru", "name_en")):
        problems.append(ImportProblem(1, "name_ky", _("Add at least one name column (name_ky, name_ru or name_en).")))
    if problems:
        return [], problems

    originals = {k: str(table[0][i]).strip() for k, i in columns.items()}
    categories = _category_aliases()
    kinds = {w: k for k, words in KIND_WORDS.items() for w in words}
    rows, seen = [], {}
    for number, raw in enumerate(table[1:], start=2):
        cells = {k: (raw[i] if i < len(raw) else "") for k, i in columns.items()}
        if not any(str(v).strip() for v in cells.values()):
            continue
        row = {}
        kind = kinds.get(_norm(cells.get("kind")))
        if kind is None:
            problems.append(ImportProblem(number, originals["kind"],
                                          _("Write “revenue” or “expenditure”.")))
        row["kind"] = kind
        code = str(cells.get("code", "")).strip()
        if isinstance(cells.get("code"), float) and cells["code"].is_integer():
            code = str(int(cells["code"]))
        if not code:
            problems.append(ImportProblem(number, originals["code"], _("The code is empty.")))
        elif len(code) > 40:
            problems.append(ImportProblem(number, originals["code"], _("The code is too long.")))
        elif (kind, code) in seen:
            problems.append(ImportProblem(number, originals["code"],
                                          _("The same code is already in row %(row)d.", row=seen[(kind, code)])))
        else:
            seen[(kind, code)] = number
        row["code"] = code
        for f in ("name_ky", "name_ru", "name_en"):
            value = str(cells.get(f, "") or "").strip()
            if len(value) > 300:
                problems.append(ImportProblem(number, originals[f], _("The name is too long.")))
            row[f] = value
        if not (row["name_ky"] or row["name_ru"] or row["name_en"]):
            column = originals.get("name_ky") or originals.get("name_ru") or originals.get("name_en")
            problems.append(ImportProblem(number, column, _("The name is empty.")))
        cat = _norm(cells.get("category", ""))
        if not cat:
            row["category"] = "other"
        elif cat in categories:
            row["category"] = categories[cat]
        else:
            problems.append(ImportProblem(number, originals["category"], _("Unknown category “%(value)s”.",
                                                                            value=str(cells.get("category"))[:40])))
        for f in ("amount", "prev_approved", "prev_executed"):
            if f not in columns:
                row[f] = None
                continue
            try:
                row[f] = parse_amount(cells.get(f))
            except ValueError:
                problems.append(ImportProblem(number, originals[f], _(
                    "“%(value)s” is not an amount in som (a number ≥ 0 with at most two decimals).",
                    value=str(cells.get(f))[:40])))
                row[f] = None
            else:
                if f == "amount" and row[f] is None:
                    problems.append(ImportProblem(number, originals[f], _("The amount is empty.")))
        row["note"] = str(cells.get("note", "") or "").strip()[:2000]
        rows.append(row)
    if not rows and not problems:
        problems.append(ImportProblem(2, "", _("The file has a header but no lines.")))
    return (rows if not problems else []), problems


HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
NUMBERED = re.compile(r"^(?:(?:статья|берене|article|раздел|бөлүм|глава|section)\s+)?"
                      r"(\d+(?:\.\d+)*)[.)]?\s+(.*)$", re.I)


def parse_charter_text(data):
    """Markdown / plain text where each section starts with a '#' heading such as
    '## 3. Rights of community members'. → (sections, [ImportProblem]) with row = line number."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [ImportProblem(1, "", _("The file is not readable text (use UTF-8)."), unit="line")]
    import unicodedata

    data = unicodedata.normalize("NFC", data).replace("\x00", "")
    sections, problems, current, numbers = [], [], None, {}
    for lineno, line in enumerate(data.splitlines(), start=1):
        match = HEADING.match(line)
        if match:
            title = match.group(2).strip()
            if not title:
                problems.append(ImportProblem(lineno, "", _("The heading is empty."), unit="line"))
                current = None
                continue
            numbered = NUMBERED.match(title)
            if numbered:
                number, heading = numbered.group(1), numbered.group(2).strip()
            else:
                number, heading = str(len(sections) + 1), title
            if not heading:
                heading = title
            if len(number) > MAX_SECTION_NUMBER:
                problems.append(ImportProblem(lineno, "", _(
                    "The section number is too long (at most %(n)d characters).",
                    n=MAX_SECTION_NUMBER), unit="line"))
                number = number[:MAX_SECTION_NUMBER]
            if number in numbers:
                problems.append(ImportProblem(lineno, "", _("Section %(number)s is already on line %(line)d.",
                                                            number=number, line=numbers[number]), unit="line"))
            numbers[number] = lineno
            if len(heading) > 300:
                problems.append(ImportProblem(lineno, "", _("The heading is too long."), unit="line"))
            current = {"number": number, "heading": heading[:300], "text": []}
            sections.append(current)
        elif current is None:
            if line.strip():
                problems.append(ImportProblem(lineno, "", _("Text before the first heading: start each section with a line like “# 1. Heading”."), unit="line"))
        else:
            current["text"].append(line)
        if len(sections) > MAX_SECTIONS:
            problems.append(ImportProblem(lineno, "", _("Too many sections (at most %(n)d).", n=MAX_SECTIONS), unit="line"))
            break
    if not sections and not problems:
        problems.append(ImportProblem(1, "", _("No headings found: start each section with a line like “# 1. Heading”."), unit="line"))
    for s in sections:
        s["text"] = "\n".join(s["text"]).strip()
    return (sections if not problems else []), problems
