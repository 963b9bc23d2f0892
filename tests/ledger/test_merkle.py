"""RFC 9162 Merkle tree: vectors, a naive reference, and property tests."""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    NodeKey,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    mth,
    node_hash,
    plan_consistency,
    plan_inclusion,
    range_nodes,
    root_from_inclusion_proof,
    root_from_leaves,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

# The leaf inputs of the RFC 6962 test suites (Certificate Transparency,
# Trillian, github.com/transparency-dev/merkle testonly/constants.go).
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
# Root hashes of the trees of size 0..8 over LEAVES, from the same source.
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (index, size, proof) — transparency-dev/merkle testdata/inclusion/*/happy-path.json
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 8, ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]),
    (5, 8, ["vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
    (2, 3, ["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="]),
    (1, 5, ["bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
]  # fmt: skip
# (old size, new size, proof) — testdata/consistency/*/happy-path.json
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (1, 8, ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]),
    (6, 8, ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
    (2, 5, ["Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
    (6, 7, ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
]  # fmt: skip


# --- a naive reference, written straight from the RFC 9162 §2.1 definitions ---


def ref_mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < len(d):
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return [] if m == 0 else ref_subproof(m, d, True)


MAX_N = 300
ENTRIES = [b"entry %d" % i for i in range(MAX_N)]
TREE = MemoryTree()
TREE.extend(ENTRIES)


def b64(items: list[str]) -> list[bytes]:
    return [base64.b64decode(x) for x in items]


def flip(data: bytes, pos: int) -> bytes:
    pos %= len(data)
    return data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1 :]


class CountingReader:
    """A HashReader that records how it is called."""

    def __init__(self, inner: MemoryTree) -> None:
        self.inner = inner
        self.calls: list[Sequence[NodeKey]] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        self.calls.append(list(keys))
        return self.inner.get_nodes(keys)


# --- known vectors ---


def test_hash_definitions():
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )


@pytest.mark.parametrize("size", range(9))
def test_known_roots(size):
    tree = MemoryTree()
    tree.extend(LEAVES)
    assert tree.root(size).hex() == ROOTS[size]
    assert mth(LEAVES[:size]).hex() == ROOTS[size]
    assert ref_mth(LEAVES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_known_inclusion_proofs(index, size, proof):
    tree = MemoryTree()
    tree.extend(LEAVES)
    assert tree.inclusion_proof(index, size) == b64(proof)
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, b64(proof), bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_known_consistency_proofs(old, new, proof):
    tree = MemoryTree()
    tree.extend(LEAVES)
    assert tree.consistency_proof(old, new) == b64(proof)
    verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), b64(proof))


def test_known_consistency_proof_refuses_swapped_roots():
    old, new, proof = CONSISTENCY_VECTORS[2]
    with pytest.raises(ProofError):
        verify_consistency(
            old, new, bytes.fromhex(ROOTS[new]), bytes.fromhex(ROOTS[old]), b64(proof)
        )


# --- edge cases ---

A, B = b"\xaa" * 32, b"\xbb" * 32


@pytest.mark.parametrize(
    ("old", "new", "root1", "root2", "proof"),
    [
        (2, 1, A, B, []),  # shrinking tree
        (1, 0, A, B, []),
        (0, 0, EMPTY_ROOT, B, []),  # size 0 with a non-empty root
        (0, 0, A, A, []),  # empty tree must have the empty root
        (0, 1, A, B, []),
        (0, 1, EMPTY_ROOT, B, [EMPTY_ROOT]),  # proof from size 0 must be empty
        (1, 1, A, B, []),  # same size, different roots
        (1, 1, A, A, [A]),  # same size, non-empty proof
        (1, 2, A, B, []),  # distinct sizes need a proof
        (1, 2, A, B, [b"short"]),  # malformed hash
        (1, 2, A, B, [A] * 65),  # absurdly long proof
    ],
)
def test_consistency_edge_cases_fail(old, new, root1, root2, proof):
    with pytest.raises(ProofError):
        verify_consistency(old, new, root1, root2, proof)


def test_consistency_trivial_cases_pass():
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, TREE.root(5), [])
    verify_consistency(7, 7, TREE.root(7), TREE.root(7), [])


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (5, 5)])
def test_inclusion_index_out_of_range(index, size):
    with pytest.raises(ProofError):
        verify_inclusion(TREE.leaf_hash(0), index, size, [], EMPTY_ROOT)
    with pytest.raises(ValueError, match="not below"):
        plan_inclusion(index, size)


def test_plans_reject_bad_sizes():
    with pytest.raises(ValueError, match="exceeds"):
        plan_consistency(3, 2)
    with pytest.raises(ValueError, match="beyond"):
        TREE.root(MAX_N + 1)
    with pytest.raises(TypeError):
        plan_consistency(True, 2)


# --- the hash-store path against the naive definitions ---


def test_every_proof_up_to_64_matches_the_definition():
    for n in range(1, 65):
        assert TREE.root(n) == ref_mth(ENTRIES[:n])
        for i in range(n):
            assert TREE.inclusion_proof(i, n) == ref_path(i, ENTRIES[:n])
        for m in range(n + 1):
            assert TREE.consistency_proof(m, n) == ref_proof(m, ENTRIES[:n])


sizes = st.integers(min_value=1, max_value=MAX_N)


@given(data=st.data(), n=sizes)
@settings(max_examples=150, deadline=None)
def test_inclusion_proofs(data, n):
    i = data.draw(st.integers(0, n - 1), label="index")
    proof = TREE.inclusion_proof(i, n)
    assert proof == ref_path(i, ENTRIES[:n])
    root = TREE.root(n)
    verify_inclusion(leaf_hash(ENTRIES[i]), i, n, proof, root)
    assert root_from_inclusion_proof(TREE.leaf_hash(i), i, n, proof) == root


@given(data=st.data(), n=sizes)
@settings(max_examples=150, deadline=None)
def test_consistency_proofs(data, n):
    m = data.draw(st.integers(0, n), label="old size")
    proof = TREE.consistency_proof(m, n)
    assert proof == ref_proof(m, ENTRIES[:n])
    verify_consistency(m, n, TREE.root(m), TREE.root(n), proof)


@given(data=st.data(), n=st.integers(min_value=2, max_value=MAX_N))
@settings(max_examples=150, deadline=None)
def test_tampered_inclusion_fails(data, n):
    i = data.draw(st.integers(0, n - 1), label="index")
    proof, root, leaf = TREE.inclusion_proof(i, n), TREE.root(n), TREE.leaf_hash(i)
    pos = data.draw(st.integers(0, 31), label="byte")
    k = data.draw(st.integers(0, len(proof) - 1), label="proof element")
    tampered = [*proof[:k], flip(proof[k], pos), *proof[k + 1 :]]
    for args in [
        (leaf, i, n, tampered, root),
        (leaf, i, n, proof, flip(root, pos)),
        (flip(leaf, pos), i, n, proof, root),
        (leaf, i, n, proof[:-1], root),
        (leaf, i, n, [*proof, proof[0]], root),
        (leaf, (i + 1) % n, n, proof, root),
    ]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)


@given(data=st.data(), n=st.integers(min_value=3, max_value=MAX_N))
@settings(max_examples=150, deadline=None)
def test_tampered_consistency_fails(data, n):
    m = data.draw(st.integers(1, n - 1), label="old size")
    proof, old, new = TREE.consistency_proof(m, n), TREE.root(m), TREE.root(n)
    pos = data.draw(st.integers(0, 31), label="byte")
    k = data.draw(st.integers(0, len(proof) - 1), label="proof element")
    tampered = [*proof[:k], flip(proof[k], pos), *proof[k + 1 :]]
    for args in [
        (m, n, old, new, tampered),
        (m, n, flip(old, pos), new, proof),
        (m, n, old, flip(new, pos), proof),
        (m, n, old, new, proof[:-1]),
        (m, n, old, new, [*proof, proof[0]]),
    ]:
        with pytest.raises(ProofError):
            verify_consistency(*args)


@given(n=sizes, data=st.data())
@settings(max_examples=100, deadline=None)
def test_proofs_fetch_few_nodes_in_one_batch(n, data):
    i = data.draw(st.integers(0, n - 1))
    m = data.draw(st.integers(0, n))
    bound = 2 * math.ceil(math.log2(n + 1)) + 1
    for build in (
        lambda r: inclusion_proof(r, i, n),
        lambda r: consistency_proof(r, m, n),
        lambda r: root_hash(r, n),
    ):
        reader = CountingReader(TREE)
        build(reader)
        assert len(reader.calls) <= 1
        assert all(len(keys) <= bound for keys in reader.calls)
        # Only complete subtrees within the tree of size n are ever asked for.
        for level, index in (k for keys in reader.calls for k in keys):
            assert (index + 1) << level <= n


# --- compact ranges / frontiers ---


@given(st.integers(0, 2000), st.integers(0, 2000))
def test_range_nodes_cover_the_range_with_aligned_subtrees(begin, length):
    end = begin + length
    pos = begin
    for level, index in range_nodes(begin, end):
        assert index << level == pos
        pos += 1 << level
    assert pos == end
    assert len(range_nodes(0, end)) == end.bit_count()


@given(old=st.integers(0, MAX_N), data=st.data())
@settings(max_examples=100, deadline=None)
def test_frontier_append_without_old_leaves(old, data):
    new = data.draw(st.integers(old, MAX_N), label="new size")
    frontier = Frontier.load(TREE, old)
    assert frontier.root() == TREE.root(old)
    completed = frontier.extend(TREE.leaf_hash(i) for i in range(old, new))
    assert frontier.size == new
    assert frontier.root() == TREE.root(new)
    assert frontier.hashes == TREE.frontier(new).hashes
    # Every perfect subtree that became complete is reported, with its hash.
    expected = {
        (level, index)
        for level in range(10)
        for index in range(new >> level)
        if (index + 1) << level > old
    }
    assert {key for key, _ in completed} == expected
    assert all(TREE.node(*key) == h for key, h in completed)


def test_frontier_validates_its_shape():
    with pytest.raises(ValueError, match="has 2 hashes"):
        Frontier(3, [A])
    assert Frontier().root() == EMPTY_ROOT
    copy = TREE.frontier(5).copy()
    copy.append(A)
    assert TREE.frontier(5).size == 5


@given(st.lists(st.binary(max_size=8), max_size=70))
def test_root_from_leaves_matches_definition(entries):
    assert root_from_leaves(leaf_hash(e) for e in entries) == ref_mth(entries)
    assert mth(entries) == ref_mth(entries)


def test_memory_tree_rejects_missing_nodes():
    tree = MemoryTree()
    tree.extend(LEAVES[:3])
    assert tree.get_nodes([(1, 0), (0, 2)]) == [
        node_hash(leaf_hash(LEAVES[0]), leaf_hash(LEAVES[1])),
        leaf_hash(LEAVES[2]),
    ]
    with pytest.raises(KeyError):
        tree.node(1, 1)  # leaves 2-3: incomplete
    with pytest.raises(ValueError, match="32 bytes"):
        tree.append_leaf_hash(b"short")
