import pytest


@pytest.fixture(scope="session", autouse=True)
def _drop_world_template():
    """The demo world is built once per session (tests/security/world.py); drop it at the end."""
    yield
    from tests.security.world import drop_template

    drop_template()
