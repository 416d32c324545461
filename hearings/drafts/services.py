"""Operations on drafts: every state change is checked here (lifecycle, immutability, period),
writes one audit event and commits once. The same functions serve the views, the demo and tests.

Public helpers other packages may call (e.g. the protocol annex "list of proposals"):
    register_rows(draft)                 -> list of dicts, one per comment, in order
    comments_register_html(draft, lang)  -> Markup: the register table for a PDF/HTML annex
    register_csv(draft, lang)            -> str (CSV text, UTF-8 with BOM when encoded by caller)
    register_pdf(draft, lang)            -> bytes (the register as a PDF annex)
    citizens_budget_pdf(draft, lang)     -> bytes (the one-page citizens' budget)
"""
from datetime import datetime
from decimal import Decimal

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from ..core import audit
from ..core.i18n import BISHKEK, format_money, format_number, localized
from ..core.mail import send_mail
from ..core.models import utcnow
from ..extensions import db
from .models import (ADOPTED, BUDGET, CATEGORIES, CHARTER, CLOSED, DECISIONS, DRAFT, EXECUTION,
                     EXPENDITURE, KINDS, LINE_KINDS, PUBLISHED, REVENUE, WITHDRAWN, Answer,
                     BudgetLine, CharterSection, Comment, Draft, DraftVersion)

MAX_COMMENT = 4000
MAX_REASON = 2000


class DraftError(ValueError):
    """A rule was broken; the message is translated and shown to the user (HTTP `code`)."""

    def __init__(self, message, code=409):
        super().__init__(message)
        self.code = code


MAX_ID = 2**31 - 1


def clean(text):
    """User text as stored: NFC (Kyrgyz letters never split), no NUL, trimmed."""
    import unicodedata

    return unicodedata.normalize("NFC", str(text or "")).replace("\x00", "").strip()


def get(model, ident):
    """db.session.get that treats ids no database column can hold as missing (no 500)."""
    if ident is None or not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)


def today_local():
    return datetime.now(BISHKEK).date()


# --- lifecycle ---------------------------------------------------------------------------------

def create_draft(municipality, user, kind, title_ky="", title_ru="", title_en="", fiscal_year=None,
                 summary=""):
    if kind not in KINDS:
        raise DraftError(_("Unknown kind of draft."), 400)
    title_ky, title_ru, title_en = (clean(t) for t in (title_ky, title_ru, title_en))
    summary = clean(summary)
    if not (title_ky or title_ru or title_en).strip():
        raise DraftError(_("Give the draft a title in at least one language."), 400)
    if kind in (BUDGET, EXECUTION) and not fiscal_year:
        raise DraftError(_("A budget needs a fiscal year."), 400)
    if fiscal_year is not None and not 2000 <= fiscal_year <= 2100:
        raise DraftError(_("Number must be between %(min)s and %(max)s.", min=2000, max=2100), 400)
    draft = Draft(municipality_id=municipality.id, kind=kind, title_ky=title_ky.strip(),
                  title_ru=title_ru.strip(), title_en=title_en.strip(), fiscal_year=fiscal_year,
                  summary=(summary or "").strip(), status=DRAFT,
                  created_by_id=getattr(user, "id", None))
    draft.versions.append(DraftVersion(number=1))
    db.session.add(draft)
    db.session.flush()
    audit.record("draft.create", draft, municipality=municipality.id, kind=kind)
    db.session.commit()
    return draft


def update_meta(draft, **fields):
    if draft.status != DRAFT:
        raise DraftError(_("The title and summary can only be changed before the draft is published."))
    for name in ("title_ky", "title_ru", "title_en", "summary"):
        if name in fields:
            setattr(draft, name, clean(fields[name]))
    if "fiscal_year" in fields and draft.is_budget:
        draft.fiscal_year = fields["fiscal_year"]
    if not (draft.title_ky or draft.title_ru or draft.title_en):
        raise DraftError(_("Give the draft a title in at least one language."), 400)
    audit.record("draft.update", draft)
    db.session.commit()


def editable_version(draft):
    """The unpublished version staff may change, or a DraftError saying why not."""
    if draft.status in (ADOPTED, WITHDRAWN):
        raise DraftError(_("This draft is %(status)s and can no longer be changed.",
                           status=draft.status_label))
    version = draft.working_version
    if version is None:
        raise DraftError(_("This version is published and cannot be changed. "
                           "Start a new version to make changes."))
    return version


def check_editable(version):
    if version.published_at is not None:
        raise DraftError(_("This version is published and cannot be changed. "
                           "Start a new version to make changes."))
    editable_version(version.draft)
    if version.draft.working_version is not version:
        raise DraftError(_("Only the newest version can be changed."))


def new_version(draft, note=""):
    if draft.status not in (PUBLISHED, CLOSED):
        if draft.status == DRAFT:
            raise DraftError(_("The draft is not published yet: change it directly."))
        raise DraftError(_("This draft is %(status)s and can no longer be changed.",
                           status=draft.status_label))
    if draft.working_version is not None:
        raise DraftError(_("A new version is already being prepared."))
    source = draft.current_version
    version = DraftVersion(number=source.number + 1, note=clean(note))
    for line in source.lines:
        version.lines.append(BudgetLine(position=line.position, **line.values()))
    for section in source.sections:
        version.sections.append(CharterSection(position=section.position, **section.values()))
    draft.versions.append(version)
    db.session.flush()
    audit.record("draft.new_version", draft, version=version.number)
    db.session.commit()
    return version


def publish(draft, opens, closes, note=None):
    """Publish the working version for comment from `opens` to `closes` (local dates, inclusive)."""
    if draft.status in (ADOPTED, WITHDRAWN):
        raise DraftError(_("This draft is %(status)s and can no longer be changed.",
                           status=draft.status_label))
    version = draft.working_version
    if version is None:
        raise DraftError(_("There is no new version to publish."))
    if draft.is_budget and not version.lines:
        raise DraftError(_("Add at least one budget line before publishing."))
    if draft.kind == CHARTER and not version.sections:
        raise DraftError(_("Add at least one section before publishing."))
    if not opens or not closes or closes < opens:
        raise DraftError(_("The comment period must end on or after the day it starts."), 400)
    if closes < today_local():
        raise DraftError(_("The comment period cannot end in the past."), 400)
    if note is not None:
        version.note = clean(note)
    version.published_at = utcnow()
    draft.status = PUBLISHED
    draft.comments_from, draft.comments_until = opens, closes
    audit.record("draft.publish", draft, version=version.number, opens=opens.isoformat(),
                 closes=closes.isoformat())
    db.session.commit()
    return version


def close_comments(draft):
    if draft.status != PUBLISHED:
        raise DraftError(_("Only a draft open for comment can be closed."))
    draft.status = CLOSED
    if draft.comments_until is None or draft.comments_until >= today_local():
        draft.comments_until = today_local()
        if draft.comments_from and draft.comments_from > draft.comments_until:
            draft.comments_from = draft.comments_until
    audit.record("draft.close", draft)
    db.session.commit()


def adopt(draft, resolution_no, resolution_date):
    resolution_no = clean(resolution_no)
    if not resolution_no or not resolution_date:
        raise DraftError(_("Give the number and date of the kenesh resolution."), 400)
    period_over = draft.comments_until is not None and draft.comments_until < today_local()
    if not (draft.status == CLOSED or (draft.status == PUBLISHED and period_over)):
        raise DraftError(_("A draft can be adopted only after its comment period has closed."))
    if draft.comments_from and resolution_date < draft.comments_from:
        raise DraftError(_("The resolution cannot be dated before the draft was published."), 400)
    draft.status = ADOPTED
    draft.resolution_no, draft.resolution_date = resolution_no, resolution_date
    audit.record("draft.adopt", draft, resolution_no=resolution_no,
                 resolution_date=resolution_date.isoformat(), version=draft.current_version.number)
    db.session.commit()


def withdraw(draft, reason=""):
    if draft.status in (ADOPTED, WITHDRAWN):
        raise DraftError(_("This draft is %(status)s and can no longer be changed.",
                           status=draft.status_label))
    draft.status = WITHDRAWN
    draft.withdrawn_reason = clean(reason)
    audit.record("draft.withdraw", draft, reason=draft.withdrawn_reason)
    db.session.commit()


# --- content of the working version --------------------------------------------------------------

def _clean_line(data):
    values = {f: data.get(f) for f in BudgetLine.FIELDS if f in data}
    for f in ("code", "name_ky", "name_ru", "name_en", "note"):
        if f in values:
            values[f] = clean(values[f])
    if values.get("kind") not in LINE_KINDS:
        raise DraftError(_("Choose revenue or expenditure."), 400)
    if values.get("category") not in CATEGORIES:
        values["category"] = "other"
    if not values.get("code"):
        raise DraftError(_("A budget line needs a code."), 400)
    if not (values.get("name_ky") or values.get("name_ru") or values.get("name_en")):
        raise DraftError(_("Give the line a name in at least one language."), 400)
    for f in ("amount", "prev_approved", "prev_executed"):
        v = values.get(f)
        if v is None:
            continue
        v = Decimal(v)
        if not v.is_finite() or v >= Decimal("1e13") or v != v.quantize(Decimal("0.01")):
            raise DraftError(_("Not a valid decimal value."), 400)
        if v < 0:
            raise DraftError(_("Amounts cannot be negative."), 400)
    if values.get("amount") is None:
        raise DraftError(_("A budget line needs an amount."), 400)
    return values


def _check_unique_code(version, kind, code, exclude=None):
    for line in version.lines:
        if line is not exclude and line.kind == kind and line.code == code:
            raise DraftError(_("Another line already has the code %(code)s.", code=code), 400)


def add_line(draft, data):
    version = editable_version(draft)
    values = _clean_line(data)
    _check_unique_code(version, values["kind"], values["code"])
    line = BudgetLine(position=len(version.lines) + 1, **values)
    version.lines.append(line)
    db.session.flush()
    audit.record("draft.line_add", draft, line=line.id, code=line.code)
    db.session.commit()
    return line


def update_line(line, data):
    check_editable(line.version)
    values = _clean_line(data)
    _check_unique_code(line.version, values["kind"], values["code"], exclude=line)
    for k, v in values.items():
        setattr(line, k, v)
    audit.record("draft.line_update", line.version.draft, line=line.id, code=line.code)
    db.session.commit()


def delete_line(line):
    check_editable(line.version)
    draft = line.version.draft
    audit.record("draft.line_delete", draft, line=line.id, code=line.code)
    line.version.lines.remove(line)
    db.session.commit()


def _clean_section(data):
    values = {f: clean(data.get(f)) for f in CharterSection.FIELDS}
    if not values["number"] or not values["heading"]:
        raise DraftError(_("A section needs a number and a heading."), 400)
    return values


def add_section(draft, data):
    version = editable_version(draft)
    values = _clean_section(data)
    if any(s.number == values["number"] for s in version.sections):
        raise DraftError(_("Another section already has the number %(number)s.", number=values["number"]), 400)
    section = CharterSection(position=len(version.sections) + 1, **values)
    version.sections.append(section)
    db.session.flush()
    audit.record("draft.section_add", draft, section=section.id, number=section.number)
    db.session.commit()
    return section


def update_section(section, data):
    check_editable(section.version)
    values = _clean_section(data)
    if any(s is not section and s.number == values["number"] for s in section.version.sections):
        raise DraftError(_("Another section already has the number %(number)s.", number=values["number"]), 400)
    for k, v in values.items():
        setattr(section, k, v)
    audit.record("draft.section_update", section.version.draft, section=section.id)
    db.session.commit()


def delete_section(section):
    check_editable(section.version)
    audit.record("draft.section_delete", section.version.draft, section=section.id,
                 number=section.number)
    section.version.sections.remove(section)
    db.session.commit()


def _replace_items(draft, items_of, model, new_rows, action, **details):
    """Replace the working version's lines or sections with imported rows (already validated)."""
    version = editable_version(draft)
    items = items_of(version)
    items.clear()
    db.session.flush()
    for i, row in enumerate(new_rows, start=1):
        items.append(model(position=i, **row))
    audit.record(action, draft, **details)
    db.session.commit()


def replace_lines(draft, rows, filename=""):
    _replace_items(draft, lambda v: v.lines, BudgetLine, rows, "draft.import_lines",
                   rows=len(rows), file=filename[:100])


def replace_sections(draft, rows, filename=""):
    _replace_items(draft, lambda v: v.sections, CharterSection, rows, "draft.import_sections",
                   sections=len(rows), file=filename[:100])


# --- comments ------------------------------------------------------------------------------------

def accepting_comments(draft, today=None):
    today = today or today_local()
    return (draft.status == PUBLISHED and draft.current_version is not None
            and draft.comments_from is not None and draft.comments_until is not None
            and draft.comments_from <= today <= draft.comments_until)


def closed_reason(draft, today=None):
    """Why comments are not accepted now (translated), or None when they are."""
    from ..core.i18n import official_date

    today = today or today_local()
    if accepting_comments(draft, today):
        return None
    if draft.status == ADOPTED:
        return _("Comments are closed: the kenesh adopted this draft by resolution No. %(no)s of %(date)s",
                 no=draft.resolution_no, date=official_date(draft.resolution_date))
    if draft.status == WITHDRAWN:
        return _("Comments are closed: this draft was withdrawn.")
    if draft.status == PUBLISHED and draft.comments_from and today < draft.comments_from:
        return _("Comments open on %(date)s", date=official_date(draft.comments_from))
    if draft.comments_until:
        return _("The comment period ended on %(date)s; the page is read-only.",
                 date=official_date(draft.comments_until))
    return _("This draft is not open for comment.")


def may_comment(draft, user):
    from ..core.access import can

    if not user or not user.is_authenticated:
        return False
    return user.municipality_id == draft.municipality_id or can(draft.municipality, user=user)


def add_comment(draft, user, text, line_id=None, section_id=None):
    reason = closed_reason(draft)
    if reason:
        raise DraftError(reason, 403)
    if not may_comment(draft, user):
        raise DraftError(_("Only residents of this municipality may comment. "
                           "Choose your municipality in your profile."), 403)
    text = clean(text)
    if not text:
        raise DraftError(_("Write your comment first."), 400)
    if len(text) > MAX_COMMENT:
        raise DraftError(_("The comment is too long (at most %(n)d characters).", n=MAX_COMMENT), 400)
    version = draft.current_version
    line = section = None
    if line_id:
        line = get(BudgetLine, line_id)
        if line is None or line.version_id != version.id:
            raise DraftError(_("This budget line is not part of the published version."), 400)
    if section_id:
        section = get(CharterSection, section_id)
        if section is None or section.version_id != version.id:
            raise DraftError(_("This section is not part of the published version."), 400)
    comment = Comment(draft_id=draft.id, version_id=version.id, line=line, section=section,
                      author_id=user.id, author_name=user.display_name,
                      village_name=user.village.name_ru if user.village else "",
                      village_id=user.village_id, text=text)
    db.session.add(comment)
    db.session.flush()
    audit.record("draft.comment", draft, comment=comment.id)
    db.session.commit()
    return comment


def answer_comment(comment, user, decision, reason):
    if decision not in DECISIONS:
        raise DraftError(_("Choose accepted, partly accepted or not accepted."), 400)
    reason = clean(reason)
    if decision != "accepted" and not reason:
        raise DraftError(_("Give the reason for the decision."), 400)
    if len(reason) > MAX_REASON:
        raise DraftError(_("The reason is too long (at most %(n)d characters).", n=MAX_REASON), 400)
    if comment.draft.status == WITHDRAWN:
        raise DraftError(_("This draft is %(status)s and can no longer be changed.",
                           status=comment.draft.status_label))
    first = comment.answer is None
    if first:
        comment.answer = Answer(decision=decision, reason=reason, answered_by_id=user.id)
    else:
        comment.answer.decision, comment.answer.reason = decision, reason
        comment.answer.answered_by_id, comment.answer.answered_at = user.id, utcnow()
    audit.record("draft.answer", comment.draft, comment=comment.id, decision=decision,
                 changed=not first)
    db.session.commit()
    notify_author(comment)
    return comment.answer


def site_url(endpoint, **values):
    """Absolute URL (SITE_URL + path), also outside a request (CLI, demo seed)."""
    from flask import current_app, has_request_context

    from ..core.documents import absolute_url

    if has_request_context():
        return absolute_url(endpoint, **values)
    with current_app.test_request_context("/"):
        return absolute_url(endpoint, **values)


def notify_author(comment):
    author = comment.author
    if author is None or not author.email:
        return None
    url = site_url("drafts.show", slug=comment.draft.municipality.slug,
                       draft_id=comment.draft_id) + f"#c{comment.id}"
    lang = author.locale if author.locale in ("ky", "ru", "en") else "ky"
    with force_locale(lang):
        subject = _("Answer to your comment on “%(title)s”", title=comment.draft.title)
        body = "\n\n".join([
            _("The municipality answered your comment."),
            _("Your comment: %(text)s", text=comment.text),
            _("Decision: %(decision)s", decision=str(DECISIONS[comment.answer.decision])),
            _("Reason: %(reason)s", reason=comment.answer.reason or "—"),
            url,
        ])
    return send_mail(author.email, subject, body)


def hide_comment(comment, user, reason):
    reason = clean(reason)
    if not reason:
        raise DraftError(_("Give the reason for hiding the comment."), 400)
    if len(reason) > MAX_REASON:
        raise DraftError(_("The reason is too long (at most %(n)d characters).", n=MAX_REASON), 400)
    comment.hidden_at, comment.hidden_reason, comment.hidden_by_id = utcnow(), reason, user.id
    audit.record("draft.comment_hide", comment.draft, comment=comment.id, reason=reason)
    db.session.commit()


def unhide_comment(comment, user):
    if not comment.is_hidden:
        raise DraftError(_("This comment is not hidden."))
    comment.hidden_at = comment.hidden_reason = comment.hidden_by_id = None
    audit.record("draft.comment_unhide", comment.draft, comment=comment.id)
    db.session.commit()


def comments_of(draft):
    return db.session.execute(
        select(Comment).where(Comment.draft_id == draft.id).order_by(Comment.created_at, Comment.id)
    ).scalars().all()


def unanswered_count(draft_or_municipality_ids):
    """Visible comments without an answer: per draft id for a Draft, else {municipality_id: n}."""
    query = (select(Draft.municipality_id, func.count(Comment.id))
             .join(Comment, Comment.draft_id == Draft.id)
             .outerjoin(Answer, Answer.comment_id == Comment.id)
             .where(Answer.id.is_(None), Comment.hidden_at.is_(None))
             .group_by(Draft.municipality_id))
    if isinstance(draft_or_municipality_ids, Draft):
        draft = draft_or_municipality_ids
        return db.session.scalar(
            select(func.count(Comment.id)).outerjoin(Answer, Answer.comment_id == Comment.id)
            .where(Comment.draft_id == draft.id, Answer.id.is_(None), Comment.hidden_at.is_(None)))
    if draft_or_municipality_ids is not None:
        query = query.where(Draft.municipality_id.in_(list(draft_or_municipality_ids)))
    return dict(db.session.execute(query).all())


# --- register of comments and answers ----------------------------------------------------------

def subject_of(comment):
    if comment.line is not None:
        return f"{comment.line.code} {localized(comment.line, 'name')}"
    if comment.section is not None:
        return f"{comment.section.number}. {comment.section.heading}"
    return _("The draft as a whole")


def register_rows(draft):
    """One dict per comment, numbered, in the current locale; hidden text is not included."""
    from ..core.i18n import format_local

    rows = []
    for n, c in enumerate(comments_of(draft), start=1):
        answer = c.answer
        rows.append({
            "no": n,
            "id": c.id,
            "date": format_local(c.created_at, "%d.%m.%Y"),
            "author": c.author_name,
            "village": c.village_label,
            "subject": subject_of(c),
            "version": c.version.number,
            "text": (_("Hidden by the moderator: %(reason)s", reason=c.hidden_reason)
                     if c.is_hidden else c.text),
            "hidden": c.is_hidden,
            "decision": str(DECISIONS[answer.decision]) if answer else _("No answer yet"),
            "decision_code": answer.decision if answer else "",
            "reason": answer.reason if answer else "",
        })
    return rows


def _in_lang(lang, fn):
    if lang:
        with force_locale(lang):
            return fn()
    return fn()


def comments_register_html(draft, lang=None):
    """The register as an HTML table (Markup) in `lang`, to embed in a PDF annex or a page."""
    return _in_lang(lang, lambda: Markup(render_template(
        "drafts/_register_table.html", rows=register_rows(draft), draft=draft)))


def register_csv(draft, lang=None):
    """The register as CSV text (no BOM; the view adds it). Every cell goes through
    core.exports.safe_cell: a comment starting with = + - @ must not become a formula."""
    from ..core.exports import csv_text

    def build():
        header = [_("No."), _("Date"), _("Author"), _("Village"), _("Subject"),
                  _("Version"), _("Comment"), _("Decision"), _("Reason")]
        rows = [[r["no"], r["date"], r["author"], r["village"], r["subject"],
                 r["version"], r["text"], r["decision"], r["reason"]]
                for r in register_rows(draft)]
        return csv_text(header, rows, bom=False)
    return _in_lang(lang, build)


def _pdf_context(lang):
    return {"lang": lang, "page_label": {"ky": "бет", "ru": "стр."}.get(lang, "page")}


def register_pdf(draft, lang=None):
    from ..core.documents import render_pdf
    from ..core.i18n import current_lang

    def build():
        code = lang or current_lang()
        return render_pdf("drafts/pdf/register.html", draft=draft,
                          table=comments_register_html(draft), today=today_local(),
                          title=_("Register of comments and answers"),
                          footer_note=draft.title[:120], **_pdf_context(code))
    return _in_lang(lang, build)


def budget_summary(version):
    """Totals and the expenditure breakdown by category (what the chart and table show)."""
    revenue = version.total(REVENUE)
    expenditure = version.total(EXPENDITURE)
    by_category = {}
    for line in version.lines_of(EXPENDITURE):
        by_category[line.category] = by_category.get(line.category, Decimal(0)) + line.amount
    categories = sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    prev_revenue = version.total(REVENUE, "prev_approved")
    prev_expenditure = version.total(EXPENDITURE, "prev_approved")
    return {
        "revenue": revenue, "expenditure": expenditure, "balance": revenue - expenditure,
        "prev_revenue": prev_revenue, "prev_expenditure": prev_expenditure,
        "categories": [(key, CATEGORIES.get(key, key), amount,
                        (amount * 100 / expenditure) if expenditure else Decimal(0))
                       for key, amount in categories],
    }


def _citizens_budget_context(draft, code, v):
    from ..core.documents import qr_svg
    from .charts import category_bars_compact_svg, svg_data_uri

    summary = budget_summary(v)
    chart = category_bars_compact_svg(
        [(str(label), amount) for _k, label, amount, _p in summary["categories"]],
        title=_("Expenditure by category"), lang=code)
    url = site_url("drafts.show", slug=draft.municipality.slug, draft_id=draft.id)
    top = sorted(v.lines_of(EXPENDITURE), key=lambda line: -line.amount)[:8]
    return dict(draft=draft, version=v, summary=summary, chart=svg_data_uri(chart), top=top,
                url=url, qr=qr_svg(url), footer_note=draft.municipality.name, **_pdf_context(code))


def citizens_budget_pdf(draft, lang=None, version=None, issue=False):
    """The one-page citizens' budget of `version` (default: the current one) in `lang`.

    issue=True registers it as an official document (hearings.documents.issue_document, with a
    verification QR code); the same version and language is issued once and then re-served."""
    from ..core.documents import render_pdf
    from ..core.i18n import current_lang

    def build():
        code = lang or current_lang()
        v = version or draft.current_version
        title = _("Citizens' budget")
        if issue:
            try:
                from ..documents.services import documents_for, issue_document, read_bytes
            except ImportError:  # the documents registry is optional
                pass
            else:
                for doc in documents_for(v, kind="citizens_budget"):
                    if doc.lang == code and doc.superseded_by_id is None:
                        data = read_bytes(doc)
                        if data:
                            return data
                doc = issue_document("citizens_budget", draft.municipality,
                                     f"{title} {draft.fiscal_year or ''} — {draft.title}"[:500],
                                     "drafts/pdf/citizens_budget.html",
                                     dict(_citizens_budget_context(draft, code, v), title=title),
                                     obj=v, lang=code)
                db.session.commit()
                return read_bytes(doc)
        return render_pdf("drafts/pdf/citizens_budget.html", title=title,
                          **_citizens_budget_context(draft, code, v))
    return _in_lang(lang, build)


def money_k(amount, lang=None):
    return format_money(amount, lang=lang, thousands=True)


def format_percent(value, lang=None, signed=False):
    """A percentage in the language's style: ky/ru '31,2 %' / '+7,0 %', en '31.2%' / '+7.0%';
    '—' for None."""
    from ..core.i18n import current_lang

    if value is None:
        return "—"
    lang = lang or current_lang()
    pattern = "+#,##0.0;-#,##0.0" if signed else "#,##0.0"
    number = format_number(Decimal(str(value)), pattern, lang)
    return number + ("\u00a0%" if lang in ("ky", "ru") else "%")


def executed_amount(line):
    """In an execution report: what was executed (prev_executed, else the line's amount)."""
    return line.prev_executed if line.prev_executed is not None else line.amount


def execution_rows(version, kind):
    """An execution report's lines of `kind` with approved, executed and execution % (None
    when nothing was approved), and the totals: {"lines": [...], "approved", "executed",
    "percent"}."""
    rows, approved_total, executed_total = [], Decimal("0.00"), Decimal("0.00")
    for line in version.lines_of(kind):
        approved, executed = line.prev_approved, executed_amount(line)
        rows.append({"line": line, "approved": approved, "executed": executed,
                     "percent": executed * 100 / approved if approved else None})
        approved_total += approved or Decimal(0)
        executed_total += executed or Decimal(0)
    return {"lines": rows, "approved": approved_total, "executed": executed_total,
            "percent": executed_total * 100 / approved_total if approved_total else None}
