"""The authorization matrix: every rule of app.url_map (GET, and POST where allowed) for every
role — anonymous, resident, staff/secretary/chair of A, the same of B, admin — against an
explicit table. A new route fails `test_every_route_is_in_the_table` until it is added here.

Cells, in the order of ROLES: an exact status; "login" = redirect to the login page;
"w" = an allowed write (the request got past access control: any status below 500 other than
401/403/login — e.g. 302 done, 400 form errors, 409 wrong state). Denied POSTs must not write.
The objects addressed are A's (tests/security/world.py: every capability's demo data)."""
import pytest

from tests.security.matrix import cross_tenant, rules, run_matrix
from tests.security.world import ROLES, world_copy

PUBLIC = "200 200 200 200 200 200 200 200 200 200"
USER = "login 200 200 200 200 200 200 200 200 200"
ADMIN = "login 403 403 403 403 403 403 403 403 200"
STAFF = "login 403 200 200 200 403 403 403 403 200"          # any role of A
STAFF_CHAIR = "login 403 200 403 200 403 403 403 403 200"    # staff and chair of A, not secretary
CHAIR = "login 403 403 403 200 403 403 403 403 200"
RESIDENT_A = "login 200 200 200 200 403 403 403 403 200"     # people of A (staff live there too)
NOBODY = "login 403 403 403 403 403 403 403 403 403"         # closed for everyone in this state
W_ANY = "w w w w w w w w w w"
W_USER = "login w w w w w w w w w"
W_ADMIN = "login 403 403 403 403 403 403 403 403 w"
W_STAFF = "login 403 w w w 403 403 403 403 w"
W_STAFF_CHAIR = "login 403 w 403 w 403 403 403 403 w"
W_CHAIR = "login 403 403 403 w 403 403 403 403 w"
W_SECRETARY_CHAIR = "login 403 403 w w 403 403 403 403 w"
W_RESIDENT_A = "login w w w w 403 403 403 403 w"

EXPECTED = {
    "accounts.confirm": {"GET": 'login 302 302 302 302 302 302 302 302 302'},
    "accounts.login": {"GET": PUBLIC, "POST": W_ANY},
    "accounts.logout": {"POST": W_ANY},
    "accounts.profile": {"GET": USER, "POST": W_USER},
    "accounts.register": {"GET": PUBLIC, "POST": W_ANY},
    "accounts.resend_confirmation": {"POST": W_USER},
    "accounts.reset": {"GET": PUBLIC, "POST": W_ANY},
    "accounts.reset_request": {"GET": PUBLIC, "POST": W_ANY},
    "accounts.revoke": {"POST": W_ADMIN},
    "accounts.villages_json": {"GET": PUBLIC},
    "accounts.roles": {"GET": ADMIN, "POST": W_ADMIN},
    "core.healthz": {"GET": PUBLIC},
    "core.switch_language": {"GET": '302 302 302 302 302 302 302 302 302 302'},
    "documents.certificate": {"GET": CHAIR, "POST": W_CHAIR},
    "documents.download": {"GET": PUBLIC},
    "documents.municipality_registry": {"GET": PUBLIC},
    "documents.registry": {"GET": PUBLIC},
    "documents.verify": {"GET": PUBLIC, "POST": W_ANY},
    "documents.verify_code": {"GET": PUBLIC, "POST": W_ANY},
    "drafts.adopt": {"POST": W_STAFF},
    "drafts.answer": {"GET": STAFF, "POST": W_STAFF},
    "drafts.answers": {"GET": STAFF},
    "drafts.citizens_budget": {"GET": PUBLIC},
    "drafts.close": {"POST": W_STAFF},
    "drafts.comment": {"POST": W_USER},
    "drafts.diff": {"GET": PUBLIC},
    "drafts.edit": {"GET": STAFF},
    "drafts.hide": {"POST": W_STAFF},
    "drafts.import_file": {"POST": W_STAFF},
    "drafts.index": {"GET": PUBLIC},
    "drafts.line_add": {"POST": W_STAFF},
    "drafts.line_delete": {"POST": W_STAFF},
    "drafts.line_edit": {"GET": STAFF, "POST": W_STAFF},
    "drafts.meta": {"POST": W_STAFF},
    "drafts.new": {"GET": STAFF, "POST": W_STAFF},
    "drafts.new_version": {"POST": W_STAFF},
    "drafts.publish": {"POST": W_STAFF},
    "drafts.register": {"GET": PUBLIC},
    "drafts.register_csv": {"GET": PUBLIC},
    "drafts.register_pdf": {"GET": PUBLIC},
    "drafts.section_add": {"POST": W_STAFF},
    "drafts.section_delete": {"POST": W_STAFF},
    "drafts.section_edit": {"GET": STAFF, "POST": W_STAFF},
    "drafts.show": {"GET": PUBLIC},
    "drafts.unhide": {"POST": W_STAFF},
    "drafts.withdraw": {"POST": W_STAFF},
    "meetings.announce": {"GET": STAFF_CHAIR, "POST": W_STAFF_CHAIR},
    "meetings.assign_proposal": {"POST": W_STAFF},
    "meetings.attendance_pdf": {"GET": STAFF},
    "meetings.cancel_ticket": {"POST": W_ANY},
    "meetings.capacity": {"POST": W_STAFF_CHAIR},
    "meetings.change_status": {"POST": W_STAFF_CHAIR},
    "meetings.create": {"GET": STAFF_CHAIR, "POST": W_STAFF_CHAIR},
    "meetings.delete_row": {"POST": NOBODY},
    "meetings.door": {"GET": STAFF, "POST": W_STAFF},
    "meetings.edit": {"GET": STAFF_CHAIR, "POST": W_STAFF_CHAIR},
    "meetings.export": {"GET": STAFF},
    "meetings.ical": {"GET": PUBLIC},
    "meetings.index": {"GET": PUBLIC},
    "meetings.item_page": {"GET": STAFF},
    "meetings.manage": {"GET": STAFF},
    "meetings.merge": {"POST": W_STAFF},
    "meetings.not_duplicate": {"POST": NOBODY},
    "meetings.notice_pdf": {"GET": PUBLIC},
    "meetings.proceedings": {"GET": STAFF},
    "meetings.propose": {"POST": W_USER},
    "meetings.register": {"GET": '200 302 302 302 302 302 302 302 302 302', "POST": W_ANY},
    "meetings.save_report": {"POST": NOBODY},
    "meetings.save_row": {"POST": W_STAFF},
    "meetings.show": {"GET": PUBLIC},
    "meetings.staff_cancel": {"POST": W_STAFF},
    "meetings.ticket": {"GET": PUBLIC},
    "meetings.ticket_pdf": {"GET": PUBLIC},
    "meetings.undo_check_in": {"POST": NOBODY},
    "priorities.ballots": {"GET": PUBLIC},
    "priorities.edit": {"GET": NOBODY, "POST": NOBODY},
    "priorities.execution": {"POST": W_STAFF_CHAIR},
    "priorities.in_person": {"GET": STAFF, "POST": W_STAFF},
    "priorities.index": {"GET": PUBLIC},
    "priorities.merge": {"POST": W_STAFF_CHAIR},
    "priorities.new": {"GET": STAFF_CHAIR, "POST": W_STAFF_CHAIR},
    "priorities.paper": {"GET": STAFF, "POST": W_STAFF},
    "priorities.paper_pdf": {"GET": STAFF},
    "priorities.participants": {"GET": STAFF},  # who voted (never what): clerks only
    "priorities.phase": {"GET": STAFF_CHAIR, "POST": W_STAFF_CHAIR},
    "priorities.photo": {"GET": '404 404 404 404 404 404 404 404 404 404'},
    "priorities.priority": {"GET": PUBLIC},
    "priorities.process": {"GET": PUBLIC},
    "priorities.resolve": {"POST": W_STAFF},
    "priorities.results": {"GET": PUBLIC},
    "priorities.results_csv": {"GET": PUBLIC},
    "priorities.results_json": {"GET": PUBLIC},
    "priorities.results_pb": {"GET": PUBLIC},
    "priorities.review": {"POST": W_STAFF_CHAIR},
    "priorities.submit": {"GET": NOBODY, "POST": NOBODY},
    "priorities.support": {"POST": NOBODY},
    "priorities.update_photo": {"GET": '404 404 404 404 404 404 404 404 404 404'},
    "priorities.vote": {"GET": RESIDENT_A, "POST": W_RESIDENT_A},
    "protocols.approve": {"POST": NOBODY},
    "protocols.correct": {"POST": "login 403 w w 403 403 403 403 403 w"},
    "protocols.create": {"POST": NOBODY},
    "protocols.dashboard": {"GET": STAFF},
    "protocols.edit": {"POST": NOBODY},
    "protocols.paper": {"POST": W_SECRETARY_CHAIR},
    "protocols.preview": {"GET": STAFF},
    "protocols.scan": {"GET": 'login 403 404 404 404 403 403 403 403 404'},
    "protocols.send_back": {"POST": NOBODY},
    "protocols.show": {"GET": PUBLIC},
    "protocols.submit": {"POST": NOBODY},
    "protocols.version_pdf": {"GET": PUBLIC},
    "static": {"GET": PUBLIC},
    "territory.home": {"GET": PUBLIC},
    "territory.oblast": {"GET": PUBLIC},
    "territory.overview": {"GET": PUBLIC},
    "territory.settings": {"GET": STAFF_CHAIR, "POST": W_STAFF_CHAIR},
    "territory.village_add": {"POST": W_STAFF_CHAIR},
    "territory.village_remove": {"POST": W_STAFF_CHAIR},
    "territory.village_rename": {"POST": W_STAFF_CHAIR},
}

FIGURES = {}


def matches(expected, got):
    if expected == "w":
        return got not in ("login", "401", "403") and not got.startswith("5")
    return expected == got


@pytest.fixture(scope="module")
def matrix(app):
    with world_copy() as world:
        urls, observed, changed = run_matrix(world)
        cross, cross_changed, cross_count = cross_tenant(world)
        yield {"app": world.app, "urls": urls, "observed": observed, "changed": changed,
               "cross": cross, "cross_changed": cross_changed, "cross_count": cross_count}


def test_every_route_is_in_the_table(matrix):
    missing = [f"{rule.endpoint} {method} {rule.rule}" for rule, method in rules(matrix["app"])
               if method not in EXPECTED.get(rule.endpoint, {})]
    assert not missing, "routes missing from the authorization matrix:\n" + "\n".join(missing)
    stale = [e for e in EXPECTED if e not in {r.endpoint for r, _ in rules(matrix["app"])}]
    assert not stale, f"endpoints in the table that no longer exist: {stale}"


def test_every_role_gets_the_expected_status(matrix):
    wrong = []
    for rule, method in rules(matrix["app"]):
        row = EXPECTED.get(rule.endpoint, {}).get(method)
        if row is None:
            continue
        for role, expected in zip(ROLES, row.split()):
            got = matrix["observed"][(rule.endpoint, method, role)]
            if not matches(expected, got):
                wrong.append(f"{method} {matrix['urls'][rule.endpoint]} ({rule.endpoint}) as {role}: "
                             f"expected {expected}, got {got}")
    FIGURES["requests"] = len(matrix["observed"])
    FIGURES["routes"] = len({(r.endpoint, m) for r, m in rules(matrix["app"])})
    print(f"\nauthorization matrix: {FIGURES['routes']} route/method pairs × {len(ROLES)} roles = "
          f"{FIGURES['requests']} requests; cross-tenant probes: {matrix['cross_count']}")
    assert not wrong, "\n".join(wrong)


def test_denied_requests_write_nothing(matrix):
    assert matrix["changed"] == []


def test_staff_of_b_cannot_reach_a_through_their_own_municipality(matrix):
    """/m/<B>/…/<id of A's object>: B's staff pass B's role check, the object must still be A's."""
    leaks = {k: v for k, v in matrix["cross"].items() if v not in ("403", "404")}
    assert not leaks
    assert matrix["cross_changed"] == []
    assert matrix["cross_count"] > 100


def test_non_public_things_of_a_stay_hidden():
    with world_copy() as world:
        slug, ids = world.ids["slug_a"], world.ids
        pages = [f"/m/{slug}/drafts/{ids['draft_unpublished']}/",
                 f"/m/{slug}/hearings/{ids['hearing_draft']}"]
        for role in ROLES:
            client = world.client(role)
            for page in pages:
                response = client.get(page)
                body = response.get_data(as_text=True)
                if role in ("staff", "secretary", "chair", "admin"):
                    assert response.status_code == 200, (page, role)
                else:
                    assert response.status_code in (302, 403, 404), (page, role, response.status_code)
                    assert "Hidden draft" not in body and "Hidden hearing" not in body
            for listing in (f"/m/{slug}/drafts/", f"/m/{slug}/hearings/", f"/m/{slug}/"):
                body = client.get(listing).get_data(as_text=True)
                if role not in ("staff", "secretary", "chair", "admin"):
                    assert "Hidden draft" not in body and "Hidden hearing" not in body, (listing, role)
