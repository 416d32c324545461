"""Drafts for public comment: public pages, staff editing, comments, answers, exports."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, select

from ..core.access import abort_with, can, require_login, require_role
from ..core.documents import absolute_url, pdf_response
from ..core.i18n import current_lang, format_number, official_date
from ..core.pagecache import public_cache
from ..core.registry import (HomeItem, Link, counts_by_municipality, home_section, municipality_link,
                             overview_counter)
from ..extensions import db, limiter, per_person
from ..territory.views import get_municipality
from . import services
from .charts import category_bars_svg
from .diff import budget_diff, charter_diff
from .forms import (AdoptForm, AnswerForm, CommentForm, DraftForm, HideForm, ImportForm, LineForm,
                    NewVersionForm, PublishForm, SectionForm, WithdrawForm)
from .imports import parse_budget_file, parse_charter_text
from .models import (BUDGET, CHARTER, EXECUTION, EXPENDITURE, KINDS, PUBLISHED, REVENUE, BudgetLine,
                     CharterSection, Comment, Draft)
from .services import DraftError

bp = Blueprint("drafts", __name__, url_prefix="/m/<slug>/drafts")


# --- loading and access ----------------------------------------------------------------------

def load(slug, draft_id, staff=False):
    """The draft of this municipality; 404 when it is not public and the user is not staff
    of the municipality; 403 for staff-only pages."""
    municipality = get_municipality(slug)
    draft = services.get(Draft, draft_id)
    if draft is None or draft.municipality_id != municipality.id:
        abort(404)
    is_staff = can(municipality)
    if staff:
        require_role(municipality)
    elif not draft.is_public and not is_staff:
        abort(404)
    return municipality, draft, is_staff


def fail(error):
    abort_with(error.code, str(error))


def pick_version(draft, is_staff, number=None):
    versions = draft.versions if is_staff else draft.published_versions
    if number is None:
        return draft.current_version or (draft.working_version if is_staff else None)
    for v in versions:
        if v.number == number:
            return v
    abort(404)


def comment_targets(version):
    choices = [("", _("The draft as a whole"))]
    for line in version.lines:
        choices.append((f"line-{line.id}", f"{line.code} · {line.name}"))
    for section in version.sections:
        choices.append((f"section-{section.id}", f"{section.number}. {section.heading}"))
    return choices


def parse_target(value):
    value = value or ""
    # ids are database integers: anything longer than 18 digits is not one of ours (and int()
    # of thousands of digits raises ValueError), so it is an unknown target like any other
    if value.startswith("line-") and value[5:].isascii() and value[5:].isdigit() and len(value) <= 5 + 18:
        return int(value[5:]), None
    if (value.startswith("section-") and value[8:].isascii() and value[8:].isdigit()
            and len(value) <= 8 + 18):
        return None, int(value[8:])
    if value:
        raise ValueError(_("Choose what your comment is about."))
    return None, None


@bp.app_template_filter("percent")
def percent(value, lang=None, signed=False):
    """31,2 % (ky, ru) / 31.2% (en); signed=True: +7,0 % / -3,1 %; None → '—'."""
    return services.format_percent(value, lang, signed)


@bp.app_template_filter("kilo")
def kilo(amount):
    """An amount in thousand som without the unit (the column header names it): '1 234,6'."""
    if amount is None:
        return "—"
    return format_number(amount / 1000, "#,##0.0")


@bp.app_context_processor
def thousand_som_unit():
    return {"kilo_unit": lambda: {"ky": "миң сом", "ru": "тыс. сом"}.get(current_lang(), "thousand som")}


# --- registry hooks: home page, national overview, links ---------------------------------------

def _open_query():
    today = services.today_local()
    return (select(Draft).where(Draft.status == PUBLISHED, Draft.comments_from <= today,
                                Draft.comments_until >= today))


@home_section
def open_drafts(municipality):
    drafts = db.session.execute(_open_query().where(Draft.municipality_id == municipality.id)
                                .order_by(Draft.comments_until)).scalars().all()
    return [HomeItem(str(d.kind_label), d.title,
                     url_for("drafts.show", slug=municipality.slug, draft_id=d.id),
                     _("comments until %(date)s", date=official_date(d.comments_until)))
            for d in drafts]


@overview_counter
def open_draft_counts(municipality_ids):
    today = services.today_local()
    return counts_by_municipality(Draft, and_(Draft.status == PUBLISHED, Draft.comments_from <= today,
                                              Draft.comments_until >= today), municipality_ids)


@municipality_link
def drafts_link(municipality, is_staff):
    url = url_for("drafts.index", slug=municipality.slug)
    if is_staff:
        n = services.unanswered_count([municipality.id]).get(municipality.id, 0)
        return [Link(_("Drafts for comment (%(n)d unanswered comments)", n=n), url)]
    return [Link(_("Drafts for comment"), url)]


# --- public pages --------------------------------------------------------------------------------

@bp.route("/")
@public_cache(10)
def index(slug):
    municipality = get_municipality(slug)
    is_staff = can(municipality)
    drafts = db.session.execute(select(Draft).where(Draft.municipality_id == municipality.id)
                                .order_by(Draft.created_at.desc(), Draft.id.desc())).scalars().all()
    if not is_staff:
        drafts = [d for d in drafts if d.is_public]
    unanswered = {}
    if is_staff and drafts:
        rows = db.session.execute(
            select(Comment.draft_id, func.count(Comment.id))
            .where(Comment.draft_id.in_([d.id for d in drafts]), Comment.hidden_at.is_(None),
                   ~Comment.answer.has()).group_by(Comment.draft_id)).all()
        unanswered = dict(rows)
    return render_template("drafts/index.html", municipality=municipality, drafts=drafts,
                           is_staff=is_staff, unanswered=unanswered,
                           accepting=services.accepting_comments)


@bp.route("/<int:draft_id>/")
@public_cache(10)
def show(slug, draft_id, comment_form=None, status=200):
    municipality, draft, is_staff = load(slug, draft_id)
    version = pick_version(draft, is_staff, request.args.get("v", type=int))
    if version is None:
        abort(404)
    comments = services.comments_of(draft)
    form = comment_form or CommentForm()
    form.target = version  # for the template
    about = request.args.get("about", "")
    targets = comment_targets(draft.current_version) if draft.current_version else []
    if about and about not in {t[0] for t in targets}:
        about = ""
    ctx = dict(municipality=municipality, draft=draft, version=version, is_staff=is_staff,
               comments=comments, form=form, targets=targets, about=about,
               accepting=services.accepting_comments(draft), closed_reason=services.closed_reason(draft),
               may_comment=services.may_comment(draft, current_user),
               share_url=absolute_url("drafts.show", slug=slug, draft_id=draft.id),
               comment_counts=_comment_counts(comments))
    if draft.is_budget:
        summary = services.budget_summary(version)
        ctx.update(summary=summary, chart=category_bars_svg(
            [(label, amount) for _k, label, amount, _p in summary["categories"]],
            title=_("Expenditure by category"), width=340, caption=False, font=15),
            revenue=version.lines_of(REVENUE), expenditure=version.lines_of(EXPENDITURE))
        if draft.kind == EXECUTION:
            # approved vs executed, not "draft vs last year"
            ctx.update(execution={REVENUE: services.execution_rows(version, REVENUE),
                                  EXPENDITURE: services.execution_rows(version, EXPENDITURE)})
    return render_template("drafts/show.html", **ctx), status


def _comment_counts(comments):
    counts = {}
    for c in comments:
        key = f"line-{c.line_id}" if c.line_id else f"section-{c.section_id}" if c.section_id else ""
        counts[key] = counts.get(key, 0) + 1
    return counts


@bp.route("/<int:draft_id>/comments", methods=["POST"])
@limiter.limit("30/hour", key_func=per_person)
def comment(slug, draft_id):
    municipality, draft, is_staff = load(slug, draft_id)
    require_login()
    form = CommentForm()
    if not form.validate_on_submit():
        return show(slug, draft_id, comment_form=form, status=400)
    try:
        line_id, section_id = parse_target(request.form.get("target"))
    except ValueError as error:
        form.text.errors.append(str(error))
        return show(slug, draft_id, comment_form=form, status=400)
    try:
        c = services.add_comment(draft, current_user, form.text.data, line_id=line_id,
                                 section_id=section_id)
    except DraftError as error:
        if error.code == 403 and services.closed_reason(draft):
            fail(error)
        form.text.errors.append(str(error))
        return show(slug, draft_id, comment_form=form, status=error.code)
    flash(_("Thank you: your comment is published. The municipality will answer it."), "success")
    return redirect(url_for("drafts.show", slug=slug, draft_id=draft.id) + f"#c{c.id}")


@bp.route("/<int:draft_id>/diff")
def diff(slug, draft_id):
    municipality, draft, is_staff = load(slug, draft_id)
    versions = draft.versions if is_staff else draft.published_versions
    if len(versions) < 2:
        abort_with(404, _("This draft has only one version: there is nothing to compare."))
    b = request.args.get("b", type=int) or versions[-1].number
    a = request.args.get("a", type=int) or b - 1
    old, new = pick_version(draft, is_staff, a), pick_version(draft, is_staff, b)
    if old is new:
        abort_with(400, _("Choose two different versions."))
    result = budget_diff(old, new) if draft.is_budget else charter_diff(old, new)
    return render_template("drafts/diff.html", municipality=municipality, draft=draft, old=old,
                           new=new, result=result, versions=versions, is_staff=is_staff,
                           share_url=absolute_url("drafts.diff", slug=slug, draft_id=draft.id, a=a, b=b))


@bp.route("/<int:draft_id>/register")
def register(slug, draft_id):
    municipality, draft, is_staff = load(slug, draft_id)
    return render_template("drafts/register.html", municipality=municipality, draft=draft,
                           rows=services.register_rows(draft), is_staff=is_staff,
                           share_url=absolute_url("drafts.register", slug=slug, draft_id=draft.id))


@bp.route("/<int:draft_id>/register.csv")
def register_csv(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id)
    data = "\ufeff" + services.register_csv(draft)
    return Response(data.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="comments-{draft.id}.csv"'})


@bp.route("/<int:draft_id>/register.pdf")
def register_pdf(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id)
    return pdf_response(services.register_pdf(draft, current_lang()),
                        f"comments-{draft.id}-{current_lang()}.pdf")


@bp.route("/<int:draft_id>/citizens-budget.pdf")
def citizens_budget(slug, draft_id):
    municipality, draft, is_staff = load(slug, draft_id)
    if not draft.is_budget:
        abort(404)
    version = pick_version(draft, is_staff, request.args.get("v", type=int))
    if version is None or not version.lines:
        abort(404)
    return pdf_response(services.citizens_budget_pdf(draft, current_lang(), version=version, issue=version.is_published),
                        f"citizens-budget-{draft.fiscal_year or draft.id}-{current_lang()}.pdf")


# --- staff: creating and editing -----------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new(slug):
    municipality = get_municipality(slug)
    require_role(municipality)
    form = DraftForm()
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in KINDS else BUDGET
    if form.validate_on_submit():
        try:
            draft = services.create_draft(municipality, current_user, form.kind.data,
                                          form.title_ky.data, form.title_ru.data, form.title_en.data,
                                          form.fiscal_year.data, form.summary.data)
        except DraftError as error:
            flash(str(error), "error")
        else:
            flash(_("The draft is created. Add its content, then publish it for comment."), "success")
            return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id))
    status = 400 if request.method == "POST" else 200
    return render_template("drafts/new.html", municipality=municipality, form=form), status


def _edit_context(municipality, draft, **extra):
    version = draft.working_version
    ctx = dict(municipality=municipality, draft=draft, version=version,
               meta_form=DraftForm(obj=draft, formdata=None), line_form=LineForm(formdata=None),
               section_form=SectionForm(formdata=None), import_form=ImportForm(formdata=None),
               publish_form=PublishForm(formdata=None), new_version_form=NewVersionForm(formdata=None),
               adopt_form=AdoptForm(formdata=None), withdraw_form=WithdrawForm(formdata=None),
               unanswered=services.unanswered_count(draft), import_errors=[],
               today=services.today_local())
    ctx.update(extra)
    return ctx


@bp.route("/<int:draft_id>/edit")
def edit(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    return render_template("drafts/edit.html", **_edit_context(municipality, draft))


def _render_edit(municipality, draft, status, message=None, **forms):
    if message:
        flash(message, "error")
    return render_template("drafts/edit.html", **_edit_context(municipality, draft, **forms)), status


@bp.route("/<int:draft_id>/meta", methods=["POST"])
def meta(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    form = DraftForm()
    if not form.validate_on_submit():
        return _render_edit(municipality, draft, 400, meta_form=form)
    try:
        services.update_meta(draft, title_ky=form.title_ky.data, title_ru=form.title_ru.data,
                             title_en=form.title_en.data, summary=form.summary.data,
                             fiscal_year=form.fiscal_year.data)
    except DraftError as error:
        db.session.rollback()
        return _render_edit(municipality, draft, error.code, str(error), meta_form=form)
    flash(_("Saved."), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id))


def _line_values(form):
    return {f: getattr(form, f).data for f in BudgetLine.FIELDS}


@bp.route("/<int:draft_id>/lines", methods=["POST"])
def line_add(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    form = LineForm()
    if not draft.is_budget:
        abort(404)
    if not form.validate_on_submit():
        return _render_edit(municipality, draft, 400, line_form=form)
    try:
        services.add_line(draft, _line_values(form))
    except DraftError as error:
        db.session.rollback()
        return _render_edit(municipality, draft, error.code, str(error), line_form=form)
    flash(_("The line is added."), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id) + "#lines")


def _own_line(draft, line_id):
    line = services.get(BudgetLine, line_id)
    if line is None or line.version.draft_id != draft.id:
        abort(404)
    return line


def _own_section(draft, section_id):
    section = services.get(CharterSection, section_id)
    if section is None or section.version.draft_id != draft.id:
        abort(404)
    return section


@bp.route("/<int:draft_id>/lines/<int:line_id>", methods=["GET", "POST"])
def line_edit(slug, draft_id, line_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    line = _own_line(draft, line_id)
    return _edit_item(municipality, draft, line, LineForm(obj=line),
                      lambda form: services.update_line(line, _line_values(form)), "#lines")


def _edit_item(municipality, draft, item, form, save, anchor):
    """The edit page of one budget line or charter section (both live in an unpublished version)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                save(form)
            except DraftError as error:
                db.session.rollback()
                status = error.code
                flash(str(error), "error")
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("drafts.edit", slug=municipality.slug, draft_id=draft.id) + anchor)
    elif item.version.is_published:
        flash(_("This version is published and cannot be changed. Start a new version to make changes."), "warning")
    return render_template("drafts/item_form.html", municipality=municipality, draft=draft,
                           form=form, item=item), status


@bp.route("/<int:draft_id>/lines/<int:line_id>/delete", methods=["POST"])
def line_delete(slug, draft_id, line_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    line = _own_line(draft, line_id)
    try:
        services.delete_line(line)
    except DraftError as error:
        fail(error)
    flash(_("The line is deleted."), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id) + "#lines")


@bp.route("/<int:draft_id>/sections", methods=["POST"])
def section_add(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    if draft.kind != CHARTER:
        abort(404)
    form = SectionForm()
    if not form.validate_on_submit():
        return _render_edit(municipality, draft, 400, section_form=form)
    try:
        services.add_section(draft, {f: getattr(form, f).data for f in CharterSection.FIELDS})
    except DraftError as error:
        db.session.rollback()
        return _render_edit(municipality, draft, error.code, str(error), section_form=form)
    flash(_("The section is added."), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id) + "#sections")


@bp.route("/<int:draft_id>/sections/<int:section_id>", methods=["GET", "POST"])
def section_edit(slug, draft_id, section_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    section = _own_section(draft, section_id)
    return _edit_item(municipality, draft, section, SectionForm(obj=section),
                      lambda form: services.update_section(
                          section, {f: getattr(form, f).data for f in CharterSection.FIELDS}),
                      "#sections")


@bp.route("/<int:draft_id>/sections/<int:section_id>/delete", methods=["POST"])
def section_delete(slug, draft_id, section_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    section = _own_section(draft, section_id)
    try:
        services.delete_section(section)
    except DraftError as error:
        fail(error)
    flash(_("The section is deleted."), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id) + "#sections")


@bp.route("/<int:draft_id>/import", methods=["POST"])
def import_file(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_edit(municipality, draft, 400, import_form=form)
    upload = form.file.data
    data = upload.read()
    try:
        services.editable_version(draft)
    except DraftError as error:
        return _render_edit(municipality, draft, error.code, str(error))
    if draft.is_budget:
        rows, problems = parse_budget_file(upload.filename, data)
    else:
        rows, problems = parse_charter_text(data)
    if problems:
        return _render_edit(municipality, draft, 400,
                            _("The file was not imported: nothing was changed. Correct these errors and try again."),
                            import_errors=[str(p) for p in problems])
    try:
        if draft.is_budget:
            services.replace_lines(draft, rows, upload.filename or "")
        else:
            services.replace_sections(draft, rows, upload.filename or "")
    except DraftError as error:
        db.session.rollback()
        return _render_edit(municipality, draft, error.code, str(error))
    if draft.is_budget:
        flash(_("Imported %(n)d rows.", n=len(rows)), "success")
    else:
        flash(_("Sections imported: %(n)d.", n=len(rows)), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id))


# --- staff: lifecycle -----------------------------------------------------------------------------

@bp.route("/<int:draft_id>/publish", methods=["POST"])
def publish(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_edit(municipality, draft, 400, publish_form=form)
    try:
        version = services.publish(draft, form.opens.data, form.closes.data, form.note.data)
    except DraftError as error:
        db.session.rollback()
        return _render_edit(municipality, draft, error.code, str(error), publish_form=form)
    flash(_("Version %(n)d is published for comment.", n=version.number), "success")
    return redirect(url_for("drafts.show", slug=slug, draft_id=draft.id))


@bp.route("/<int:draft_id>/new-version", methods=["POST"])
def new_version(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    form = NewVersionForm()
    if not form.validate_on_submit():
        return _render_edit(municipality, draft, 400, new_version_form=form)
    try:
        version = services.new_version(draft, form.note.data)
    except DraftError as error:
        fail(error)
    flash(_("Version %(n)d is started as a copy of the published one; publish it when ready.",
            n=version.number), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id))


@bp.route("/<int:draft_id>/close", methods=["POST"])
def close(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    try:
        services.close_comments(draft)
    except DraftError as error:
        fail(error)
    flash(_("Comments are closed."), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id))


@bp.route("/<int:draft_id>/adopt", methods=["POST"])
def adopt(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    form = AdoptForm()
    if not form.validate_on_submit():
        return _render_edit(municipality, draft, 400, adopt_form=form)
    try:
        services.adopt(draft, form.resolution_no.data, form.resolution_date.data)
    except DraftError as error:
        db.session.rollback()
        return _render_edit(municipality, draft, error.code, str(error), adopt_form=form)
    flash(_("The draft is marked as adopted."), "success")
    return redirect(url_for("drafts.show", slug=slug, draft_id=draft.id))


@bp.route("/<int:draft_id>/withdraw", methods=["POST"])
def withdraw(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _render_edit(municipality, draft, 400, withdraw_form=form)
    try:
        services.withdraw(draft, form.reason.data)
    except DraftError as error:
        fail(error)
    flash(_("The draft is withdrawn."), "success")
    return redirect(url_for("drafts.edit", slug=slug, draft_id=draft.id))


# --- staff: answers and moderation ----------------------------------------------------------------

def _own_comment(draft, comment_id):
    c = services.get(Comment, comment_id)
    if c is None or c.draft_id != draft.id:
        abort(404)
    return c


@bp.route("/<int:draft_id>/answers")
def answers(slug, draft_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    return _render_answers(municipality, draft)


def _render_answers(municipality, draft, status=200, hide_failed=None):
    """The answers page; `hide_failed` = (comment id, HideForm with errors) re-shows a hide
    form that was refused, open, with its message and what was typed."""
    only_open = request.args.get("open") == "1"
    comments = services.comments_of(draft)
    if only_open:
        comments = [c for c in comments if c.answer is None and not c.is_hidden]
    forms = {}
    for c in comments:
        f = AnswerForm(formdata=None, prefix=f"c{c.id}")
        if c.answer:
            f.decision.data, f.reason.data = c.answer.decision, c.answer.reason
        forms[c.id] = f
    return render_template("drafts/answers.html", municipality=municipality, draft=draft,
                           comments=comments, forms=forms, only_open=only_open,
                           hide_form=HideForm(formdata=None),
                           hide_failed=hide_failed or (None, None),
                           unanswered=services.unanswered_count(draft)), status


@bp.route("/<int:draft_id>/comments/<int:comment_id>/answer", methods=["GET", "POST"])
def answer(slug, draft_id, comment_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    c = _own_comment(draft, comment_id)
    form = AnswerForm(prefix=f"c{c.id}")
    if request.method == "GET":
        if c.answer:
            form.decision.data, form.reason.data = c.answer.decision, c.answer.reason
        return render_template("drafts/answer.html", municipality=municipality, draft=draft,
                               comment=c, form=form)
    status = 400
    if form.validate_on_submit():
        try:
            services.answer_comment(c, current_user, form.decision.data, form.reason.data)
        except DraftError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
            status = error.code
        else:
            flash(_("The answer is published and the author is notified."), "success")
            return redirect(url_for("drafts.answers", slug=slug, draft_id=draft.id) + f"#c{c.id}")
    return render_template("drafts/answer.html", municipality=municipality, draft=draft,
                           comment=c, form=form), status


@bp.route("/<int:draft_id>/comments/<int:comment_id>/hide", methods=["POST"])
def hide(slug, draft_id, comment_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    c = _own_comment(draft, comment_id)
    form = HideForm()
    if not form.validate_on_submit():
        if not form.reason.errors or not (form.reason.data or "").strip():
            form.reason.errors = [_("Give the reason for hiding the comment.")]
        return _render_answers(municipality, draft, 400, (c.id, form))
    try:
        services.hide_comment(c, current_user, form.reason.data)
    except DraftError as error:
        if error.code != 400:
            fail(error)
        db.session.rollback()
        form.reason.errors = [str(error)]
        return _render_answers(municipality, draft, 400, (c.id, form))
    flash(_("The comment is hidden; the author sees the reason."), "success")
    return redirect(url_for("drafts.answers", slug=slug, draft_id=draft.id) + f"#c{c.id}")


@bp.route("/<int:draft_id>/comments/<int:comment_id>/unhide", methods=["POST"])
def unhide(slug, draft_id, comment_id):
    municipality, draft, _staff = load(slug, draft_id, staff=True)
    c = _own_comment(draft, comment_id)
    try:
        services.unhide_comment(c, current_user)
    except DraftError as error:
        fail(error)
    flash(_("The comment is shown again."), "success")
    return redirect(url_for("drafts.answers", slug=slug, draft_id=draft.id) + f"#c{c.id}")
