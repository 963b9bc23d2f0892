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

* ``S = Σ w_i · C_i`` encrypts ``T`` with randomness ``R = Σ w_i · r_i``, and
  ``D = S − (0, low·G)`` encrypts ``d = T − low``, which must lie in ``[0, m]``,
  ``m = high − low``.
* ``B`` = bit length of ``m``. The digit weights are ``g_j = 2^j`` for ``j < B − 1`` and
  ``g_{B−1} = m − 2^{B−1} + 1``; sums of any subset of them cover exactly ``[0, m]`` (the
  last weight is at most ``2^{B−1}``, so the two halves meet), which is why one
  decomposition bounds both sides: no separate proofs for ``T ≥ low`` and ``T ≤ high``.
* The prover writes ``d = Σ g_j · d_j`` with ``d_j ∈ {0, 1}``, encrypts ``E_j = Enc(d_j; s_j)``,
  proves each ``0/1`` (disjunctive Chaum-Pedersen, :func:`.proofs.prove_range`), and proves
  that ``Q = D − Σ g_j · E_j`` encrypts 0, i.e. ``Q = (ρ·G, ρ·K)`` with
  ``ρ = R − Σ g_j · s_j``, by a Chaum-Pedersen proof of ``log_G Q.α = log_K Q.β``
  (:func:`.proofs.prove_dleq`). Hence ``0 <= d <= Σ g_j = m``.
* No proof at all when the rule cannot be broken (``low = 0`` and ``high >= Σ w_i``).

Every value lives modulo the group order ℓ ≈ 2^252, but ``T < n · 2^32`` and the bit sums
are below ``2^32``, far from wrapping, so the congruences are equalities of integers.

Strong Fiat-Shamir: every challenge hashes the *statement hash* — election hash, ballot
binding, question index, public key, weights, bounds and every project ciphertext — plus the
digit position, so a proof cannot be replayed for another ballot, scope, rule or key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from smartseoul.voting.crypto.ballot import BallotSecrets, ElectionContext, EncryptedBallot
from smartseoul.voting.crypto.codec import read_int, read_list, read_object, read_point
from smartseoul.voting.crypto.elgamal import Ciphertext, encrypt
from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import (
    POINT_SIZE,
    SCALAR_SIZE,
    G,
    Point,
    Scalar,
    vartime_sum,
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
        """``B``: how many 0/1 digits the proof uses (the bit length of ``high − low``)."""
        return (self.high - self.low).bit_length()

    @property
    def digit_weights(self) -> tuple[int, ...]:
        """``g_j``: powers of two, the last one cut so that they sum to ``high − low``."""
        span, bits = self.high - self.low, self.bits
        if bits == 0:
            return ()
        return (*(1 << j for j in range(bits - 1)), span - (1 << (bits - 1)) + 1)

    @property
    def needs_proof(self) -> bool:
        """False when no choice of projects can break the rule."""
        return self.low > 0 or self.high < sum(self.weights)


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


@dataclass(frozen=True, slots=True)
class RangeDigits:
    """The digits of ``d``, their 0/1 proofs, and the proof that they make up ``d``."""

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
    def from_json(cls, value: object, where: str) -> RangeDigits:
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
    """``digits`` is ``None`` exactly when the rule needs no proof."""

    digits: RangeDigits | None

    def to_json(self) -> dict[str, object]:
        return {"digits": None if self.digits is None else self.digits.to_json()}

    @classmethod
    def from_json(cls, value: object, where: str = "budget_proof") -> BudgetProof:
        fields = read_object(value, where, ("digits",))
        digits = fields["digits"]
        return cls(None if digits is None else RangeDigits.from_json(digits, f"{where}.digits"))

    def to_bytes(self) -> bytes:
        """Canonical bytes: a presence byte, then the digits (see docs/budgeting.md)."""
        return b"\x00" if self.digits is None else b"\x01" + self.digits.to_bytes()

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

        flag = take(1)
        if flag not in (b"\x00", b"\x01"):
            raise ProofError("a budget proof's presence byte must be 0 or 1")
        digits = None
        if flag == b"\x01":
            count = int.from_bytes(take(4), "big")
            if count > 32:
                raise ProofError("a budget proof has at most 32 digits")
            bits, proofs = [], []
            for _ in range(count):
                bits.append(Ciphertext.from_bytes(take(2 * POINT_SIZE)))
                scalars = [Scalar.from_bytes(take(SCALAR_SIZE)) for _ in range(4)]
                proofs.append(RangeProof(tuple(scalars[:2]), tuple(scalars[2:])))
            c, v = Scalar.from_bytes(take(SCALAR_SIZE)), Scalar.from_bytes(take(SCALAR_SIZE))
            digits = RangeDigits(tuple(bits), tuple(proofs), ChallengeResponse(c, v))
        if at != len(data):
            raise ProofError("trailing bytes after the budget proof")
        return cls(digits)


def _quotient(
    statement: BudgetStatement, bits: Sequence[Ciphertext], digit_weights: Sequence[int]
) -> Ciphertext:
    """``Q = D − Σ g_j·E_j`` with ``D = S − (0, low·G)``: one variable-time sum per
    component over the projects' and the digits' ciphertexts (all public, weights small)."""
    pairs = list(zip(statement.rule.weights, statement.ciphertexts, strict=True))
    digits = list(zip(digit_weights, bits, strict=True))
    alpha_terms = [(w, c.alpha) for w, c in pairs] + [(-g, e.alpha) for g, e in digits]
    beta_terms = [(w, c.beta) for w, c in pairs] + [(-g, e.beta) for g, e in digits]
    if statement.rule.low:
        beta_terms.append((-statement.rule.low, G))
    return Ciphertext(vartime_sum(alpha_terms), vartime_sum(beta_terms))


def _digit_context(digest: bytes, j: int) -> list[Item]:
    return [digest, u32(j)]


def _sum_context(digest: bytes, bits: Sequence[Ciphertext]) -> list[Item]:
    items: list[Item] = [digest, u32(len(bits))]
    for bit in bits:
        items += [bit.alpha, bit.beta]
    return items


def _digits_of(value: int, weights: Sequence[int]) -> list[int]:
    """0/1 digits with ``Σ weights[j]·digit_j = value`` for ``0 <= value <= Σ weights``."""
    if not weights:
        return []
    top = 1 << (len(weights) - 1)
    last = 1 if value >= top else 0
    rest = value - last * weights[-1]
    return [(rest >> j) & 1 for j in range(len(weights) - 1)] + [last]


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
    if not rule.needs_proof:
        return BudgetProof(None)
    randomness = sum((w * r for w, r in zip(rule.weights, nonces, strict=True)), Scalar(0))
    digest = statement.digest()
    weights = rule.digit_weights
    bits, proofs, bit_nonces = [], [], []
    for j, digit in enumerate(_digits_of(total_value - rule.low, weights)):
        path = (b"budget", u32(statement.question), u32(j))
        s = seed(*path, b"encrypt") if seed else Scalar.random()
        ciphertext = encrypt(statement.public_key, digit, s)
        proofs.append(
            prove_range(
                tag="budget-digit",
                context=_digit_context(digest, j),
                public_key=statement.public_key,
                ciphertext=ciphertext,
                value=digit,
                nonce=s,
                low=0,
                high=1,
                randomness=_derived(seed, *path) if seed else fresh_randomness,
            )
        )
        bits.append(ciphertext)
        bit_nonces.append(s)
    rho = randomness - sum((s * g for g, s in zip(weights, bit_nonces, strict=True)), Scalar(0))
    quotient = _quotient(statement, bits, weights)
    sum_proof = prove_dleq(
        tag="budget-sum",
        context=_sum_context(digest, bits),
        base=statement.public_key,
        secret=rho,
        public=quotient.alpha,
        image=quotient.beta,
        nonce=seed(b"budget", u32(statement.question), b"sum") if seed else None,
    )
    return BudgetProof(RangeDigits(tuple(bits), tuple(proofs), sum_proof))


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
    digits = proof.digits
    if digits is None:
        if rule.needs_proof:
            raise ProofError("budget proof: this rule needs a proof")
        return
    if not rule.needs_proof:
        raise ProofError("budget proof: this rule needs no proof")
    if len(digits.bits) != rule.bits or len(digits.bit_proofs) != rule.bits:
        raise ProofError(f"budget proof: {rule.bits} digits are needed")
    digest = statement.digest()
    for j, (bit, bit_proof) in enumerate(zip(digits.bits, digits.bit_proofs, strict=True)):
        try:
            verify_range(
                tag="budget-digit",
                context=_digit_context(digest, j),
                public_key=statement.public_key,
                ciphertext=bit,
                proof=bit_proof,
                low=0,
                high=1,
            )
        except ProofError as error:
            raise ProofError(f"budget proof: digit {j}: {error}") from None
    quotient = _quotient(statement, digits.bits, rule.digit_weights)
    try:
        verify_dleq(
            tag="budget-sum",
            context=_sum_context(digest, digits.bits),
            base=statement.public_key,
            public=quotient.alpha,
            image=quotient.beta,
            proof=digits.sum_proof,
        )
    except ProofError:
        raise ProofError("budget proof: the total is not within the bounds") from None


def ballot_statement(
    context: ElectionContext, ballot: EncryptedBallot, question: int, rule: BudgetRule
) -> BudgetStatement:
    """The statement for question ``question`` of an encrypted mVoting ballot."""
    if not 0 <= question < len(ballot.questions):
        raise ProofError(f"the ballot has no question {question}")
    ciphertexts = tuple(option.ciphertext for option in ballot.questions[question].options)
    return BudgetStatement(
        context.election_hash, ballot.binding, question, context.public_key, rule, ciphertexts
    )


def prove_ballot_budgets(
    context: ElectionContext,
    ballot: EncryptedBallot,
    ballot_secrets: BallotSecrets,
    rules: Mapping[int, BudgetRule],
) -> dict[int, BudgetProof]:
    """Budget proofs for the questions in ``rules``, from what :func:`.ballot.encrypt_ballot`
    returned. Every nonce comes from the ballot's seed (option ``i`` of question ``q`` was
    encrypted with ``nonce("encrypt", u32(q), u32(i))``), so a Benaloh audit re-derives them."""
    seed = NonceSource(ballot_secrets.seed, context.election_hash)
    proofs = {}
    for question, rule in sorted(rules.items()):
        statement = ballot_statement(context, ballot, question, rule)
        choices = ballot_secrets.selections[question]
        nonces = [seed(b"encrypt", u32(question), u32(i)) for i in range(len(choices))]
        proofs[question] = prove_budget(statement, choices=choices, nonces=nonces, seed=seed)
    return proofs


def verify_ballot_budgets(
    context: ElectionContext,
    ballot: EncryptedBallot,
    rules: Mapping[int, BudgetRule],
    proofs: Mapping[int, BudgetProof],
) -> None:
    """Check one budget proof per ruled question (after :func:`.ballot.verify_ballot`)."""
    if set(proofs) != set(rules):
        raise ProofError("one budget proof per budget question is needed")
    for question, rule in sorted(rules.items()):
        try:
            verify_budget(ballot_statement(context, ballot, question, rule), proofs[question])
        except ProofError as error:
            raise ProofError(f"question {question}: {error}") from None


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
