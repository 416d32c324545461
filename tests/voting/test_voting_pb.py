"""The .pb reader/writer and the command line."""
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from hearings.voting import (ApprovalBallot, BallotLimits, CumulativeBallot, Instance,
                             OrdinalBallot, PBFormatError, Project, read_pb, tally, write_pb)

DATA = Path(__file__).parent / "data" / "pabulib"
ROOT = Path(__file__).resolve().parents[2]

GOOD = """META
key;value
description;"A test; with ""quotes"" here"
num_projects;3
num_votes;3
budget;100.50
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name;selected
1;60;2;"Park; north";1
2;40.50;1;School;1
3;30;1;Road;0
VOTES
voter_id;vote;age
v1;1,2;30
v2;1;
v3;3;44
"""


def errors_of(text):
    with pytest.raises(PBFormatError) as exc:
        read_pb(text)
    return exc.value.errors


def test_read_good_text():
    pb = read_pb(GOOD)
    assert pb.meta["description"] == 'A test; with "quotes" here'
    assert pb.instance.budget == Decimal("100.5")
    assert [p.cost for p in pb.instance.projects] == [60, Decimal("40.5"), 30]
    assert pb.instance.projects[0].name == "Park; north"
    assert pb.ballots == [ApprovalBallot({"1", "2"}), ApprovalBallot({"1"}), ApprovalBallot({"3"})]
    assert pb.selected == ["1", "2"]
    assert pb.voter_ids == ["v1", "v2", "v3"]
    # 1 first (2 votes); 2 and 3 tie on 1 vote: the cheaper 3 first, then 2 no longer fits
    assert tally(pb.instance, pb.ballots, "greedy").selected == ["1", "3"]


@pytest.mark.parametrize("bad, line, fragment", [
    (GOOD.replace("budget;100.50", "budget;lots"), 6, "budget 'lots' is not a number"),
    (GOOD.replace("2;40.50;1;School;1", "2;-4;1;School;1"), 12, "cost '-4'"),
    (GOOD.replace("3;30;1;Road;0", "2;30;1;Road;0"), 13, "duplicate project_id '2'"),
    (GOOD.replace("v3;3;44", "v3;9;44"), 18, "unknown project '9'"),
    (GOOD.replace("v2;1;", "v1;1;"), 17, "duplicate voter_id 'v1'"),
    (GOOD.replace("v2;1;", "v2;1"), 17, "expected 3 fields, found 2"),
    (GOOD.replace("vote_type;approval", "vote_type;plurality"), 7, "unknown vote_type"),
    (GOOD.replace("num_votes;3", "num_votes;4"), 5, "num_votes is 4"),
    (GOOD.replace("project_id;cost;votes", "project_id;price;votes"), 10, "no 'cost' column"),
    (GOOD.replace("v1;1,2;30", "v1;1,1;30"), 16, "names a project twice"),
])
def test_malformed_files_report_line_numbers(bad, line, fragment):
    errs = errors_of(bad)
    assert any(ln == line and fragment in msg for ln, msg in errs), errs


def test_missing_sections_and_points():
    errs = errors_of("META\nkey;value\nbudget;1\n")
    assert (0, "missing section PROJECTS") in errs
    cum = GOOD.replace("vote_type;approval", "vote_type;cumulative")
    assert any("no 'points' column" in m for _, m in errors_of(cum))
    cum2 = cum.replace("voter_id;vote;age", "voter_id;vote;points").replace("v1;1,2;30", "v1;1,2;3")
    errs = errors_of(cum2)
    assert (16, "2 projects but 1 points") in errs


def test_not_utf8(tmp_path):
    p = tmp_path / "x.pb"
    p.write_bytes(GOOD.encode("utf-8").replace(b"Road", b"R\xff"))
    with pytest.raises(PBFormatError) as exc:
        read_pb(p)
    assert exc.value.errors == [(13, "file is not valid UTF-8")]


def test_round_trip_text_and_outcome():
    pb = read_pb(GOOD)
    again = read_pb(write_pb(pb))
    assert again == pb
    out = tally(pb.instance, pb.ballots, "mes")
    with_outcome = read_pb(write_pb(pb, outcome=out))
    assert with_outcome.selected == out.selected


@pytest.mark.parametrize("name", sorted(n for n in os.listdir(DATA) if n.endswith(".pb")))
def test_round_trip_every_pabulib_file(name):
    pb = read_pb(DATA / name)
    assert read_pb(write_pb(pb)) == pb


def test_write_instance_and_ballots(tmp_path):
    projects = [Project("1", 10, "A", category="parks"), Project("2", Decimal("5.25"), "B")]
    for lim, ballots in [
        (BallotLimits("approval", min_projects=1, max_projects=2), [ApprovalBallot({"1", "2"}), ApprovalBallot({"2"})]),
        (BallotLimits("knapsack", max_cost=15), [ApprovalBallot({"1"})]),
        (BallotLimits("cumulative", total_points=5, max_points_per_project=4),
         [CumulativeBallot({"1": 4, "2": 1})]),
        (BallotLimits("ordinal", top_k=2), [OrdinalBallot(("2", "1")), OrdinalBallot(("1",))]),
    ]:
        inst = Instance(projects, 12, lim)
        path = tmp_path / "w.pb"
        write_pb(inst, ballots, path)
        pb = read_pb(path)
        assert pb.instance.projects == projects
        assert pb.instance.limits == lim
        assert pb.ballots == ballots


def run_cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "hearings.voting", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def test_cli_tally_official_and_errors(tmp_path):
    r = run_cli("tally", str(DATA / "Netherlands_Assen_2024.pb"), "--rule", "official")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["rule"] == "mes-add1"
    assert set(out["selected"]) == set(read_pb(DATA / "Netherlands_Assen_2024.pb").selected)
    assert set(out["timings"]) == {"read_s", "tally_s"}
    assert out["cost"] == sum(p.cost for p in read_pb(DATA / "Netherlands_Assen_2024.pb").instance.projects
                              if p.id in out["selected"])
    bad = tmp_path / "bad.pb"
    bad.write_text(GOOD.replace("v3;3;44", "v3;9;44"), encoding="utf-8")
    r = run_cli("tally", str(bad), "--rule", "greedy")
    assert r.returncode == 2 and r.stdout == ""
    assert f"{bad}:18: vote names unknown project '9'" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_cli("tally", str(DATA / "Poland_Warszawa_2024_Targowek.pb"), "--rule", "official")
    assert r.returncode == 2 and "greedy-exclusive" in r.stderr
    r = run_cli("tally", str(tmp_path / "missing.pb"), "--rule", "greedy")
    assert r.returncode == 2 and "cannot read file" in r.stderr


def test_cli_check():
    r = run_cli("check", str(DATA / "Poland_Czestochowa_2024_Bleszno.pb"))
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert out["ok"] and out["projects"] == 14 and out["votes"] == 618


def test_engine_imports_without_flask():
    """The engine is usable on its own: importing it (and its CLI) pulls in no Flask."""
    import subprocess
    import sys

    code = "import sys, hearings.voting, hearings.voting.__main__; print('flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
