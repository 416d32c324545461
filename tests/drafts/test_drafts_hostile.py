"""Random and malicious values posted to every drafts form (the security helper's fuzz
framework): never a 5xx, nothing saved from a rejected request, nothing rendered unescaped."""
from hearings.drafts import services
from tests.security.fuzz import fuzz_page

BASE = "/m/teploklyuchenka/drafts"


def test_staff_forms_of_a_draft_in_preparation(client, users, make_budget, make_charter, login_as):
    budget = make_budget(publish=False)
    charter = make_charter(publish=False)
    login_as(users["staff"])
    forms = fuzz_page(client, f"{BASE}/{budget.id}/edit", examples=6, skip=("/logout", "/delete", "/withdraw"))
    assert {f.action.rsplit("/", 1)[-1] for f in forms} >= {"meta", "lines", "import", "publish"}
    forms = fuzz_page(client, f"{BASE}/{charter.id}/edit", examples=6, skip=("/logout", "/delete", "/withdraw"))
    assert any(f.action.endswith("/sections") for f in forms)
    forms = fuzz_page(client, f"{BASE}/new", examples=6, skip=("/logout",))
    assert forms


def test_comment_answer_and_hide_forms(client, users, make_budget, login_as):
    draft = make_budget()
    services.add_comment(draft, users["resident2"], "Пикир")
    login_as(users["resident"])
    forms = fuzz_page(client, f"{BASE}/{draft.id}/", examples=8, skip=("/logout",))
    assert any(f.action.split("#")[0].endswith("/comments") for f in forms)
    client.post("/account/logout")
    login_as(users["staff"])
    forms = fuzz_page(client, f"{BASE}/{draft.id}/answers", examples=6, skip=("/logout", "/unhide"))
    assert any(f.action.endswith("/answer") for f in forms)
