"""Demo: the full municipality list, villages for the four demo municipalities."""
from sqlalchemy import select

from ..extensions import db
from .cli import DEFAULT_FILE
from .models import Municipality
from .services import add_village, import_municipalities

# (СОАТЕ, demo key, villages (ru, ky)) — Teploklyuchenka plus one each in Jalal-Abad, Naryn, Osh
DEMO = [
    ("41702205848000", "teploklyuchenka", [("Теплоключенка", "Теплоключенка"), ("Ак-Суу", "Ак-Суу"),
                                            ("Богатырёвка", "Богатыревка"), ("Чон-Кызыл-Суу", "Чоң-Кызыл-Суу")]),
]
OTHERS = ("Джалал-Абадская область", "Нарынская область", "Ошская область")


def seed(ctx):
    import_municipalities(DEFAULT_FILE.read_text(encoding="utf-8"))
    main = db.session.execute(select(Municipality).filter_by(soate=DEMO[0][0])).scalar_one()
    main.name_ky, main.name_en = "Теплоключенка айыл аймагы", "Teploklyuchenka aiyl aimak"
    main.slug = "teploklyuchenka"
    main.address = "Теплоключенка айылы, Ленин көчөсү, 1"
    for ru, ky in DEMO[0][2]:
        add_village(main, ru, ky)
    ctx.municipalities["teploklyuchenka"] = main
    from .models import Oblast, Raion

    for oblast_name in OTHERS:
        m = db.session.execute(
            select(Municipality).join(Municipality.raion).join(Raion.oblast)
            .where(Oblast.name_ru == oblast_name).order_by(Municipality.soate).limit(1)).scalar_one()
        base = m.name_ru.split()[0].replace("ский", "")
        add_village(m, base, base)
        add_village(m, "Жаны-Жол", "Жаңы-Жол")
        ctx.municipalities[m.slug] = m
    db.session.commit()
