"""Budget proofs: an encrypted participatory-budgeting ballot keeps to its scope's rule.

A budget ballot answers a scope with one exponential-ElGamal ciphertext ``C_i = Enc(x_i; r_i)``
per project, each already proven to hold ``x_i ∈ {0, 1}`` by the ballot's option proofs
(:mod:`.ballot`). This module proves, without revealing the choices, that the weighted total

    ``T = Σ w_i · x_i``   lies in   ``[low, high]``

for public non-negative integer weights: the projects' costs for a knapsack ballot (in the
round's *cost unit*, e.g. ₩1,000,000, so that every cost and bound is an integer below
2^32), with ``low`` the minimum share of the budget a ballot must use and ``high`` the
budget; or all weights 1 for an approval ballot choosing at most ``k`` (``low = 0``,
``high = k``). ``docs/budgeting.md`` specifies the proof byte for byte.

The construction (a bit-decomposition range proof on the homomorphic weighted sum):

* ``S = Σ w_i · C_i`` encrypts ``T`` with randomness ``R = Σ w_i · r_i``.
* ``B`` = bit length of ``high − low`` (0 when they are equal).
* *lower side*, only when ``low > 0``: ``D = S − (0, low·G)`` encrypts ``d = T − low``. The
  prover encrypts the bits ``d_j`` of ``d`` (``j < B``) as ``E_j = Enc(d_j; s_j)``, proves
  each ``0/1`` (disjunctive Chaum-Pedersen, :func:`.proofs.prove_range`), and proves that
  ``Q = D − Σ 2^j · E_j`` encrypts 0, i.e. ``Q = (ρ·G, ρ·K)`` for ``ρ = R − Σ 2^j s_j``, by a
  Chaum-Pedersen proof of ``log_G Q.α = log_K Q.β`` (:func:`.proofs.prove_dleq`). Hence
  ``d = Σ 2^j d_j ≥ 0``. (With ``low = 0`` this holds for free: 0/1 choices, weights ≥ 0.)
* *upper side*, only when ``high < Σ w_i``: the same for ``D = (0, high·G) − S``, which
  encrypts ``e = high − T`` with randomness ``−R``. Hence ``T ≤ high``.

Every value lives modulo the group order ℓ ≈ 2^252, but ``T < n · 2^32`` and the bit sums
are below ``2^32``, far from wrapping, so the congruences are equalities of integers.

Strong Fiat-Shamir: every challenge hashes the *statement hash* — election hash, ballot
binding, question index, public key, weights, bounds and every project ciphertext — plus the
side and position, so a proof cannot be replayed for another ballot, scope, rule or key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smartseoul.voting.crypto.codec import read_int, read_list, read_object, read_point
from smartseoul.voting.crypto.elgamal import Ciphertext, encrypt, weighted_sum
from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import (
    IDENTITY,
    POINT_SIZE,
    SCALAR_SIZE,
    Point,
    Scalar,
    small_multiple,
)
from smartseoul.voting.crypto.hashing import Item, NonceSource, hash32, u32
from smartseoul.voting.crypto.proofs import (
    ChallengeResponse,
    Randomness,
    RangeProof,
    fresh_randomness,
    prove_dleq,
    prove_range,
    verify_dleq,
    verify_range,
)

MAX_PROJECTS = 1000
U32_LIMIT = 2**32
LOWER, UPPER = b"lower", b"upper"


@dataclass(frozen=True, slots=True)
class BudgetRule:
    """Public weights and bounds: ``low <= Σ weights[i]·x_i <= high``."""

    weights: tuple[int, ...]
    low: int
    high: int

    def __post_init__(self) -> None:
        if not 1 <= len(self.weights) <= MAX_PROJECTS:
            raise ProofError(f"a budget rule covers 1 to {MAX_PROJECTS} projects")
        if any(type(w) is not int or not 0 <= w < U32_LIMIT for w in self.weights):
            raise ProofError("weights must be integers in [0, 2^32)")
        if not 0 <= self.low <= self.high < U32_LIMIT:
            raise ProofError("bounds must satisfy 0 <= low <= high < 2^32")

    @classmethod
    def knapsack(cls, costs: Sequence[int], budget: int, minimum: int = 0) -> BudgetRule:
        """Total cost at most ``budget`` and at least ``minimum`` (both in the cost unit)."""
        return cls(tuple(costs), minimum, budget)

    @classmethod
    def at_most(cls, k: int, projects: int, at_least: int = 0) -> BudgetRule:
        """Approval: between ``at_least`` and ``k`` projects chosen."""
        return cls((1,) * projects, at_least, k)

    @property
    def bits(self) -> int:
        """``B``: how many bits each side decomposes (the bit length of ``high − low``)."""
        return (self.high - self.low).bit_length()

    @property
    def has_lower(self) -> bool:
        return self.low > 0

    @property
    def has_upper(self) -> bool:
        return self.high < sum(self.weights)


def minimum_for_share(budget: int, percent: int) -> int:
    """The least whole total that uses at least ``percent`` % of ``budget`` (rounded up)."""
    if not 0 <= percent <= 100:
        raise ProofError("a minimum share is a percentage in [0, 100]")
    return -(-budget * percent // 100)


@dataclass(frozen=True, slots=True)
class BudgetStatement:
    """What a budget proof is about: the ballot's identity, the rule and the ciphertexts."""

    election_hash: bytes
    binding: bytes
    question: int
    public_key: Point
    rule: BudgetRule
    ciphertexts: tuple[Ciphertext, ...]

    def __post_init__(self) -> None:
        if len(self.ciphertexts) != len(self.rule.weights):
            raise ProofError("one ciphertext per weighted project is needed")
        if len(self.election_hash) != 32:
            raise ProofError("the election hash must be 32 bytes")

    def digest(self) -> bytes:
        items: list[Item] = [
            self.election_hash,
            self.binding,
            u32(self.question),
            self.public_key,
            u32(len(self.rule.weights)),
        ]
        items += [u32(w) for w in self.rule.weights]
        items += [u32(self.rule.low), u32(self.rule.high)]
        for ciphertext in self.ciphertexts:
            items += [ciphertext.alpha, ciphertext.beta]
        return hash32("budget-statement", *items)

    def total(self) -> Ciphertext:
        """``S = Σ w_i·C_i``, the encryption of the weighted total."""
        return weighted_sum(zip(self.rule.weights, self.ciphertexts, strict=True))


@dataclass(frozen=True, slots=True)
class SideProof:
    """The bits of ``d`` (or ``e``), their 0/1 proofs, and the proof that they sum to it."""

    bits: tuple[Ciphertext, ...]
    bit_proofs: tuple[RangeProof, ...]
    sum_proof: ChallengeResponse

    def to_json(self) -> dict[str, object]:
        return {
            "bits": [
                {"alpha": c.alpha.hex(), "beta": c.beta.hex(), "proof": p.to_json()}
                for c, p in zip(self.bits, self.bit_proofs, strict=True)
            ],
            "sum": self.sum_proof.to_json(),
        }

    @classmethod
    def from_json(cls, value: object, where: str) -> SideProof:
        fields = read_object(value, where, ("bits", "sum"))
        raw_bits = read_list(fields["bits"], f"{where}.bits")
        if len(raw_bits) > 32:
            raise ProofError(f"{where}.bits: at most 32 bits")
        bits, proofs = [], []
        for j, raw in enumerate(raw_bits):
            at = f"{where}.bits[{j}]"
            bit = read_object(raw, at, ("alpha", "beta", "proof"))
            alpha, beta = (
                read_point(bit["alpha"], f"{at}.alpha"),
                read_point(bit["beta"], f"{at}.beta"),
            )
            bits.append(Ciphertext(alpha, beta))
            proofs.append(RangeProof.from_json(bit["proof"], f"{at}.proof", 2))
        sum_proof = ChallengeResponse.from_json(fields["sum"], f"{where}.sum")
        return cls(tuple(bits), tuple(proofs), sum_proof)

    def to_bytes(self) -> bytes:
        parts = [u32(len(self.bits))]
        for ciphertext, proof in zip(self.bits, self.bit_proofs, strict=True):
            parts += [ciphertext.to_bytes(), proof.to_bytes()]
        parts += [self.sum_proof.challenge.to_bytes(), self.sum_proof.response.to_bytes()]
        return b"".join(parts)


@dataclass(frozen=True, slots=True)
class BudgetProof:
    lower: SideProof | None
    upper: SideProof | None

    def to_json(self) -> dict[str, object]:
        return {
            "lower": None if self.lower is None else self.lower.to_json(),
            "upper": None if self.upper is None else self.upper.to_json(),
        }

    @classmethod
    def from_json(cls, value: object, where: str = "budget_proof") -> BudgetProof:
        fields = read_object(value, where, ("lower", "upper"))
        lower, upper = fields["lower"], fields["upper"]
        return cls(
            None if lower is None else SideProof.from_json(lower, f"{where}.lower"),
            None if upper is None else SideProof.from_json(upper, f"{where}.upper"),
        )

    def to_bytes(self) -> bytes:
        """Canonical bytes: per side a presence byte, then the side (see docs/budgeting.md)."""
        parts = []
        for side in (self.lower, self.upper):
            parts.append(b"\x00" if side is None else b"\x01" + side.to_bytes())
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> BudgetProof:
        at = 0

        def take(size: int) -> bytes:
            nonlocal at
            if at + size > len(data):
                raise ProofError("budget proof bytes are truncated")
            chunk = data[at : at + size]
            at += size
            return chunk

        sides: list[SideProof | None] = []
        for _ in range(2):
            flag = take(1)
            if flag == b"\x00":
                sides.append(None)
                continue
            if flag != b"\x01":
                raise ProofError("a budget proof side flag must be 0 or 1")
            count = int.from_bytes(take(4), "big")
            if count > 32:
                raise ProofError("a budget proof side has at most 32 bits")
            bits, proofs = [], []
            for _ in range(count):
                bits.append(Ciphertext.from_bytes(take(2 * POINT_SIZE)))
                scalars = [Scalar.from_bytes(take(SCALAR_SIZE)) for _ in range(4)]
                proofs.append(RangeProof(tuple(scalars[:2]), tuple(scalars[2:])))
            c, v = Scalar.from_bytes(take(SCALAR_SIZE)), Scalar.from_bytes(take(SCALAR_SIZE))
            sides.append(SideProof(tuple(bits), tuple(proofs), ChallengeResponse(c, v)))
        if at != len(data):
            raise ProofError("trailing bytes after the budget proof")
        return cls(sides[0], sides[1])


def _difference(statement: BudgetStatement, total: Ciphertext, side: bytes) -> Ciphertext:
    """``D``: ``S − (0, low·G)`` for the lower side, ``(0, high·G) − S`` for the upper."""
    if side == LOWER:
        return Ciphertext(total.alpha, total.beta - _multiple(statement.rule.low))
    return Ciphertext(-total.alpha, _multiple(statement.rule.high) - total.beta)


def _multiple(value: int) -> Point:
    return small_multiple(value) if value else IDENTITY


def _quotient(difference: Ciphertext, bits: Sequence[Ciphertext]) -> Ciphertext:
    """``D − Σ 2^j·E_j``, the weighted bit sum taken by Horner's rule (additions only)."""
    if not bits:
        return difference
    alpha, beta = bits[-1].alpha, bits[-1].beta
    for bit in reversed(bits[:-1]):
        alpha, beta = alpha + alpha + bit.alpha, beta + beta + bit.beta
    return Ciphertext(difference.alpha - alpha, difference.beta - beta)


def _bit_context(digest: bytes, side: bytes, j: int) -> list[Item]:
    return [digest, side, u32(j)]


def _sum_context(digest: bytes, side: bytes, bits: Sequence[Ciphertext]) -> list[Item]:
    items: list[Item] = [digest, side, u32(len(bits))]
    for bit in bits:
        items += [bit.alpha, bit.beta]
    return items


def prove_budget(
    statement: BudgetStatement,
    *,
    choices: Sequence[int],
    nonces: Sequence[Scalar],
    seed: NonceSource | None = None,
) -> BudgetProof:
    """Prove the statement from the ballot's 0/1 ``choices`` and encryption ``nonces``.

    With ``seed`` (the ballot's :class:`NonceSource`) all randomness is derived from it, so
    a Benaloh audit re-derives the proof; without, it is fresh. Refuses (``ProofError``) a
    total outside the bounds: an honest prover never proves a false statement.
    """
    rule = statement.rule
    if len(choices) != len(rule.weights) or len(nonces) != len(rule.weights):
        raise ProofError("one choice and one nonce per project are needed")
    if any(type(x) is not int or x not in (0, 1) for x in choices):
        raise ProofError("every choice must be 0 or 1")
    total_value = sum(w * x for w, x in zip(rule.weights, choices, strict=True))
    if not rule.low <= total_value <= rule.high:
        raise ProofError(f"refusing to prove that {total_value} lies in [{rule.low}, {rule.high}]")
    randomness = sum((w * r for w, r in zip(rule.weights, nonces, strict=True)), Scalar(0))
    digest = statement.digest()
    total = statement.total()

    def side_proof(side: bytes, value: int, nonce: Scalar) -> SideProof:
        difference = _difference(statement, total, side)
        bits, proofs, bit_nonces = [], [], []
        for j in range(rule.bits):
            bit = (value >> j) & 1
            path = (b"budget", u32(statement.question), side, u32(j))
            s = seed(*path, b"encrypt") if seed else Scalar.random()
            ciphertext = encrypt(statement.public_key, bit, s)
            proofs.append(
                prove_range(
                    tag="budget-bit",
                    context=_bit_context(digest, side, j),
                    public_key=statement.public_key,
                    ciphertext=ciphertext,
                    value=bit,
                    nonce=s,
                    low=0,
                    high=1,
                    randomness=_derived(seed, *path) if seed else fresh_randomness,
                )
            )
            bits.append(ciphertext)
            bit_nonces.append(s)
        rho = nonce - sum((s * (1 << j) for j, s in enumerate(bit_nonces)), Scalar(0))
        quotient = _quotient(difference, bits)
        sum_nonce = seed(b"budget", u32(statement.question), side, b"sum") if seed else None
        proof = prove_dleq(
            tag="budget-sum",
            context=_sum_context(digest, side, bits),
            base=statement.public_key,
            secret=rho,
            public=quotient.alpha,
            image=quotient.beta,
            nonce=sum_nonce,
        )
        return SideProof(tuple(bits), tuple(proofs), proof)

    lower = side_proof(LOWER, total_value - rule.low, randomness) if rule.has_lower else None
    upper = side_proof(UPPER, rule.high - total_value, -randomness) if rule.has_upper else None
    return BudgetProof(lower, upper)


def _derived(seed: NonceSource, *path: bytes) -> Randomness:
    def randomness(branch: int, slot: int) -> Scalar:
        return seed(*path, b"proof", u32(branch), u32(slot))

    return randomness


def verify_budget(statement: BudgetStatement, proof: BudgetProof) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows the statement's total is in bounds.

    The caller must have verified each ciphertext's 0/1 proof (the ballot's option proofs);
    this proof relies on it.
    """
    rule = statement.rule
    digest = statement.digest()
    total = statement.total()
    for side, present, side_proof in (
        (LOWER, rule.has_lower, proof.lower),
        (UPPER, rule.has_upper, proof.upper),
    ):
        name = side.decode()
        if side_proof is None:
            if present:
                raise ProofError(f"budget proof: the {name} bound needs a proof")
            continue
        if not present:
            raise ProofError(f"budget proof: the {name} bound needs no proof")
        if len(side_proof.bits) != rule.bits or len(side_proof.bit_proofs) != rule.bits:
            raise ProofError(f"budget proof: the {name} side needs {rule.bits} bits")
        for j, (bit, bit_proof) in enumerate(
            zip(side_proof.bits, side_proof.bit_proofs, strict=True)
        ):
            try:
                verify_range(
                    tag="budget-bit",
                    context=_bit_context(digest, side, j),
                    public_key=statement.public_key,
                    ciphertext=bit,
                    proof=bit_proof,
                    low=0,
                    high=1,
                )
            except ProofError as error:
                raise ProofError(f"budget proof: {name} bit {j}: {error}") from None
        quotient = _quotient(_difference(statement, total, side), side_proof.bits)
        try:
            verify_dleq(
                tag="budget-sum",
                context=_sum_context(digest, side, side_proof.bits),
                base=statement.public_key,
                public=quotient.alpha,
                image=quotient.beta,
                proof=side_proof.sum_proof,
            )
        except ProofError:
            raise ProofError(f"budget proof: the {name} bound does not hold") from None


def read_rule(value: object, where: str = "rule") -> BudgetRule:
    """A rule from JSON ``{"weights": [...], "low": n, "high": n}`` (strict)."""
    fields = read_object(value, where, ("weights", "low", "high"))
    weights = read_list(fields["weights"], f"{where}.weights")
    if not 1 <= len(weights) <= MAX_PROJECTS:
        raise ProofError(f"{where}.weights: 1 to {MAX_PROJECTS} projects")
    return BudgetRule(
        tuple(read_int(w, f"{where}.weights[{i}]") for i, w in enumerate(weights)),
        read_int(fields["low"], f"{where}.low"),
        read_int(fields["high"], f"{where}.high"),
    )
