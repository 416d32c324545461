"""Engine of the authorization matrix: concrete URLs for every rule of app.url_map, the status
each role gets, and the comparison with the expected table (test_authorization_matrix.py)."""
import time
from urllib.parse import urlsplit

from hearings.accounts import services as account_services
from hearings.extensions import db
from tests.security.world import ROLES

# POSTs that change or remove things other rows depend on run last
LATE = ("delete", "revoke", "withdraw", "merge", "cancel", "close", "adopt", "publish", "status",
        "approve", "correct", "send_back", "new_version", "phase", "announce", "resolve", "undo",
        "not_duplicate", "capacity", "logout", "hide", "unhide", "review")

LAST = ("accounts.logout", "accounts.revoke")  # these end sessions and roles: after everything
HELD = ("item_page", "proceedings", "save_report", "save_row", "delete_row", "assign_proposal",
        "attendance_pdf", "export", "manage", "door", "merge", "not_duplicate", "undo_check_in",
        "staff_cancel")
PB_FINISHED = ("results", "results_csv", "results_json", "results_pb", "ballots", "paper",
               "paper_pdf", "resolve", "execution", "update_photo")
QUERY = {"priorities.paper_pdf": {"count": 1}}  # one ballot sheet is enough to check access


def hearing_for(world, endpoint):
    name = endpoint.split(".", 1)[1]
    if endpoint.startswith("protocols."):
        return world.scalar("SELECT hearing_id FROM protocol WHERE id = :p", p=world.ids["signed_protocol"])
    if name in HELD:
        return world.ids["held_hearing"]
    return world.ids["upcoming_hearing"]


def pb_for(world, endpoint):
    return world.ids["pb_finished" if endpoint.split(".", 1)[1] in PB_FINISHED else "pb_open"]


def resolve(world, endpoint, arg, values):
    """A real value of URL argument `arg` of `endpoint`, belonging to municipality A."""
    bp, name = endpoint.split(".", 1) if "." in endpoint else ("", endpoint)
    ids, q = world.ids, world.scalar
    if arg == "slug":
        return ids["slug_a"]
    if arg == "filename":
        return "css/site.css"
    if arg == "code":
        if bp == "territory":
            return q("SELECT o.code FROM oblast o JOIN raion r ON r.oblast_id = o.id "
                     "JOIN municipality m ON m.raion_id = r.id WHERE m.id = :a", a=ids["a"])
        if bp == "core":
            return "ru"
        # a public kind (attendance lists open for staff only: tests/documents/test_documents.py)
        return q("SELECT code FROM issued_document WHERE municipality_id = :a AND kind <> 'attendance' "
                 "ORDER BY id", a=ids["a"])
    if arg == "token":
        if bp == "accounts":
            from hearings.accounts.models import User

            user = db.session.get(User, ids["users"]["resident"][0])
            return account_services.make_token(user, "reset" if name == "reset" else "confirm")
        return q("SELECT token FROM registration WHERE hearing_id = :h AND status = 'registered' "
                 "ORDER BY id", h=ids["upcoming_hearing"])
    if arg == "membership_id":  # a role of a demo user who plays no part in the matrix
        return q("SELECT m.id FROM membership m JOIN \"user\" u ON u.id = m.user_id "
                 "WHERE u.email = 'staff2@demo.kg' ORDER BY m.id")
    if arg == "draft_id":
        if name.startswith("section"):
            return ids["charter"]
        return ids["draft_budget"]
    if arg == "section_id":
        return q("SELECT s.id FROM charter_section s JOIN draft_version v ON v.id = s.version_id "
                 "WHERE v.draft_id = :d ORDER BY v.id DESC, s.id DESC", d=values["draft_id"])
    if arg == "line_id":
        return q("SELECT l.id FROM budget_line l JOIN draft_version v ON v.id = l.version_id "
                 "WHERE v.draft_id = :d ORDER BY v.id DESC, l.id DESC", d=values["draft_id"])
    if arg == "comment_id":
        return q("SELECT id FROM draft_comment WHERE draft_id = :d ORDER BY id", d=values["draft_id"])
    if arg == "hearing_id":
        return hearing_for(world, endpoint)
    if arg == "item_id":
        return q("SELECT id FROM agenda_item WHERE hearing_id = :h ORDER BY id", h=values["hearing_id"])
    if arg == "reg_id":
        return q("SELECT id FROM registration WHERE hearing_id = :h ORDER BY id DESC", h=values["hearing_id"])
    if arg == "proposal_id":
        return q("SELECT id FROM proposal WHERE hearing_id = :h ORDER BY id", h=values["hearing_id"])
    if arg == "kind":
        return "question"
    if arg == "row_id":
        return q("SELECT id FROM question WHERE hearing_id = :h ORDER BY id", h=values["hearing_id"])
    if arg == "status":
        return "announced"
    if arg == "fmt":
        return "csv"
    if arg == "pid":
        return pb_for(world, endpoint)
    if arg == "prid":
        if name == "update_photo":
            return q("SELECT p.id FROM pb_priority p JOIN pb_execution_update u ON u.priority_id = p.id "
                     "WHERE p.process_id = :p ORDER BY u.id", p=values["pid"])
        return q("SELECT id FROM pb_priority WHERE process_id = :p ORDER BY id", p=values["pid"])
    if arg == "uid":
        return q("SELECT id FROM pb_execution_update WHERE priority_id = :r ORDER BY id", r=values["prid"])
    if arg == "serial":
        return q("SELECT serial FROM pb_paper_ballot WHERE process_id = :p ORDER BY id", p=values["pid"])
    if arg == "version":
        return q("SELECT version FROM protocol WHERE hearing_id = :h ORDER BY version", h=values["hearing_id"])
    if arg == "signoff_id":
        return q("SELECT s.id FROM protocol_signoff s JOIN protocol p ON p.id = s.protocol_id "
                 "WHERE p.hearing_id = :h ORDER BY s.id", h=values["hearing_id"])
    if arg == "village_id":
        return q("SELECT id FROM village WHERE municipality_id = :a ORDER BY id DESC", a=ids["a"])
    raise KeyError(f"no value for <{arg}> of {endpoint}: add it to tests/security/matrix.py")


def build_url(world, rule, slug=None):
    from flask import url_for

    values = dict(QUERY.get(rule.endpoint, {}))
    for arg in rule.arguments_in_order() if hasattr(rule, "arguments_in_order") else _ordered(rule):
        values[arg] = resolve(world, rule.endpoint, arg, values | {"slug": world.ids["slug_a"]})
        if values[arg] is None:
            raise LookupError(f"the world has no <{arg}> for {rule.endpoint}")
    if slug is not None:
        values["slug"] = slug
    with world.app.test_request_context():
        return url_for(rule.endpoint, **values)


def _ordered(rule):
    """URL arguments in the order they appear in the rule (parents before children)."""
    import re

    return [m.group(1) for m in re.finditer(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule)]


def outcome(response):
    """The status as the table writes it: 'login' for a redirect to the login page."""
    if response.status_code in (301, 302, 303) and "/account/login" in urlsplit(response.location or "").path:
        return "login"
    return str(response.status_code)


DENIED = {"login", "403", "404"}
POST_ORDER = ("anonymous", "resident", "resident_b", "staff_b", "secretary_b", "chair_b", "staff",
              "secretary", "chair", "admin")


TIMES = {}


def rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in ("GET", "POST"):
            if method in rule.methods:
                yield rule, method


def run_matrix(world, roles=ROLES):
    """Every (rule, method, role) → observed outcome; GETs first, then POSTs (destructive last).
    Denied POSTs are checked to leave every table unchanged."""
    clients = {role: world.client(role) for role in roles}
    urls, observed, changed = {}, {}, []
    pairs = list(rules(world.app))
    for rule, method in pairs:
        urls[rule.endpoint] = build_url(world, rule)
    gets = [(r, m) for r, m in pairs if m == "GET"]
    posts = sorted([(r, m) for r, m in pairs if m == "POST"],
                   key=lambda p: (p[0].endpoint == "accounts.logout", p[0].endpoint in LAST,
                                  any(word in p[0].endpoint for word in LATE)))
    for rule, method in gets:
        for role in roles:
            started = time.monotonic()
            observed[(rule.endpoint, method, role)] = outcome(clients[role].get(urls[rule.endpoint]))
            TIMES[rule.endpoint] = TIMES.get(rule.endpoint, 0) + time.monotonic() - started
    order = [r for r in POST_ORDER if r in roles]
    for rule, method in posts:
        for role in order:  # the outsiders first: they must not change anything
            before = world.write_mark()
            result = outcome(clients[role].post(urls[rule.endpoint], data={}))
            observed[(rule.endpoint, method, role)] = result
            if result in DENIED and world.write_mark() != before:
                changed.append((rule.endpoint, role, result))
    return urls, observed, changed


def cross_tenant(world, roles=("staff_b", "secretary_b", "chair_b")):
    """A's objects addressed through B's URL (/m/<B>/…/<id of A's object>) by B's staff, who pass
    B's role check: every such request must answer 404/403 and write nothing."""
    clients = {role: world.client(role) for role in roles}
    observed, changed, count = {}, [], 0
    for rule, method in rules(world.app):
        args = set(rule.arguments)
        if "slug" not in args or not (args - {"slug"}):
            continue
        url = build_url(world, rule, slug=world.ids["slug_b"])
        for role in roles:
            before = world.write_mark()
            client = clients[role]
            response = client.get(url) if method == "GET" else client.post(url, data={})
            count += 1
            observed[(rule.endpoint, method, role)] = outcome(response)
            if world.write_mark() != before:
                changed.append((rule.endpoint, method, role))
    return observed, changed, count
