"""What casting checks a ballot against — the eligible areas and each question's bounds —
read once per process per vote instead of on every cast.

Scheduling freezes a vote (actions._freeze) and its manifest hash covers exactly these
fields, so (public id, manifest hash) names one unchanging shape; a vote that is still a draft
has no manifest hash and is read fresh every time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smartseoul.voting.budget_rules import BudgetRule
from smartseoul.voting.models import Vote

_MAX_CACHED = 512


@dataclass(frozen=True)
class QuestionBounds:
    options: int
    min_choices: int
    max_choices: int
    budget: BudgetRule | None = None

    def problem(self, chosen: Sequence[int]) -> str | None:
        """Why ``chosen`` (option numbers) is no valid answer to this question, or None.
        Online ballots and typed-in paper sheets are checked by this one rule."""
        picked = sorted(set(chosen))
        if len(picked) != len(chosen):
            return "An option is chosen twice."
        if any(not 0 <= index < self.options for index in picked):
            return f"Options are numbered 0 to {self.options - 1}."
        if not self.min_choices <= len(picked) <= self.max_choices:
            return f"Choose {self.min_choices} to {self.max_choices} options."
        if self.budget is not None and (problem := self.budget.problem(picked)):
            return f"Not a valid budget ballot: {problem}."
        return None


@dataclass(frozen=True)
class VoteShape:
    district_codes: frozenset[str]
    neighbourhood_codes: frozenset[str]
    questions: tuple[QuestionBounds, ...]


_shapes: dict[tuple[str, str], VoteShape] = {}


def vote_shape(vote: Vote) -> VoteShape:
    if not vote.manifest_hash:
        return _read(vote)
    key = (str(vote.public_id), vote.manifest_hash)
    shape = _shapes.get(key)
    if shape is None:
        if len(_shapes) >= _MAX_CACHED:
            _shapes.clear()
        shape = _shapes[key] = _read(vote)
    return shape


def _read(vote: Vote) -> VoteShape:
    return VoteShape(
        district_codes=frozenset(vote.districts.values_list("code", flat=True)),
        neighbourhood_codes=frozenset(vote.neighbourhoods.values_list("code", flat=True)),
        questions=tuple(
            QuestionBounds(
                len(question.options.all()),
                question.min_choices,
                question.max_choices,
                None if question.budget is None else BudgetRule.from_json(question.budget),
            )
            for question in vote.questions.prefetch_related("options")
        ),
    )
