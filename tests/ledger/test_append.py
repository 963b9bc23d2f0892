"""Appends through ledger.actions: one consistent RFC 9162 tree, proofs from the database."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError

from smartseoul.audit.models import AuditEvent
from smartseoul.ledger import actions, queries
from smartseoul.ledger.checkpoint import open_checkpoint
from smartseoul.ledger.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    leaf_hash,
    mth,
    verify_consistency,
    verify_inclusion,
)
from smartseoul.ledger.models import Entry, Log
from smartseoul.ledger.note import parse_verifier_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def votes() -> Log:
    return actions.log_ensure("votes")


def test_a_configured_log_is_created_with_its_origin_and_key(votes: Log) -> None:
    assert votes.origin.endswith("/ledger/votes")
    assert parse_verifier_key(votes.vkey).name == votes.origin
    assert votes.size == 0
    assert bytes(votes.root) == EMPTY_ROOT
    assert actions.log_ensure("votes").pk == votes.pk
    with pytest.raises(Log.DoesNotExist):
        actions.log_ensure("elsewhere")


def test_appends_build_the_rfc9162_tree_and_proofs_verify(votes: Log) -> None:
    rng = random.Random(9162)
    entries: list[bytes] = []
    for batch in (1, 2, 5, 1, 37, 300, 1, 1000):
        data = [rng.randbytes(rng.randint(0, 80)) for _ in range(batch)]
        first = len(entries)
        assert actions.entries_append(log=votes, data=data) == list(range(first, first + batch))
        entries += data
    assert actions.entry_append(log=votes, data=b"last") == len(entries)
    entries.append(b"last")

    votes.refresh_from_db()
    assert votes.size == len(entries)
    assert bytes(votes.root) == mth(entries)
    memory = MemoryTree()
    memory.extend(entries)
    for size in (1, 2, 3, 8, 9, 346, 1000, len(entries)):
        root = memory.root(size)
        for index in {0, size // 2, size - 1, rng.randrange(size)}:
            proof = queries.inclusion(votes, index=index, leaf=None, tree_size=size)
            assert proof["hashes"] == memory.inclusion_proof(index, size)
            verify_inclusion(leaf_hash(entries[index]), index, size, proof["hashes"], root)
        for old in {0, 1, size // 3, size - 1, size}:
            proof = queries.consistency(votes, first=old, second=size)
            verify_consistency(old, size, memory.root(old), root, proof["hashes"])


def test_an_append_is_all_or_nothing_and_audited(votes: Log) -> None:
    actions.entries_append(log=votes, data=[b"a", b"b"])
    with pytest.raises(ValidationError):
        actions.entries_append(log=votes, data=[b"c", b"x" * (actions.MAX_ENTRY_BYTES + 1)])
    with pytest.raises(TypeError):
        actions.entries_append(log=votes, data=b"not a list")  # type: ignore[arg-type]
    assert actions.entries_append(log=votes, data=[]) == []
    votes.refresh_from_db()
    assert votes.size == 2
    assert Entry.objects.filter(log=votes).count() == 2
    event = AuditEvent.objects.get(action="ledger.entries_appended")
    assert event.details == {"first": 0, "count": 2}


def test_a_checkpoint_signs_the_committed_head(votes: Log) -> None:
    actions.entries_append(log=votes, data=[b"one", b"two", b"three"])
    checkpoint = actions.checkpoint_publish(log=votes)
    parsed, _ = open_checkpoint(
        checkpoint.note, [parse_verifier_key(votes.vkey)], origin=votes.origin
    )
    assert parsed.size == 3
    assert parsed.root_hash == mth([b"one", b"two", b"three"])
    # Nothing new: the same checkpoint.
    assert actions.checkpoint_publish(log=votes).pk == checkpoint.pk


def test_checkpoints_are_never_signed_inside_a_transaction(votes: Log) -> None:
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError):
        actions.checkpoint_publish(log=votes)
