from sqlalchemy import select

from hearings.accounts.models import Membership, User
from hearings.core import mail
from hearings.extensions import db

from tests.conftest import login

VALID_PIN = "21503199012345"  # male, born 15.03.1990


def register(client, municipality, **extra):
    data = {"full_name": "Асанов Бакыт", "email": "bakyt@example.kg", "password": "long-pass-1",
            "confirm": "long-pass-1", "municipality_id": municipality.id,
            "village_id": municipality.villages[0].id, "locale": "ky", "consent": "y"}
    data.update(extra)
    return client.post("/account/register?lang=en", data=data)


def test_register_stores_profile_pin_hmac_and_sends_confirmation(client, municipality):
    response = register(client, municipality, pin=VALID_PIN, phone="0555 123 456")
    assert response.status_code == 302
    user = db.session.execute(select(User)).scalar_one()
    assert user.full_name == "Асанов Бакыт" and user.phone == "+996555123456"
    assert user.village_id == municipality.villages[0].id
    assert user.pin_hmac and VALID_PIN not in (user.pin_hmac + (user.pin_masked or ""))
    assert user.pin_masked.endswith("2345") and user.gender == "male" and user.birth_year == 1990
    assert user.consent_at is not None and not user.confirmed
    assert mail.outbox[-1].recipients == ["bakyt@example.kg"]
    token_link = mail.outbox[-1].body.split("http://localhost")[1].split()[0]
    assert client.get(token_link).status_code == 302
    db.session.refresh(user)
    assert user.confirmed


def test_duplicate_email_phone_and_pin_get_clear_messages(client, municipality):
    assert register(client, municipality, pin=VALID_PIN, phone="+996555123456").status_code == 302
    client.post("/account/logout")
    page = register(client, municipality, email="Bakyt@example.kg")
    assert page.status_code == 400 and "An account with this e-mail already exists." in page.get_data(as_text=True)
    page = register(client, municipality, email="other@example.kg", phone="0555123456")
    assert "An account with this phone number already exists." in page.get_data(as_text=True)
    page = register(client, municipality, email="other@example.kg", pin=VALID_PIN)
    assert "An account with this PIN already exists." in page.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_invalid_pin_and_missing_consent_are_refused(client, municipality):
    for bad in ("21532199012345", "23102199012345", "3150319901234"):  # month 32; 31 February; too short
        page = register(client, municipality, pin=bad).get_data(as_text=True)
        assert "A PIN has 14 digits" in page
    page = register(client, municipality, pin=VALID_PIN, consent="").get_data(as_text=True)
    assert "Consent is needed to create an account." in page
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_validation_messages_are_in_kyrgyz(client, municipality):
    page = client.post("/account/register?lang=ky", data={"email": "bad"}).get_data(as_text=True)
    assert "Бул талаа милдеттүү." in page  # "This field is required."


def test_login_wrong_password_then_right(client, users):
    bad = client.post("/account/login?lang=en", data={"email": "staff@a.kg", "password": "nope"})
    assert bad.status_code == 400 and "Wrong e-mail or password." in bad.get_data(as_text=True)
    login(client, users["staff"])
    assert "Staff Тестов" in client.get("/account/profile").get_data(as_text=True)


def test_password_reset_logs_out_other_sessions(app, client, users):
    other = app.test_client()
    login(other, users["resident"])
    client.post("/account/reset", data={"email": "resident@a.kg"})
    link = mail.outbox[-1].body.split("http://localhost")[1].split()[0]
    response = client.post(link, data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 302
    assert other.get("/account/profile").status_code == 302  # the old session is gone
    login(client, users["resident"], "brand-new-pass")
    # the link was for the old password: it no longer works
    again = client.post(link + "?lang=en", data={"password": "x" * 9, "confirm": "x" * 9},
                        follow_redirects=True)
    assert "This reset link is invalid or has expired." in again.get_data(as_text=True)


def test_reset_for_unknown_address_reveals_nothing(client, users):
    response = client.post("/account/reset", data={"email": "ghost@nowhere.kg"})
    assert response.status_code == 302 and mail.outbox == []


def test_profile_update_and_pin_masked(client, users, municipality):
    login(client, users["resident"])
    response = client.post("/account/profile", data={
        "full_name": "Resident  Renamed", "phone": "", "municipality_id": municipality.id,
        "village_id": municipality.villages[1].id, "locale": "ru", "pin": VALID_PIN, "gender": ""})
    assert response.status_code == 302
    user = db.session.get(User, users["resident"].id)
    assert (user.full_name, user.village_id, user.locale) == ("Resident Renamed", municipality.villages[1].id, "ru")
    assert user.pin_masked == "2•••••••••2345"
    page = client.get("/account/profile").get_data(as_text=True)
    assert "2•••••••••2345" in page and VALID_PIN not in page
    # the chosen language shows at once, even after the switcher set another one
    client.get("/lang/ky")
    saved = client.post("/account/profile", data={
        "full_name": "Resident Renamed", "phone": "", "municipality_id": municipality.id,
        "village_id": municipality.villages[1].id, "locale": "ru", "pin": "", "gender": ""},
        follow_redirects=True)
    assert '<html lang="ru">' in saved.get_data(as_text=True) and "Профиль сохранён" in saved.get_data(as_text=True)


def test_spaces_for_a_pin_and_local_phone_numbers(client, municipality):
    response = register(client, municipality, pin="   ", phone="555 123 456")
    assert response.status_code == 302
    user = db.session.execute(select(User)).scalar_one()
    assert user.pin_hmac is None and user.phone == "+996555123456"


def test_registration_form_starts_in_the_readers_language(client):
    page = client.get("/account/register?lang=ru").get_data(as_text=True)
    assert '<option selected value="ru">' in page or '<option value="ru" selected>' in page


def test_only_admin_assigns_roles(client, users, other_municipality):
    login(client, users["staff"])
    assert client.get("/account/admin/roles").status_code == 403
    client.post("/account/logout")
    login(client, users["admin"])
    response = client.post("/account/admin/roles", data={
        "email": "resident@a.kg", "municipality_id": other_municipality.id, "role": "secretary"})
    assert response.status_code == 302
    roles = db.session.execute(select(Membership).filter_by(user_id=users["resident"].id)).scalars().all()
    assert [(m.municipality_id, m.role) for m in roles] == [(other_municipality.id, "secretary")]


def test_login_is_rate_limited_with_translated_page(app, client, users):
    from hearings.extensions import limiter

    app.config["RATELIMIT_OFF"] = False
    limiter.reset()
    try:
        codes = [client.post("/account/login?lang=ru", data={"email": "staff@a.kg", "password": "x"}).status_code
                 for _ in range(11)]
        assert codes[:10] == [400] * 10 and codes[10] == 429
        page = client.post("/account/login?lang=ru", data={"email": "staff@a.kg", "password": "x"})
        assert page.status_code == 429 and "Слишком много запросов" in page.get_data(as_text=True)
        assert "Подождите 1 минуту" in page.get_data(as_text=True) and "per 1" not in page.get_data(as_text=True)
    finally:
        app.config["RATELIMIT_OFF"] = True
        limiter.reset()


def test_village_list_of_another_municipality(client, users, municipality, other_municipality):
    data = client.get(f"/account/villages.json?municipality={other_municipality.id}").get_json()
    assert [v["name"] for v in data["villages"]] == ["—"] + sorted(v.name for v in other_municipality.villages)
    assert client.get("/account/villages.json?municipality=99999999999").get_json() == {"villages": [{"id": 0, "name": "—"}]}
    # without JavaScript: moving to another municipality with the old village is not dropped
    # silently; the form comes back with the new municipality's villages
    login(client, users["resident"])
    page = client.post("/account/profile", data={
        "full_name": "Resident", "phone": "", "municipality_id": other_municipality.id,
        "village_id": municipality.villages[0].id, "locale": "en", "pin": "", "gender": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "Choose a village of the municipality you selected." in text
    assert other_municipality.villages[0].name in text


def test_typed_text_is_stored_clean(client, municipality):
    """Invisible characters alone are no name; a name is stored in NFC without them."""
    page = register(client, municipality, full_name="\u200b\u202e \u2066")
    assert page.status_code == 400 and "This field is required." in page.get_data(as_text=True)
    decomposed = "Каи\u0306рат\u200b Жолдошбаев"  # й typed as и + combining breve
    assert register(client, municipality, full_name=decomposed).status_code == 302
    user = db.session.execute(select(User)).scalar_one()
    assert user.full_name == "Кайрат Жолдошбаев"
