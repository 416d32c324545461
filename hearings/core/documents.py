"""One PDF pipeline: Jinja → WeasyPrint with shipped fonts and no network or file access."""
import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote_to_bytes

import segno
from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

STATIC = Path(__file__).resolve().parent.parent / "static"


class SafeFetcher(URLFetcher):
    """Only `aimak-static:` (files inside our static folder) and data: URLs may be loaded.
    (WeasyPrint >= 68 wants a URLFetcher subclass returning URLFetcherResponse.)"""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            header, _, data = url.partition(",")
            mime = header[5:].split(";")[0] or "text/plain"
            raw = base64.b64decode(data) if ";base64" in header else unquote_to_bytes(data)
            return URLFetcherResponse(url, raw, {"Content-Type": mime})
        if url.startswith("aimak-static:"):
            relative = url[len("aimak-static:"):].lstrip("/")
            path = (STATIC / relative).resolve()
            if STATIC in path.parents and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        raise URLFetchingError(f"blocked URL in document: {url[:80]}")


safe_fetcher = SafeFetcher()


def html_to_pdf(html):
    return HTML(string=html, base_url="aimak-static:/", url_fetcher=safe_fetcher).write_pdf()


def render_pdf(template, **context):
    """Render `template` (extends documents/base.html) to PDF bytes."""
    html = render_template(template, **context)
    return html_to_pdf(html)


def qr_svg(url, scale=3):
    """An inline SVG data URI with a QR code for `url` (for PDFs and pages)."""
    return segno.make(url, error="m").svg_data_uri(scale=scale, border=1)


def absolute_url(endpoint, **values):
    from flask import url_for

    base = current_app.config["SITE_URL"].rstrip("/")
    return base + url_for(endpoint, **values)


def pdf_response(data, filename, inline=True):
    from flask import Response

    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})
