"""Server-rendered SVG charts (no JavaScript; the same numbers are always in a table too).
Only presentation attributes, no style attributes, so the page CSP stays strict."""
import base64
from decimal import Decimal

from markupsafe import Markup, escape

from ..core.i18n import format_money

PALETTE = ("#0b5cad", "#1a7f37", "#8a5a00", "#8250df", "#b3261e", "#0a7c86", "#6e7781",
           "#bf3989", "#4d2d00", "#3b6e22", "#57606a")


def category_bars_svg(rows, title="", lang=None, width=400, caption=True, font=13):
    """Horizontal bars, one per (label, amount): label on its own line, bar below, amount in
    thousand som after the bar. Fits a 360px phone without tiny text."""
    rows = [(str(label), Decimal(amount)) for label, amount in rows]
    biggest = max((a for _l, a in rows), default=Decimal(0)) or Decimal(1)
    row_h, top = int(font * 3.4), 28 if (title and caption) else 6
    height = top + row_h * len(rows) + 4
    bar_max = width - int(font * 12)
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
                     f'{escape(format_money(amount, lang=lang, thousands=True))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def category_bars_compact_svg(rows, title="", lang=None, width=520, font=12):
    """One row per category: label, bar, amount on the same line (for the one-page PDF)."""
    rows = [(str(label), Decimal(amount)) for label, amount in rows]
    biggest = max((a for _l, a in rows), default=Decimal(0)) or Decimal(1)
    label_w, amount_w = int(font * 15), int(font * 9.5)
    row_h = int(font * 1.9)
    height = row_h * len(rows) + 4
    bar_max = width - label_w - amount_w
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
             f'font-family="DejaVu Sans, Aimak Sans, sans-serif">']
    if title:
        parts.append(f'<title>{escape(title)}</title>')
    for i, (label, amount) in enumerate(rows):
        y = i * row_h
        w = max(2, int(bar_max * (amount / biggest))) if amount > 0 else 0
        parts.append(f'<text x="0" y="{y + font + 2}" font-size="{font}" fill="#1b1f23">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{font + 2}" rx="2" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{label_w + w + 5}" y="{y + font + 2}" font-size="{font - 0.5}" fill="#1b1f23">'
                     f'{escape(format_money(amount, lang=lang, thousands=True))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def svg_data_uri(svg):
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode("utf-8")).decode("ascii")
