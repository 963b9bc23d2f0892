"""Exponential ElGamal over ristretto255: additively homomorphic, small plaintexts.

``Enc_K(m; r) = (α, β) = (r*G, r*K + m*G)``. Adding ciphertexts adds plaintexts; multiplying
a ciphertext by an integer ``w`` multiplies its plaintext by ``w`` (how household weights
are applied at tally time). Decryption yields the point ``m*G``; ``m`` itself is recovered by
:class:`DiscreteLog`, a baby-step giant-step search bounded by ``max_value``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import IDENTITY, POINT_SIZE, Point, Scalar, small_multiple

#: Default bound for tallies: 120,000 voters with household weights up to 800 stay below it.
#: Building the table costs ⌈√(bound+1)⌉ ≈ 10,000 point additions (≈ 0.2 s, once per
#: process) and a search at most as many again.
DEFAULT_MAX_VALUE = 10**8


@dataclass(frozen=True, slots=True)
class Ciphertext:
    alpha: Point
    beta: Point

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def scale(self, weight: int) -> Ciphertext:
        """The encryption of ``weight * m`` (same randomness scaled: ``weight * r``)."""
        if weight < 0:
            raise ProofError("weights must be non-negative")
        return Ciphertext(self.alpha * weight, self.beta * weight)

    def to_bytes(self) -> bytes:
        return self.alpha.to_bytes() + self.beta.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Ciphertext:
        if len(data) != 2 * POINT_SIZE:
            raise ProofError("a ciphertext must be 64 bytes")
        return cls(Point.from_bytes(data[:POINT_SIZE]), Point.from_bytes(data[POINT_SIZE:]))


ZERO_CIPHERTEXT = Ciphertext(IDENTITY, IDENTITY)


def encrypt(public_key: Point, message: int, nonce: Scalar) -> Ciphertext:
    if message < 0:
        raise ProofError("plaintexts are non-negative integers")
    beta = public_key * nonce
    if message:
        beta = beta + small_multiple(message)
    return Ciphertext(Point.base_mul(nonce), beta)


def decrypt_to_point(secret_key: Scalar, ciphertext: Ciphertext) -> Point:
    """``β − s*α = m*G`` with the whole secret key (tests, single-trustee demos)."""
    return ciphertext.beta - ciphertext.alpha * secret_key


def add_all(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    total: Ciphertext | None = None
    for ciphertext in ciphertexts:
        # Starting from the first term saves two point additions per sum.
        total = ciphertext if total is None else total + ciphertext
    return ZERO_CIPHERTEXT if total is None else total


def weighted_sum(items: Iterable[tuple[int, Ciphertext]]) -> Ciphertext:
    """``Σ w_i * C_i``, grouping equal weights so each distinct weight costs two multiplications.

    Voter rolls have few distinct weights (household shares), so this is about two point
    additions per ballot instead of two scalar multiplications.
    """
    by_weight: dict[int, Ciphertext] = defaultdict(lambda: ZERO_CIPHERTEXT)
    for weight, ciphertext in items:
        if weight < 0:
            raise ProofError("weights must be non-negative")
        if weight:
            by_weight[weight] = by_weight[weight] + ciphertext
    return add_all(
        total if weight == 1 else total.scale(weight) for weight, total in by_weight.items()
    )


class DiscreteLog:
    """Recover ``m`` in ``[0, max_value]`` from ``m*G`` (baby-step giant-step).

    Baby steps: a table ``{(j*G).bytes: j}`` for ``j < T = ⌈√(max_value+1)⌉``. Giant steps:
    subtract ``T*G`` until a table hit. Memory ≈ 100 bytes × T (1 MB at the default bound).
    """

    def __init__(self, max_value: int = DEFAULT_MAX_VALUE) -> None:
        if not 0 <= max_value < 2**40:
            raise ProofError("the discrete-log bound must be in [0, 2^40)")
        self.max_value = max_value
        self.step = math.isqrt(max_value) + 1
        table: dict[bytes, int] = {}
        point = IDENTITY
        for j in range(self.step):
            table[point.to_bytes()] = j
            point = point + _G_POINT
        self._table = table
        self._giant = -Point.base_mul(self.step)

    def solve(self, point: Point) -> int:
        """``m`` with ``m*G == point``; :class:`ProofError` if none in range."""
        table = self._table
        current = point
        for i in range(self.max_value // self.step + 1):
            j = table.get(current.to_bytes())
            if j is not None:
                value = i * self.step + j
                if value <= self.max_value:
                    return value
                break
            current = current + self._giant
        raise ProofError(f"the plaintext is not in [0, {self.max_value}]")


_G_POINT = small_multiple(1)


@lru_cache(maxsize=4)
def discrete_log_table(max_value: int = DEFAULT_MAX_VALUE) -> DiscreteLog:
    """A per-process cached :class:`DiscreteLog` (the table is the expensive part)."""
    return DiscreteLog(max_value)
