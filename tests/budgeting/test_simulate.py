"""Simulating a rule on a Pabulib file, and exporting the result as Pabulib."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartseoul.budgeting import pabulib
from smartseoul.budgeting.simulate import simulate, with_result

DATA = Path(__file__).parent / "data"


def test_a_simulated_result_exports_with_its_selection_and_rule() -> None:
    instance = pabulib.load(DATA / "Poland_Zabrze_2020_Konczyce.pb")
    assert instance.selected() is None
    result = simulate(instance, "greedy")
    # 49 votes for a 9,996 project, 35 for a 140,000 one: both fit the 150,000 budget.
    assert result.funded == ("P0064", "P0065")
    exported = pabulib.loads(pabulib.dumps(with_result(instance, result)))
    assert exported.rule == "greedy"
    assert exported.selected() == {"P0064", "P0065"}
    assert exported.projects["P0064"].fields["votes"] == "49"
    assert exported.ballots == instance.ballots


def test_equal_shares_by_its_pabulib_name() -> None:
    instance = pabulib.load(DATA / "Poland_Warszawa_2019_Nadwisle.pb")
    result = simulate(instance, "equalshares")
    assert result.rule == "equalshares"
    assert result.spent <= instance.budget


def test_unknown_rule() -> None:
    instance = pabulib.load(DATA / "Poland_Zabrze_2020_Konczyce.pb")
    with pytest.raises(ValueError, match="unknown rule 'borda'"):
        simulate(instance, "borda")
