"""The C verifier kernel (native.py, _vartime.c) against libsodium, and the fallback.

Verifiers trust the kernel for every commitment they recompute, so it must agree with
libsodium on every input: which encodings are valid points, and every sum. These tests
compare the two on many random inputs; a single disagreement would let a verifier accept
a forged proof or reject an honest one.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading

import pytest
import rbcl

from smartseoul.voting.crypto import (
    ORDER,
    ElectionContext,
    G,
    Manifest,
    Point,
    ProofError,
    QuestionSpec,
    Scalar,
    encrypt_ballot,
    group,
    native,
    verify_ballot,
)
from smartseoul.voting.crypto.group import IDENTITY, PointSum, point_sum, vartime_sum

FIELD_PRIME = 2**255 - 19


def _random_point(rng: random.Random) -> Point:
    return Point.from_uniform(rng.getrandbits(512).to_bytes(64, "little"))


def _libsodium_sum(terms: list[tuple[int, Point]]) -> Point:
    total = IDENTITY
    for scalar, point in terms:
        total = total + point * (scalar % ORDER)
    return total


def test_the_kernel_is_in_use_wherever_a_compiler_is() -> None:
    # With a C compiler (CI and the supported machines have one) verification must not
    # silently fall back to the slow path; the fallback is tested below, when asked for.
    assert (group._native is not None) == (native._compiler() is not None)


def test_decoding_accepts_exactly_what_libsodium_accepts() -> None:
    rng = random.Random(1)
    candidates = [rng.randbytes(32) for _ in range(3000)]
    # Even, top bit clear: passes the cheap checks, so the square-root checks decide.
    candidates += [bytes([b[0] & 0xFE, *b[1:31], b[31] & 0x7F]) for b in candidates[:3000]]
    valid = [_random_point(rng).to_bytes() for _ in range(300)]
    candidates += valid
    # The same elements written non-canonically (+ p), and negated field elements.
    candidates += [
        (int.from_bytes(v, "little") + FIELD_PRIME).to_bytes(32, "little")
        for v in valid
        if int.from_bytes(v, "little") + FIELD_PRIME < 2**256
    ]
    candidates += [
        ((FIELD_PRIME - int.from_bytes(v, "little")) % FIELD_PRIME).to_bytes(32, "little")
        for v in valid
    ]
    candidates += [bytes(32), bytes([1]) + bytes(31), (FIELD_PRIME - 1).to_bytes(32, "little")]
    # Small values, and ±sqrt(-1), where 1 + s^2 = 0 makes the ratio's denominator zero.
    sqrt_m1 = pow(2, (FIELD_PRIME - 1) // 4, FIELD_PRIME)
    candidates += [n.to_bytes(32, "little") for n in range(0, 400, 2)]
    candidates += [x.to_bytes(32, "little") for x in (sqrt_m1, FIELD_PRIME - sqrt_m1)]
    accepted = 0
    for encoding in candidates:
        # libsodium 1.0.18 ignores the top bit, which RFC 9496 (and group.py) do not.
        top_bit_clear = not encoding[31] & 0x80
        expected = top_bit_clear and bool(rbcl.crypto_core_ristretto255_is_valid_point(encoding))
        try:
            Point.from_bytes(encoding)
            got = True
        except ProofError:
            got = False
        assert got == expected, encoding.hex()
        accepted += got
    # A real mix: all the valid ones and a good share of the random ones were accepted.
    assert 300 < accepted < len(candidates) - 3000


@pytest.mark.parametrize("count", [1, 2, 3, 5, 32, 33, 70])
def test_sums_equal_libsodiums(count: int) -> None:
    rng = random.Random(count)
    points = [_random_point(rng) for _ in range(count)]
    points[0] = G
    kinds = [
        lambda: rng.randrange(ORDER),
        lambda: -rng.randrange(ORDER),
        lambda: rng.randrange(1, 2**16),
        lambda: -rng.randrange(1, 2**16),
        lambda: 0,
        lambda: ORDER - 1,
        lambda: rng.randrange(2**300),  # reduced modulo the order first
    ]
    for _ in range(8):
        terms = [(rng.choice(kinds)(), p) for p in points]
        assert vartime_sum(terms) == _libsodium_sum(terms)


def test_sums_with_the_identity_and_to_the_identity() -> None:
    rng = random.Random(3)
    p = _random_point(rng)
    assert vartime_sum([(5, IDENTITY)]) == IDENTITY
    assert vartime_sum([(7, p), (-7, p)]) == IDENTITY
    assert vartime_sum([(0, p)]) == IDENTITY
    assert vartime_sum([(ORDER, p)]) == IDENTITY
    assert vartime_sum([(1, IDENTITY), (3, p)]) == p * 3
    # A result is a full Point: usable by libsodium again.
    assert vartime_sum([(2, p)]) + p == p * 3


def test_a_running_sum_equals_libsodiums_additions() -> None:
    rng = random.Random(4)
    points = [_random_point(rng) for _ in range(200)]
    running = PointSum()
    for point in points:
        running.add(point)
    assert running.point() == point_sum(points)
    assert PointSum().point() == IDENTITY


def test_threads_summing_at_once_get_their_own_results() -> None:
    # ctypes lets go of the GIL during the call: the kernel must keep no shared state.
    rng = random.Random(5)
    jobs = [[(rng.randrange(ORDER), _random_point(rng)) for _ in range(4)] for _ in range(8)]
    expected = [_libsodium_sum(terms) for terms in jobs]
    results: list[list[Point]] = [[] for _ in jobs]

    def work(i: int) -> None:
        for _ in range(40):
            results[i].append(vartime_sum(jobs[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, got in enumerate(results):
        assert got == [expected[i]] * 40


_VERIFY_SCRIPT = """
import json, sys
from smartseoul.voting.crypto import (ElectionContext, EncryptedBallot, Manifest, Point,
    ProofError, verify_ballot)
from smartseoul.voting.crypto import group
data = json.loads(sys.stdin.read())
context = ElectionContext.create(Manifest.from_json(data["manifest"]),
    Point.from_bytes(bytes.fromhex(data["key"])))
outcomes = []
for ballot in data["ballots"]:
    try:
        verify_ballot(context, EncryptedBallot.from_json(ballot))
        outcomes.append("valid")
    except ProofError as error:
        outcomes.append(str(error))
print(json.dumps({"kernel": group._native is not None, "outcomes": outcomes}))
"""


def test_the_libsodium_fallback_reaches_the_same_verdicts() -> None:
    manifest = Manifest(bytes(32), (QuestionSpec(4, 1, 2), QuestionSpec(3, 0, 3)))
    key = G * Scalar.random()
    context = ElectionContext.create(manifest, key)
    honest, _ = encrypt_ballot(context, [[1, 0, 1, 0], [0, 1, 1]])
    verify_ballot(context, honest)
    document = honest.to_json()
    tampered = json.loads(json.dumps(document))
    proof = tampered["questions"][0]["options"][2]["proof"]
    proof["v"][0], proof["v"][1] = proof["v"][1], proof["v"][0]
    swapped = json.loads(json.dumps(document))
    first = swapped["questions"][1]["options"]
    first[0]["alpha"], first[1]["alpha"] = first[1]["alpha"], first[0]["alpha"]
    payload = json.dumps(
        {"manifest": manifest.to_json(), "key": key.hex(), "ballots": [document, tampered, swapped]}
    )
    verdicts = {}
    for setting in ("1", "0"):
        done = subprocess.run(
            [sys.executable, "-c", _VERIFY_SCRIPT],
            input=payload,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "SMARTSEOUL_VARTIME": setting},
        )
        verdicts[setting] = json.loads(done.stdout)
    assert verdicts["1"]["kernel"] is True
    assert verdicts["0"]["kernel"] is False
    assert verdicts["1"]["outcomes"] == verdicts["0"]["outcomes"]
    assert verdicts["1"]["outcomes"][0] == "valid"
    assert "question 0 option 2" in verdicts["1"]["outcomes"][1]
    assert "question 1 option 0" in verdicts["1"]["outcomes"][2]
