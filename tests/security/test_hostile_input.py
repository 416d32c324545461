"""Random and malicious values posted to every form of the foundation (accounts, roles):
0 server errors, nothing saved from a rejected request, nothing rendered unescaped."""
from sqlalchemy import func, select

from hearings.accounts import services
from hearings.accounts.models import User
from hearings.extensions import db
from tests.conftest import PASSWORD
from tests.security.fuzz import EXAMPLES, check_post, fuzz_page, post_forms


def test_anonymous_forms(client, users):
    forms = []
    for page in ("/account/register", "/account/register?m=teploklyuchenka", "/account/login",
                 "/account/reset"):
        forms += fuzz_page(client, page, examples=40)
    assert {f.action.split("?")[0] for f in forms} >= {
        "http://localhost/account/register", "http://localhost/account/login",
        "http://localhost/account/reset"}


def test_reset_form(client, users):
    token = services.make_token(users["resident"], "reset")
    assert fuzz_page(client, f"/account/reset/{token}", examples=30)


def test_profile_form_of_a_resident(client, users, login_as):
    login_as(users["resident"])
    forms = fuzz_page(client, "/account/profile", examples=50, skip=("/logout",))
    assert any(f.action.endswith("/account/profile") for f in forms)
    # still logged in and the account still valid after all of it
    assert client.get("/account/profile").status_code == 200


def test_admin_role_forms(client, users, login_as):
    login_as(users["admin"])
    forms = fuzz_page(client, "/account/admin/roles", examples=40, skip=("/logout",))
    assert any(f.action.endswith("/account/admin/roles") for f in forms)


def test_stored_values_are_shown_escaped(client, municipality):
    """An accepted registration whose name is markup: the profile and role pages show it as text."""
    page = client.get("/account/register")
    form = [f for f in post_forms(page.get_data(as_text=True), "http://localhost/account/register")
            if f.action.endswith("/account/register")][0]
    name = '<script>alert("x-hyp")</script><img src=x onerror=alert(1)>'
    response = check_post(client, form, {
        "email": "xss@a.kg", "password": PASSWORD, "confirm": PASSWORD, "full_name": name,
        "municipality_id": str(municipality.id), "village_id": "0", "locale": "en", "consent": "y"},
        "stored")
    assert response.status_code == 302
    user = db.session.execute(select(User).filter_by(email="xss@a.kg")).scalar_one()
    assert user.full_name == name  # kept as typed…
    body = client.get("/account/profile").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in body  # …and shown as text


def test_control_characters_and_nul_in_login_do_not_crash(client, users):
    for value in ("\x00", "a\x00@b.kg", "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")):
        response = client.post("/account/login", data={"email": value, "password": value})
        assert response.status_code == 400
    assert db.session.scalar(select(func.count(User.id))) == 10


def test_report_examples():
    print(f"\nhypothesis: {EXAMPLES['count']} examples, {EXAMPLES['forms']} forms, "
          f"{EXAMPLES['posts']} posts")


def test_over_long_fields_get_a_translated_message_not_a_server_error(client, municipality):
    """WTForms' Length message is a plural one: it used to raise KeyError('max') → 500."""
    expected = {"ky": "Талаа 200 белгиден узун болбошу керек.",
                "ru": "Поле не может быть длиннее 200 символов.",
                "en": "Field cannot be longer than 200 characters."}
    for lang, message in expected.items():
        response = client.post(f"/account/register?lang={lang}", data={"full_name": "ө" * 201})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_numbers_the_database_cannot_store_are_a_bad_request(client, users, login_as):
    """A select posted with a 30-digit id used to crash the query (OverflowError/DataError)."""
    login_as(users["resident"])
    before = db.session.get(User, users["resident"].id).full_name
    response = client.post("/account/profile", data={"full_name": "Жаңы Ат", "municipality_id": "9" * 30,
                                                      "village_id": "9" * 30, "locale": "en"})
    assert response.status_code == 400
    assert db.session.get(User, users["resident"].id).full_name == before
