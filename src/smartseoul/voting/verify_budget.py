"""The election record's paper batches and budget winners, re-checked (no database).

Used by ``smartseoul verify-election`` (verify_record.py). Paper batches: every confirmed
batch has two entries by different officials whose digests are the SHA-256 of its sheets'
canonical JSON, and every sheet answers each question within its bounds and budget rule; the
results' ``paper`` part is the count of those sheets. Budget questions: the winners are
recomputed with the question's rule from the final counts (and, for Equal Shares, every
counted ballot's choices plus the paper sheets) and must equal the published JSON.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import rfc8785

from smartseoul.voting.budget_rules import NEEDS_APPROVAL_SETS, BudgetRule, winners


class PaperError(ValueError):
    pass


def sheets_digest(sheets: Sequence[Sequence[Sequence[int]]]) -> str:
    """SHA-256 of the sheets' canonical JSON (RFC 8785): what each entry's digest names."""
    return hashlib.sha256(rfc8785.dumps([[list(q) for q in sheet] for sheet in sheets])).hexdigest()


def manifest_rules(manifest: dict[str, Any]) -> dict[int, Any]:
    """Question number → its budget rule's JSON, for the budget questions of a manifest."""
    return {
        number: question["budget"]
        for number, question in enumerate(manifest["questions"])
        if "budget" in question
    }


def choice_problem(question: dict[str, Any], chosen: Any) -> str | None:
    """Why ``chosen`` is no valid answer to a manifest question, or None."""
    if (
        not isinstance(chosen, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in chosen)
        or chosen != sorted(set(chosen))
        or any(not 0 <= i < len(question["options"]) for i in chosen)
    ):
        return "not a sorted list of option numbers"
    if not question["min_choices"] <= len(chosen) <= question["max_choices"]:
        return f"{len(chosen)} choices"
    if "budget" in question:
        return BudgetRule.from_json(question["budget"]).problem(chosen)
    return None


def check_paper(record: dict[str, Any], manifest: dict[str, Any]) -> list[list[list[int]]]:
    """The sheets of the record's confirmed paper batches, after checking each batch."""
    batches = record.get("paper_batches", [])
    if not isinstance(batches, list):
        raise PaperError("paper_batches must be a list")
    questions = manifest["questions"]
    sheets: list[list[list[int]]] = []
    labels = set()
    for batch in batches:
        label = batch.get("label")
        if not isinstance(label, str) or label in labels:
            raise PaperError("every paper batch needs its own label")
        labels.add(label)
        batch_sheets = batch.get("sheets")
        if not isinstance(batch_sheets, list) or not batch_sheets:
            raise PaperError(f"paper batch {label!r} has no sheets")
        for number, sheet in enumerate(batch_sheets, start=1):
            if not isinstance(sheet, list) or len(sheet) != len(questions):
                raise PaperError(f"paper batch {label!r}, sheet {number}: one answer per question")
            for q, (question, chosen) in enumerate(zip(questions, sheet, strict=True), start=1):
                problem = choice_problem(question, chosen)
                if problem:
                    raise PaperError(
                        f"paper batch {label!r}, sheet {number}, question {q}: {problem}"
                    )
        digest = sheets_digest(batch_sheets)
        agreeing = {
            entry.get("official")
            for entry in batch.get("entries", [])
            if entry.get("digest") == digest
        }
        if len(agreeing) < 2:
            raise PaperError(
                f"paper batch {label!r} was not entered identically by two different officials"
            )
        sheets.extend(batch_sheets)
    return sheets


def paper_counts(
    manifest: dict[str, Any], sheets: Sequence[Sequence[Sequence[int]]]
) -> list[list[int]]:
    counts = [[0] * len(question["options"]) for question in manifest["questions"]]
    for sheet in sheets:
        for row, chosen in zip(counts, sheet, strict=True):
            for index in chosen:
                row[index] += 1
    return counts


def check_paper_results(
    results: dict[str, Any], manifest: dict[str, Any], sheets: Sequence[Sequence[Sequence[int]]]
) -> list[list[int]]:
    """The results' ``paper`` part must be the count of the sheets; returns that count."""
    counts = paper_counts(manifest, sheets)
    claimed = results.get("paper")
    if not sheets:
        if claimed is not None:
            raise PaperError("the results count paper ballots the record does not hold")
        return counts
    if claimed != {"ballots": len(sheets), "questions": counts}:
        raise PaperError(
            f"the paper part of the results is not the count of the {len(sheets)} sheets"
        )
    return counts


def check_winners(
    results: dict[str, Any],
    manifest: dict[str, Any],
    approvals: Sequence[Sequence[Sequence[int]]] | None,
    sheets: Sequence[Sequence[Sequence[int]]],
) -> list[str]:
    """Recompute each budget question's winners; returns one line per question.

    ``approvals``: per question, every counted ballot's choices (open votes; None for secret
    votes, whose rule can only be greedy)."""
    lines = []
    for number, rule_json in manifest_rules(manifest).items():
        rule = BudgetRule.from_json(rule_json)
        question = results["questions"][number]
        votes = [option["votes"] for option in question["options"]]
        sets = None
        if rule.winner_rule in NEEDS_APPROVAL_SETS:
            if approvals is None:
                raise PaperError(
                    f"question {number + 1}: {rule.winner_rule} needs ballots' choices, "
                    "which a secret vote does not reveal"
                )
            sets = [*approvals[number], *(sheet[number] for sheet in sheets)]
        expected = winners(rule, votes=votes, approvals=sets)
        if question.get("budget") != expected:
            raise PaperError(
                f"question {number + 1}: the published winners are not what {rule.winner_rule} "
                f"gives (it funds {expected['funded']})"
            )
        lines.append(
            f"{question['text']}: {rule.winner_rule} funds {len(expected['funded'])} "
            f"project(s) for {expected['spent']} of {expected['budget']}"
        )
    return lines
