"""Signing fixtures: one development CA per test session, credentials per test."""
import pytest

from hearings.extensions import db


@pytest.fixture(scope="session")
def dev_ca(app, tmp_path_factory):
    """A development CA + platform seal in a temporary certs directory (trusted)."""
    from hearings.documents.signing import ensure_dev_ca

    app.config["CERTS_DIR"] = str(tmp_path_factory.mktemp("certs"))
    with app.app_context():
        ensure_dev_ca()
    return app.config["CERTS_DIR"]


@pytest.fixture
def person_certs(dev_ca, users, municipality):
    """Personal certificates for the chair and secretary of municipality A."""
    from hearings.documents.signing import dev_credential

    dev_credential(users["secretary"].full_name, "Test", municipality=municipality, user=users["secretary"])
    dev_credential(users["chair"].full_name, "Test", municipality=municipality, user=users["chair"])
    db.session.commit()
