"""Every POST form of every capability (drafts, hearings, protocols, documents, participatory
budgeting), as a resident and as an admin, on the full demo world: random and malicious values
give 0 server errors, rejected requests change nothing, nothing comes back unescaped."""
from tests.security import fuzz
from tests.security.matrix import build_url, rules
from tests.security.world import world_copy

SKIP_ACTIONS = ("/logout", "/lang/")
NOT_HTML = (".pdf", ".csv", ".json", ".ics", ".pb", "/static/", "/healthz")
PER_FORM = 15


def test_every_capability_form(app):
    with world_copy() as world:
        if world.app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            fuzz.STATE["mark"] = world.write_mark  # any commit by the app shows here
        try:
            pages = [build_url(world, rule) for rule, method in rules(world.app) if method == "GET"]
            pages = [p for p in pages if not any(x in p for x in NOT_HTML)]
            seen, forms_before, failures = set(), fuzz.EXAMPLES["forms"], []
            for role in ("resident", "admin"):
                client = world.client(role)
                for page in pages:
                    response = client.get(page)
                    if response.status_code != 200 or response.mimetype != "text/html":
                        continue
                    for form in fuzz.post_forms(response.get_data(as_text=True), "http://localhost" + page):
                        key = (role, fuzz.path_of(form.action).split("?")[0], tuple(sorted(form.fields)))
                        if key in seen or any(s in form.action for s in SKIP_ACTIONS):
                            continue
                        seen.add(key)
                        try:
                            fuzz.fuzz_form(client, form, PER_FORM, f"{role} on {page}", shrink=False)
                        except Exception as error:  # noqa: BLE001 — collect every form's failure
                            failures.append(f"{role} {form.describe()}: "
                                            f"{type(error).__name__}: {str(error).splitlines()[0][:400]}")
            fuzzed = fuzz.EXAMPLES["forms"] - forms_before
            print(f"\ncapability forms fuzzed: {fuzzed}; total hypothesis examples so far: "
                  f"{fuzz.EXAMPLES['count']}")
            assert fuzzed >= 20
            assert not failures, f"{len(failures)} forms failed:\n" + "\n".join(failures)
        finally:
            fuzz.STATE["mark"] = None
