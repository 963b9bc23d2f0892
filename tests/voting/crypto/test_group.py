"""ristretto255 wrappers: arithmetic, strict encodings, hashing."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.voting.crypto import ORDER, G, H, Point, ProofError, Scalar
from smartseoul.voting.crypto.group import IDENTITY, multi_mul, point_sum, small_multiple
from smartseoul.voting.crypto.hashing import hash32, hash_to_scalar, transcript, u32

FIELD_PRIME = 2**255 - 19
scalars = st.integers(min_value=0, max_value=ORDER - 1)


def test_the_generator_is_rfc_9496s() -> None:
    assert G.hex() == "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"
    assert Point.base_mul(1) == G
    assert G * ORDER == IDENTITY
    assert G * (ORDER + 5) == G * 5


def test_rfc_9496_small_multiples() -> None:
    # RFC 9496 appendix A.1: encodings of B, 2B, 3B.
    assert small_multiple(2).hex() == (
        "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919"
    )
    assert small_multiple(3).hex() == (
        "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259"
    )


def test_second_generator_is_the_documented_hash_to_group() -> None:
    digest = hashlib.sha512(b"smartseoul/voting/v1/generator-H").digest()
    assert Point.from_uniform(digest) == H
    assert H not in (G, IDENTITY)


@settings(max_examples=40, deadline=None)
@given(scalars, scalars)
def test_scalar_multiplication_is_a_homomorphism(a: int, b: int) -> None:
    assert Point.base_mul(a) + Point.base_mul(b) == Point.base_mul(a + b)
    assert G * a * b == Point.base_mul(a * b)
    assert Point.base_mul(a) - Point.base_mul(b) == Point.base_mul(a - b)
    assert -Point.base_mul(a) == Point.base_mul(-a)


@settings(max_examples=40, deadline=None)
@given(scalars)
def test_scalar_encoding_round_trips(value: int) -> None:
    scalar = Scalar(value)
    assert Scalar.from_bytes(scalar.to_bytes()) == scalar
    point = Point.base_mul(scalar)
    assert Point.from_bytes(point.to_bytes()) == point


def test_scalar_arithmetic_is_modulo_the_order() -> None:
    a = Scalar(ORDER - 1)
    assert a + 1 == 0
    assert (a * a).value == 1
    assert Scalar(7).inverse() * 7 == 1
    assert -Scalar(1) == a
    assert 3 - Scalar(5) == Scalar(-2)
    with pytest.raises(ProofError):
        Scalar(0).inverse()
    assert repr(a) == "Scalar(…)"  # never prints secrets


@pytest.mark.parametrize("value", [ORDER, ORDER + 1, 2**256 - 1])
def test_unreduced_scalars_are_rejected(value: int) -> None:
    with pytest.raises(ProofError, match="not reduced"):
        Scalar.from_bytes(value.to_bytes(32, "little"))


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_scalars_and_points_must_be_32_bytes(size: int) -> None:
    with pytest.raises(ProofError):
        Scalar.from_bytes(bytes(size))
    with pytest.raises(ProofError):
        Point.from_bytes(bytes(size))


def _encoding(value: int) -> bytes:
    return value.to_bytes(32, "little")


@pytest.mark.parametrize(
    "encoding",
    [
        # Non-canonical field elements (≥ p), from RFC 9496 appendix A.2's bad encodings.
        "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        # Negative field elements (odd s).
        "0100000000000000000000000000000000000000000000000000000000000000",
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        # Non-square x^2 and other invalid points.
        "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
        "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d77",
    ],
)
def test_invalid_point_encodings_are_rejected(encoding: str) -> None:
    with pytest.raises(ProofError, match="canonical"):
        Point.from_bytes(bytes.fromhex(encoding))


def test_p_plus_a_valid_encoding_is_rejected() -> None:
    canonical = int.from_bytes(small_multiple(2).to_bytes(), "little")
    assert canonical + FIELD_PRIME < 2**256
    with pytest.raises(ProofError):
        Point.from_bytes(_encoding(canonical + FIELD_PRIME))


def test_a_valid_encoding_with_the_top_bit_set_is_rejected() -> None:
    # RFC 9496: a value ≥ p fails, and 2^255 + s is one. libsodium 1.0.18 ignores that bit,
    # which gave every element a second accepted encoding (a ballot's ciphertext could be
    # written twice, so duplicate checks on bytes would miss it).
    for point in (G, small_multiple(2), IDENTITY):
        value = int.from_bytes(point.to_bytes(), "little")
        with pytest.raises(ProofError, match="canonical"):
            Point.from_bytes(_encoding(value + 2**255))


def test_identity_is_a_valid_element_and_absorbs() -> None:
    assert Point.from_bytes(bytes(32)) == IDENTITY
    assert IDENTITY.is_identity
    assert IDENTITY * 5 == IDENTITY
    assert G * 0 == IDENTITY
    assert G + IDENTITY == G


def test_points_are_immutable_and_hashable() -> None:
    with pytest.raises(AttributeError):
        G._encoding = bytes(32)
    assert {G, small_multiple(1)} == {G}


def test_multi_mul_and_point_sum() -> None:
    assert multi_mul([(2, G), (3, H), (5, G)]) == Point.base_mul(7) + H * 3
    assert multi_mul([]) == IDENTITY
    assert multi_mul([(ORDER, G)]) == IDENTITY
    assert point_sum([G, G, G]) == small_multiple(3)


def test_transcripts_are_length_prefixed_and_unambiguous() -> None:
    assert transcript("x", b"ab", b"c") != transcript("x", b"a", b"bc")
    assert transcript("x", b"") != transcript("x")
    assert transcript("a", b"b") != transcript("ab")
    assert transcript("t", b"\x01") == (
        b"\x00\x00\x00\x16smartseoul/voting/v1/t" + b"\x00\x00\x00\x01\x01"
    )
    digest = hashlib.sha512(transcript("t", u32(7))).digest()
    assert hash_to_scalar("t", u32(7)).value == int.from_bytes(digest, "little") % ORDER
    assert hash32("t", u32(7)) == digest[:32]
    with pytest.raises(ProofError):
        u32(2**32)
