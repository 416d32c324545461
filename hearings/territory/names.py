"""Kyrgyz and English names derived from the Russian list (2021 list has Russian names only).

The derivation (drop the adjective ending, add "айыл аймагы"/"aiyl aimak") is a first draft that
staff correct by re-importing a CSV with `name_ky`/`name_en` columns.
"""
import re

OBLASTS_KY = {
    "Баткенская область": ("Баткен облусу", "Batken Region"),
    "Джалал-Абадская область": ("Жалал-Абад облусу", "Jalal-Abad Region"),
    "Иссык-Кульская область": ("Ысык-Көл облусу", "Issyk-Kul Region"),
    "Нарынская область": ("Нарын облусу", "Naryn Region"),
    "Ошская область": ("Ош облусу", "Osh Region"),
    "Таласская область": ("Талас облусу", "Talas Region"),
    "Чуйская область": ("Чүй облусу", "Chuy Region"),
}

_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяңөү",
                  ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
                   "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
                   "yu", "ya", "ng", "o", "u"]))


def latin(text):
    out = []
    for ch in text:
        low = ch.lower()
        if low in _LATIN:
            rep = _LATIN[low]
            out.append(rep.capitalize() if ch != low and rep else rep)
        else:
            out.append(ch)
    return "".join(out)


def stem(adjective):
    """'Ак-Булунский' → 'Ак-Булун', 'Теплоключенский' → 'Теплоключен'."""
    return re.sub(r"(ский|цкий|ской|ий)$", "", adjective)


def municipality_names(name_ru):
    words = name_ru.split()
    base = stem(words[0]) if words else name_ru
    if "айыл" in name_ru:
        return f"{base} айыл аймагы", f"{latin(base)} aiyl aimak"
    return base, latin(base)


def raion_names(name_ru):
    base = stem(name_ru.split()[0])
    return f"{base} району", f"{latin(base)} District"


def oblast_names(name_ru):
    if name_ru in OBLASTS_KY:
        return OBLASTS_KY[name_ru]
    base = stem(name_ru.split()[0])
    return f"{base} облусу", f"{latin(base)} Region"


def slugify(name_en, soate):
    slug = re.sub(r"[^a-z0-9]+", "-", name_en.lower()).strip("-")
    slug = slug.replace("-aiyl-aimak", "")
    return slug or soate
