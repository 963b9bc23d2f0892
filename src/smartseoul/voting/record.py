"""The election record: everything needed to re-check a vote's result without trusting us.

Format: docs/election-record.md (``smartseoul.election-record/v1``); checker:
``smartseoul verify-election`` (voting/verify_record.py).  Built on request from the stored
vote, the exact ledger entries of its ballots and a signed `votes` checkpoint covering them.
"""

from __future__ import annotations

import base64
from typing import Any

from django.utils import timezone

from smartseoul.ledger.actions import checkpoint_publish
from smartseoul.ledger.queries import (
    checkpoint_latest,
    checkpoint_text,
    entries_at,
    log_get,
    multi_inclusion,
    witness_quorum,
    witness_status,
)
from smartseoul.voting.ballot_context import crypto_manifest
from smartseoul.voting.manifest import manifest_document
from smartseoul.voting.models import Ballot, Participation, Vote
from smartseoul.voting.paper import paper_record
from smartseoul.voting.sequencer import LEDGER_LOG

RECORD_TYPE = "smartseoul.election-record/v1"
RECORDED_STATUSES = (Vote.Status.TALLIED, Vote.Status.PUBLISHED)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _covering_checkpoint(log: Any, size: int) -> Any:
    """A signed checkpoint of at least ``size`` entries (publishing one if needed)."""
    checkpoint = checkpoint_latest(log)
    if checkpoint is None or checkpoint.size < size:
        checkpoint = checkpoint_publish(log=log)
    if checkpoint.size < size:  # pragma: no cover - the ballots were committed before the close
        raise RuntimeError("the votes log has no checkpoint covering this vote's ballots")
    return checkpoint


def _ledger_part(indexes: list[int]) -> tuple[dict[str, Any], dict[int, bytes]]:
    log = log_get(LEDGER_LOG)
    checkpoint = _covering_checkpoint(log, indexes[-1] + 1 if indexes else 0)
    part = {
        "log": log.name,
        "origin": log.origin,
        "vkey": log.vkey,
        "checkpoint": checkpoint_text(checkpoint),
        "witnesses": [{"name": w["name"], "vkey": w["vkey"]} for w in witness_status(log)],
        "quorum": witness_quorum(),
        "proof": [_b64(h) for h in multi_inclusion(log, indexes, checkpoint.size)],
    }
    return part, entries_at(log, indexes)


def _crypto_part(vote: Vote) -> dict[str, Any]:
    trustees = list(vote.trustees.all())
    return {
        "manifest": crypto_manifest(vote).to_json(),
        "public_key": vote.public_key,
        "election_hash": vote.election_hash,
        "ceremony": {"document": vote.ceremony, "ceremony_hash": vote.ceremony_hash},
        # Sealed shares are left out: only their recipients can open them, and the public
        # dealings alone fix the election key and every trustee's public share.
        "trustees": [
            {"index": t.index, "transport_key": t.transport_key, "dealing": t.dealing}
            for t in trustees
        ],
        "encrypted_tally": vote.encrypted_tally,
        "decryption_shares": [t.decryption for t in trustees if t.decryption is not None],
    }


def election_record(vote: Vote) -> dict[str, Any]:
    if vote.status not in RECORDED_STATUSES:
        raise ValueError("a vote has an election record once it is tallied")
    rows = [
        (pk, int(index or 0), tracker)  # never None: filtered below
        for pk, index, tracker in Ballot.objects.filter(vote=vote, ledger_index__isnull=False)
        .order_by("ledger_index")
        .values_list("pk", "ledger_index", "tracker")
    ]
    counted = set(
        Participation.objects.filter(vote=vote, ballot__isnull=False).values_list(
            "ballot_id", flat=True
        )
    )
    indexes = [index for _pk, index, _tracker in rows]
    ledger, entries = _ledger_part(indexes)
    record: dict[str, Any] = {
        "type": RECORD_TYPE,
        "vote": str(vote.public_id),
        "privacy": vote.privacy,
        "status": vote.status,
        "generated_at": timezone.now().isoformat(),
        "manifest": manifest_document(vote),
        "manifest_hash": vote.manifest_hash,
        "ballots": [
            {
                "index": index,
                "entry": _b64(entries[index]),
                "tracker": tracker,
                "counted": pk in counted,
            }
            for pk, index, tracker in rows
        ],
        "results": vote.results,
        "ledger": ledger,
    }
    if vote.paper_batches.exists():
        record["paper_batches"] = paper_record(vote)
    if vote.privacy == Vote.Privacy.SECRET:
        record["crypto"] = _crypto_part(vote)
    return record
