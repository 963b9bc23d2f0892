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

from smartseoul.voting.crypto import Ciphertext, Point, weighted_sum
from smartseoul.voting.models import Participation, Vote

# Rows fetched per round trip while summing: secret ballots are a few kilobytes each.
CHUNK = 2000


def results_document(
    vote: Vote, votes: Sequence[Sequence[int]], ballots: int, turnout: Counter[str]
) -> dict[str, Any]:
    questions = list(vote.questions.prefetch_related("options"))
    return {
        "ballots": ballots,
        "turnout_by_district": dict(sorted(turnout.items())),
        "questions": [
            {
                "text": question.text,
                "options": [
                    {"label": option.label, "votes": int(votes[number][position])}
                    for position, option in enumerate(question.options.all())
                ],
            }
            for number, question in enumerate(questions)
        ],
    }


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
    shape = [q.options.count() for q in vote.questions.all()]
    tallies = [[0] * n for n in shape]
    turnout: Counter[str] = Counter()
    counted = 0
    for content, weight, district in _counted(
        vote, "ballot__content", "ballot__weight", "district_id"
    ):
        counted += 1
        turnout[district or "unknown"] += 1
        for tally, chosen in zip(tallies, content["choices"], strict=True):
            for index in chosen:
                tally[index] += weight
    return results_document(vote, tallies, counted, turnout)


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
