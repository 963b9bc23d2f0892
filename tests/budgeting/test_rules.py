"""Winner rules: published Pabulib outcomes, explanations, exact ties."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from smartseoul.budgeting import pabulib
from smartseoul.budgeting.profile import Profile
from smartseoul.budgeting.rules import Result, Variant, equal_shares, greedy

DATA = Path(__file__).parent / "data"
GREEDY_FILES = [
    "Poland_Warszawa_2017_Aleksandrow.pb",
    "Poland_Warszawa_2019_Anin.pb",
    "Poland_Warszawa_2019_Nadwisle.pb",
    "Poland_Warszawa_2019_Obszar_II-Wilanow_Niski_WschodniZawadyPowsinekKepa_Zawadowska.pb",
    "Poland_Warszawa_2019_Obszar_III-PowsinKepa_LatoszkowaZamoscLatoszki.pb",
]


@pytest.mark.parametrize("name", GREEDY_FILES)
def test_greedy_reproduces_the_published_selection(name: str) -> None:
    instance = pabulib.load(DATA / name)
    assert instance.rule == "greedy"
    result = greedy(Profile.from_instance(instance))
    assert set(result.funded) == instance.selected()
    assert result.spent <= instance.budget
    # Each of these files has a project that was skipped for a cheaper one further down.
    skipped = [o for o in result.outcomes.values() if o.reason.code == "did_not_fit"]
    assert skipped
    assert all(o.cost > o.reason.params["left"] for o in skipped)


def test_greedy_without_skipping_reproduces_gdynia() -> None:
    instance = pabulib.load(DATA / "Poland_Gdynia_2020_Chylonia__large.pb")
    assert instance.rule == "greedy-no-skip"
    profile = Profile.from_instance(instance)
    result = greedy(profile, skip=False)
    assert result.rule == "greedy-no-skip"
    assert set(result.funded) == instance.selected()
    # Skipping would have funded a cheaper project further down; Gdynia stops instead.
    assert set(greedy(profile).funded) != instance.selected()
    codes = [result.outcomes[pid].reason.code for pid in result.outcomes]
    assert "after_stop" in codes


@pytest.fixture(scope="module")
def assen() -> Profile:
    return Profile.from_instance(pabulib.load(DATA / "Netherlands_Assen_2024.pb"))


@pytest.fixture(scope="module")
def assen_add1(assen: Profile) -> Result:
    return equal_shares(assen, variant=Variant.ADD1)


def test_equal_shares_add1_reproduces_the_published_selection_in_assen(
    assen: Profile, assen_add1: Result
) -> None:
    instance = pabulib.load(DATA / "Netherlands_Assen_2024.pb")
    assert instance.rule == "equalshares/add1"
    assert set(assen_add1.funded) == instance.selected()
    assert assen_add1.spent <= instance.budget
    assert set(greedy(assen).funded) != instance.selected()
    assert set(equal_shares(assen, variant=Variant.PLAIN).funded) != instance.selected()


def test_equal_shares_add1_reproduces_the_published_selection_in_swiecie() -> None:
    instance = pabulib.load(DATA / "Poland_Swiecie_2023.pb")
    assert instance.rule == "equalshares/add1"
    profile = Profile.from_instance(instance)
    result = equal_shares(profile, variant=Variant.ADD1)
    assert set(result.funded) == instance.selected()
    assert result.spent <= instance.budget
    # The published outcome differs from what greedy and plain Equal Shares would choose.
    assert set(greedy(profile).funded) != instance.selected()
    assert set(equal_shares(profile, variant=Variant.PLAIN).funded) != instance.selected()


def test_assen_explanations(assen: Profile, assen_add1: Result) -> None:
    result = assen_add1
    assert result.share_per_voter is not None
    assert result.share_per_voter > assen.budget / 84
    first = result.outcomes[result.funded[0]]
    assert first.reason.code == "mes_funded"
    assert first.reason.params["round"] == 1
    lost = result.outcomes["1"]  # Scooter Night Ride, 40,000 with 23 votes
    assert not lost.funded
    assert lost.reason.code == "mes_unaffordable"
    assert lost.reason.params["supporters_money"] < 40_000
    assert lost.reason.text.startswith("its 23 supporters had ")
    assert lost.reason.text.endswith("left of their equal shares, it costs 40,000")


def test_add1_with_greedy_fill_spends_what_equal_shares_leaves(
    assen: Profile, assen_add1: Result
) -> None:
    profile, plain = assen, assen_add1
    filled = equal_shares(profile, variant=Variant.ADD1_GREEDY)
    assert set(plain.funded) < set(filled.funded)
    extra = set(filled.funded) - set(plain.funded)
    assert {filled.outcomes[pid].reason.code for pid in extra} == {"greedy_fill"}
    assert filled.spent <= profile.budget


def _small() -> Profile:
    # Three voters, 300 to spend (100 each). A: 200 for voters 0 and 1; B: 150 for voter 2;
    # C: 100 for everyone.
    return Profile.from_ballots(
        project_ids=["A", "B", "C"],
        costs=[200, 150, 100],
        budget=300,
        ballots=[["A", "C"], ["A", "C"], ["B", "C"]],
    )


def test_greedy_explains_each_project() -> None:
    result = greedy(_small())
    assert result.funded == ("C", "A")
    texts = {pid: o.reason.text for pid, o in result.outcomes.items()}
    assert texts == {
        "A": "funded with 2 votes; 0 left after it",
        "B": "did not fit: 0 left, costs 150 (1 votes)",
        "C": "funded with 3 votes; 200 left after it",
    }


def test_equal_shares_by_hand() -> None:
    # Round 1: C costs each voter 100/3 (price per unit of cost 1/3), A 100 each (1/2), and
    # voter 2 alone cannot pay for B. After C everyone has 200/3: A's supporters hold
    # 400/3 < 200 and B's 200/3 < 150, so Equal Shares stops with C alone.
    result = equal_shares(_small(), variant=Variant.PLAIN)
    assert result.funded == ("C",)
    c = result.outcomes["C"].reason
    assert c.params == {"votes": 3, "round": 1, "price_per_voter": Fraction(100, 3)}
    assert c.text == "funded in round 1 of Equal Shares: its 3 supporters paid at most 33.33 each"
    assert result.outcomes["A"].reason.params["supporters_money"] == Fraction(400, 3)
    assert result.outcomes["B"].reason.params["supporters_money"] == Fraction(200, 3)


def test_greedy_ties_go_to_the_cheaper_then_the_earlier_project() -> None:
    profile = Profile.from_ballots(
        project_ids=["first", "dear", "cheap", "twin"],
        costs=[60, 70, 60, 60],
        budget=100,
        ballots=[["first", "dear", "cheap", "twin"]],
    )
    # Four projects with one vote each: cheap ones first, among them profile order.
    assert greedy(profile).funded == ("first",)
    assert greedy(profile).outcomes["cheap"].reason.code == "did_not_fit"


def test_equal_shares_exact_tie_goes_to_the_cheaper_project() -> None:
    # Six voters with 20 each. X (30, voters 0-2) costs its supporters 10 each, Y (60,
    # voters 3-5) 20 each: both 1/3 per unit of cost, an exact tie (which floats could get
    # either way); the cheaper X goes first.
    profile = Profile.from_ballots(
        project_ids=["Y", "X"],
        costs=[60, 30],
        budget=120,
        ballots=[["X"]] * 3 + [["Y"]] * 3,
    )
    result = equal_shares(profile, variant=Variant.PLAIN)
    assert result.funded == ("X", "Y")
    assert result.outcomes["Y"].reason.params["round"] == 2


def test_results_do_not_depend_on_ballot_order() -> None:
    instance = pabulib.load(DATA / "Netherlands_Assen_2024.pb")
    ballots = [b.projects for b in instance.ballots]
    random.Random(5).shuffle(ballots)
    shuffled = Profile.from_ballots(
        project_ids=list(instance.projects),
        costs=[p.cost for p in instance.projects.values()],
        budget=instance.budget,
        ballots=ballots,
    )
    original = Profile.from_instance(instance)
    assert greedy(shuffled).funded == greedy(original).funded
    plain = Variant.PLAIN
    assert equal_shares(shuffled, variant=plain) == equal_shares(original, variant=plain)


def test_no_voters_funds_nothing() -> None:
    profile = Profile.from_ballots(project_ids=["A"], costs=[10], budget=100, ballots=[])
    assert equal_shares(profile).funded == ()
    assert greedy(profile).outcomes["A"].reason.text == "nobody voted for it"


def test_unknown_project_in_a_ballot_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown project 'Z'"):
        Profile.from_ballots(project_ids=["A"], costs=[1], budget=1, ballots=[["Z"]])


CROSS_CHECK = json.loads((DATA / "equal_shares_pabutools.json").read_text(encoding="utf-8"))
# add1 on the Wilanów file takes seconds of reruns; its plain outcome is still checked.
QUICK_ADD1 = ["Poland_Gdynia_2020_Chylonia__large.pb", "Poland_Warszawa_2019_Anin.pb"]


@pytest.mark.parametrize("name", sorted(CROSS_CHECK["expected"]))
def test_plain_equal_shares_matches_an_independent_implementation(name: str) -> None:
    profile = Profile.from_instance(pabulib.load(DATA / name))
    expected = CROSS_CHECK["expected"][name]["equalshares"]
    assert sorted(equal_shares(profile, variant=Variant.PLAIN).funded) == expected
    assert sorted(greedy(profile).funded) != expected


@pytest.mark.parametrize("name", QUICK_ADD1)
def test_add1_matches_an_independent_implementation(name: str) -> None:
    profile = Profile.from_instance(pabulib.load(DATA / name))
    expected = CROSS_CHECK["expected"][name]["equalshares/add1"]
    assert sorted(equal_shares(profile, variant=Variant.ADD1).funded) == expected
    assert expected != CROSS_CHECK["expected"][name]["equalshares"]


def test_result_json_is_exact_and_recomputes_identically() -> None:
    document = equal_shares(_small(), variant=Variant.PLAIN).to_json()
    assert document["funded"] == ["C"]
    assert document["spent"] == "100"
    assert document["share_per_voter"] == "100"
    assert document["projects"][2] == {
        "id": "C",
        "funded": True,
        "votes": 3,
        "cost": "100",
        "reason": {
            "code": "mes_funded",
            "params": {"votes": "3", "round": "1", "price_per_voter": "100/3"},
        },
    }
    assert json.dumps(document) == json.dumps(
        equal_shares(_small(), variant=Variant.PLAIN).to_json()
    )
