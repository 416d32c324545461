"""Paper ballots: each serial once, a second clerk's entry is compared, mismatches listed, PDF."""
import subprocess

from sqlalchemy import func, select

from hearings.extensions import db
from hearings.priorities.models import Ballot, PaperBallot
from pb_helpers import add_priorities, client_for, make_process, set_phase, url


def test_serial_once_and_second_entry(app, users, municipality):
    p = make_process(municipality, kind="approval")
    a, b = [x.pid for x in add_priorities(p, [100, 200])]
    clerk1 = client_for(app, users["secretary"])
    clerk2 = client_for(app, users["staff"])
    r = clerk1.post(url(p, "paper"), data={"serial": 7, "status": "valid", "p": [a]})
    assert r.status_code == 302
    # the same clerk cannot enter it again
    r = clerk1.post(url(p, "paper"), data={"serial": 7, "status": "valid", "p": [b]})
    assert r.status_code == 409 and "second entry must be made by another clerk" in r.get_data(as_text=True)
    # another clerk: matching second entry
    r = clerk2.post(url(p, "paper"), data={"serial": 7, "status": "valid", "p": [a]}, follow_redirects=True)
    assert "Second entry of No. 7 matches the first one." in r.get_data(as_text=True)
    # a third entry is refused
    r = client_for(app, users["chair"]).post(url(p, "paper"), data={"serial": 7, "status": "valid", "p": [a]})
    assert r.status_code == 409 and "already entered twice" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PaperBallot.id))) == 1
    ballot = db.session.execute(select(Ballot)).scalar_one()
    assert ballot.channel == "paper" and ballot.receipt == "P-000007" and ballot.content == {"approve": [a]}


def test_mismatch_listed_and_resolved(app, users, municipality):
    p = make_process(municipality, kind="approval")
    a, b = [x.pid for x in add_priorities(p, [100, 200])]
    clerk1 = client_for(app, users["secretary"])
    clerk2 = client_for(app, users["staff"])
    clerk1.post(url(p, "paper"), data={"serial": 3, "status": "valid", "p": [a]})
    r = clerk2.post(url(p, "paper"), data={"serial": 3, "status": "valid", "p": [b]}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "differs from the first one" in text
    assert "Mismatched entries (1)" in text and "Project 1" in text and "Project 2" in text
    assert db.session.execute(select(PaperBallot.mismatch)).scalar_one() is True
    r = clerk2.post(url(p, "paper/3/resolve"), data={"use": "second"}, follow_redirects=True)
    assert "Mismatched entries (0)" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(select(Ballot.content)).scalar_one() == {"approve": [b]}


def test_blank_and_spoiled_are_counted(app, users, municipality):
    p = make_process(municipality, kind="approval")
    a, = [x.pid for x in add_priorities(p, [100])]
    clerk = client_for(app, users["secretary"])
    clerk.post(url(p, "paper"), data={"serial": 1, "status": "blank"})
    clerk.post(url(p, "paper"), data={"serial": 2, "status": "spoiled"})
    clerk.post(url(p, "paper"), data={"serial": 3, "status": "valid", "p": [a]})
    r = clerk.post(url(p, "paper"), data={"serial": 4, "status": "valid", "p": ["999"]})
    assert r.status_code == 400 and "not on this ballot" in r.get_data(as_text=True)
    r = clerk.post(url(p, "paper"), data={"serial": "abc", "status": "valid"})
    assert r.status_code == 400 and "Please correct the marked fields." in r.get_data(as_text=True)
    assert 'id="serial-err"' in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Ballot.id))) == 1
    set_phase(p, "results")
    text = clerk.get(url(p, "results")).get_data(as_text=True)
    assert "Blank / spoiled paper ballots</dt><dd>1 / 1" in text
    # three paper ballots, nobody marked as voting on paper: the results say so
    assert "3 paper ballots are entered, but only 0 people are marked as voting on paper" in text


def test_residents_cannot_enter_paper(app, users, municipality):
    p = make_process(municipality, kind="approval")
    add_priorities(p, [100])
    r = client_for(app, users["resident"]).post(url(p, "paper"), data={"serial": 1, "status": "blank"})
    assert r.status_code == 403
    r = client_for(app, users["secretary_b"]).post(url(p, "paper"), data={"serial": 1, "status": "blank"})
    assert r.status_code == 403
    assert db.session.scalar(select(func.count(PaperBallot.id))) == 0


def test_printable_ballots_pdf(app, users, municipality, tmp_path):
    p = make_process(municipality, kind="knapsack", budget=1000)
    add_priorities(p, [600, 300])
    clerk = client_for(app, users["secretary"])
    r = clerk.get(url(p, "ballots.pdf") + "?first=41&count=3")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    path = tmp_path / "b.pdf"
    path.write_bytes(r.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "№ 41" in text and "№ 43" in text and "№ 44" not in text
    assert "P-000042" in text and "Project 1" in text
    assert text.count("\f") >= 3  # one page per ballot
    r = clerk.get(url(p, "ballots.pdf") + "?count=5000")
    assert r.status_code == 400 and b"Number must be between 1 and 50" in r.data
    r = clerk.get(url(p, "ballots.pdf") + "?first=999990&count=20")  # past the last serial
    assert r.status_code == 400 and b"Serial numbers end at 999999." in r.data
