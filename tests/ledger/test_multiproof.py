"""Multi-leaf inclusion proofs: many entries of a log proven against one signed root."""

from __future__ import annotations

import random

import pytest

from smartseoul.ledger.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    ProofError,
    inclusion_proof,
    leaf_hash,
)
from smartseoul.ledger.multiproof import (
    plan_multi_inclusion,
    root_from_multi_inclusion,
    verify_multi_inclusion,
)


def tree_of(size: int) -> MemoryTree:
    tree = MemoryTree()
    tree.extend(f"entry {i}".encode() for i in range(size))
    return tree


def prove(tree: MemoryTree, indexes: list[int]) -> list[bytes]:
    return plan_multi_inclusion(indexes, tree.size).run(tree)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64, 100, 257])
def test_any_subset_of_entries_proves_against_the_root(size: int) -> None:
    tree = tree_of(size)
    rng = random.Random(size)
    for _ in range(20):
        indexes = sorted(rng.sample(range(size), rng.randint(0, size)))
        proof = prove(tree, indexes)
        leaves = [leaf_hash(f"entry {i}".encode()) for i in indexes]
        verify_multi_inclusion(indexes, leaves, size, proof, tree.root())


def test_one_leaf_needs_the_hashes_of_its_rfc9162_audit_path() -> None:
    tree = tree_of(11)
    for index in range(11):
        assert sorted(prove(tree, [index])) == sorted(inclusion_proof(tree, index, 11))


def test_shared_hashes_are_sent_once() -> None:
    tree = tree_of(1024)
    indexes = list(range(0, 1024, 2))
    # Every sibling is a leaf of its own: one hash per proven leaf, no upper levels at all.
    assert len(prove(tree, indexes)) == 512
    assert len(prove(tree, list(range(1024)))) == 0


def test_a_changed_missing_or_moved_entry_fails() -> None:
    tree = tree_of(100)
    indexes = [3, 17, 18, 64, 99]
    proof = prove(tree, indexes)
    leaves = [leaf_hash(f"entry {i}".encode()) for i in indexes]
    root = tree.root()
    with pytest.raises(ProofError):
        verify_multi_inclusion(indexes, [leaf_hash(b"forged"), *leaves[1:]], 100, proof, root)
    with pytest.raises(ProofError):  # an entry dropped from the set
        verify_multi_inclusion(indexes[1:], leaves[1:], 100, proof, root)
    with pytest.raises(ProofError):  # claimed at another index
        verify_multi_inclusion([4, *indexes[1:]], leaves, 100, proof, root)
    with pytest.raises(ProofError):
        verify_multi_inclusion(indexes, leaves, 100, [*proof, proof[0]], root)
    with pytest.raises(ProofError):
        verify_multi_inclusion(list(reversed(indexes)), leaves, 100, proof, root)


def test_the_empty_tree() -> None:
    assert root_from_multi_inclusion([], [], 0, []) == EMPTY_ROOT
    with pytest.raises(ProofError):
        root_from_multi_inclusion([0], [EMPTY_ROOT], 0, [])
