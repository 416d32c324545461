"""A municipality's own staff set its names (Kyrgyz ones are missing from the official list),
its notice rule and its villages; nobody else can."""
from datetime import timedelta

from sqlalchemy import select

from hearings.core.audit import AuditEvent
from hearings.core.models import utcnow
from hearings.extensions import db
from hearings.meetings.models import Hearing
from hearings.territory.models import Municipality, Village

GOOD = {"name_ky": "Теплоключенка айыл аймагы", "name_ru": "Теплоключенский айылный аймак",
        "name_en": "Teploklyuchenka aiyl aimak", "address": "Теплоключенка, Ленина 1",
        "default_locale": "ru", "notice_days": "15", "proposal_days": "3"}


def settings_url(m):
    return f"/m/{m.slug}/settings"


def test_staff_set_names_and_the_notice_rule(client, login_as, users, municipality):
    login_as(users["staff"])
    page = client.get(settings_url(municipality))
    assert page.status_code == 200 and "Villages" in page.get_data(as_text=True)
    r = client.post(settings_url(municipality), data=GOOD)
    assert r.status_code == 302
    m = db.session.get(Municipality, municipality.id)
    assert (m.name_ky, m.name_ru, m.address, m.default_locale, m.notice_days, m.proposal_days) == (
        "Теплоключенка айыл аймагы", "Теплоключенский айылный аймак", "Теплоключенка, Ленина 1", "ru", 15, 3)
    event = db.session.execute(select(AuditEvent).filter_by(action="municipality.settings_changed")).scalar_one()
    assert event.actor_id == users["staff"].id and "notice_days" in event.details["fields"]
    assert "Settings saved." in client.get(settings_url(municipality)).get_data(as_text=True)
    # the public page shows the Kyrgyz name to Kyrgyz readers
    client.get("/lang/ky")
    assert "<h1>Теплоключенка айыл аймагы</h1>" in client.get(f"/m/{m.slug}/").get_data(as_text=True)
    # and a hearing 12 days ahead is now too soon to announce without a reason
    client.get("/lang/en")
    hearing = Hearing(municipality_id=m.id, title="Budget 2027", starts_at=utcnow() + timedelta(days=12))
    db.session.add(hearing)
    db.session.commit()
    from hearings.meetings.services import notice_check
    ok, message = notice_check(hearing)
    assert not ok and "at least 15 calendar days" in message


def test_bad_input_is_refused_in_the_users_language_and_kept(client, login_as, users, municipality):
    login_as(users["chair"])
    client.get("/lang/ru")
    before = (municipality.name_ky, municipality.notice_days)
    r = client.post(settings_url(municipality), data=dict(GOOD, name_ky="Жаңы аты", name_ru="   ",
                                                         notice_days="0", proposal_days="abc"))
    text = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Обязательное поле." in text or "Это поле обязательно." in text
    assert "Число должно быть от 1 до 90." in text
    assert 'value="Жаңы аты"' in text  # what was typed is still there
    db.session.expire_all()
    m = db.session.get(Municipality, municipality.id)
    assert (m.name_ky, m.notice_days) == before
    long = client.post(settings_url(municipality), data=dict(GOOD, name_en="x" * 201))
    assert long.status_code == 400


def test_only_staff_and_chair_of_this_municipality(client, login_as, users, municipality):
    url = settings_url(municipality)
    r = client.get(url)
    assert r.status_code == 302 and "/account/login" in r.location
    for role in ("resident", "secretary", "staff_b", "chair_b"):
        login_as(users[role])
        assert client.get(url).status_code == 403, role
        assert client.post(url, data=GOOD).status_code == 403, role
        assert client.post(f"/m/{municipality.slug}/villages", data={"new-name_ru": "Чужой"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Municipality, municipality.id).notice_days != 15
    assert not any(v.name_ru == "Чужой" for v in db.session.get(Municipality, municipality.id).villages)


def test_villages_added_renamed_and_removed_when_unused(client, login_as, users, municipality,
                                                        other_municipality):
    login_as(users["staff"])
    base = f"/m/{municipality.slug}/villages"
    r = client.post(base, data={"new-name_ky": "Жаңы-Жол", "new-name_ru": "Жаны-Жол", "new-name_en": ""})
    assert r.status_code == 302
    village = db.session.execute(select(Village).filter_by(municipality_id=municipality.id, name_ru="Жаны-Жол")).scalar_one()
    assert (village.name_ky, village.name_en) == ("Жаңы-Жол", "Zhany-Zhol")

    # the same name twice: refused, the typed names stay in the form
    again = client.post(base, data={"new-name_ky": "Дагы", "new-name_ru": "жаны-жол"})
    assert again.status_code == 409
    assert "already has a village named жаны-жол" in again.get_data(as_text=True)
    assert 'value="Дагы"' in again.get_data(as_text=True)

    r = client.post(f"{base}/{village.id}", data={f"v{village.id}-name_ky": "Жаңы-Жол айылы",
                                                  f"v{village.id}-name_ru": "Жаны-Жол"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Village, village.id).name_ky == "Жаңы-Жол айылы"
    empty = client.post(f"{base}/{village.id}", data={f"v{village.id}-name_ru": " "})
    assert empty.status_code == 400 and "This field is required." in empty.get_data(as_text=True)

    # a village somebody lives in stays
    used = next(v for v in municipality.villages if v.id != village.id)
    users["resident"].village_id = used.id
    db.session.commit()
    refused = client.post(f"{base}/{used.id}/remove")
    assert refused.status_code == 409 and "cannot be removed" in refused.get_data(as_text=True)
    assert db.session.get(Village, used.id) is not None

    # another municipality's village is not reachable through this one
    foreign = other_municipality.villages[0]
    assert client.post(f"{base}/{foreign.id}/remove").status_code == 404
    assert client.post(f"{base}/{foreign.id}", data={f"v{foreign.id}-name_ru": "X"}).status_code == 404

    vid = village.id
    assert client.post(f"{base}/{vid}/remove").status_code == 302
    db.session.expunge(village)
    assert db.session.get(Village, vid) is None
    actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert {"municipality.village_added", "municipality.village_renamed",
            "municipality.village_removed"} <= actions


def test_home_page_links_settings_for_staff_only(client, login_as, users, municipality):
    login_as(users["staff"])
    assert "Municipality settings and villages" in client.get(f"/m/{municipality.slug}/").get_data(as_text=True)
    login_as(users["secretary"])
    assert "Municipality settings and villages" not in client.get(f"/m/{municipality.slug}/").get_data(as_text=True)
