"""The ballot of a round: one mVoting vote per scope, opened, counted and published through
mVoting's own actions (filled in once mVoting's budget questions exist)."""

from __future__ import annotations

from typing import Any

from smartseoul.budgeting.models import Round


def round_open_ballot(*, actor: Any, round_: Round) -> None:
    return None


def round_count(*, actor: Any, round_: Round) -> None:
    return None


def round_publish(*, actor: Any, round_: Round) -> None:
    return None
