"""Every write to the ledger: appends, checkpoints and records.

Appends are one transaction that locks the log row, inserts the entries and the subtree
hashes they complete, and moves the log's head; when not nested in a caller's transaction
it has committed (and on SQLite, synced) before the indexes are returned.  Checkpoints are
only ever signed from committed heads, so a crash mid-append cannot contradict one.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from smartseoul.audit.actions import audit_record
from smartseoul.ledger import keys, records
from smartseoul.ledger.checkpoint import Checkpoint as CheckpointText
from smartseoul.ledger.merkle import Frontier, consistency_proof, leaf_hash
from smartseoul.ledger.models import Checkpoint, Cosignature, Entry, Log, Record, node_key
from smartseoul.ledger.note import sign_note
from smartseoul.ledger.store import DbHashReader, insert_rows
from smartseoul.ledger.witness_client import collect_cosignatures

log = logging.getLogger(__name__)

MAX_ENTRY_BYTES = 1 << 20
# Rows per INSERT/COPY batch: bounds the memory of one huge append without slowing it.
BATCH = 10_000


def log_ensure(name: str) -> Log:
    """The configured log ``name``, created (with its origin and key) the first time."""
    existing = Log.objects.filter(name=name).first()
    if existing is not None:
        return existing
    from django.conf import settings

    if name not in settings.LEDGER_LOGS:
        raise Log.DoesNotExist(f"no ledger log named {name!r}")
    signer = keys.log_signer(name)
    try:
        with transaction.atomic():
            created = Log.objects.create(name=name, origin=keys.origin_for(name), vkey=signer.vkey)
            audit_record(
                actor=None,
                action="ledger.log_created",
                target=created,
                details={"origin": created.origin, "vkey": created.vkey},
            )
            return created
    except IntegrityError:  # another process created it first
        return Log.objects.get(name=name)


def _in_transaction() -> bool:
    # The test suite's own wrapping transaction (Django marks it) does not count.
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _make_durable() -> None:
    # SQLite's WAL with synchronous=NORMAL may lose the last commits on power loss; a
    # ledger must not, or a served checkpoint could name entries that no longer exist.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=FULL")


def entries_append(*, log: Log, data: Sequence[bytes], actor: Any | None = None) -> list[int]:
    """Append entries in order; return their indexes.  All or nothing."""
    if isinstance(data, bytes | str):
        raise TypeError("data must be a sequence of bytes objects")
    entries = [bytes(item) for item in data]
    for item in entries:
        if len(item) > MAX_ENTRY_BYTES:
            raise ValidationError({"data": f"an entry is at most {MAX_ENTRY_BYTES} bytes"})
    if not entries:
        return []
    _make_durable()
    with transaction.atomic():
        # The row lock serialises appenders on PostgreSQL; SQLite's IMMEDIATE transactions
        # already hold the database's write lock from BEGIN.
        head = Log.objects.select_for_update().only("size", "frontier").get(pk=log.pk)
        frontier = Frontier(head.size, head.frontier_hashes())
        first = head.size
        now = timezone.now()
        for start in range(0, len(entries), BATCH):
            chunk = entries[start : start + BATCH]
            leaves = [leaf_hash(item) for item in chunk]
            done = frontier.extend(leaves)
            nodes = [(node_key(level, index), h) for (level, index), h in done if level]
            insert_rows(
                log_id=log.pk,
                first_index=first + start,
                data=chunk,
                leaves=leaves,
                nodes=nodes,
                created_at=now,
            )
        Log.objects.filter(pk=log.pk).update(
            size=frontier.size, frontier=b"".join(frontier.hashes), root=frontier.root()
        )
        audit_record(
            actor=actor,
            action="ledger.entries_appended",
            target=log,
            details={"first": first, "count": len(entries)},
        )
    log.size = frontier.size
    return list(range(first, frontier.size))


def entry_append(*, log: Log, data: bytes, actor: Any | None = None) -> int:
    """Append one entry; return its index."""
    return entries_append(log=log, data=[data], actor=actor)[0]


def _witness_sizes(log: Log) -> dict[str, int]:
    rows = (
        Cosignature.objects.filter(checkpoint__log=log)
        .values("witness")
        .annotate(size=Max("checkpoint__size"))
    )
    return {row["witness"]: row["size"] for row in rows}


def checkpoint_publish(*, log: Log, force: bool = False) -> Checkpoint:
    """Sign the committed head, have the witnesses cosign it, store both.

    Returns the existing checkpoint when the head has not moved (unless ``force``, which
    asks the witnesses again, e.g. after one was down).  Must not run inside a transaction:
    a checkpoint of uncommitted entries could outlive them.
    """
    if _in_transaction():
        raise RuntimeError("checkpoint_publish signs committed state only; call it outside")
    if connection.vendor == "sqlite":
        # Appends nested in a caller's transaction (a ballot cast) committed with the
        # connection's synchronous=NORMAL; a power cut could still undo them.  One
        # synchronous=FULL commit fsyncs the whole WAL, so everything committed so far is
        # durable before any witness or reader sees a head that includes it.
        _make_durable()
        with transaction.atomic():
            Log.objects.filter(pk=log.pk).update(size=F("size"))
    head = Log.objects.get(pk=log.pk)
    latest = Checkpoint.objects.filter(log=head, size=head.size).first()
    if latest is not None and not force:
        return latest
    signer = keys.log_signer(head.name)
    if signer.vkey != head.vkey:
        raise RuntimeError(
            f"the configured key of log {head.name} is not the key it was created with "
            f"({head.vkey}); see docs/ledger.md on key rotation"
        )
    text = CheckpointText(head.origin, head.size, bytes(head.root)).to_text()
    note = latest.note if latest is not None else sign_note(text, [signer])
    reader = DbHashReader(head.pk)
    cosigned = collect_cosignatures(
        note=note,
        size=head.size,
        witnesses=keys.witnesses(),
        known_sizes=_witness_sizes(head),
        proof=lambda old, new: consistency_proof(reader, old, new),
        timeout=_timeout(),
    )
    with transaction.atomic():
        checkpoint, created = Checkpoint.objects.get_or_create(
            log=head, size=head.size, defaults={"root": bytes(head.root), "note": note}
        )
        for result in cosigned:
            Cosignature.objects.update_or_create(
                checkpoint=checkpoint,
                witness=result.witness,
                defaults={
                    "line": result.line,
                    "signed_at": datetime.datetime.fromtimestamp(result.timestamp, datetime.UTC),
                },
            )
        if created:
            audit_record(
                actor=None,
                action="ledger.checkpoint_published",
                target=checkpoint,
                details={"log": head.name, "size": head.size, "witnesses": len(cosigned)},
            )
    return checkpoint


def _timeout() -> float:
    from django.conf import settings

    return float(settings.LEDGER_WITNESS_TIMEOUT)


# --- Records: documents and vehicle inspections in the `records` log ----------------------
RECORDS_LOG = "records"


def _record(*, actor: Any, kind: str, lookup: str, title: str, document: dict[str, Any]) -> Record:
    if not actor.has_perm("ledger.record_documents"):
        raise PermissionDenied("Only officials with the records role can record in the ledger.")
    records_log = log_ensure(RECORDS_LOG)
    data = records.canonical(document)
    _make_durable()
    with transaction.atomic():
        index = entry_append(log=records_log, data=data, actor=actor)
        entry = Entry.objects.get(log=records_log, index=index)
        record = Record.objects.create(
            entry=entry, kind=kind, lookup=lookup, title=title[:200], recorded_by=actor
        )
        audit_record(
            actor=actor,
            action=f"ledger.{kind}_recorded",
            target=record,
            details={"index": index, "lookup": lookup},
        )
    return record


def document_record(*, actor: Any, title: str, sha256: str, department: str = "") -> Record:
    """Record that a document with this SHA-256 existed (the file itself is not stored)."""
    document = records.document(
        title=title, sha256=sha256, department=department, recorded_at=timezone.now()
    )
    return _record(
        actor=actor,
        kind=Record.Kind.DOCUMENT,
        lookup=document["sha256"],
        title=document["title"],
        document=document,
    )


def vehicle_inspection_record(
    *,
    actor: Any,
    vehicle_number: str,
    inspection_date: datetime.date,
    mileage_km: int,
    findings: str,
    inspector: str,
    place: str = "",
) -> Record:
    """Record a used-car performance inspection result."""
    document = records.vehicle_inspection(
        vehicle_number=vehicle_number,
        inspection_date=inspection_date,
        mileage_km=mileage_km,
        findings=findings,
        inspector=inspector,
        place=place,
        recorded_at=timezone.now(),
    )
    return _record(
        actor=actor,
        kind=Record.Kind.VEHICLE_INSPECTION,
        lookup=document["vehicle_number"],
        title=f"{document['vehicle_number']} {document['inspection_date']}",
        document=document,
    )
