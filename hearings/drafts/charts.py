"""Server-rendered SVG charts (no JavaScript; the same numbers are always in a table too).
Only presentation attributes, no style attributes, so the page CSP stays strict."""
import base64
import math
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from ..core.i18n import format_money

PALETTE = ("#0b5cad", "#1a7f37", "#8a5a00", "#8250df", "#b3261e", "#0a7c86", "#6e7781",
           "#bf3989", "#4d2d00", "#3b6e22", "#57606a")


FONT = Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans.ttf"


@lru_cache(maxsize=8)
def _font(size):
    try:
        from PIL import ImageFont

        return ImageFont.truetype(str(FONT), size=max(int(round(size * 4)), 1))
    except Exception:  # noqa: BLE001 - no Pillow or font: estimate instead
        return None


def text_width(text, size):
    """Width in px of `text` at font `size` in DejaVu Sans (the SVG's font), measured with
    Pillow at 4× for precision; a generous estimate when the font cannot be loaded."""
    font = _font(size)
    if font is None:
        return len(text) * size * 0.65
    return font.getlength(text) / 4


def _fit(text, size, width):
    """`text`, shortened with "…" when wider than `width` px (the full label is in the table)."""
    if text_width(text, size) <= width:
        return text
    while len(text) > 1 and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def category_bars_svg(rows, title="", lang=None, width=400, caption=True, font=13):
    """Horizontal bars, one per (label, amount): label on its own line, bar below, amount in
    thousand som after the bar. Fits a 360px phone without tiny text."""
    rows = [(str(label), Decimal(amount)) for label, amount in rows]
    biggest = max((a for _l, a in rows), default=Decimal(0)) or Decimal(1)
    row_h, top = int(font * 3.4), 28 if (title and caption) else 6
    height = top + row_h * len(rows) + 4
    amounts = [format_money(amount, lang=lang, thousands=True) for _l, amount in rows]
    amount_w = max([text_width(a, font - 0.5) for a in amounts] + [font * 4]) + 10
    bar_max = max(int(width - amount_w), width // 3)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
             f'font-family="DejaVu Sans, Aimak Sans, sans-serif">']
    if title:
        parts.append(f'<title>{escape(title)}</title>')
    if title and caption:
        parts.append(f'<text x="0" y="18" font-size="15" font-weight="bold" fill="#1b1f23">{escape(title)}</text>')
    for i, (label, amount) in enumerate(rows):
        y = top + i * row_h
        w = max(2, int(bar_max * (amount / biggest))) if amount > 0 else 0
        color = PALETTE[i % len(PALETTE)]
        parts.append(f'<text x="0" y="{y + font + 1}" font-size="{font}" fill="#1b1f23">{escape(label)}</text>')
        parts.append(f'<rect x="0" y="{y + font + 6}" width="{w}" height="{font + 3}" rx="2" fill="{color}"/>')
        parts.append(f'<text x="{w + 6}" y="{y + 2 * font + 6}" font-size="{font - 0.5}" fill="#1b1f23">'
                     f'{escape(amounts[i])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def category_bars_compact_svg(rows, title="", lang=None, width=520, font=12):
    """One row per category: label, bar, amount on the same line (for the one-page PDF)."""
    rows = [(str(label), Decimal(amount)) for label, amount in rows]
    biggest = max((a for _l, a in rows), default=Decimal(0)) or Decimal(1)
    # the label and amount columns are as wide as their longest text (the largest amount,
    # "4,700.0 thousand som", was cut when the amount column had a fixed width)
    amounts = [format_money(amount, lang=lang, thousands=True) for _l, amount in rows]
    amount_w = math.ceil(max([text_width(a, font - 0.5) for a in amounts] + [font * 4])) + 10
    label_w = int(min(math.ceil(max([text_width(label, font) for label, _a in rows] + [font * 6])) + 10,
                      width * 0.45))
    row_h = int(font * 1.9)
    height = row_h * len(rows) + 4
    bar_max = max(width - label_w - amount_w, width // 5)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
             f'font-family="DejaVu Sans, Aimak Sans, sans-serif">']
    if title:
        parts.append(f'<title>{escape(title)}</title>')
    for i, (label, amount) in enumerate(rows):
        y = i * row_h
        w = max(2, int(bar_max * (amount / biggest))) if amount > 0 else 0
        label = _fit(label, font, label_w - 8)
        parts.append(f'<text x="0" y="{y + font + 2}" font-size="{font}" fill="#1b1f23">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{font + 2}" rx="2" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{label_w + w + 5}" y="{y + font + 2}" font-size="{font - 0.5}" fill="#1b1f23">'
                     f'{escape(amounts[i])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def svg_data_uri(svg):
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode("utf-8")).decode("ascii")
