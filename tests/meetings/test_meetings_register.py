"""Registration: one step when logged in, a form without an account, capacity and waiting list."""
import threading

from sqlalchemy import select

from hearings.core import mail
from hearings.extensions import db
from hearings.meetings import services
from hearings.meetings.models import Registration

BASE = "/m/teploklyuchenka/hearings"


def anon(client, hearing, name, phone, key=None, **extra):
    data = {"full_name": name, "village": "Ак-Суу, Мектеп 3", "phone": phone, "consent": "y",
            "email": extra.pop("email", ""), **extra}
    if key:
        data["client_key"] = key
    return client.post(f"{BASE}/{hearing.id}/register?lang=en", data=data)


def test_logged_in_one_step_and_idempotent(client, users, login_as, hearing):
    login_as(users["resident"])
    r1 = client.post(f"{BASE}/{hearing.id}/register", data={"client_key": "k1"})
    r2 = client.post(f"{BASE}/{hearing.id}/register", data={"client_key": "k2"})
    assert r1.status_code == r2.status_code == 302
    regs = db.session.query(Registration).all()
    assert len(regs) == 1
    reg = regs[0]
    assert reg.user_id == users["resident"].id and reg.channel == "online" and reg.status == "registered"
    assert r1.headers["Location"].endswith(f"/ticket/{reg.token}")
    ticket = client.get(r1.headers["Location"]).get_data(as_text=True)
    assert services.format_code(reg.code) in ticket
    assert "data:image/svg+xml" in ticket
    assert len(mail.outbox) == 1 and services.format_code(reg.code) in mail.outbox[0].body
    pdf = client.get(r1.headers["Location"] + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_without_account(client, hearing):
    response = anon(client, hearing, "  Асанова   Айгүл ", "0555 123 456", key="abc", email="a@b.kg")
    assert response.status_code == 302
    again = anon(client, hearing, "Асанова Айгүл", "0555 123 456", key="abc")  # double submit
    assert again.headers["Location"] == response.headers["Location"]
    reg = db.session.query(Registration).one()
    assert reg.full_name == "Асанова Айгүл" and reg.phone == "+996555123456" and reg.consent
    assert len(reg.code) == 6


def test_without_account_bad_input_is_400(client, hearing):
    response = anon(client, hearing, "", "12")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "This field is required." in text and "+996 555 123 456" in text
    response = client.post(f"{BASE}/{hearing.id}/register?lang=ru",
                           data={"full_name": "X", "village": "Y", "phone": "0555123456"})
    assert response.status_code == 400
    assert db.session.query(Registration).count() == 0


def test_capacity_waiting_list_and_moving_up(client, new_hearing):
    hearing = new_hearing(capacity=2)
    for i in range(3):
        anon(client, hearing, f"Участник {i}", f"055512345{i}", email=f"p{i}@x.kg")
    regs = db.session.query(Registration).order_by(Registration.position).all()
    assert [r.status for r in regs] == ["registered", "registered", "waitlisted"]
    waiting = client.get(f"{BASE}/ticket/{regs[2].token}?lang=en").get_data(as_text=True)
    assert "waiting list (number 1)" in waiting
    mail.outbox.clear()
    # a tap without the confirming tick gives nothing away
    unconfirmed = client.post(f"{BASE}/ticket/{regs[0].token}/cancel?lang=en")
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm that you will not come." in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, regs[0].id).status == "registered"
    response = client.post(f"{BASE}/ticket/{regs[0].token}/cancel", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [r.status for r in db.session.query(Registration).order_by(Registration.position)] == \
        ["cancelled", "registered", "registered"]
    assert [m.recipients for m in mail.outbox] == [["p2@x.kg"]]
    # cancelling twice is a 409 with a message, not a 500
    assert client.post(f"{BASE}/ticket/{regs[0].token}/cancel", data={"confirm": "y"}).status_code == 409


def test_walk_in_refused_when_full_but_nothing_lost(client, users, login_as, new_hearing):
    hearing = new_hearing(capacity=1)
    anon(client, hearing, "Биринчи", "0555000001")
    login_as(users["secretary"])
    response = client.post(f"{BASE}/{hearing.id}/door", data={
        "action": "walkin", "w-full_name": "Экинчи", "w-channel": "walk_in", "w-client_key": "x1"})
    assert response.status_code == 409
    assert "All 1 seats are taken" in response.get_data(as_text=True)


def test_raising_capacity_moves_people_up(client, users, login_as, new_hearing):
    hearing = new_hearing(capacity=1)
    for i in range(3):
        anon(client, hearing, f"Катышуучу {i}", f"055500000{i}")
    login_as(users["staff"])
    assert client.post(f"{BASE}/{hearing.id}/capacity", data={"capacity": "2"}).status_code == 302
    assert db.session.query(Registration).filter_by(status="registered").count() == 2
    response = client.post(f"{BASE}/{hearing.id}/capacity", data={"capacity": "1"})
    assert response.status_code == 409
    response = client.post(f"{BASE}/{hearing.id}/capacity", data={"capacity": "abc"})
    assert response.status_code == 400


def test_capacity_holds_under_concurrency(app, new_hearing):
    hearing = new_hearing(capacity=3)
    hid = hearing.id
    errors = []

    def worker(i):
        with app.app_context():
            try:
                h = db.session.get(type(hearing), hid)
                services.register(h, full_name=f"Parallel {i}", phone=f"+99655510{i:04d}")
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = db.session.execute(select(Registration.status, Registration.position)).all()
    assert len(rows) == 12
    assert sum(1 for s, _ in rows if s == "registered") == 3
    assert sorted(p for _, p in rows) == list(range(1, 13))


def test_registration_closed_for_draft_and_past(client, new_hearing):
    draft = new_hearing(status="draft")
    assert anon(client, draft, "A", "0555000001").status_code == 404
    past = new_hearing(days=-1)
    response = anon(client, past, "A", "0555000001")
    assert response.status_code == 409
    assert "Registration for this hearing is closed." in response.get_data(as_text=True)


def test_reminders_cli(app, client, new_hearing):
    tomorrow = new_hearing(days=1)
    later = new_hearing(days=5)
    anon(client, tomorrow, "Эртең", "0555000001", email="t@x.kg")
    anon(client, tomorrow, "Почтасыз", "0555000002")
    anon(client, later, "Кийин", "0555000003", email="l@x.kg")
    mail.outbox.clear()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["hearings", "remind"])
    assert result.exit_code == 0, result.output
    assert "reminders sent: 1" in result.output
    assert [m.recipients for m in mail.outbox] == [["t@x.kg"]]
    assert runner.invoke(args=["hearings", "remind"]).output.strip() == "reminders sent: 0"


def test_mail_in_the_language_of_the_registration(client, users, login_as, hearing):
    """Registered on the Russian page: the confirmation is in Russian, whatever the municipality's
    default (ky) or the account's language."""
    mail.outbox.clear()
    data = {"full_name": "Петрова Анна", "village": "Ак-Суу", "phone": "0555 765 432", "consent": "y",
            "email": "anna@example.kg"}
    assert client.post(f"{BASE}/{hearing.id}/register?lang=ru", data=data).status_code == 302
    reg = db.session.query(Registration).one()
    assert reg.locale == "ru"
    assert "Регистрация подтверждена" in mail.outbox[-1].subject + mail.outbox[-1].body


def test_one_online_seat_per_phone_number(client, hearing):
    assert anon(client, hearing, "Асанова Айгүл", "0555 123 456").status_code == 302
    again = anon(client, hearing, "Айгүл Асанова", "+996 555 123 456")  # same person, other spelling
    text = again.get_data(as_text=True)
    assert again.status_code == 409 and "This phone number is already registered for this hearing." in text
    assert 'value="Айгүл Асанова"' in text  # what was typed stays
    assert db.session.query(Registration).count() == 1
