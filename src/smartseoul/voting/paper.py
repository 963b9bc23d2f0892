"""Paper ballots: counted from batches that two officials typed in independently.

A community centre collects paper ballots; the sheets of one box are a batch. One official
types every sheet in, a second official types the same sheets in again without seeing the
first entry; the batch counts once two entries by different officials agree sheet for sheet.
When they differ, the sheets that differ are named and the batch waits for another entry
(after someone looks at the paper again). Every entry is audited, and the election record
publishes each confirmed batch with its sheets and who entered it when
(docs/election-record.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from smartseoul.audit.actions import audit_record
from smartseoul.voting.models import PaperBatch, PaperEntry, Vote
from smartseoul.voting.shape import vote_shape
from smartseoul.voting.verify_budget import sheets_digest

MAX_SHEETS = 5000
# Paper is entered while the vote runs and until it is counted.
ENTRY_STATUSES = (Vote.Status.OPEN, Vote.Status.CLOSED)


def may_enter_paper(user: Any) -> bool:
    """Any official (the officials' portal permission); two different ones per batch."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("accounts.access_official_portal")
    )


def clean_sheets(vote: Vote, sheets: Any) -> list[list[list[int]]]:
    """Each sheet: one sorted list of chosen option numbers per question, within the bounds
    and any budget rule. A spoiled paper ballot is not entered; the error names the sheet."""
    questions = vote_shape(vote).questions
    if not isinstance(sheets, list) or not 1 <= len(sheets) <= MAX_SHEETS:
        raise ValidationError({"sheets": f"Enter 1 to {MAX_SHEETS} sheets."})
    clean = []
    for number, sheet in enumerate(sheets, start=1):
        where = f"sheets.{number}"
        if not isinstance(sheet, list) or len(sheet) != len(questions):
            raise ValidationError({where: f"Sheet {number}: one answer per question."})
        answers = []
        for q, (bounds, chosen) in enumerate(zip(questions, sheet, strict=True), start=1):
            if not isinstance(chosen, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in chosen
            ):
                raise ValidationError({where: f"Sheet {number}, question {q}: option numbers."})
            if problem := bounds.problem(chosen):
                raise ValidationError({where: f"Sheet {number}, question {q}: {problem}"})
            answers.append(sorted(chosen))
        clean.append(answers)
    return clean


@dataclass(frozen=True)
class EntryOutcome:
    batch: PaperBatch
    # Sheet numbers (from 1) where this entry differs from the other official's last entry.
    differing_sheets: tuple[int, ...]


def _differences(a: list[Any], b: list[Any]) -> tuple[int, ...]:
    longest = max(len(a), len(b))
    return tuple(
        n + 1
        for n in range(longest)
        if n >= len(a) or n >= len(b) or a[n] != b[n]  # a missing sheet differs too
    )


@transaction.atomic
def paper_batch_enter(*, actor: Any, vote: Vote, label: str, sheets: Any) -> EntryOutcome:
    """One official's entry of a batch of paper ballots (the first or a checking entry)."""
    if not may_enter_paper(actor):
        raise PermissionDenied("Only officials enter paper ballots.")
    from smartseoul.voting.actions import vote_sync_status  # actions → tally → paper

    vote = vote_sync_status(Vote.objects.select_for_update().get(pk=vote.pk))
    if vote.status not in ENTRY_STATUSES:
        raise ValidationError(
            {
                "vote": "Paper ballots are entered while the vote is open or closed, "
                f"not {vote.status}."
            }
        )
    label = label.strip()
    if not label:
        raise ValidationError({"label": "Name the batch (polling place and box)."})
    clean = clean_sheets(vote, sheets)
    batch, _created = PaperBatch.objects.get_or_create(vote=vote, label=label)
    if batch.status == PaperBatch.Status.CONFIRMED:
        raise ValidationError({"label": f"The batch {label!r} is already confirmed."})
    digest = sheets_digest(clean)
    PaperEntry.objects.create(batch=batch, official=actor, sheets=clean, digest=digest)
    others = list(batch.entries.exclude(official=actor).order_by("-id"))
    differing: tuple[int, ...] = ()
    if any(entry.digest == digest for entry in others):
        batch.status, batch.sheets, batch.confirmed_at = (
            PaperBatch.Status.CONFIRMED,
            clean,
            timezone.now(),
        )
    elif others:
        batch.status = PaperBatch.Status.MISMATCH
        differing = _differences(clean, others[0].sheets)
    batch.save(update_fields=["status", "sheets", "confirmed_at"])
    audit_record(
        actor=actor,
        action="paper.entered",
        target=vote,
        details={
            "batch": label,
            "sheets": len(clean),
            "digest": digest,
            "status": batch.status,
            "differing_sheets": list(differing),
        },
    )
    return EntryOutcome(batch, differing)


def confirmed_sheets(vote: Vote) -> list[list[list[int]]]:
    """Every sheet of the vote's confirmed batches, batch by batch."""
    return [
        sheet
        for sheets in PaperBatch.objects.filter(
            vote=vote, status=PaperBatch.Status.CONFIRMED
        ).values_list("sheets", flat=True)
        for sheet in sheets
    ]


def paper_record(vote: Vote) -> list[dict[str, Any]]:
    """The confirmed batches as the election record publishes them."""
    batches = PaperBatch.objects.filter(vote=vote, status=PaperBatch.Status.CONFIRMED)
    return [
        {
            "label": batch.label,
            "sheets": batch.sheets,
            "confirmed_at": batch.confirmed_at.isoformat() if batch.confirmed_at else None,
            "entries": [
                {
                    # Officials act in office: the record names who typed each entry.
                    "official": f"{entry.official.display_name} #{entry.official_id}",
                    "entered_at": entry.entered_at.isoformat(),
                    "digest": entry.digest,
                }
                for entry in batch.entries.select_related("official").order_by("id")
            ],
        }
        for batch in batches.prefetch_related("entries")
    ]


def parse_sheets(text: str, questions: int) -> list[list[list[int]]]:
    """Sheets as officials type them: one line per sheet, questions separated by ``/``,
    project numbers as printed on the paper (from 1) separated by commas or spaces, ``-`` for
    a question left blank. ``3, 7, 12 / 1 4`` → ``[[2, 6, 11], [0, 3]]``."""
    sheets = []
    for number, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        parts = line.split("/")
        if len(parts) != questions:
            raise ValidationError(
                {"sheets": f"Line {number}: {questions} answer(s) separated by '/' are needed."}
            )
        sheet = []
        for part in parts:
            words = part.replace(",", " ").split()
            if words == ["-"]:
                words = []
            if not all(word.isdigit() and int(word) >= 1 for word in words):
                raise ValidationError(
                    {"sheets": f"Line {number}: project numbers from 1, or '-' for none."}
                )
            sheet.append([int(word) - 1 for word in words])
        sheets.append(sheet)
    return sheets


def batches_of(vote: Vote) -> list[PaperBatch]:
    return list(vote.paper_batches.prefetch_related("entries__official"))
