"""Participatory budgeting pages under /m/<slug>/pb/."""
from datetime import date, timedelta
from decimal import Decimal

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   send_file, session, url_for)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..accounts import pin as pins
from ..accounts.models import User
from ..core.access import abort_with, can, owned_or_404, require_login, require_role
from ..core.documents import absolute_url, pdf_response, qr_svg, render_pdf
from ..core.exports import csv_text
from ..core.i18n import format_money, official_date
from ..core.models import utcnow
from ..core.pagecache import public_cache
from ..core.registry import (HomeItem, Link, counts_by_municipality, home_section, municipality_link,
                             overview_counter)
from ..extensions import db, limiter, per_person
from ..territory.models import Municipality
from ..territory.views import get_municipality, here, with_region
from . import services
from .forms import (ExecutionForm, InPersonForm, MergeForm, PaperForm, PhaseForm,
                    PriorityForm, PrintForm, ProcessForm, ReceiptForm, ReviewForm, sub_budget_field,
                    to_form)
from .models import (AGE_GROUPS, AGE_LABELS, BALLOT_KIND_LABELS, CHANNEL_LABELS, CHANNELS,
                     EXECUTION_LABELS, GENDER_LABELS, PAPER_LABELS, PHASE_FIELDS, PHASE_LABELS,
                     PHASES, RULE_LABELS, STATUS_LABELS, STATUSES, Ballot, ExecutionUpdate,
                     PaperBallot, Participation, PBProcess, Priority)

bp = Blueprint("priorities", __name__)

STAFF_ROLES = ("staff", "chair")
CLERK_ROLES = ("staff", "secretary", "chair")


# --------------------------------------------------------------------------- helpers


def load(slug, pid):
    """The municipality and the process of a /m/<slug>/pb/<pid>/ URL, in one statement, or 404."""
    row = db.session.execute(
        select(PBProcess, Municipality).join(Municipality, PBProcess.municipality_id == Municipality.id)
        .where(PBProcess.id == pid, Municipality.slug == slug)
        .options(joinedload(PBProcess.sub_budgets), with_region())).unique().first()
    if row is None:
        get_municipality(slug)  # 404 for an unknown municipality too, and the right locale
        abort(404)
    process, municipality = row
    return here(municipality), process


def load_priority(process, prid):
    priority = owned_or_404(Priority, prid, process_id=process.id)
    return priority


def explain_limits(process, instance=None):
    """The ballot's limits in plain language (translated)."""
    kind = process.ballot_kind
    lines = []
    budget = format_money(process.budget)
    if kind == "approval":
        lines.append(_("Tick every project you support."))
    elif kind == "knapsack":
        lines.append(_("Choose the projects you want, as long as their costs together stay within the budget of %(budget)s.",
                       budget=budget))
        if process.min_share:
            need = (process.budget * Decimal(process.min_share)).quantize(Decimal("0.01"))
            lines.append(_("Your projects must cost at least %(amount)s together (%(share)s%% of the budget).",
                           amount=format_money(need), share=_pct(process.min_share)))
    elif kind == "cumulative":
        lines.append(ngettext("You have %(num)d point. Give it to the project you support.",
                              "You have %(num)d points. Give them to the projects you support; more points mean more support.",
                              process.total_points or 0))
        if process.max_points_per_project:
            lines.append(ngettext("At most %(num)d point for one project.", "At most %(num)d points for one project.",
                                  process.max_points_per_project))
    else:
        lines.append(ngettext("Rank up to %(num)d project: your favourite first.",
                              "Rank up to %(num)d projects: your favourite first.", process.top_k or 3))
        k = process.top_k or 1
        lines.append(_("Your first choice gets %(k)s points, the second one point less, and so on.", k=k))
    if process.min_projects:
        lines.append(ngettext("Choose at least %(num)d project.", "Choose at least %(num)d projects.",
                              process.min_projects))
    if process.max_projects and kind != "ordinal":
        lines.append(ngettext("Choose at most %(num)d project.", "Choose at most %(num)d projects.",
                              process.max_projects))
    lines.append(_("You vote once; you cannot change your ballot afterwards. Your choice is stored without your name."))
    return lines


def _pct(share):
    value = (Decimal(share) * 100).normalize()
    return format(value, "f")


def explain_rule(rule):
    if rule == "greedy":
        return _("The projects are ordered by their votes. Starting from the project with the most votes, each project is funded if it still fits in the money that is left; a project that no longer fits is skipped and the next one is tried.")
    if rule in ("mes", "mes-add1-greedy"):
        text = _("Method of Equal Shares: the budget is split into equal shares, one for each voter. A project is funded when its supporters can pay its cost together from their shares, preferring projects that cost each supporter the least. So every group of voters gets projects in proportion to its size, not only the largest group.")
        if rule == "mes-add1-greedy":
            text += " " + _("If money is left, the shares are raised step by step while the outcome still fits the budget; then the rest goes to the remaining projects with the most votes.")
        return text
    return _("Sequential Phragmén: voters are imagined to earn money continuously; a project is funded as soon as its supporters together have earned its cost, and they spend their money on it. This spreads funded projects fairly among groups of voters. It stops when the next project no longer fits in the budget.")


def _embargo_message(process):
    return _("Results are published when voting closes (%(date)s). No counts are shown before.",
             date=official_date(process.voting_closes))


def votes_embargo(process, ctx=None, title=None):
    """Before voting closes: the refusal (a page when `title` is given, else the error page),
    403. After: None — and the first look at the votes seals the ballot box."""
    if not process.results_public():
        if title is None:
            abort_with(403, _embargo_message(process))
        return status_response("priorities/message.html", 403, title=title,
                               message=_embargo_message(process), **ctx)
    services.seal_ballot_box(process)
    return None


def rule_label(rule):
    return RULE_LABELS.get(rule, rule)


def village_choices(municipality, blank=True):
    choices = [(0, "—")] if blank else []
    return choices + [(v.id, v.name) for v in municipality.villages]


def status_response(template, code, **ctx):
    return render_template(template, **ctx), code


@bp.app_context_processor
def pb_labels():
    return {"PB_PHASE_LABELS": PHASE_LABELS, "PB_STATUS_LABELS": STATUS_LABELS,
            "PB_CHANNEL_LABELS": CHANNEL_LABELS, "PB_EXECUTION_LABELS": EXECUTION_LABELS}


# --------------------------------------------------------------------------- registry hooks


@home_section
def _open_processes(municipality):
    now = utcnow()
    rows = db.session.execute(select(PBProcess).filter_by(municipality_id=municipality.id)
                              .where(PBProcess.submission_opens <= now, PBProcess.voting_closes > now)
                              .order_by(PBProcess.voting_closes)).scalars().all()
    items = []
    for p in rows:
        phase = p.phase(now)
        if phase == "submission":
            note = _("Submit priorities until %(date)s", date=official_date(p.submission_closes))
        elif phase == "voting":
            note = _("Voting until %(date)s", date=official_date(p.voting_closes))
        else:
            note = _("Voting opens %(date)s", date=official_date(p.voting_opens))
        items.append(HomeItem(str(_("Participatory budgeting")), p.title,
                              url_for("priorities.process", slug=municipality.slug, pid=p.id), note))
    return items


@overview_counter
def _open_counts(municipality_ids):
    now = utcnow()
    return counts_by_municipality(
        PBProcess, or_((PBProcess.submission_opens <= now) & (PBProcess.submission_closes > now),
                       (PBProcess.voting_opens <= now) & (PBProcess.voting_closes > now)),
        municipality_ids)


@municipality_link
def _links(municipality, is_staff):
    links = [Link(_("Participatory budgeting"), url_for("priorities.index", slug=municipality.slug))]
    if is_staff and can(municipality, *STAFF_ROLES):
        links.append(Link(_("New participatory budgeting process"), url_for("priorities.new", slug=municipality.slug)))
    return links


# --------------------------------------------------------------------------- processes


@bp.route("/m/<slug>/pb/")
@public_cache(10)
def index(slug):
    municipality = get_municipality(slug)
    processes = db.session.execute(select(PBProcess).filter_by(municipality_id=municipality.id)
                                   .order_by(PBProcess.voting_opens.desc())).scalars().all()
    return render_template("priorities/index.html", municipality=municipality, processes=processes,
                           is_staff=can(municipality, *STAFF_ROLES))


def _process_form(municipality, process=None):
    class Bound(ProcessForm):
        pass

    for v in municipality.villages:
        setattr(Bound, f"sub_{v.id}", sub_budget_field(_l("Sub-budget for %(village)s (som)", village=v.name)))
    obj = None
    if process is not None and request.method == "GET":
        obj = process
    form = Bound(obj=obj)
    if obj is not None:
        for attr in ("submission_opens", "submission_closes", "voting_opens", "voting_closes", "execution_starts"):
            getattr(form, attr).data = to_form(getattr(process, attr))
        form.categories.data = "\n".join(process.categories or [])
        form.min_share.data = (Decimal(process.min_share) * 100) if process.min_share else None
        for s in process.sub_budgets:
            field = getattr(form, f"sub_{s.village_id}", None)
            if field is not None:
                field.data = s.amount
    return form


def _sub_amounts(form, municipality):
    return {v.id: getattr(form, f"sub_{v.id}").data for v in municipality.villages}


def _check_subs(form, municipality):
    total = sum((a or Decimal(0)) for a in _sub_amounts(form, municipality).values())
    if form.budget.data is not None and total > form.budget.data:
        form.budget.errors.append(_("The sub-budgets add up to more than the total budget."))
        return False
    return True


@bp.route("/m/<slug>/pb/new", methods=["GET", "POST"])
def new(slug):
    municipality = get_municipality(slug)
    require_role(municipality, *STAFF_ROLES)
    form = _process_form(municipality)
    if request.method == "GET":
        form.categories.data = "\n".join(DEFAULT_CATEGORIES())
        form.min_projects.data = 1
    if all([form.validate_on_submit(), request.method != "POST" or _check_subs(form, municipality)]):
        process = services.save_process(PBProcess(), form.process_data(), _sub_amounts(form, municipality),
                                        current_user, municipality)
        flash(_("The process is created."), "success")
        return redirect(url_for(".process", slug=slug, pid=process.id))
    return render_template("priorities/process_form.html", municipality=municipality, form=form,
                           process=None, villages=municipality.villages), 400 if request.method == "POST" else 200


CATEGORY_NAMES = (_l("Water supply"), _l("Roads"), _l("Street lighting"), _l("Waste collection"),
                  _l("Youth sports and clubs"), _l("Education"), _l("Health"), _l("Culture"))


def DEFAULT_CATEGORIES():
    return [str(name) for name in CATEGORY_NAMES]


_CATEGORY_INDEX = {}  # a default category's name in any language -> its position


@bp.app_template_global("pb_category")  # a global: macros imported without context use it
def category_label(text):
    """A default category in the reader's language, whatever language it was saved in (the
    process was set up in Russian, a resident reads in Kyrgyz); other categories as typed."""
    if not _CATEGORY_INDEX:
        from flask_babel import force_locale

        for lang in ("ky", "ru", "en"):
            with force_locale(lang):
                _CATEGORY_INDEX.update({str(name): i for i, name in enumerate(CATEGORY_NAMES)})
    i = _CATEGORY_INDEX.get(text or "")
    return str(CATEGORY_NAMES[i]) if i is not None else (text or "")


@bp.route("/m/<slug>/pb/<int:pid>/edit", methods=["GET", "POST"])
def edit(slug, pid):
    municipality, process = load(slug, pid)
    require_role(municipality, *STAFF_ROLES)
    if process.phase() not in ("upcoming", "submission", "review"):
        abort_with(403, _("The settings cannot change once voting has opened."))
    form = _process_form(municipality, process)
    if all([form.validate_on_submit(), request.method != "POST" or _check_subs(form, municipality)]):
        data = form.process_data()
        # dates move only through the phase form (with a logged reason)
        for _name, attr in PHASE_FIELDS:
            data.pop(attr)
        services.save_process(process, data, _sub_amounts(form, municipality), current_user, municipality)
        flash(_("The settings are saved."), "success")
        return redirect(url_for(".process", slug=slug, pid=pid))
    return render_template("priorities/process_form.html", municipality=municipality, form=form,
                           process=process, villages=municipality.villages), 400 if request.method == "POST" else 200


@bp.route("/m/<slug>/pb/<int:pid>/phase", methods=["GET", "POST"])
def phase(slug, pid):
    municipality, process = load(slug, pid)
    require_role(municipality, *STAFF_ROLES)
    form = PhaseForm()
    if request.method == "GET":
        form.new_value.data = to_form(utcnow()).replace(second=0, microsecond=0)
    if form.validate_on_submit():
        from .forms import to_utc

        new_value = to_utc(form.new_value.data)
        order = [attr for _p, attr in PHASE_FIELDS]
        i = order.index(form.field.data)
        before = getattr(process, order[i - 1]) if i > 0 else None
        after = getattr(process, order[i + 1]) if i + 1 < len(order) else None
        if getattr(process, form.field.data) <= utcnow():
            # what has begun is history: a closed (and sealed) vote is never reopened
            form.field.errors.append(_("This phase has already begun; its date can no longer be moved."))
        elif new_value < utcnow() - timedelta(minutes=2):  # now (to the minute) at the earliest
            form.new_value.errors.append(_("The new date is in the past: a phase can begin now at the earliest."))
        elif (before and new_value < before) or (after and new_value > after):
            form.new_value.errors.append(_("Phase dates must follow each other in order."))
        else:
            services.move_phase(process, form.field.data, new_value, form.reason.data.strip(), current_user)
            flash(_("The phase date is moved."), "success")
            return redirect(url_for(".process", slug=slug, pid=pid))
    return render_template("priorities/phase.html", municipality=municipality, process=process,
                           form=form), 400 if request.method == "POST" else 200


@bp.route("/m/<slug>/pb/<int:pid>/")
@public_cache(10)
def process(slug, pid):
    municipality, process = load(slug, pid)
    q = select(Priority).filter_by(process_id=process.id)
    category = request.args.get("category") or ""
    village = request.args.get("village", type=int) or 0
    status = request.args.get("status") or ""
    if category:
        q = q.filter_by(category=category)
    if village:
        q = q.filter_by(village_id=village)
    if status in STATUSES:
        q = q.filter_by(status=status)
    priorities = db.session.execute(q.order_by(Priority.id)).scalars().all()
    counts = dict(db.session.execute(
        select(Priority.id, func.count()).select_from(Priority).join(Priority.supporters)
        .where(Priority.process_id == process.id).group_by(Priority.id)).all())
    voted = False
    if current_user.is_authenticated:
        voted = services.has_participated(process, current_user.id)
    funded = services.funded_ids(process) if process.results_public() else set()
    return render_template("priorities/process.html", municipality=municipality, process=process,
                           priorities=priorities, counts=counts, category=category, village=village,
                           status=status, statuses=STATUSES, phase=process.phase(), phases=PHASES,
                           phase_fields=dict(PHASE_FIELDS), is_staff=can(municipality, *STAFF_ROLES),
                           is_clerk=can(municipality, *CLERK_ROLES), voted=voted,
                           limits=explain_limits(process), rule_text=explain_rule(process.rule),
                           funded=funded, kind_label=BALLOT_KIND_LABELS[process.ballot_kind],
                           rule_label=rule_label(process.rule))


# --------------------------------------------------------------------------- priorities


def _priority_form(municipality, process):
    form = PriorityForm()
    form.category.choices = [("", "—")] + [(c, category_label(c)) for c in process.categories or []]
    form.village_id.choices = village_choices(municipality)
    return form


@bp.route("/m/<slug>/pb/<int:pid>/submit", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"], key_func=per_person)
def submit(slug, pid):
    municipality, process = load(slug, pid)
    require_login()
    if process.phase() != "submission":
        abort_with(403, _("Priorities can be submitted only during the submission phase."))
    if current_user.municipality_id != municipality.id and not can(municipality):
        abort_with(403, _("Only residents of this municipality may submit priorities."))
    form = _priority_form(municipality, process)
    if request.method == "GET" and current_user.village_id:
        form.village_id.data = current_user.village_id
    if form.validate_on_submit():
        data = {"title": form.title.data.strip(), "description": form.description.data.strip(),
                "category": form.category.data, "village_id": form.village_id.data or None,
                "estimated_cost": form.estimated_cost.data}
        photo = form.photo.data if form.photo.data and getattr(form.photo.data, "filename", "") else None
        try:
            priority = services.submit_priority(process, current_user, data, photo)
        except services.PBError as error:
            form.photo.errors.append(error.message)
            return render_template("priorities/submit.html", municipality=municipality, process=process,
                                   form=form), error.status
        flash(_("Thank you! Your priority is submitted; staff will review it."), "success")
        return redirect(url_for(".priority", slug=slug, pid=pid, prid=priority.id))
    return render_template("priorities/submit.html", municipality=municipality, process=process,
                           form=form), 400 if request.method == "POST" else 200


@bp.route("/m/<slug>/pb/<int:pid>/p/<int:prid>")
@public_cache(10)
def priority(slug, pid, prid):
    municipality, process = load(slug, pid)
    priority = load_priority(process, prid)
    is_staff = can(municipality, *STAFF_ROLES)
    funded = priority.id in services.funded_ids(process) if process.results_public() else False
    review_form = merge_form = exec_form = None
    if is_staff and process.phase() in ("submission", "review") and priority.status != "merged":
        review_form = ReviewForm(obj=priority)
        merge_form = MergeForm()
        merge_form.target.choices = [(p.id, f"#{p.id} {p.title}") for p in process.priorities
                                     if p.id != priority.id and p.status != "merged"]
    if is_staff and funded and process.phase() in ("results", "execution"):
        exec_form = ExecutionForm(day=date.today(), status=priority.execution_status or "planned",
                                  progress=priority.execution_progress)
    supported = False
    if current_user.is_authenticated:
        supported = any(s.user_id == current_user.id for s in priority.supporters)
    return render_template("priorities/priority.html", municipality=municipality, process=process,
                           priority=priority, is_staff=is_staff, funded=funded, review_form=review_form,
                           merge_form=merge_form, exec_form=exec_form, supported=supported,
                           phase=process.phase())


@bp.route("/m/<slug>/pb/<int:pid>/p/<int:prid>/support", methods=["POST"])
def support(slug, pid, prid):
    municipality, process = load(slug, pid)
    priority = load_priority(process, prid)
    require_login()
    if current_user.municipality_id != municipality.id:
        abort_with(403, _("Only residents of this municipality may support priorities."))
    try:
        added = services.support(priority, current_user)
    except services.PBError as error:
        abort_with(error.status, error.message)
    flash(_("Your support is counted.") if added else _("You already support this priority."),
          "success" if added else "info")
    return redirect(url_for(".priority", slug=slug, pid=pid, prid=prid))


def merge_choices(process, priority):
    """The other priorities of the process, which `priority` may be merged into."""
    return [(p.id, p.title) for p in process.priorities if p.id != priority.id]


@bp.route("/m/<slug>/pb/<int:pid>/p/<int:prid>/review", methods=["POST"])
def review(slug, pid, prid):
    municipality, process = load(slug, pid)
    require_role(municipality, *STAFF_ROLES)
    priority = load_priority(process, prid)
    form = ReviewForm()
    if not form.validate_on_submit():
        merge_form = MergeForm()
        merge_form.target.choices = merge_choices(process, priority)
        return render_template("priorities/priority.html", municipality=municipality, process=process,
                               priority=priority, is_staff=True, funded=False, review_form=form,
                               merge_form=merge_form, exec_form=None, supported=False,
                               phase=process.phase()), 400
    try:
        services.review(priority, form.status.data, form.adjusted_cost.data, form.feasibility_note.data,
                        (form.public_reason.data or "").strip(), current_user)
    except services.PBError as error:
        abort_with(error.status, error.message)
    flash(_("The review is saved; the author is notified."), "success")
    return redirect(url_for(".priority", slug=slug, pid=pid, prid=prid))


@bp.route("/m/<slug>/pb/<int:pid>/p/<int:prid>/merge", methods=["POST"])
def merge(slug, pid, prid):
    municipality, process = load(slug, pid)
    require_role(municipality, *STAFF_ROLES)
    priority = load_priority(process, prid)
    form = MergeForm()
    form.target.choices = merge_choices(process, priority)
    if not form.validate_on_submit():
        abort_with(400, _("Choose another open priority of the same process."))
    target = load_priority(process, form.target.data)
    try:
        services.merge(priority, target, (form.reason.data or "").strip(), current_user)
    except services.PBError as error:
        abort_with(error.status, error.message)
    flash(_("The priorities are merged; supporters were kept."), "success")
    return redirect(url_for(".priority", slug=slug, pid=pid, prid=target.id))


def _send_photo(name, mime):
    path = services.photo_path(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype=mime, max_age=3600)


@bp.route("/m/<slug>/pb/<int:pid>/p/<int:prid>/photo")
def photo(slug, pid, prid):
    _m, process = load(slug, pid)
    priority = load_priority(process, prid)
    return _send_photo(priority.photo_file, priority.photo_mime)


@bp.route("/m/<slug>/pb/<int:pid>/p/<int:prid>/u/<int:uid>/photo")
def update_photo(slug, pid, prid, uid):
    _m, process = load(slug, pid)
    priority = load_priority(process, prid)
    update = owned_or_404(ExecutionUpdate, uid, priority_id=priority.id)
    return _send_photo(update.photo_file, update.photo_mime)


@bp.route("/m/<slug>/pb/<int:pid>/p/<int:prid>/execution", methods=["POST"])
def execution(slug, pid, prid):
    municipality, process = load(slug, pid)
    require_role(municipality, *STAFF_ROLES)
    priority = load_priority(process, prid)
    form = ExecutionForm()
    if not form.validate_on_submit():
        abort_with(400, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    photo = form.photo.data if form.photo.data and getattr(form.photo.data, "filename", "") else None
    try:
        services.add_execution_update(priority, current_user, form.status.data, form.progress.data or 0,
                                      form.note.data, form.day.data, photo)
    except services.PBError as error:
        abort_with(error.status, error.message)
    flash(_("The execution update is published."), "success")
    return redirect(url_for(".priority", slug=slug, pid=pid, prid=prid))


# --------------------------------------------------------------------------- voting


def _ballot_context(process, instance=None, chosen=None):
    priorities = services.on_ballot(process)
    return {"ballot_priorities": priorities, "limits": explain_limits(process),
            "chosen": chosen or {}, "top_k": process.top_k or 3}


def _chosen_from(process, ballot):
    if ballot is None:
        return {}
    return services.content_of(ballot)


@bp.route("/m/<slug>/pb/<int:pid>/vote", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"], key_func=per_person)
def vote(slug, pid):
    municipality, process = load(slug, pid)
    require_login()
    ctx = {"municipality": municipality, "process": process}
    if process.phase() != "voting":
        return status_response("priorities/message.html", 403, title=_("Voting is not open"),
                               message=_("Voting runs from %(start)s to %(end)s.",
                                         start=official_date(process.voting_opens),
                                         end=official_date(process.voting_closes)), **ctx)
    problem = services.voter_problem(process, current_user)
    if problem:
        return status_response("priorities/message.html", 403, title=_("You cannot vote here"),
                               message=problem, resend=not current_user.confirmed, **ctx)
    # a POST needs no check here: cast_vote's insert is refused by the unique constraints
    if request.method == "GET" and services.has_participated(process, current_user.id,
                                                             current_user.pin_hmac):
        return _already_voted(ctx)
    errors, ballot = [], None
    if request.method == "POST":
        ballot, errors = services.ballot_from_form(process, request.form)
        if not errors:
            try:
                receipt = services.cast_vote(process, current_user, ballot)
            except services.AlreadyVoted:
                return _already_voted(ctx)
            except services.BallotInvalid as error:
                errors = error.errors
            except services.PBError as error:
                return status_response("priorities/message.html", error.status, title=_("You cannot vote here"),
                                       message=error.message, **ctx)
            else:
                # the voter's own browser keeps the code (the server never links it to them),
                # so a reload or a language switch shows it again
                session[_receipt_key(process)] = receipt
                return render_template("priorities/voted.html", receipt=receipt, **ctx)
    status = 400 if errors else 200
    return render_template("priorities/vote.html", errors=errors,
                           **_ballot_context(process, chosen=_chosen_from(process, ballot)), **ctx), status


def _receipt_key(process):
    return f"pb_receipt_{process.id}"


def _already_voted(ctx):
    receipt = session.get(_receipt_key(ctx["process"]))
    if receipt:  # voted from this browser: the thank-you page again, with the code
        return render_template("priorities/voted.html", receipt=receipt, again=True, **ctx), \
            (200 if request.method == "GET" else 409)
    return status_response("priorities/message.html", 409, title=_("You have already voted"),
                           message=_("You have already voted in this process. Each person votes once."), **ctx)


def _find_account(value, municipality):
    from ..accounts.forms import normalize_phone

    value = (value or "").strip()
    if not value:
        return None
    if "@" in value:
        return db.session.execute(select(User).filter_by(email=value.lower())).scalar_one_or_none()
    return db.session.execute(select(User).filter_by(phone=normalize_phone(value))).scalar_one_or_none()


@bp.route("/m/<slug>/pb/<int:pid>/in-person", methods=["GET", "POST"])
def in_person(slug, pid):
    municipality, process = load(slug, pid)
    require_role(municipality, *CLERK_ROLES)
    ctx = {"municipality": municipality, "process": process}
    if process.phase() != "voting":
        return status_response("priorities/message.html", 403, title=_("Voting is not open"),
                               message=_("Voting runs from %(start)s to %(end)s.",
                                         start=official_date(process.voting_opens),
                                         end=official_date(process.voting_closes)), **ctx)
    form = InPersonForm()
    form.village_id.choices = village_choices(municipality)
    errors, ballot, status = [], None, 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            user = _find_account(form.account.data, municipality)
            if form.account.data and (user is None or user.municipality_id != municipality.id):
                form.account.errors.append(_("No account of a resident of this municipality was found."))
            else:
                if form.channel.data == "assisted":
                    ballot, errors = services.ballot_from_form(process, request.form)
                if not errors:
                    person = {"user": user, "full_name": (form.full_name.data or "").strip(),
                              "village_id": form.village_id.data or None, "gender": form.gender.data,
                              "birth_year": form.birth_year.data, "channel": form.channel.data,
                              "pin_hmac": pins.pin_hmac(form.pin.data) if form.pin.data else None}
                    try:
                        receipt = services.record_in_person(process, current_user, person, ballot)
                    except services.AlreadyVoted:
                        return status_response("priorities/message.html", 409, title=_("Already voted"),
                                               message=_("This person has already voted in this process (online, in person or on paper)."),
                                               **ctx)
                    except services.BallotInvalid as error:
                        errors = error.errors
                    except services.PBError as error:
                        form.pin.errors.append(error.message)
                    else:
                        if receipt:
                            flash(_("The vote is recorded. Receipt code for the voter: %(receipt)s", receipt=receipt), "success")
                        else:
                            flash(_("The person is marked as voting on paper; they cannot vote online."), "success")
                        return redirect(url_for(".in_person", slug=slug, pid=pid))
    return render_template("priorities/in_person.html", form=form, errors=errors,
                           **_ballot_context(process, chosen=_chosen_from(process, ballot)), **ctx), status


@bp.route("/m/<slug>/pb/<int:pid>/participants")
def participants(slug, pid):
    """Staff: who has voted (never what), to check a person at the polling station."""
    municipality, process = load(slug, pid)
    require_role(municipality, *CLERK_ROLES)
    q = (request.args.get("q") or "").strip()[:100]
    stmt = (select(Participation).filter_by(process_id=process.id)
            .outerjoin(User, Participation.user_id == User.id))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Participation.full_name.ilike(like), User.full_name.ilike(like),
                              User.email.ilike(like), User.phone.ilike(like)))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per = 100
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.order_by(Participation.id.desc()).offset((page - 1) * per).limit(per)).scalars().all()
    return render_template("priorities/participants.html", municipality=municipality, process=process,
                           rows=rows, q=q, total=total, page=page, pages=max((total + per - 1) // per, 1),
                           channel_labels=CHANNEL_LABELS)


# --------------------------------------------------------------------------- paper ballots


@bp.route("/m/<slug>/pb/<int:pid>/paper", methods=["GET", "POST"])
def paper(slug, pid):
    municipality, process = load(slug, pid)
    require_role(municipality, *CLERK_ROLES)
    ctx = {"municipality": municipality, "process": process}
    form = PaperForm()
    errors, ballot, status = [], None, 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            if form.status.data == "valid":
                ballot, errors = services.ballot_from_form(process, request.form)
            if not errors:
                try:
                    result = services.enter_paper(process, current_user, form.serial.data, form.status.data, ballot)
                except services.BallotInvalid as error:
                    errors = error.errors
                except services.PBError as error:
                    errors = [error.message]
                    status = error.status
                else:
                    messages = {
                        "first": _("Paper ballot No. %(serial)s is entered.", serial=form.serial.data),
                        "confirmed": _("Second entry of No. %(serial)s matches the first one.", serial=form.serial.data),
                        "mismatch": _("Second entry of No. %(serial)s differs from the first one: it is listed below for checking.",
                                      serial=form.serial.data)}
                    flash(messages[result], "warning" if result == "mismatch" else "success")
                    return redirect(url_for(".paper", slug=slug, pid=pid))
    papers = db.session.execute(select(PaperBallot).filter_by(process_id=process.id)
                                .order_by(PaperBallot.serial)).scalars().all()
    mismatches = [p for p in papers if p.mismatch]
    counts = {s: sum(1 for p in papers if p.status == s) for s in PAPER_LABELS}
    names = {p.pid: p.title for p in services.on_ballot(process)}
    if process.phase() not in ("voting", "results", "execution") and request.method == "GET":
        status = 200
    return render_template("priorities/paper.html", form=form, errors=errors, papers=papers,
                           mismatches=mismatches, counts=counts, names=names,
                           second_done=sum(1 for p in papers if p.second_by_id),
                           paper_labels=PAPER_LABELS, can_enter=process.phase() in ("voting", "results", "execution"),
                           **_ballot_context(process, chosen=_chosen_from(process, ballot)), **ctx), status


@bp.route("/m/<slug>/pb/<int:pid>/paper/<int:serial>/resolve", methods=["POST"])
def resolve(slug, pid, serial):
    municipality, process = load(slug, pid)
    require_role(municipality, *STAFF_ROLES, "secretary")
    paper = db.session.execute(select(PaperBallot).filter_by(process_id=process.id, serial=serial)).scalar_one_or_none()
    if paper is None:
        abort(404)
    use = request.form.get("use")
    if use not in ("first", "second"):
        abort_with(400, _("Choose which entry is right."))
    try:
        services.resolve_paper(process, paper, use, current_user)
    except services.PBError as error:
        abort_with(error.status, error.message)
    flash(_("The mismatch of No. %(serial)s is settled.", serial=serial), "success")
    return redirect(url_for(".paper", slug=slug, pid=pid))


@bp.route("/m/<slug>/pb/<int:pid>/ballots.pdf")
def paper_pdf(slug, pid):
    municipality, process = load(slug, pid)
    require_role(municipality, *CLERK_ROLES)
    form = PrintForm(request.args)
    if not form.validate():
        abort_with(400, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    first = form.first.data or 1
    count = form.count.data or 20
    priorities = services.on_ballot(process)
    if not priorities:
        abort_with(409, _("No priorities are accepted for the vote yet."))
    lookup = absolute_url("priorities.ballots", slug=slug, pid=pid)
    sheets = []
    for serial in range(first, first + count):
        url = absolute_url("priorities.ballots", slug=slug, pid=pid, receipt=services.paper_receipt(serial))
        sheets.append({"serial": serial, "receipt": services.paper_receipt(serial), "qr": qr_svg(url)})
    pdf = render_pdf("priorities/paper_ballot.html", process=process, municipality=municipality,
                     priorities=priorities, sheets=sheets, limits=explain_limits(process),
                     lookup=lookup, title=process.title,
                     page_label={"ky": "бет", "ru": "стр."}.get(_lang(), "page"),
                     footer_note=municipality.name, top_k=process.top_k or 3)
    return pdf_response(pdf, f"pb-{process.id}-ballots-{first}-{first + count - 1}.pdf")


def _lang():
    from ..core.i18n import current_lang

    return current_lang()


# --------------------------------------------------------------------------- results


@bp.route("/m/<slug>/pb/<int:pid>/results")
@public_cache(10)
def results(slug, pid):
    municipality, process = load(slug, pid)
    ctx = {"municipality": municipality, "process": process}
    refused = votes_embargo(process, ctx, _("Results are not published yet"))
    if refused:
        return refused
    res = services.results(process)
    st = services.stats(process)
    villages = {v.id: v.name for v in municipality.villages}
    return render_template("priorities/results.html", res=res, stats=st, villages=villages,
                           rule_text=explain_rule(process.rule), rule_label=rule_label,
                           channel_labels=CHANNEL_LABELS, gender_labels=GENDER_LABELS,
                           age_labels=AGE_LABELS, age_groups=list(AGE_GROUPS) + [""], channels=CHANNELS,
                           charts=_charts(process, res), **ctx)


def _charts(process, res):
    """Geometry of the two SVG charts, computed here so the template stays simple."""
    rows = res["table"]
    key = "points" if process.ballot_kind == "cumulative" else "votes"
    top = max([r[key] for r in rows] + [1])
    bar_h, gap, width = 12, 6, 320
    bars = []
    for i, r in enumerate(rows):
        y = i * (bar_h + 14 + gap)
        w = int(round(300 * r[key] / top))
        bars.append({"y": y, "w": max(w, 1), "value": r[key], "title": r["priority"].title,
                     "selected": r["selected"], "ty": y + 11, "by": y + 14})
    votes_h = max(len(rows) * (bar_h + 14 + gap), 20)
    budget = Decimal(process.budget)
    segments, x = [], 0
    for r in rows:
        if r["selected"]:
            w = int(round(300 * Decimal(r["priority"].cost) / budget)) if budget else 0
            segments.append({"x": x, "w": max(w, 1), "title": r["priority"].title,
                             "cost": r["priority"].cost})
            x += w
    return {"bars": bars, "votes_h": votes_h, "width": width, "key": key, "segments": segments,
            "spent_w": x, "bar_h": bar_h}


@bp.route("/m/<slug>/pb/<int:pid>/results.csv")
def results_csv(slug, pid):
    municipality, process = load(slug, pid)
    votes_embargo(process)
    res = services.results(process)
    rows = [[r["priority"].pid, r["priority"].title, category_label(r["priority"].category),
             r["priority"].village.name if r["priority"].village else "", str(r["priority"].cost),
             r["votes"], r["points"], str(r["support"]), 1 if r["selected"] else 0] for r in res["table"]]
    text = csv_text(["project_id", "title", "category", "village", "cost", "votes", "points",
                     "support", "selected"], rows)  # titles typed by residents: never formulas
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="pb-{process.id}-results.csv"'})


@bp.route("/m/<slug>/pb/<int:pid>/results.json")
def results_json(slug, pid):
    municipality, process = load(slug, pid)
    votes_embargo(process)
    res = services.results(process)
    return Response(services.export_json(process, res), mimetype="application/json")


@bp.route("/m/<slug>/pb/<int:pid>/results.pb")
def results_pb(slug, pid):
    municipality, process = load(slug, pid)
    votes_embargo(process)
    res = services.results(process)
    return Response(services.export_pb(process, res), mimetype="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="pb-{process.id}.pb"'})


@bp.route("/m/<slug>/pb/<int:pid>/ballots")
def ballots(slug, pid):
    municipality, process = load(slug, pid)
    ctx = {"municipality": municipality, "process": process}
    refused = votes_embargo(process, ctx, _("The ballot list is not published yet"))
    if refused:
        return refused
    form = ReceiptForm(request.args)
    found, looked = None, False
    if request.args.get("receipt"):
        looked = True
        if form.validate():
            code = services.normalize_receipt(form.receipt.data)
            found = db.session.execute(select(Ballot).filter_by(process_id=process.id, receipt=code)).scalar_one_or_none()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per = 100
    total = db.session.scalar(select(func.count(Ballot.id)).filter_by(process_id=process.id))
    rows = db.session.execute(select(Ballot).filter_by(process_id=process.id).order_by(Ballot.receipt)
                              .offset((page - 1) * per).limit(per)).scalars().all()
    names = {p.pid: p.title for p in services.on_ballot(process)}
    return render_template("priorities/ballots.html", form=form, found=found, looked=looked, rows=rows,
                           names=names, page=page, pages=max((total + per - 1) // per, 1), total=total,
                           channel_labels=CHANNEL_LABELS, **ctx), (404 if looked and not found else 200)
