"""Hostile-input framework: find the POST forms of a page, fill them with random and malicious
values (hypothesis), post them, and check what a user and the database would notice:

- never a server error (5xx);
- a rejected request (4xx, or a page showing form errors) changes no row of any table;
- nothing we sent comes back unescaped, neither on the answer nor on the page it redirects to.
"""
import os
import hashlib
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hearings.extensions import db

EXAMPLES = {"count": 0, "forms": 0, "posts": 0}

# what must never appear verbatim in a page: each is only dangerous when unescaped
DANGEROUS = ("<script>alert", "<img src=x", "<x-hyp", "<svg onload", "<iframe src=")
PAYLOADS = [
    '<script>alert("x-hyp")</script>', '"><img src=x onerror=alert(1)>', "'><x-hyp>",
    "<svg onload=alert(1)>", "javascript:alert(1)", "<iframe src=//evil.example>",
    "{{ 7*7 }}", "{% for x in range(9) %}x{% endfor %}", "${7*7}", "%(x)s %s %d",
    "' OR '1'='1", "'; DROP TABLE \"user\"; --", "1; SELECT pg_sleep(5)--", "\\", "%", "_",
    "\x00", "a\x00b", "\r\n\r\nSet-Cookie: x=1", "\u202eevil", "\ufeff", "ң ө ү Ң Ө Ү",
    "-1", "0", "-0.01", "1e309", "NaN", "Infinity", "99999999999999999999999999999",
    "1,5", "١٢٣", "0x10", "2026-02-30", "0000-00-00", "9999-12-31T25:61", "31.13.2026",
    "", " ", "\t", "null", "None", "true", "[]", "{}", "../../etc/passwd", "/etc/passwd",
    "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd",
]
SAFE_TEXT = st.characters(blacklist_categories=("Cs",))
HOSTILE = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(SAFE_TEXT, max_size=40),
    st.text(st.characters(max_codepoint=31), min_size=1, max_size=10),  # control characters
    st.builds(lambda c, n: c * n, st.sampled_from(["ө", "a", "<", "9", "'"]),
              st.integers(250, 12000)),  # over every Length(max=…)
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda p, t: p + t, st.sampled_from(PAYLOADS), st.text(SAFE_TEXT, max_size=10)),
)
BROKEN_FILES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([
        b"", b"PK\x03\x04\x14\x00broken-xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        b"\xff\xd8\xff\xe0broken-jpeg", b"GIF89a\x01\x00", b"%PDF-1.4 broken",
        "code;name;amount\n1;<script>alert(1)</script>;-5\n2;x;1e309\n;;\n".encode(),
        "\ufeffкод,аталышы,сумма\n1,\"unterminated,5\n".encode("utf-8"),
        "a,b\n".encode("utf-16"), b"\x00\x01\x02\x03" * 50,
        "# Heading\n\n<script>alert(1)</script>\n## <img src=x onerror=alert(1)>\n".encode(),
    ]),
)
FILENAMES = st.sampled_from(["budget.csv", "budget.xlsx", "photo.png", "photo.jpg",
                             "../../evil.csv", "a" * 300 + ".csv", "нет.txt", "x.exe", ""])


@dataclass
class Field:
    name: str
    kind: str  # text, select, checkbox, radio, file, hidden, textarea, number, date, email …
    options: list = field(default_factory=list)
    value: str = ""


@dataclass
class Form:
    action: str
    fields: dict

    def describe(self):
        return f"POST {self.action} ({', '.join(self.fields)})"


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = Form(a.get("action") or "", {})
                self.forms.append(self._form)
            else:
                self._form = None
            return
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            f = self._form.fields.setdefault(name, Field(name, kind, value=a.get("value") or ""))
            if kind in ("radio", "checkbox"):
                f.options.append(a.get("value") or "y")
        elif tag == "select":
            self._select = self._form.fields.setdefault(name, Field(name, "select"))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "textarea":
            self._form.fields.setdefault(name, Field(name, "textarea"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(html, page_url):
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.action = urljoin(page_url, form.action or page_url)
    return parser.forms


def fingerprint():
    """A digest of every row of every table: equal before and after means nothing was saved."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        digest.update(table.name.encode())
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    db.session.rollback()
    return digest.hexdigest()


def value_strategy(f):
    plausible = {
        "select": st.sampled_from(f.options) if f.options else st.just(""),
        "radio": st.sampled_from(f.options) if f.options else st.just(""),
        "checkbox": st.sampled_from(f.options + [""]) if f.options else st.just("y"),
        "email": st.emails().map(lambda e: e[:200]),
        "number": st.integers(-10**6, 10**12).map(str),
        "date": st.dates().map(lambda d: d.isoformat()),
        "datetime-local": st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        "time": st.times().map(lambda t: t.strftime("%H:%M")),
        "hidden": st.just(f.value),
    }.get(f.kind, st.text(SAFE_TEXT, min_size=1, max_size=30))
    if f.kind == "file":
        return st.one_of(st.none(), st.tuples(BROKEN_FILES, FILENAMES))
    # a field is left out, plausible, hostile, or sent twice (a list where one value is expected)
    return st.one_of(st.none(), plausible, HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3))


def form_strategy(form):
    names = [n for n in form.fields if n != "csrf_token"]
    return st.fixed_dictionaries({n: value_strategy(form.fields[n]) for n in names})


def encode(values):
    data, files = [], False
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, tuple):
            content, filename = value
            data.append((name, (io.BytesIO(content), filename)))
            files = True
        elif isinstance(value, list):
            data.extend((name, v) for v in value)
        else:
            data.append((name, value))
    from werkzeug.datastructures import MultiDict

    return MultiDict(data), files


def assert_escaped(body, where):
    for marker in DANGEROUS:
        assert marker not in body, f"unescaped {marker!r} in {where}"


def is_rejected(response):
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200 and response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        return 'class="error"' in body or "flash error" in body or 'aria-invalid="true"' in body
    return False


STATE = {"mark": None}  # a cheaper "did anything commit?" probe may replace the full fingerprint


def state_mark():
    return (STATE["mark"] or fingerprint)()


def check_post(client, form, values, label):
    data, files = encode(values)
    before = state_mark()
    kwargs = {"content_type": "multipart/form-data"} if files else {}
    response = client.post(path_of(form.action), data=data, **kwargs)
    EXAMPLES["posts"] += 1
    where = f"{label}: {form.describe()} with {values!r:.300}"
    assert response.status_code < 500, f"{response.status_code} from {where}"
    if is_rejected(response):
        assert state_mark() == before, f"a rejected request ({response.status_code}) saved data: {where}"
    if response.mimetype == "text/html":
        assert_escaped(response.get_data(as_text=True), where)
    if response.status_code in (301, 302, 303) and response.location:
        target = urlsplit(response.location)
        if not target.netloc or target.netloc == "localhost":
            follow = client.get(target.path + (f"?{target.query}" if target.query else ""))
            assert follow.status_code < 500, f"{follow.status_code} after {where}"
            if follow.mimetype == "text/html":
                assert_escaped(follow.get_data(as_text=True), f"page after {where}")
    return response


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def fuzz_page(client, page, examples=25, label="", skip=()):
    """Fuzz every POST form found on `page` (a path the client can GET). Returns forms fuzzed."""
    response = client.get(page)
    assert response.status_code == 200, f"{page}: {response.status_code}"
    forms = [f for f in post_forms(response.get_data(as_text=True), "http://localhost" + page)
             if not any(s in f.action for s in skip)]
    for form in forms:
        fuzz_form(client, form, examples, label or page)
    return forms


def fuzz_form(client, form, examples=25, label="", shrink=True):
    EXAMPLES["forms"] += 1
    phases = list(Phase) if shrink else [Phase.explicit, Phase.reuse, Phase.generate]

    @settings(max_examples=examples, deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
              suppress_health_check=list(HealthCheck), phases=phases, report_multiple_bugs=False)
    @given(values=form_strategy(form))
    def run(values):
        EXAMPLES["count"] += 1
        check_post(client, form, values, label)

    run()


def summary():
    return dict(EXAMPLES)

