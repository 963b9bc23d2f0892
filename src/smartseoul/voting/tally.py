"""Counting: open polls in the clear, secret ballots by homomorphic sum (no writes here).

Only the ballots that count take part: a participation points at its voter's last ballot, so
replaced ballots drop out.  Both kinds of vote give results of one shape::

    {"ballots": N, "turnout_by_district": {"11110": n, …, "unknown": n},
     "questions": [{"text": …, "options": [{"label": …, "votes": n}, …]}, …]}

where ``votes`` sums the ballots' weights (1 unless a voter roll says otherwise).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Sum

from smartseoul.voting.budget_rules import NEEDS_APPROVAL_SETS, BudgetRule, winners
from smartseoul.voting.crypto import Ciphertext, Point, weighted_sum
from smartseoul.voting.models import Participation, Vote
from smartseoul.voting.paper import confirmed_sheets

# Rows fetched per round trip while summing: secret ballots are a few kilobytes each.
CHUNK = 2000


def results_document(
    vote: Vote,
    votes: Sequence[Sequence[int]],
    ballots: int,
    turnout: Counter[str],
    approvals: Sequence[Sequence[Sequence[int]]] | None = None,
) -> dict[str, Any]:
    """``votes``: the counted electronic ballots per option.  Confirmed paper batches are added
    (and shown apart under ``paper``); a budget question also gets its winners (``budget``,
    from ``approvals`` — every counted ballot's choices per question — when its rule needs
    them)."""
    questions = list(vote.questions.prefetch_related("options"))
    sheets = confirmed_sheets(vote)
    paper = [[0] * len(question.options.all()) for question in questions]
    for sheet in sheets:
        for row, chosen in zip(paper, sheet, strict=True):
            for index in chosen:
                row[index] += 1
    totals = [
        [int(a) + b for a, b in zip(electronic, on_paper, strict=True)]
        for electronic, on_paper in zip(votes, paper, strict=True)
    ]
    document: dict[str, Any] = {
        "ballots": ballots,
        "turnout_by_district": dict(sorted(turnout.items())),
        "questions": [
            {
                "text": question.text,
                "options": [
                    {"label": option.label, "votes": totals[number][position]}
                    for position, option in enumerate(question.options.all())
                ],
            }
            for number, question in enumerate(questions)
        ],
    }
    if sheets:
        document["paper"] = {"ballots": len(sheets), "questions": paper}
    for number, question in enumerate(questions):
        if question.budget is None:
            continue
        rule = BudgetRule.from_json(question.budget)
        sets = None
        if rule.winner_rule in NEEDS_APPROVAL_SETS:
            if approvals is None:
                raise ValueError("Equal Shares needs the ballots' choices")
            sets = [*approvals[number], *(sheet[number] for sheet in sheets)]
        document["questions"][number]["budget"] = winners(
            rule, votes=totals[number], approvals=sets
        )
    return document


def _counted(vote: Vote, *fields: str) -> Iterator[tuple[Any, ...]]:
    rows = Participation.objects.filter(vote=vote, ballot__isnull=False).order_by("pk")
    return rows.values_list(*fields).iterator(chunk_size=CHUNK)


def turnout_by_district(vote: Vote) -> tuple[int, Counter[str]]:
    turnout: Counter[str] = Counter()
    for (district,) in _counted(vote, "district_id"):
        turnout[district or "unknown"] += 1
    return sum(turnout.values()), turnout


def counted_weight(vote: Vote) -> int:
    total = Participation.objects.filter(vote=vote, ballot__isnull=False).aggregate(
        total=Sum("ballot__weight")
    )["total"]
    return int(total or 0)


def count_open_ballots(vote: Vote) -> dict[str, Any]:
    """Counts of the ballots that count (replaced ballots do not), with turnout by district."""
    questions = list(vote.questions.all())
    tallies = [[0] * q.options.count() for q in questions]
    # Each ballot's choices for the budget questions whose winner rule needs them.
    needs_sets = [
        q.budget is not None and q.budget["winner_rule"] in NEEDS_APPROVAL_SETS for q in questions
    ]
    approvals: list[list[list[int]]] = [[] for _ in questions]
    turnout: Counter[str] = Counter()
    counted = 0
    for content, weight, district in _counted(
        vote, "ballot__content", "ballot__weight", "district_id"
    ):
        counted += 1
        turnout[district or "unknown"] += 1
        for number, (tally, chosen) in enumerate(zip(tallies, content["choices"], strict=True)):
            for index in chosen:
                tally[index] += weight
            if needs_sets[number]:
                approvals[number].extend([chosen] * weight)
    return results_document(vote, tallies, counted, turnout, approvals)


def _ciphertexts(content: dict[str, Any]) -> list[Ciphertext]:
    """A stored ballot's ciphertexts, question by question, option by option.

    The ballot was parsed strictly and every proof verified when it was cast; decoding the
    points again still refuses anything that is not a group element.
    """
    return [
        Ciphertext(
            Point.from_bytes(bytes.fromhex(o["alpha"])), Point.from_bytes(bytes.fromhex(o["beta"]))
        )
        for question in content["ballot"]["questions"]
        for o in question["options"]
    ]


def encrypted_sum(vote: Vote) -> tuple[list[Ciphertext], int]:
    """The weighted homomorphic sum of the counted ballots, one ciphertext per option
    (questions in order, flattened), and the total weight (a bound on every count).

    Running sums per (option, weight) keep memory flat however many ballots there are; each
    distinct weight is multiplied in once at the end (as ``crypto.weighted_sum`` does).
    """
    width = sum(q.options.count() for q in vote.questions.all())
    partial: list[dict[int, Ciphertext]] = [{} for _ in range(width)]
    total_weight = 0
    for content, weight in _counted(vote, "ballot__content", "ballot__weight"):
        total_weight += weight
        for sums, ciphertext in zip(partial, _ciphertexts(content), strict=True):
            before = sums.get(weight)
            sums[weight] = ciphertext if before is None else before + ciphertext
    return [weighted_sum(sums.items()) for sums in partial], total_weight


def tally_to_json(vote: Vote, sums: Sequence[Ciphertext]) -> list[list[dict[str, str]]]:
    """Nested per question, as stored on the vote and published in the election record."""
    nested, at = [], 0
    for question in vote.questions.all():
        width = question.options.count()
        nested.append(
            [{"alpha": c.alpha.hex(), "beta": c.beta.hex()} for c in sums[at : at + width]]
        )
        at += width
    return nested


def tally_from_json(value: list[list[dict[str, str]]]) -> list[Ciphertext]:
    """The flat list of ciphertexts the trustees decrypt (position p = option p overall)."""
    return [
        Ciphertext(
            Point.from_bytes(bytes.fromhex(c["alpha"])), Point.from_bytes(bytes.fromhex(c["beta"]))
        )
        for question in value
        for c in question
    ]


def unflatten(vote: Vote, values: Sequence[int]) -> list[list[int]]:
    nested, at = [], 0
    for question in vote.questions.all():
        width = question.options.count()
        nested.append(list(values[at : at + width]))
        at += width
    return nested
