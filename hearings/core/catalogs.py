"""Maintain the ky/ru/en catalogs: extract, merge pending translations, check, compile.

    python -m hearings.core.catalogs update   # extract + merge translations/pending/*.json + compile
    python -m hearings.core.catalogs check    # exit 1 when a ky/ru message is untranslated or fuzzy
    python -m hearings.core.catalogs compile
"""
import json
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGS = ("ky", "ru", "en")
REQUIRED = ("ky", "ru")


def _babel(*args):
    CommandLineInterface().run(["pybabel", "-q", *args])


def po_path(lang):
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def extract():
    _babel("extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
           "--no-location", "--sort-output", "-o", str(POT), str(ROOT / "hearings"))
    for lang in LANGS:
        if po_path(lang).exists():
            _babel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang,
                   "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            _babel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)


def pending():
    merged = {}
    for path in sorted((TRANSLATIONS / "pending").glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def merge():
    table = pending()
    for lang in REQUIRED:
        path = po_path(lang)
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            entry = table.get(key)
            if not entry or lang not in entry:
                continue
            value = entry[lang]
            if isinstance(message.id, tuple):
                forms = value if isinstance(value, list) else [value]
                n = catalog.num_plurals
                forms = (forms + [forms[-1]] * n)[:n]
                if not all(message.string) or message.fuzzy:
                    message.string = tuple(forms)
            elif not message.string or message.fuzzy:
                message.string = value if isinstance(value, str) else value[0]
            if "fuzzy" in message.flags:
                message.flags.discard("fuzzy")
        with path.open("wb") as f:
            write_po(f, catalog, width=100)


def missing(lang):
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def compile_all():
    for lang in LANGS:
        if po_path(lang).exists():
            _babel("compile", "-d", str(TRANSLATIONS), "-l", lang, "--use-fuzzy")


def main(argv):
    command = argv[1] if len(argv) > 1 else "update"
    if command == "update":
        extract()
        merge()
        compile_all()
        command = "check"
    elif command == "compile":
        compile_all()
        return 0
    if command == "check":
        bad = 0
        for lang in REQUIRED:
            gaps = missing(lang)
            bad += len(gaps)
            print(f"{lang}: {len(gaps)} untranslated or fuzzy")
            for msgid in gaps[:40]:
                print("   ", msgid)
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
