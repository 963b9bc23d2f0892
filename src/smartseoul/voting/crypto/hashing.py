"""Domain-separated, length-prefixed hashing: Fiat-Shamir challenges, identifiers, nonces.

Every hash in the scheme is SHA-512 over a *transcript*: a list of byte strings, the first
being the ASCII tag ``smartseoul/voting/v1/<name>``, each written as a 4-byte big-endian length
followed by the bytes. A transcript therefore decodes back into its items, so two different
item lists can never hash the same input (no ambiguity between, say, an option index and the
first byte of a ciphertext). Integers are items too: 4-byte big-endian (``u32``).

* challenges and derived nonces: the 64-byte digest reduced modulo ℓ;
* identifiers (election hash, ballot tracker): the first 32 bytes of the digest.
"""

from __future__ import annotations

import hashlib

from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import Point, Scalar

TAG_PREFIX = "smartseoul/voting/v1/"
U32_MAX = 2**32 - 1

Item = bytes | Point | Scalar


def u32(value: int) -> bytes:
    if not 0 <= value <= U32_MAX:
        raise ProofError("integer out of the u32 range")
    return value.to_bytes(4, "big")


def transcript(tag: str, *items: Item) -> bytes:
    """The exact bytes hashed for ``tag`` and ``items`` (see the module docstring)."""
    parts = [_framed(f"{TAG_PREFIX}{tag}".encode("ascii"))]
    for item in items:
        if isinstance(item, Point | Scalar):
            item = item.to_bytes()
        parts.append(_framed(item))
    return b"".join(parts)


def _framed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def hash_to_scalar(tag: str, *items: Item) -> Scalar:
    """SHA-512 of the transcript, read little-endian and reduced modulo ℓ."""
    return Scalar.from_hash(hashlib.sha512(transcript(tag, *items)).digest())


def hash32(tag: str, *items: Item) -> bytes:
    """The first 32 bytes of SHA-512 of the transcript (identifiers, trackers)."""
    return hashlib.sha512(transcript(tag, *items)).digest()[:32]


class NonceSource:
    """Secret scalars derived from one 32-byte seed, so that a seed replays an encryption.

    ``nonce(*path) = hash_to_scalar("nonce", seed, election_hash, *path)``. Deriving all
    randomness from the seed makes test vectors reproducible in Python and JavaScript and lets
    a Benaloh challenge re-derive everything. Security rests on the seed being fresh and secret
    for every ballot: reusing one across two different ballots leaks the difference of votes.
    """

    __slots__ = ("_election_hash", "_seed")

    def __init__(self, seed: bytes, election_hash: bytes) -> None:
        if len(seed) != 32:
            raise ProofError("a nonce seed must be 32 bytes")
        self._seed = bytes(seed)
        self._election_hash = election_hash

    def __call__(self, *path: bytes) -> Scalar:
        return hash_to_scalar("nonce", self._seed, self._election_hash, *path)
