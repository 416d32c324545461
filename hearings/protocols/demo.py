"""Demo: a signed protocol for the held hearing (development CA created when missing)."""
from ..extensions import db


def seed(ctx):
    from ..documents.signing import credential_for, dev_credential, ensure_dev_ca
    from . import services

    hearing = ctx.data.get("held_hearing")
    if hearing is None or services.latest(hearing) is not None:
        return
    municipality = hearing.municipality
    secretary, chair = ctx.users.get("secretary"), ctx.users.get("chair")
    ensure_dev_ca()
    if credential_for(municipality) is None:
        dev_credential(f"{municipality.name_ru} (seal)", municipality.name_ru, municipality=municipality)
    for user in (secretary, chair):
        if user is not None and credential_for(municipality, user) is None:
            dev_credential(user.full_name, municipality.name_ru, municipality=municipality, user=user)
    db.session.commit()
    protocol = services.create_protocol(hearing, secretary, municipality.default_locale or "ky")
    services.submit(protocol, secretary)
    services.approve(protocol, chair)
    ctx.data["signed_protocol"] = protocol
