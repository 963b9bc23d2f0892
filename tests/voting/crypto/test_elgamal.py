"""Exponential ElGamal: decryption, homomorphism, weights, bounded discrete logarithms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.voting.crypto import (
    Ciphertext,
    DiscreteLog,
    G,
    Point,
    ProofError,
    Scalar,
    add_all,
    encrypt,
    weighted_sum,
)
from smartseoul.voting.crypto.elgamal import ZERO_CIPHERTEXT, decrypt_to_point

SECRET = Scalar(123456789)
KEY = G * SECRET
SMALL = DiscreteLog(10_000)


def _decrypt(ciphertext: Ciphertext) -> int:
    return SMALL.solve(decrypt_to_point(SECRET, ciphertext))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8))
def test_sum_of_encryptions_decrypts_to_sum(messages: list[int]) -> None:
    ciphertexts = [encrypt(KEY, m, Scalar.random()) for m in messages]
    assert [_decrypt(c) for c in ciphertexts] == messages
    assert _decrypt(add_all(ciphertexts)) == sum(messages)


def test_weights_multiply_plaintexts() -> None:
    votes = [(3, 1), (3, 0), (1, 1), (40, 1), (0, 1), (3, 1)]
    items = [(w, encrypt(KEY, m, Scalar.random())) for w, m in votes]
    assert _decrypt(weighted_sum(items)) == sum(w * m for w, m in votes)
    assert _decrypt(items[0][1].scale(7)) == 7
    with pytest.raises(ProofError):
        weighted_sum([(-1, items[0][1])])
    assert weighted_sum([]) == ZERO_CIPHERTEXT
    assert add_all([]) == ZERO_CIPHERTEXT


def test_encryption_is_randomised_and_serialises() -> None:
    a, b = encrypt(KEY, 1, Scalar.random()), encrypt(KEY, 1, Scalar.random())
    assert a != b
    assert Ciphertext.from_bytes(a.to_bytes()) == a
    with pytest.raises(ProofError):
        Ciphertext.from_bytes(a.to_bytes()[:-1])
    with pytest.raises(ProofError):
        encrypt(KEY, -1, Scalar.random())


@pytest.mark.parametrize("value", [0, 1, 99, 100, 101, 9_999, 10_000])
def test_discrete_log_finds_every_value_up_to_the_bound(value: int) -> None:
    assert SMALL.solve(Point.base_mul(value)) == value


@pytest.mark.parametrize("value", [10_001, 10_100, 2**40])
def test_discrete_log_refuses_values_beyond_the_bound(value: int) -> None:
    with pytest.raises(ProofError, match="not in"):
        SMALL.solve(Point.base_mul(value))


def test_discrete_log_reaches_a_large_tally() -> None:
    table = DiscreteLog(2 * 10**7)  # 120,000 voters with weights up to ~160
    assert table.solve(Point.base_mul(19_876_543)) == 19_876_543
    assert table.solve(Point.base_mul(2 * 10**7)) == 2 * 10**7
