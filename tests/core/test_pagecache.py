"""The public-page micro-cache: anonymous visitors share a rendering for a few seconds;
signed-in people always see the page fresh."""
from hearings.core import pagecache
from hearings.extensions import db


def test_anonymous_visitors_share_a_rendering_signed_in_people_see_it_fresh(
        app, client, municipality, users, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "TESTING", False)
    pagecache.clear()
    first = client.get("/m/teploklyuchenka/?lang=en")  # sets the lang cookie: not stored
    first = client.get("/m/teploklyuchenka/")
    assert first.status_code == 200 and "Теплоключенка" in first.text
    municipality.name_en = municipality.name_ky = municipality.name_ru = "Renamed Aimak"
    db.session.commit()
    cached = client.get("/m/teploklyuchenka/")
    assert cached.text == first.text  # the same HTML within the window
    login_as(users["resident"])
    fresh = client.get("/m/teploklyuchenka/")
    assert "Renamed Aimak" in fresh.text
    pagecache.clear()


def test_off_under_testing(app, client, municipality):
    pagecache.clear()
    client.get("/m/teploklyuchenka/")
    assert not pagecache._CACHE


def test_a_hit_is_served_gzipped_once_compressed(app, client, municipality, monkeypatch):
    import gzip

    monkeypatch.setitem(app.config, "TESTING", False)
    pagecache.clear()
    plain = client.get("/m/teploklyuchenka/")  # rendered and stored
    hits = [client.get("/m/teploklyuchenka/", headers={"Accept-Encoding": "gzip"}) for _ in range(2)]
    for hit in hits:
        assert hit.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(hit.get_data()) == plain.get_data()
    assert len(pagecache._GZIP) == 1
    assert "Content-Encoding" not in client.get("/m/teploklyuchenka/").headers  # no gzip asked
    pagecache.clear()
