"""One proof that many entries are in an RFC 9162 tree (no Django).

RFC 9162 proves one leaf at a time (§2.1.3).  An election record proves every ballot of a
vote, scattered among other entries of the `votes` log: one audit path per ballot would
repeat the tree's upper levels thousands of times.  A *multi-leaf inclusion proof* sends each
needed hash once: the hashes ``MTH(D[lo:hi])`` of the maximal subtrees of RFC 9162's own
recursion that hold none of the proven leaves, depth first, left to right.  The verifier
rebuilds the root::

    root(lo, hi):
        no proven leaf in [lo, hi)   → the next proof hash
        hi − lo = 1                  → the proven leaf's hash
        otherwise, k = the largest power of two below hi − lo:
                                       SHA-256(0x01 ‖ root(lo, lo+k) ‖ root(lo+k, hi))

starting from ``root(0, size)``, and accepts if and only if every proof hash was used and the
result is the signed root.  With one proven leaf this is exactly RFC 9162's audit path
(bottom-up there, top-down here).  The proof is never longer than the single-leaf proofs
together, and each hash on it is checked once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from smartseoul.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    ProofError,
    ProofPlan,
    node_hash,
    range_nodes,
)


def _split(n: int) -> int:
    """RFC 9162's k: the largest power of two strictly below ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_indexes(indexes: Sequence[int], size: int) -> None:
    previous = -1
    for index in indexes:
        if isinstance(index, bool) or not isinstance(index, int):
            raise ProofError("leaf indexes must be integers")
        if index <= previous:
            raise ProofError("leaf indexes must be strictly increasing")
        previous = index
    if indexes and indexes[-1] >= size:
        raise ProofError(f"leaf index {indexes[-1]} is not below the tree size {size}")


def gaps(indexes: Sequence[int], size: int) -> list[tuple[int, int]]:
    """The ranges ``[lo, hi)`` whose hashes make the proof, in proof order."""
    _check_indexes(indexes, size)
    found: list[tuple[int, int]] = []

    def walk(lo: int, hi: int, a: int, b: int) -> None:  # indexes[a:b] lie in [lo, hi)
        if a == b:
            found.append((lo, hi))
        elif hi - lo > 1:
            middle = lo + _split(hi - lo)
            m = bisect_left(indexes, middle, a, b)
            walk(lo, middle, a, m)
            walk(middle, hi, m, b)

    if size:
        walk(0, size, 0, len(indexes))
    return found


def plan_multi_inclusion(indexes: Sequence[int], size: int) -> ProofPlan:
    """The stored perfect subtrees the proof folds from (see :class:`merkle.ProofPlan`)."""
    return ProofPlan(tuple(tuple(range_nodes(lo, hi)) for lo, hi in gaps(indexes, size)))


def root_from_multi_inclusion(
    indexes: Sequence[int], leaf_hashes: Sequence[bytes], size: int, proof: Sequence[bytes]
) -> bytes:
    """The root the proof and the proven leaves (``leaf_hashes[i]`` at ``indexes[i]``) imply."""
    _check_indexes(indexes, size)
    if len(leaf_hashes) != len(indexes):
        raise ProofError("one leaf hash per index is needed")
    if any(len(h) != HASH_SIZE for h in (*leaf_hashes, *proof)):
        raise ProofError(f"every hash must be {HASH_SIZE} bytes")
    if not size:
        if proof:
            raise ProofError("an empty tree has an empty proof")
        return EMPTY_ROOT
    used = 0

    def walk(lo: int, hi: int, a: int, b: int) -> bytes:
        nonlocal used
        if a == b:
            if used == len(proof):
                raise ProofError("the proof has too few hashes")
            used += 1
            return proof[used - 1]
        if hi - lo == 1:
            return leaf_hashes[a]
        middle = lo + _split(hi - lo)
        m = bisect_left(indexes, middle, a, b)
        left = walk(lo, middle, a, m)
        return node_hash(left, walk(middle, hi, m, b))

    root = walk(0, size, 0, len(indexes))
    if used != len(proof):
        raise ProofError("the proof has more hashes than the tree needs")
    return root


def verify_multi_inclusion(
    indexes: Sequence[int],
    leaf_hashes: Sequence[bytes],
    size: int,
    proof: Sequence[bytes],
    root: bytes,
) -> None:
    """Raise :class:`ProofError` unless the leaves are in the tree of ``size`` with ``root``."""
    if root_from_multi_inclusion(indexes, leaf_hashes, size, proof) != root:
        raise ProofError("the entries and the proof do not hash to the signed root")
