"""No result leaks before voting closes: pages, exports, ballot list, receipt lookup."""
from sqlalchemy import select

from hearings.extensions import db
from hearings.priorities.models import Ballot
from pb_helpers import add_ballots, add_priorities, make_process, set_phase, url

def main(response):
    return response.get_data(as_text=True).split('<main id="main">', 1)[1].split("</main>", 1)[0]


EXPORTS = ("results", "results.csv", "results.json", "results.pb", "ballots", "ballots?receipt=ABCDE-FGHJK")


def test_everything_is_hidden_during_voting(users, municipality, client, login_as):
    p = make_process(municipality, kind="approval")
    ids = [x.pid for x in add_priorities(p, [100, 200])]
    add_ballots(p, [{"approve": [ids[0]]}] * 7 + [{"approve": [ids[1]]}] * 3)
    receipt = db.session.execute(select(Ballot.receipt)).scalars().first()
    client.get("/lang/en")
    for viewer in (None, users["staff"], users["admin"]):
        if viewer:
            login_as(viewer)
        for tail in EXPORTS + (f"ballots?receipt={receipt}",):
            r = client.get(url(p, tail))
            assert r.status_code == 403, (viewer, tail)
            text = main(r)
            assert "Results are published when voting closes" in text
            assert receipt not in text and "Project 1" not in text
        for tail in ("", f"p/{ids[0]}"):
            text = main(client.get(url(p, tail)))
            assert "Funded" not in text and url(p, "results") not in text and "Votes" not in text
    set_phase(p, "results")
    for tail in EXPORTS[:5]:
        assert client.get(url(p, tail)).status_code == 200, tail
    assert "7" in client.get(url(p, "results.csv")).get_data(as_text=True)


def test_home_page_shows_open_vote(users, municipality, client):
    p = make_process(municipality, "voting", kind="approval")
    r = client.get(f"/m/{municipality.slug}/?lang=en")
    assert p.title in r.get_data(as_text=True) and "Voting until" in r.get_data(as_text=True)
    from hearings.core.registry import open_counts
    assert open_counts([municipality.id]).get(municipality.id) == 1
