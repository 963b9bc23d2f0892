"""Reading and writing Pabulib files: real instances, quoting, Korean text, clear errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from smartseoul.budgeting import pabulib
from smartseoul.budgeting.pabulib import Ballot, Instance, PabulibError, Project

DATA = Path(__file__).parent / "data"
FILES = sorted(DATA.glob("*.pb"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem[:40])
def test_real_instances_load_with_their_declared_counts_and_round_trip(path: Path) -> None:
    instance = pabulib.load(path)
    assert len(instance.projects) == int(instance.meta["num_projects"])
    assert len(instance.ballots) == int(instance.meta["num_votes"])
    assert pabulib.loads(pabulib.dumps(instance)) == instance


def test_approval_instance_fields() -> None:
    instance = pabulib.load(DATA / "Poland_Swiecie_2023.pb")
    assert instance.budget == 1_070_000
    assert instance.vote_type == "approval"
    assert instance.rule == "equalshares/add1"
    c12 = instance.projects["c12"]
    assert c12.cost == 150_000
    assert c12.name.startswith("Modernizacja kojców w schronisku")
    assert c12.selected is True
    assert instance.projects["c8"].selected is False
    assert instance.approvals()["c12"] == int(c12.fields["votes"])


def test_cumulative_points_and_voter_fields() -> None:
    instance = pabulib.load(DATA / "Poland_Gdansk_2020_Rudniki.pb")
    ballot = next(b for b in instance.ballots if b.voter_id == "1513")
    assert ballot.projects == ("1", "2")
    assert ballot.points == (3, 2)
    assert ballot.fields == {"age": "27", "sex": "F"}
    assert instance.selected() is None  # the file has no selected column


def test_ordinal_ballots_keep_the_preference_order() -> None:
    instance = pabulib.load(DATA / "US_Stanford_Dataset_PB_Chicago_35th_Ward_2021_vote_rankings.pb")
    ballot = next(b for b in instance.ballots if b.voter_id == "171-100")
    assert ballot.projects == ("1775", "1802", "1800", "1801")
    assert ballot.points is None


def _korean_instance() -> Instance:
    return Instance(
        meta={
            "description": "서울시 참여예산; 2026년 시민참여",
            "country": "South Korea",
            "unit": "서울특별시",
            "instance": "2026",
            "num_projects": "2",
            "num_votes": "2",
            "budget": "5000",
            "vote_type": "approval",
            "rule": "greedy",
        },
        projects={
            "p1": Project("p1", Fraction(3000), {"name": '지능형 "CCTV"; 마포구', "selected": "1"}),
            "p2": Project("p2", Fraction(2500), {"name": "공공 와이파이", "selected": "0"}),
        },
        ballots=[
            Ballot("v1", ("p1", "p2"), None, {"district": "마포구"}),
            Ballot("v2", ("p2",), None, {"district": ""}),
        ],
        project_columns=("project_id", "cost", "name", "selected"),
        vote_columns=("voter_id", "vote", "district"),
    )


def test_quoted_korean_text_round_trips() -> None:
    instance = _korean_instance()
    text = pabulib.dumps(instance)
    # A field holding the separator or a quote is quoted, quotes doubled (CSV).
    assert 'p1;3000;"지능형 ""CCTV""; 마포구";1' in text
    assert '"서울시 참여예산; 2026년 시민참여"' in text
    assert pabulib.loads(text) == instance


def test_file_round_trip_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "seoul.pb"
    pabulib.dump(_korean_instance(), path)
    assert pabulib.load(path) == _korean_instance()


def test_the_format_pages_spacing_lowercase_sections_crlf_and_bom_are_read() -> None:
    text = (
        "\ufeffmeta\r\nkey; value\r\nbudget; 2500.0\r\nvote_type; approval\r\n\r\n"
        "projects\r\nproject_id; cost; category\r\n1; 600; culture, education\r\n"
        "votes\r\nvoter_id; age; vote\r\n1; 34; 1\r\n"
    )
    instance = pabulib.loads(text)
    assert instance.budget == 2500
    assert instance.projects["1"].fields == {"category": "culture, education"}
    assert instance.ballots[0].projects == ("1",)


HEADER = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\n2;60\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + "VOTES\nvoter_id;vote\n1;3\n", "line 11: vote for unknown project '3'"),
        (HEADER + "VOTES\nvoter_id;vote\n1;1,1\n", "line 11: a project is named twice"),
        (HEADER + "VOTES\nvoter_id;vote\n1;1\n1;2\n", "line 12: voter '1' appears twice"),
        (HEADER + "1;70\nVOTES\nvoter_id;vote\n", "line 9: project '1' appears twice"),
        (HEADER + "VOTES\nvoter_id;vote\n1;1;extra\n", "line 11: 3 fields, the header has 2"),
        (HEADER.replace("1;50", "1;fifty") + "VOTES\nvoter_id;vote\n", "line 7 cost"),
        (HEADER.replace("budget;100\n", "") + "VOTES\nvoter_id;vote\n", "budget is missing"),
        (HEADER.replace("approval", "cumulative") + "VOTES\nvoter_id;vote\n1;1\n", "points"),
        (HEADER.replace("approval", "plurality") + "VOTES\nvoter_id;vote\n", "vote_type"),
        (HEADER, "META, PROJECTS and VOTES"),
        ("key;value\n", "META section first"),
    ],
)
def test_malformed_files_are_rejected_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(PabulibError, match=message.replace("(", r"\(")):
        pabulib.loads(text)
