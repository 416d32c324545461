from pathlib import Path

from sqlalchemy import func, select

from hearings.extensions import db
from hearings.territory.models import Municipality, Oblast, Raion
from hearings.territory.services import import_municipalities

DATA = Path(__file__).resolve().parents[2] / "hearings" / "territory" / "data" / "kg-aiyl-aimaks-2021.csv"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_loads_all_453_and_is_idempotent():
    text = DATA.read_text(encoding="utf-8")
    report = import_municipalities(text)
    assert (report.created, report.errors) == (453, [])
    assert count(Municipality) == 453 and count(Oblast) == 7 and count(Raion) == 40
    again = import_municipalities(text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 453)
    assert count(Municipality) == 453
    teplo = db.session.execute(select(Municipality).filter_by(soate="41702205848000")).scalar_one()
    assert teplo.name_ru == "Теплоключенский айылный аймак"
    assert teplo.raion.oblast.name_ky == "Ысык-Көл облусу"
    assert len({m.slug for m in db.session.execute(select(Municipality)).scalars()}) == 453


def test_import_reports_bad_rows_by_line_and_keeps_good_ones(english):
    text = ("oblast_code,oblast,raion_code,raion,aa_code,aiyl_aimak_ru\n"
            "41702000000000,Иссык-Кульская область,41702205000000,Ак-Суйский район,41702205848000,Теплоключенский айылный аймак\n"
            "41702000000000,Иссык-Кульская область,41702205000000,Ак-Суйский район,123,Плохой айылный аймак\n"
            "41702000000000,Иссык-Кульская область,41702205000000,Ак-Суйский район,41702205805000,\n")
    report = import_municipalities(text)
    assert report.created == 1
    assert [line for line, _ in report.errors] == [3, 4]
    assert "aa_code must be a 14-digit" in report.errors[0][1]
    assert "aiyl_aimak_ru is empty" in report.errors[1][1]


def test_import_command_prints_counts(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["municipalities", "import", str(DATA)])
    assert result.exit_code == 0, result.output
    assert "created 453" in result.output


def test_import_command_names_missing_columns(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n1,x\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["municipalities", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 1" in result.output and "missing columns" in result.output


def test_overview_and_home_pages(client, municipality):
    page = client.get("/?lang=ru").get_data(as_text=True)
    assert "Иссык-Кульская область" in page or "Ысык-Көл облусу" in page
    home = client.get("/m/teploklyuchenka/?lang=ky")
    assert home.status_code == 200
    assert "Теплоключенка-1" in home.get_data(as_text=True)
    assert client.get("/m/nowhere/").status_code == 404


def test_search_finds_by_name_and_code(client, municipality):
    assert "Теплоключенка" in client.get("/?q=Теплокл").get_data(as_text=True)
    assert "Теплоключенка" in client.get("/?q=41702205848000").get_data(as_text=True)
    # lower-case Cyrillic (SQLite's own lower() knows only ASCII) and a village's name
    assert 'href="/m/teploklyuchenka/"' in client.get("/?q=теплоКЛЮЧ").get_data(as_text=True)
    assert 'href="/m/teploklyuchenka/"' in client.get("/?q=теплоключенка-2").get_data(as_text=True)
    assert 'href="/m/teploklyuchenka/"' not in client.get("/?q=Кочкор").get_data(as_text=True)
