"""RFC 9162 §2.1 Merkle trees: hashes, proofs and their verification (no Django).

The *perfect subtree* ``(level L, index i)`` covers leaves ``[i * 2**L, (i + 1) * 2**L)``.
A log only needs to store those once complete: every other hash the RFC uses (the
root, an imperfect right-edge subtree ``MTH(D[k:n])``) folds from at most ~log2(n)
of them. So proofs are built from a :class:`HashReader`, one batched call each,
never from the list of all leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

HASH_SIZE = 32
#: MTH({}) = SHA-256() — RFC 9162 §2.1.1.
EMPTY_ROOT = hashlib.sha256(b"").digest()
#: RFC 9162 tree sizes are uint64, so no proof needs more than 64 hashes; a
#: longer one is rejected before any hashing is done.
MAX_PROOF_HASHES = 64
MAX_TREE_SIZE = (1 << 64) - 1

NodeKey = tuple[int, int]
"""``(level, index)`` of a perfect subtree."""

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A proof is malformed or does not verify."""


class HashReader(Protocol):
    """Stored perfect-subtree hashes; ``get_nodes`` answers in request order.

    Only subtrees complete within the tree size in use are asked for. Meant
    to be one query (in the Django app, one ``(level, index) IN …`` select).
    """

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]: ...


def leaf_hash(entry: bytes) -> bytes:
    """MTH({d0}) = SHA-256(0x00 || d0) — RFC 9162 §2.1.1."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) — RFC 9162 §2.1.1."""
    return _sha256(b"\x01" + left + right).digest()


def fold_right_edge(hashes: Sequence[bytes]) -> bytes:
    """MTH of a compact range given its perfect subtrees left to right.

    RFC 9162 splits at the largest power of two below the size, which is the
    first subtree of :func:`range_nodes`, and recurses on the rest: a fold
    from the right.
    """
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def range_nodes(begin: int, end: int) -> list[NodeKey]:
    """The fewest perfect subtrees covering leaves ``[begin, end)``, left to right.

    For ``[0, n)`` these are the right-edge "frontier" of a tree of size n
    (one per set bit of n); for an RFC 9162 subtree ``D[k:n]`` they are the
    pieces :func:`fold_right_edge` combines into ``MTH(D[k:n])``.
    """
    if not 0 <= begin <= end:
        raise ValueError(f"invalid range [{begin}, {end})")
    keys: list[NodeKey] = []
    while begin < end:
        # The biggest subtree that starts here is bounded by begin's alignment
        # and by what is left of the range.
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        keys.append((level, begin >> level))
        begin += 1 << level
    return keys


def _split(n: int) -> int:
    """Largest power of two strictly below n (n >= 2) — RFC 9162's k."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int")
    if not 0 <= value <= MAX_TREE_SIZE:
        raise ValueError(f"{name} out of range: {value}")


@dataclass(frozen=True)
class ProofPlan:
    """The perfect subtrees a proof needs, and how to combine them.

    Each of ``parts`` is one proof hash, as the subtrees to fold (see
    :func:`fold_right_edge`); ``keys`` lists every node once, for a single
    ``get_nodes`` call (callers may merge several plans into one query).
    """

    parts: tuple[tuple[NodeKey, ...], ...]
    keys: tuple[NodeKey, ...] = field(init=False)

    def __post_init__(self) -> None:
        unique = dict.fromkeys(k for part in self.parts for k in part)
        object.__setattr__(self, "keys", tuple(unique))

    def assemble(self, hashes: Sequence[bytes]) -> list[bytes]:
        """Build the proof from the hashes of ``keys`` (same order)."""
        if len(hashes) != len(self.keys):
            raise ValueError(f"expected {len(self.keys)} hashes, got {len(hashes)}")
        for h in hashes:
            if len(h) != HASH_SIZE:
                raise ValueError("hash store returned a hash that is not 32 bytes")
        by_key = dict(zip(self.keys, hashes, strict=True))
        return [fold_right_edge([by_key[k] for k in part]) for part in self.parts]

    def run(self, reader: HashReader) -> list[bytes]:
        """Fetch the nodes in one batch and assemble the proof."""
        return self.assemble(reader.get_nodes(self.keys) if self.keys else [])


def plan_root(size: int) -> ProofPlan:
    """Plan for the root hash of the tree of ``size`` leaves (one part)."""
    _check_size("size", size)
    return ProofPlan((tuple(range_nodes(0, size)),))


def plan_inclusion(index: int, size: int) -> ProofPlan:
    """Plan for PATH(index, D[size]) — RFC 9162 §2.1.3.1.

    PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) if m < k, else
    PATH(m - k, D[k:n]) : MTH(D[0:k]). Walked from the root down, so the
    collected siblings are reversed at the end (the proof lists them leaf
    first).
    """
    _check_size("size", size)
    _check_size("index", index)
    if index >= size:
        raise ValueError(f"index {index} is not below tree size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ProofPlan(tuple(tuple(range_nodes(a, b)) for a, b in ranges))


def plan_consistency(old_size: int, new_size: int) -> ProofPlan:
    """Plan for PROOF(old_size, D[new_size]) — RFC 9162 §2.1.4.1.

    SUBPROOF(m, D[n], b): {} if m == n and b; {MTH(D[m])} if m == n and not b;
    otherwise SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) when m <= k, and
    SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]) when m > k. The proof for
    old_size 0 or old_size == new_size is empty.
    """
    _check_size("old_size", old_size)
    _check_size("new_size", new_size)
    if old_size > new_size:
        raise ValueError(f"old size {old_size} exceeds new size {new_size}")
    if old_size in (0, new_size):
        return ProofPlan(())
    ranges: list[tuple[int, int]] = []
    lo, hi, m, whole_old_tree = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            m -= k
            lo += k
            whole_old_tree = False
    if not whole_old_tree:
        ranges.append((lo, hi))
    ranges.reverse()
    return ProofPlan(tuple(tuple(range_nodes(a, b)) for a, b in ranges))


def root_hash(reader: HashReader, size: int) -> bytes:
    """Root of the tree of ``size`` leaves from stored perfect subtrees."""
    return plan_root(size).run(reader)[0]


def inclusion_proof(reader: HashReader, index: int, size: int) -> list[bytes]:
    """Inclusion proof for leaf ``index`` in the tree of ``size`` leaves."""
    return plan_inclusion(index, size).run(reader)


def consistency_proof(reader: HashReader, old_size: int, new_size: int) -> list[bytes]:
    """Consistency proof from the tree of ``old_size`` to ``new_size``."""
    return plan_consistency(old_size, new_size).run(reader)


def _check_proof(proof: Sequence[bytes], *hashes: bytes) -> None:
    if len(proof) > MAX_PROOF_HASHES:
        raise ProofError(f"proof has {len(proof)} hashes, more than {MAX_PROOF_HASHES}")
    for h in (*hashes, *proof):
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ProofError("every hash must be 32 bytes")


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to — RFC 9162 §2.1.3.2 steps 1-4.

    Raises :class:`ProofError` when the proof's length does not fit the
    index and size (step 4a, and "sn is 0" in step 5).
    """
    _check_size("size", size)
    _check_size("index", index)
    _check_proof(proof, leaf)
    if index >= size:
        raise ProofError(f"index {index} is not below tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` is at ``index`` in the tree ``(size, root)``.

    RFC 9162 §2.1.3.2. Raises :class:`ProofError` if not; returns nothing so
    that a forgotten result check cannot turn into a silent accept.
    """
    _check_proof((), root)
    if root_from_inclusion_proof(leaf, index, size, proof) != root:
        raise ProofError("inclusion proof does not lead to the expected root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that tree ``(new_size, new_root)`` extends ``(old_size, old_root)``.

    RFC 9162 §2.1.4.2, which is defined for 0 < old_size < new_size. The two
    trivial cases follow the witness protocol (c2sp.org/tlog-witness,
    "add-checkpoint"): equal sizes need equal roots and an empty proof; the
    empty tree (whose root must be SHA-256 of "") is consistent with any tree
    and its proof is empty. Raises :class:`ProofError` on any failure.
    """
    _check_size("old_size", old_size)
    _check_size("new_size", new_size)
    _check_proof(proof, old_root, new_root)
    if old_size > new_size:
        raise ProofError(f"old size {old_size} exceeds new size {new_size}")
    if old_size == 0 and old_root != EMPTY_ROOT:
        raise ProofError("a tree of size 0 must have the empty root hash")
    if old_size in (0, new_size):
        if proof:
            raise ProofError("proof from the empty tree or between equal sizes must be empty")
        if old_size == new_size and old_root != new_root:
            raise ProofError("same tree size but different root hashes")
        return
    # 1. An empty path cannot prove anything between distinct non-empty trees.
    if not proof:
        raise ProofError("consistency proof is empty")
    # 2. A power-of-two old tree is itself a node of the new one: the proof
    # omits it and the verifier supplies it.
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    # 3-4.
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5-6.
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError("consistency proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("consistency proof does not lead to the new root")


def root_from_leaves(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of a stream of leaf hashes, in O(log n) memory.

    The stack is the frontier: pushing leaf number ``i`` merges one pending
    subtree per trailing one bit of ``i``. This is the full-audit path, so it
    is kept free of per-leaf bookkeeping.
    """
    stack: list[bytes] = []
    append, pop, sha = stack.append, stack.pop, _sha256
    for count, leaf in enumerate(leaf_hashes):
        h, n = leaf, count
        while n & 1:
            h = sha(b"\x01" + pop() + h).digest()
            n >>= 1
        append(h)
    return fold_right_edge(stack)


def mth(entries: Iterable[bytes]) -> bytes:
    """MTH(D[n]) of raw entries — RFC 9162 §2.1.1."""
    return root_from_leaves(map(leaf_hash, entries))


@dataclass
class Frontier:
    """The compact range ``[0, size)``: right-edge perfect subtree hashes.

    ``hashes`` lists the subtrees of ``range_nodes(0, size)``, largest first.
    Appending needs nothing else (no old leaves), and reports every perfect
    subtree it completes so the caller can store it for proof generation.
    """

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        _check_size("size", self.size)
        want = self.size.bit_count()
        if len(self.hashes) != want:
            raise ValueError(
                f"a frontier of size {self.size} has {want} hashes, not {len(self.hashes)}"
            )
        if any(len(h) != HASH_SIZE for h in self.hashes):
            raise ValueError("frontier hashes must be 32 bytes")

    @classmethod
    def load(cls, reader: HashReader, size: int) -> Frontier:
        """Read the frontier of the tree of ``size`` leaves in one batch."""
        keys = range_nodes(0, size)
        hashes = list(reader.get_nodes(keys)) if keys else []
        return cls(size, hashes)

    def keys(self) -> list[NodeKey]:
        """The ``(level, index)`` of each hash in ``hashes``."""
        return range_nodes(0, self.size)

    def root(self) -> bytes:
        return fold_right_edge(self.hashes)

    def append(self, leaf: bytes) -> list[tuple[NodeKey, bytes]]:
        """Add one leaf hash; return the perfect subtrees it completed.

        The first item is the leaf itself at ``(0, index)``.
        """
        if len(leaf) != HASH_SIZE:
            raise ValueError("leaf hash must be 32 bytes")
        index = self.size
        done: list[tuple[NodeKey, bytes]] = [((0, index), leaf)]
        h, level, i = leaf, 0, index
        while i & 1:
            h = node_hash(self.hashes.pop(), h)
            i >>= 1
            level += 1
            done.append(((level, i), h))
        self.hashes.append(h)
        self.size = index + 1
        return done

    def extend(self, leaves: Iterable[bytes]) -> list[tuple[NodeKey, bytes]]:
        """Append many leaf hashes; return every subtree they completed."""
        done: list[tuple[NodeKey, bytes]] = []
        for leaf in leaves:
            done += self.append(leaf)
        return done

    def copy(self) -> Frontier:
        return Frontier(self.size, list(self.hashes))


class MemoryTree:
    """An in-memory log keeping every perfect subtree hash.

    Each level is one ``bytearray`` of concatenated 32-byte hashes: two
    hashes per leaf in total, 64 MB for a million leaves, with appends O(1)
    amortized. Implements :class:`HashReader`.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = []
        self._size = 0
        self.extend_leaf_hashes(leaf_hashes)

    def __len__(self) -> int:
        return self._size

    @property
    def size(self) -> int:
        return self._size

    def append_leaf_hash(self, leaf: bytes) -> int:
        """Append a leaf hash; return its index."""
        if len(leaf) != HASH_SIZE:
            raise ValueError("leaf hash must be 32 bytes")
        levels, index = self._levels, self._size
        h, level, i = leaf, 0, index
        while True:
            if level == len(levels):
                levels.append(bytearray())
            row = levels[level]
            row += h
            if not i & 1:
                break
            # i is a right child: its parent is now complete.
            start = (i - 1) * HASH_SIZE
            h = _sha256(b"\x01" + row[start : start + 2 * HASH_SIZE]).digest()
            i >>= 1
            level += 1
        self._size = index + 1
        return index

    def append(self, entry: bytes) -> int:
        """Append a raw entry (hashed with :func:`leaf_hash`); return its index."""
        return self.append_leaf_hash(leaf_hash(entry))

    def extend_leaf_hashes(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append_leaf_hash(leaf)

    def extend(self, entries: Iterable[bytes]) -> None:
        self.extend_leaf_hashes(map(leaf_hash, entries))

    def node(self, level: int, index: int) -> bytes:
        if level < 0 or index < 0 or level >= len(self._levels):
            raise KeyError((level, index))
        row = self._levels[level]
        start = index * HASH_SIZE
        if start + HASH_SIZE > len(row):
            raise KeyError((level, index))
        return bytes(row[start : start + HASH_SIZE])

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        return [self.node(level, index) for level, index in keys]

    def leaf_hash(self, index: int) -> bytes:
        return self.node(0, index)

    def _size_or_current(self, size: int | None) -> int:
        if size is None:
            return self._size
        if not 0 <= size <= self._size:
            raise ValueError(f"tree size {size} is beyond the {self._size} stored leaves")
        return size

    def root(self, size: int | None = None) -> bytes:
        return root_hash(self, self._size_or_current(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(self, index, self._size_or_current(size))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(self, old_size, self._size_or_current(new_size))

    def frontier(self, size: int | None = None) -> Frontier:
        return Frontier.load(self, self._size_or_current(size))
