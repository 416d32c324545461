"""Rate limits on the capabilities' public writes — comments, votes, hearing registration —
answer 429 with a translated page (the limits are off in other tests)."""
from flask_babel import force_locale, gettext

from hearings.extensions import limiter
from tests.security.world import world_copy

MESSAGE = "Too many requests from your connection"


def hammer(client, path, limit, data=None):
    codes = [client.post(path, data=data or {}).status_code for _ in range(limit)]
    assert 429 not in codes, codes
    return client.post(path + "?lang=ky", data=data or {})


def test_comments_votes_and_registrations_are_rate_limited(app):
    with world_copy() as world:
        world.app.config["RATELIMIT_OFF"] = False
        limiter.reset()
        try:
            slug, ids = world.ids["slug_a"], world.ids
            cases = [(f"/m/{slug}/drafts/{ids['draft_budget']}/comments", 30),
                     (f"/m/{slug}/pb/{ids['pb_open']}/vote", 30),
                     (f"/m/{slug}/hearings/{ids['upcoming_hearing']}/register", 60)]
            for path, limit in cases:
                limiter.reset()
                response = hammer(world.client("resident"), path, limit)
                assert response.status_code == 429, (path, response.status_code)
                body = response.get_data(as_text=True)
                with world.app.test_request_context(), force_locale("ky"):
                    title = gettext(MESSAGE)
                assert title != MESSAGE and title in body and '<html lang="ky">' in body, path
                assert int(response.headers["Retry-After"]) > 0
        finally:
            world.app.config["RATELIMIT_OFF"] = True
            limiter.reset()
