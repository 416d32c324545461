"""Submitting, photos, review, merge with supporters kept, authors notified, filters, execution."""
import io

from PIL import Image
from sqlalchemy import func, select

from hearings.core import mail
from hearings.extensions import db
from hearings.priorities.models import ExecutionUpdate, Priority, Supporter
from pb_helpers import add_ballots, add_priorities, make_process, set_phase, url


def png_bytes():
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def submit(client, p, **extra):
    data = {"title": "Water pipe", "description": "Old pipe leaks", "category": "Water",
            "village_id": 0, "estimated_cost": "250000"}
    data.update(extra)
    return client.post(url(p, "submit"), data=data, content_type="multipart/form-data")


def test_submit_with_photo_and_bad_photo(users, municipality, client, login_as):
    p = make_process(municipality, "submission")
    login_as(users["resident"])
    r = submit(client, p, photo=(io.BytesIO(b"#!/bin/sh\necho hi"), "x.jpg"))
    assert r.status_code == 400 and "must be a JPEG, PNG or WebP image" in r.get_data(as_text=True)
    r = submit(client, p, estimated_cost="-5")
    assert r.status_code == 400 and "Number must be between" in r.get_data(as_text=True)
    r = submit(client, p, photo=(io.BytesIO(png_bytes()), "pipe.png"))
    assert r.status_code == 302
    prio = db.session.execute(select(Priority)).scalar_one()
    assert prio.photo_mime == "image/png" and prio.author_id == users["resident"].id
    assert [s.user_id for s in prio.supporters] == [users["resident"].id]
    photo = client.get(url(p, f"p/{prio.id}/photo"))
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    from PIL import Image as _I
    assert _I.open(io.BytesIO(photo.data)).size == (20, 10)


def test_review_merge_and_notifications(app, users, municipality, client, login_as):
    p = make_process(municipality, "review")
    a, b = add_priorities(p, [100, 200], status="submitted", author=users["resident"])
    db.session.add_all([Supporter(priority_id=a.id, user_id=users["resident2"].id),
                        Supporter(priority_id=b.id, user_id=users["resident"].id)])
    db.session.commit()
    login_as(users["staff"])
    r = client.post(url(p, f"p/{a.id}/review"), data={"status": "rejected", "public_reason": ""})
    assert r.status_code == 400 and "Give the public reason for a rejection." in r.get_data(as_text=True)
    r = client.post(url(p, f"p/{b.id}/review"), data={"status": "accepted", "adjusted_cost": "260",
                                                      "feasibility_note": "Checked on site"})
    assert r.status_code == 302
    assert mail.outbox[-1].recipients == [users["resident"].email]
    assert "Accepted for the vote" in mail.outbox[-1].body
    r = client.post(url(p, f"p/{a.id}/merge"), data={"target": b.id, "reason": "Same street"})
    assert r.status_code == 302
    db.session.expire_all()
    assert a.status == "merged" and a.merged_into_id == b.id
    assert {s.user_id for s in b.supporters} == {users["resident"].id, users["resident2"].id}
    assert "was merged into" in mail.outbox[-1].body
    text = client.get(url(p, f"p/{b.id}")).get_data(as_text=True)
    assert "260.00" in text and "Checked on site" in text
    # filters on the process page
    text = client.get(url(p) + "?status=merged").get_data(as_text=True)
    assert "Project 1" in text and "Project 2<" not in text


def test_other_municipality_staff_cannot_review(users, municipality, client, login_as):
    p = make_process(municipality, "review")
    (a,) = add_priorities(p, [100], status="submitted")
    login_as(users["staff_b"])
    r = client.post(url(p, f"p/{a.id}/review"), data={"status": "accepted"})
    assert r.status_code == 403
    assert client.get(f"/m/{municipality.slug}/pb/new").status_code == 403
    # and a process of A is not reachable under B's address
    assert client.get(f"/m/ak-bulun/pb/{p.id}/").status_code == 404
    db.session.expire_all()
    assert a.status == "submitted"


def test_staff_creates_process(users, municipality, client, login_as):
    login_as(users["staff"])
    v = municipality.villages[0]
    data = {"title": "PB 2027", "budget": "1000000", "categories": "Roads\nWater",
            "submission_opens": "2027-01-10T09:00", "submission_closes": "2027-02-10T18:00",
            "voting_opens": "2027-03-01T09:00", "voting_closes": "2027-03-15T20:00",
            "execution_starts": "2027-04-01T09:00", "ballot_kind": "cumulative", "min_projects": "1",
            "rule": "mes-add1-greedy", f"sub_{v.id}": "2000000"}
    r = client.post(f"/m/{municipality.slug}/pb/new", data=data)
    text = r.get_data(as_text=True)
    assert r.status_code == 400 and "need the total number of points" in text
    assert "The sub-budgets add up to more than the total budget." in text
    # numbers no budget can be: refused field by field, never a crash
    for budget, sub in (("NaN", "1"), ("1000000", "sNaN"), ("Infinity", "-Infinity"), ("1e999", "1"),
                        ("1E+1000000", "1"), ("1000000", "-1E+999999999")):
        r = client.post(f"/m/{municipality.slug}/pb/new", data=dict(data, budget=budget, **{f"sub_{v.id}": sub}))
        assert r.status_code == 400 and "Not a valid decimal value." in r.get_data(as_text=True), (budget, sub)
    r = client.post(f"/m/{municipality.slug}/pb/new", data=dict(data, voting_opens="0001-01-01T00:00"))
    assert r.status_code == 400 and "Enter a date between the years 2000 and 2100." in r.get_data(as_text=True)
    data.update(total_points="10", **{f"sub_{v.id}": "300000"})
    r = client.post(f"/m/{municipality.slug}/pb/new", data=data)
    assert r.status_code == 302
    from hearings.priorities.models import PBProcess
    p = db.session.execute(select(PBProcess)).scalar_one()
    assert p.total_points == 10 and p.sub_budgets[0].amount == 300000 and p.phase() == "upcoming"
    assert p.voting_opens.hour == 3  # 09:00 in Bishkek is 03:00 UTC


def test_execution_updates_on_funded_priority(app, users, municipality, client, login_as):
    p = make_process(municipality, "voting", kind="approval", budget=300)
    a, b = add_priorities(p, [200, 250])
    add_ballots(p, [{"approve": [a.pid]}] * 3 + [{"approve": [b.pid]}])
    set_phase(p, "execution")
    login_as(users["staff"])
    r = client.post(url(p, f"p/{b.id}/execution"), data={"day": "2026-05-01", "status": "planned", "progress": "0"})
    assert r.status_code == 409 and "Only funded priorities" in r.get_data(as_text=True)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    buf.seek(0)
    r = client.post(url(p, f"p/{a.id}/execution"), data={"day": "2026-05-01", "status": "in_progress",
                                                         "progress": "40", "note": "Pipes bought",
                                                         "photo": (buf, "w.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 302
    text = client.get(url(p, f"p/{a.id}")).get_data(as_text=True)
    assert "Pipes bought" in text and "01.05.2026" in text and 'value="40"' in text and "In progress" in text
    update = db.session.execute(select(ExecutionUpdate)).scalar_one()
    assert client.get(url(p, f"p/{a.id}/u/{update.id}/photo")).status_code == 200
    r = client.post(url(p, f"p/{a.id}/execution"), data={"day": "2026-05-02", "status": "done", "progress": "140"})
    assert r.status_code == 400
    assert db.session.scalar(select(func.count(ExecutionUpdate.id))) == 1


def test_edit_settings_and_support(users, municipality, client, login_as):
    p = make_process(municipality, "submission", kind="approval")
    (a,) = add_priorities(p, [100], status="submitted")
    client.get("/lang/en")
    anonymous = client.get(url(p, f"p/{a.id}")).get_data(as_text=True)
    assert "Log in to support this priority" in anonymous and "/account/login?next=" in anonymous
    login_as(users["resident2"])
    assert client.post(url(p, f"p/{a.id}/support")).status_code == 302
    assert client.post(url(p, f"p/{a.id}/support"), follow_redirects=True).get_data(as_text=True).count(
        "You already support this priority.") == 1
    assert db.session.scalar(select(func.count(Supporter.id))) == 1
    client.post("/account/logout")
    login_as(users["staff"])
    page = client.get(url(p, "edit"))
    assert page.status_code == 200
    from hearings.priorities.forms import to_form
    data = {"title": "Renamed", "budget": "5000", "categories": "Roads", "ballot_kind": "approval",
            "min_projects": "0", "max_projects": "2", "rule": "phragmen"}
    for attr in ("submission_opens", "submission_closes", "voting_opens", "voting_closes", "execution_starts"):
        data[attr] = to_form(getattr(p, attr)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url(p, "edit"), data=data).status_code == 302
    db.session.expire_all()
    assert p.title == "Renamed" and p.max_projects == 2 and p.rule == "phragmen"
    set_phase(p, "voting")
    r = client.post(url(p, "edit"), data=data)
    assert r.status_code == 403 and "cannot change once voting has opened" in r.get_data(as_text=True)


def test_photo_metadata_is_removed(users, municipality, client, login_as):
    p = make_process(municipality, "submission")
    login_as(users["resident"])
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (42.0, 30.0, 0.0)}  # GPS position
    buf = io.BytesIO()
    Image.new("RGB", (3000, 1000), (10, 120, 10)).save(buf, "JPEG", exif=exif.tobytes())
    buf.seek(0)
    assert submit(client, p, photo=(buf, "field.jpg")).status_code == 302
    prio = db.session.execute(select(Priority)).scalar_one()
    stored = Image.open(io.BytesIO(client.get(url(p, f"p/{prio.id}/photo")).data))
    assert stored.format == "JPEG" and stored.size == (2000, 667)
    assert not stored.getexif()


def test_big_phone_photo_is_taken_and_a_pixel_bomb_is_refused(users, municipality, client, login_as):
    import os as _os

    p = make_process(municipality, "submission")
    login_as(users["resident"])
    # a 9 MB photo, as phones take them (noise does not compress): accepted, stored scaled down
    noise = Image.frombytes("RGB", (1800, 1800), _os.urandom(1800 * 1800 * 3))
    big = io.BytesIO()
    noise.save(big, "PNG")
    assert big.tell() > 8 * 2**20
    big.seek(0)
    assert submit(client, p, photo=(big, "pothole.png")).status_code == 302
    # 64 megapixels of nothing, a few kilobytes: refused with a message, what was typed kept
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, "PNG")
    bomb.seek(0)
    r = submit(client, p, title="Street lights in the park", photo=(bomb, "bomb.png"))
    text = r.get_data(as_text=True)
    assert r.status_code == 413 and "at most 50 megapixels" in text and "Street lights in the park" in text
    # past Pillow's own limit (it refuses before we look): the same message
    bomb = io.BytesIO()
    Image.new("1", (14000, 14000)).save(bomb, "PNG")
    bomb.seek(0)
    r = submit(client, p, photo=(bomb, "bigger.png"))
    assert r.status_code == 413 and "at most 50 megapixels" in r.get_data(as_text=True)


def test_default_categories_read_in_the_readers_language(app, users, municipality, client):
    from flask_babel import force_locale, gettext

    with app.test_request_context():
        with force_locale("ru"):
            roads_ru = gettext("Roads")
        with force_locale("ky"):
            roads_ky = gettext("Roads")
    assert roads_ru != roads_ky
    p = make_process(municipality, "submission")
    p.categories = [roads_ru, "Мост через реку"]  # set up in Russian, one category of its own
    (a,) = add_priorities(p, [100], status="submitted")
    a.category = roads_ru
    db.session.commit()
    page = client.get(url(p, f"p/{a.id}") + "?lang=ky").get_data(as_text=True)
    assert f"<dd>{roads_ky}</dd>" in page
    listing = client.get(url(p) + "?lang=en").get_data(as_text=True)
    assert ">Roads</option>" in listing and ">Мост через реку</option>" in listing
