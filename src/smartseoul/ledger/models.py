"""Ledger storage: logs, their entries, the perfect-subtree hashes proofs are read from,
signed checkpoints and witness cosignatures.

Only ``actions.py`` writes these tables.  Entries and nodes are never updated or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartseoul.ledger.merkle import EMPTY_ROOT, HASH_SIZE

# A Node's key packs (level, index) into one integer so a proof's O(log n) nodes are one
# indexed ``key IN (…)`` lookup on both databases.  Level 0 (the leaves) lives in Entry.
LEVEL_SHIFT = 56


def node_key(level: int, index: int) -> int:
    return (level << LEVEL_SHIFT) | index


class Log(models.Model):
    """One append-only Merkle log (RFC 9162) with its current committed head."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    origin = models.CharField(_("origin"), max_length=200, unique=True)
    vkey = models.CharField(_("verifier key"), max_length=300)
    size = models.BigIntegerField(_("size"), default=0)
    # The right-edge perfect subtree hashes of the tree of `size` leaves, concatenated
    # (merkle.Frontier): all an append needs, so appends never read old entries.
    frontier = models.BinaryField(default=b"")
    root = models.BinaryField(default=EMPTY_ROOT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger log")
        verbose_name_plural = _("ledger logs")
        ordering = ["name"]
        permissions = [
            (
                "record_documents",
                _("Can record documents and inspection results in the public ledger"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def frontier_hashes(self) -> list[bytes]:
        raw = bytes(self.frontier)
        return [raw[i : i + HASH_SIZE] for i in range(0, len(raw), HASH_SIZE)]


class Entry(models.Model):
    # No index of its own: the unique (log, index) one serves every lookup by log, and each
    # index costs a write per appended row.
    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="entries", db_index=False)
    index = models.BigIntegerField()
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=HASH_SIZE)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["log", "index"], name="ledger_entry_log_index"),
        ]
        indexes = [models.Index(fields=["log", "leaf_hash"], name="ledger_entry_leaf_hash")]

    def __str__(self) -> str:
        return f"{self.log_id}#{self.index}"


class Node(models.Model):
    """A completed perfect subtree of level ≥ 1 (its leaves never change)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="+", db_index=False)
    key = models.BigIntegerField()  # node_key(level, index)
    hash = models.BinaryField(max_length=HASH_SIZE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "key"], name="ledger_node_log_key")]

    def __str__(self) -> str:
        return f"{self.log_id}/{self.key >> LEVEL_SHIFT}/{self.key & ((1 << LEVEL_SHIFT) - 1)}"


class Checkpoint(models.Model):
    """A C2SP checkpoint of the log, signed by the log's key (cosignatures kept apart)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="checkpoints")
    size = models.BigIntegerField()
    root = models.BinaryField(max_length=HASH_SIZE)
    note = models.TextField()  # the signed note, log signature only
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.UniqueConstraint(fields=["log", "size"], name="ledger_checkpoint_log_size")
        ]

    def __str__(self) -> str:
        return f"{self.log_id}@{self.size}"


class Cosignature(models.Model):
    """A witness's tlog-cosignature/v1 line for one checkpoint."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.CharField(max_length=200)
    line = models.TextField()
    signed_at = models.DateTimeField()  # the timestamp inside the cosignature

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "witness"], name="ledger_cosignature_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint_id}"


class Record(models.Model):
    """Search index over the `records` log: what each entry is about, for /ledger/verify.

    The entry itself (canonical JSON) is the record; this only finds it by vehicle number or
    document hash.
    """

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        VEHICLE_INSPECTION = "vehicle_inspection", _("Vehicle inspection")

    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="record")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    lookup = models.CharField(max_length=100, db_index=True)  # vehicle number or sha256 hex
    title = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
