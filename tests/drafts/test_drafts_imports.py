"""Import of budget lines (CSV, XLSX) and charter sections (Markdown): errors by row and
column in the user's language, and nothing changes when the file is bad."""
import io
from decimal import Decimal

from openpyxl import Workbook

from hearings.drafts.models import BudgetLine
from hearings.drafts.imports import parse_amount, parse_budget_file
from hearings.extensions import db

HEADER = "kind,code,name_ky,name_ru,name_en,category,amount,prev_approved,prev_executed,note\n"


def upload(client, draft, name, data):
    return client.post(f"/m/teploklyuchenka/drafts/{draft.id}/import",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_bad_csv_lists_errors_by_row_and_column_in_russian_and_changes_nothing(client, users, make_budget, login_as, budget_lines):
    draft = make_budget(publish=False)
    login_as(users["staff"])
    bad = (HEADER + "revenue,1111,Салык,Налог,Tax,other,1 000,,,\n"
           "доход,,Салык2,Налог2,,other,abc,,,\n"
           "spending,77,Аты,Имя,,roads,100,,,\n"
           "expenditure,78,,,,nowhere,-5,,,\n").encode()
    r = upload(client, draft, "lines.csv", bad)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Row 3, column “code”: The code is empty." in page
    assert "Row 3, column “amount”: “abc” is not an amount in som" in page
    assert "Row 4, column “kind”: Write “revenue” or “expenditure”." in page
    assert "Row 5, column “category”: Unknown category “nowhere”." in page
    assert "Row 5, column “amount”" in page
    assert "nothing was changed" in page
    db.session.expire_all()
    assert [l.code for l in draft.working_version.lines] == [l["code"] for l in budget_lines]

    client.get("/lang/ru")
    r = upload(client, draft, "lines.csv", bad)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Строка 3, столбец “code”: Код не указан." in page
    assert "Строка 4, столбец “kind”" in page


def test_missing_columns_and_wrong_file_type(app, english):
    rows, problems = parse_budget_file("x.csv", "code;name_ru\n1;Налог\n".encode())
    assert rows == [] and [(p.row, p.column) for p in problems] == [(1, "kind"), (1, "amount")]
    rows, problems = parse_budget_file("x.pdf", b"%PDF")
    assert "Upload a .csv or .xlsx file." in str(problems[0])
    rows, problems = parse_budget_file("x.xlsx", b"not a zip")
    assert "not a valid Excel" in str(problems[0])


def test_good_csv_with_russian_headers_semicolons_and_decimal_commas(client, users, make_budget, login_as):
    draft = make_budget(publish=False)
    login_as(users["staff"])
    data = ("Вид;Код;Наименование;Категория;Сумма;Примечание\n"
            "Доходы;1111;Подоходный налог;;1 500 000,50;\n"
            "Расходы;0451;Ремонт дорог;Дороги;1 200 000;улица Ленина\n").encode("cp1251")
    r = upload(client, draft, "бюджет.csv", data)
    assert r.status_code == 302
    db.session.expire_all()
    lines = draft.working_version.lines
    assert [(l.kind, l.code, l.name_ru, l.category, l.amount) for l in lines] == [
        ("revenue", "1111", "Подоходный налог", "other", Decimal("1500000.50")),
        ("expenditure", "0451", "Ремонт дорог", "roads", Decimal("1200000.00"))]
    assert lines[1].note == "улица Ленина"


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_import_and_errors(client, users, make_budget, login_as):
    draft = make_budget(publish=False)
    login_as(users["staff"])
    header = ["kind", "code", "name_ky", "name_ru", "category", "amount", "prev_approved"]
    good = xlsx([header, ["revenue", 1111, "Салык", "Налог", "other", 2500000.5, 2400000],
                 ["expenditure", "0911", "Бала бакча", "Детсад", "education", 2500000.5, None]])
    r = upload(client, draft, "budget.xlsx", good)
    assert r.status_code == 302
    db.session.expire_all()
    assert [(l.code, l.amount, l.prev_approved) for l in draft.working_version.lines] == [
        ("1111", Decimal("2500000.50"), Decimal("2400000.00")), ("0911", Decimal("2500000.50"), None)]
    bad = xlsx([header, ["revenue", "1", "", "", "other", 10, None],
                ["revenue", "1", "A", "", "other", 10.123, None]])
    r = upload(client, draft, "budget.xlsx", bad)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Row 2, column “name_ky”: The name is empty." in page
    assert "Row 3, column “code”: The same code is already in row 2." in page
    assert "Row 3, column “amount”" in page
    db.session.expire_all()
    assert len(draft.working_version.lines) == 2


def test_parse_amount():
    assert parse_amount("1 234 567,50") == Decimal("1234567.50")
    assert parse_amount("1,234,567.50") == Decimal("1234567.50")
    assert parse_amount("1\u00a0000 сом") == Decimal("1000.00")
    assert parse_amount(12.5) == Decimal("12.50")
    assert parse_amount("") is None
    for bad in ("-1", "1.234", "abc", "nan", "1e20"):
        try:
            parse_amount(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_markdown_charter_import(client, users, make_charter, login_as):
    draft = make_charter(publish=False)
    login_as(users["staff"])
    text = "# 1. Жалпы жоболор\nБул устав...\n\n## 2. Жыйын\nЖыйын чакырылат.\nЭкинчи сап.\n# Корутунду\nАкыркы.\n"
    r = upload(client, draft, "ustav.md", text.encode())
    assert r.status_code == 302
    db.session.expire_all()
    assert [(s.number, s.heading, s.text) for s in draft.working_version.sections] == [
        ("1", "Жалпы жоболор", "Бул устав..."), ("2", "Жыйын", "Жыйын чакырылат.\nЭкинчи сап."),
        ("3", "Корутунду", "Акыркы.")]
    r = upload(client, draft, "ustav.md", "Кириш сөз\n# 1. A\n#\n# 1. B\n".encode())
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Line 1: Text before the first heading" in page
    assert "Line 3: The heading is empty." in page
    assert "Line 4: Section 1 is already on line 2." in page
    db.session.expire_all()
    assert len(draft.working_version.sections) == 3


def test_import_into_published_version_is_refused(client, users, make_budget, login_as, budget_lines):
    draft = make_budget()
    login_as(users["staff"])
    r = upload(client, draft, "lines.csv", (HEADER + "revenue,9,A,A,A,other,1,,,\n").encode())
    assert r.status_code == 409
    assert "cannot be changed" in r.get_data(as_text=True)
    assert db.session.query(BudgetLine).count() == len(budget_lines)


def test_nul_bytes_and_huge_fields_do_not_break_the_import(app, english):
    rows, problems = parse_budget_file("x.csv", (HEADER + "revenue,1\x00,A,A,A,other,5,,,\n").encode())
    assert problems == [] and rows[0]["code"] == "1"
    rows, problems = parse_budget_file("x.csv", (HEADER + "revenue,1,\"" + "x" * 200000 + "\",A,A,other,5,,,\n").encode())
    assert rows == [] and problems
