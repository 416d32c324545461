"""The audit log is hash-chained: `flask audit verify` finds the first edited or removed entry."""
from sqlalchemy import func, select, text

from hearings.accounts.models import Membership, User
from hearings.core import audit
from hearings.core.audit import AuditEvent
from hearings.extensions import db
from tests.conftest import PASSWORD


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def actions():
    return db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()


def register(client, email):
    return client.post("/account/register", data={
        "email": email, "password": PASSWORD, "confirm": PASSWORD, "full_name": "Айгүл Асанова",
        "municipality_id": 0, "village_id": 0, "locale": "ky", "gender": "", "consent": "y"})


def grant(app, client, users, email, role="staff"):
    client.get("/lang/en")
    client.post("/account/login", data={"email": users["admin"].email, "password": PASSWORD})
    return client.post("/account/admin/roles", data={
        "email": email, "municipality_id": users["staff"].memberships[0].municipality_id,
        "role": role})


def test_registration_and_role_changes_are_recorded(app, client, users):
    assert register(client, "new@a.kg").status_code == 302
    new = db.session.execute(select(User).filter_by(email="new@a.kg")).scalar_one()
    client.post("/account/logout")
    assert grant(app, client, users, "new@a.kg", "secretary").status_code == 302
    membership = db.session.execute(select(Membership).filter_by(user_id=new.id)).scalar_one()
    assert client.post(f"/account/admin/roles/{membership.id}/revoke").status_code == 302
    assert actions() == ["account.registered", "role.granted", "role.revoked"]
    granted = db.session.execute(select(AuditEvent).filter_by(action="role.granted")).scalar_one()
    assert granted.actor_id == users["admin"].id
    assert granted.details == {"user_id": new.id, "role": "secretary"}
    assert granted.municipality_id == users["staff"].memberships[0].municipality_id
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "audit log intact: 3 entries" in result.output


def test_password_change_is_recorded(client, users):
    from hearings.accounts import services

    services.set_password(users["resident"], "another-horse-2")
    assert actions() == ["account.password_changed"]
    event = db.session.execute(select(AuditEvent)).scalar_one()
    assert event.object_id == str(users["resident"].id)


def chain(n=5):
    for i in range(n):
        audit.record("test.event", number=i, text="Ыссык-Көл ң ө ү")
        db.session.commit()
    return db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()


def test_intact_chain_verifies(app, municipality):
    chain(5)
    result = verify(app)
    assert result.exit_code == 0 and "5 entries" in result.output


def test_edited_entry_is_the_first_broken_link(app, municipality):
    ids = chain(5)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'test.forged' WHERE id = :id"),
                     {"id": ids[2]})
    db.session.expire_all()
    result = verify(app)
    assert result.exit_code == 1
    assert f"audit log broken at entry {ids[2]}: entry content was changed" in result.output


def test_edit_with_recomputed_hash_breaks_the_next_link(app, municipality):
    ids = chain(5)
    event = db.session.get(AuditEvent, ids[1])
    event.details = {"number": 99}
    event.hash = event.compute_hash()  # a careful forger recomputes the row's own hash…
    db.session.commit()
    result = verify(app)  # …but the next entry still points at the old one
    assert result.exit_code == 1
    assert f"audit log broken at entry {ids[2]}: previous hash does not match" in result.output


def test_deleted_entry_is_found(app, municipality):
    ids = chain(5)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[3]})
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 4
    result = verify(app)
    assert result.exit_code == 1
    assert (f"audit log broken at entry {ids[4]}: previous hash does not match "
            "(an entry was removed or reordered)") in result.output


def test_deleting_the_first_entry_is_found(app, municipality):
    ids = chain(3)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[0]})
    db.session.expire_all()
    result = verify(app)
    assert result.exit_code == 1 and f"broken at entry {ids[1]}" in result.output


def test_each_municipality_has_its_own_chain(app, municipality, other_municipality):
    for i in range(3):  # interleaved writers of two municipalities and of none
        audit.record("test.event", municipality=municipality, number=i)
        audit.record("test.event", municipality=other_municipality, number=i)
        audit.record("test.event", number=i)
        db.session.commit()
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    for key in (municipality.id, other_municipality.id, None):
        own = [e for e in events if e.municipality_id == key]
        assert own[0].prev_hash == audit.GENESIS
        assert [e.prev_hash for e in own[1:]] == [e.hash for e in own[:-1]]
    result = verify(app)
    assert result.exit_code == 0 and "9 entries" in result.output
    # a re-hashed edit in one chain breaks that chain's next link, not the others'
    own = [e for e in events if e.municipality_id == municipality.id]
    own[0].details = {"number": 99}
    own[0].hash = own[0].compute_hash()
    db.session.commit()
    result = verify(app)
    assert result.exit_code == 1
    assert f"audit log broken at entry {own[1].id}: previous hash does not match" in result.output
