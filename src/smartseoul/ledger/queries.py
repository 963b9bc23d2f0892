"""Reads: logs, entries, proofs, checkpoints, records.  Everything here is public except
``can_record``-gated pages; proofs come from stored subtree hashes in one query each."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.utils import timezone

from smartseoul.ledger import actions, keys, records
from smartseoul.ledger.checkpoint import parse_checkpoint
from smartseoul.ledger.merkle import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_inclusion,
)
from smartseoul.ledger.models import Checkpoint, Cosignature, Entry, Log, Record
from smartseoul.ledger.note import open_note, parse_verifier_key
from smartseoul.ledger.store import DbHashReader

MAX_ENTRIES = 1000
# A served checkpoint older than this, with entries appended since, is replaced on request.
STALE_AFTER = datetime.timedelta(seconds=1)


class BadParameter(ValueError):
    """A request parameter that cannot be answered; the message names it."""


def log_get(name: str) -> Log:
    """A configured log by name (created on first use); Log.DoesNotExist otherwise."""
    return actions.log_ensure(name)


def logs_all() -> list[Log]:
    return [log_get(name) for name in settings.LEDGER_LOGS]


def _size(log: Log, value: int | None, name: str) -> int:
    current = Log.objects.values_list("size", flat=True).get(pk=log.pk)
    if value is None:
        return int(current)
    if value > current:
        raise BadParameter(f"{name}={value} is beyond the log's current size {current}")
    return value


def entries_range(log: Log, start: int, end: int) -> list[tuple[int, bytes]]:
    if start < 0 or end <= start:
        raise BadParameter("need 0 <= start < end")
    if end - start > MAX_ENTRIES:
        raise BadParameter(f"at most {MAX_ENTRIES} entries a call (end - start)")
    _size(log, end, "end")
    rows = (
        Entry.objects.filter(log=log, index__gte=start, index__lt=end)
        .order_by("index")
        .values_list("index", "data")
    )
    return [(index, bytes(data)) for index, data in rows]


def entry_by_leaf_hash(log: Log, leaf: bytes, below: int) -> Entry | None:
    return Entry.objects.filter(log=log, leaf_hash=leaf, index__lt=below).order_by("index").first()


def inclusion(
    log: Log, *, index: int | None, leaf: bytes | None, tree_size: int | None
) -> dict[str, Any]:
    size = _size(log, tree_size, "tree_size")
    if leaf is not None:
        found = entry_by_leaf_hash(log, leaf, size)
        if found is None:
            raise LookupError(f"no entry with this leaf hash among the first {size} entries")
        index = found.index
    if index is None:
        raise BadParameter("give index or leaf_hash")
    if not 0 <= index < size:
        raise BadParameter(f"index={index} must be below tree_size={size}")
    reader = DbHashReader(log.pk)
    if leaf is None:
        leaf = reader.get_nodes([(0, index)])[0]
    return {
        "index": index,
        "tree_size": size,
        "leaf_hash": leaf,
        "hashes": inclusion_proof(reader, index, size),
    }


def consistency(log: Log, *, first: int, second: int | None) -> dict[str, Any]:
    second = _size(log, second, "second")
    if not 0 <= first <= second:
        raise BadParameter(f"first={first} must be between 0 and second={second}")
    return {
        "first": first,
        "second": second,
        "hashes": consistency_proof(DbHashReader(log.pk), first, second),
    }


def _with_quorum(log: Log) -> Checkpoint | None:
    base = Checkpoint.objects.filter(log=log).order_by("-size")
    needed = keys.quorum()
    if needed:
        named = [w.name for w in keys.witnesses()]
        counted = base.annotate(
            cosigners=Count("cosignatures", filter=Q(cosignatures__witness__in=named))
        ).filter(cosigners__gte=needed)
        checkpoint = counted.first()
        if checkpoint is not None:
            return checkpoint
    return base.first()


def checkpoint_latest(log: Log, *, publish_if_stale: bool = True) -> Checkpoint | None:
    """The newest checkpoint with a witness quorum (else the newest), publishing a fresh one
    first when entries were appended and the newest is over a second old."""
    latest = Checkpoint.objects.filter(log=log).order_by("-size").first()
    if publish_if_stale:
        size = Log.objects.values_list("size", flat=True).get(pk=log.pk)
        stale = latest is None or (
            latest.size < size and timezone.now() - latest.created_at > STALE_AFTER
        )
        if stale:
            actions.checkpoint_publish(log=log)
    return _with_quorum(log)


def checkpoint_text(checkpoint: Checkpoint) -> str:
    """The signed note with the log's signature and every witness's cosignature."""
    lines = checkpoint.cosignatures.order_by("witness").values_list("line", flat=True)
    return checkpoint.note + "".join(lines)


def witness_status(log: Log) -> list[dict[str, Any]]:
    last = dict(
        Cosignature.objects.filter(checkpoint__log=log)
        .values("witness")
        .annotate(last=Max("signed_at"))
        .values_list("witness", "last")
    )
    return [
        {"name": w.name, "url": w.url, "vkey": w.vkey, "last_cosigned": last.get(w.name)}
        for w in keys.witnesses()
    ]


def can_record(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm("ledger.record_documents"))


@dataclass
class RecordCheck:
    record: Record
    document: dict[str, Any]
    index: int
    leaf_hash: bytes
    data: bytes
    checkpoint: Checkpoint | None
    proof: list[bytes]
    verified: bool
    problem: str = ""


def _check_entry(
    log: Log, entry: Entry, checkpoint: Checkpoint | None
) -> tuple[list[bytes], bool, str]:
    """Verify the entry's inclusion in the signed checkpoint, as a citizen's verifier would."""
    if checkpoint is None or entry.index >= checkpoint.size:
        return [], False, "not yet in a published checkpoint"
    try:
        note = open_note(checkpoint.note, [parse_verifier_key(log.vkey)])
        signed = parse_checkpoint(note.text)
        proof = inclusion_proof(DbHashReader(log.pk), entry.index, signed.size)
        verify_inclusion(
            leaf_hash(bytes(entry.data)), entry.index, signed.size, proof, signed.root_hash
        )
    except (ProofError, ValueError) as exc:
        return [], False, str(exc)
    return proof, True, ""


def records_find(query: str, *, limit: int = 20) -> list[RecordCheck]:
    """Records matching a vehicle number, a document's SHA-256 or an entry's leaf hash."""
    import json

    text = query.strip()
    lookups: set[str] = set()
    entry_q = Q(pk__in=[])
    with contextlib.suppress(ValidationError):  # not a vehicle number: try a hash
        lookups.add(records.normalize_vehicle_number(text))
    with contextlib.suppress(ValidationError):
        digest = records.normalize_sha256(text)
        lookups.add(digest)
        # A document's SHA-256, or the leaf hash of any record entry.
        entry_q |= Q(entry__leaf_hash=bytes.fromhex(digest))
    if not lookups:
        return []
    matches = (
        Record.objects.filter(Q(lookup__in=lookups) | entry_q)
        .select_related("entry", "entry__log")
        .order_by("-entry__index")[:limit]
    )
    results = []
    checkpoints: dict[int, Checkpoint | None] = {}
    for record in matches:
        entry = record.entry
        log = entry.log
        if log.pk not in checkpoints:
            checkpoints[log.pk] = checkpoint_latest(log)
        checkpoint = checkpoints[log.pk]
        proof, ok, problem = _check_entry(log, entry, checkpoint)
        data = bytes(entry.data)
        results.append(
            RecordCheck(
                record=record,
                document=json.loads(data),
                index=entry.index,
                leaf_hash=bytes(entry.leaf_hash),
                data=data,
                checkpoint=checkpoint,
                proof=proof,
                verified=ok,
                problem=problem,
            )
        )
    return results


def sha256_of_upload(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class InclusionCheck:
    checkpoint_size: int | None
    verified: bool
    problem: str


def entry_inclusion_check(log_name: str, index: int) -> InclusionCheck:
    """Is entry ``index`` of ``log_name`` in the latest signed checkpoint?  Checked with the
    inclusion proof against the checkpoint's signed root, as an outside verifier would."""
    log = log_get(log_name)
    entry = Entry.objects.get(log=log, index=index)
    checkpoint = checkpoint_latest(log)
    _proof, verified, problem = _check_entry(log, entry, checkpoint)
    return InclusionCheck(checkpoint.size if checkpoint else None, verified, problem)


# Reads for apps that publish proofs of many entries at once (mVoting's election record).
_CHUNK = 2000  # values per IN (…) list: well below SQLite's bound-parameter limit


def entries_at(log: Log, indexes: list[int]) -> dict[int, bytes]:
    """The exact bytes of the entries at ``indexes``."""
    found: dict[int, bytes] = {}
    for start in range(0, len(indexes), _CHUNK):
        rows = Entry.objects.filter(log=log, index__in=indexes[start : start + _CHUNK]).values_list(
            "index", "data"
        )
        found.update((index, bytes(data)) for index, data in rows)
    return found


def multi_inclusion(log: Log, indexes: list[int], tree_size: int) -> list[bytes]:
    """A multi-leaf inclusion proof (ledger/multiproof.py) of ``indexes`` in the tree of
    ``tree_size`` entries: every hash once, read in a few batched queries."""
    from smartseoul.ledger.multiproof import plan_multi_inclusion

    plan = plan_multi_inclusion(sorted(indexes), tree_size)
    reader = DbHashReader(log.pk)
    keys = list(plan.keys)
    hashes: list[bytes] = []
    for start in range(0, len(keys), _CHUNK):
        hashes += reader.get_nodes(keys[start : start + _CHUNK])
    return plan.assemble(hashes)


def witness_quorum() -> int:
    """How many witness cosignatures a checkpoint needs to be preferred."""
    return keys.quorum()
