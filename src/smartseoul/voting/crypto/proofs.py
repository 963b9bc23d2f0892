"""Non-interactive zero-knowledge proofs (Σ-protocols with strong Fiat-Shamir).

All proofs are in challenge–response form: they carry challenges ``c`` and responses ``v``;
the verifier recomputes each commitment from them and checks that the challenges hash back
from the full statement. Response convention: ``v = u + c*x`` (``u`` the commitment nonce,
``x`` the witness), so commitments are recomputed as ``v*Base − c*Statement``.

Strong Fiat-Shamir: every challenge hashes (see ``hashing.transcript``) the proof's tag, the
caller's *context* items (election hash, public key, ballot binding, positions …), every
element of the statement, and every commitment, so a proof cannot be moved to another
statement, election, key or position (Bernhard, Pereira & Warinschi, ASIACRYPT 2012).

* :func:`prove_range` — disjunctive Chaum-Pedersen (Cramer–Damgård–Schoenmakers): an
  ElGamal ciphertext encrypts some ``m`` in ``[low, high]``. ``[0, 1]`` is the per-option proof;
  ``[min, max]`` on the sum of a question's options is the per-question proof.
* :func:`prove_dleq` — Chaum-Pedersen: ``X = x*G`` and ``Y = x*B`` (decryption shares).
* :func:`prove_schnorr` — knowledge of ``x`` with ``X = x*G`` (key-generation commitments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from smartseoul.voting.crypto.codec import read_list, read_object, read_scalar
from smartseoul.voting.crypto.elgamal import Ciphertext
from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import G, Point, Scalar, small_multiple, vartime_sum
from smartseoul.voting.crypto.hashing import Item, hash_to_scalar, u32

#: ``randomness(branch, slot)``: slot 0 is the real branch's commitment nonce or a simulated
#: branch's challenge, slot 1 a simulated branch's response. Ballots derive these from their
#: seed (reproducible vectors); elsewhere :func:`fresh_randomness` draws them.
Randomness = Callable[[int, int], Scalar]


def fresh_randomness(_branch: int, _slot: int) -> Scalar:
    return Scalar.random()


@dataclass(frozen=True, slots=True)
class RangeProof:
    challenges: tuple[Scalar, ...]
    responses: tuple[Scalar, ...]

    def to_json(self) -> dict[str, list[str]]:
        return {
            "c": [c.hex() for c in self.challenges],
            "v": [v.hex() for v in self.responses],
        }

    @classmethod
    def from_json(cls, value: object, where: str, branches: int) -> RangeProof:
        fields = read_object(value, where, ("c", "v"))
        return cls(
            tuple(
                read_scalar(item, f"{where}.c[{i}]")
                for i, item in enumerate(read_list(fields["c"], f"{where}.c", length=branches))
            ),
            tuple(
                read_scalar(item, f"{where}.v[{i}]")
                for i, item in enumerate(read_list(fields["v"], f"{where}.v", length=branches))
            ),
        )

    def to_bytes(self) -> bytes:
        return b"".join(c.to_bytes() for c in self.challenges) + b"".join(
            v.to_bytes() for v in self.responses
        )


def _range_challenge(
    tag: str,
    context: Sequence[Item],
    public_key: Point,
    ciphertext: Ciphertext,
    low: int,
    high: int,
    commitments: Sequence[Point],
) -> Scalar:
    return hash_to_scalar(
        tag,
        *context,
        public_key,
        ciphertext.alpha,
        ciphertext.beta,
        u32(low),
        u32(high),
        *commitments,
    )


def _check_bounds(low: int, high: int) -> None:
    if not 0 <= low <= high < 2**32:
        raise ProofError("a range must satisfy 0 <= low <= high < 2^32")


def prove_range(
    *,
    tag: str,
    context: Sequence[Item],
    public_key: Point,
    ciphertext: Ciphertext,
    value: int,
    nonce: Scalar,
    low: int,
    high: int,
    randomness: Randomness = fresh_randomness,
) -> RangeProof:
    """Prove that ``ciphertext = Enc(value; nonce)`` has ``low <= value <= high``.

    Refuses (``ProofError``) when ``value`` is outside the range: an honest prover never
    makes a proof of a false statement. ``ciphertext`` must be the encryption of ``value``
    under ``nonce`` (the caller just made it; re-checking would double the cost).
    """
    _check_bounds(low, high)
    if not low <= value <= high:
        raise ProofError(f"refusing to prove that {value} lies in [{low}, {high}]")
    alpha, beta = ciphertext.alpha, ciphertext.beta
    challenges: dict[int, Scalar] = {}
    responses: dict[int, Scalar] = {}
    commitments: list[Point] = []
    real_nonce = randomness(value - low, 0)
    for j in range(low, high + 1):
        if j == value:
            commitments += [Point.base_mul(real_nonce), public_key * real_nonce]
            continue
        # Simulated branch: pick its challenge and response, solve for the commitments.
        c, v = randomness(j - low, 0), randomness(j - low, 1)
        shifted = beta - small_multiple(j) if j else beta
        commitments += [Point.base_mul(v) - alpha * c, public_key * v - shifted * c]
        challenges[j], responses[j] = c, v
    total = _range_challenge(tag, context, public_key, ciphertext, low, high, commitments)
    challenges[value] = total - sum(challenges.values(), Scalar(0))
    responses[value] = real_nonce + challenges[value] * nonce
    span = range(low, high + 1)
    return RangeProof(tuple(challenges[j] for j in span), tuple(responses[j] for j in span))


def verify_range(
    *,
    tag: str,
    context: Sequence[Item],
    public_key: Point,
    ciphertext: Ciphertext,
    proof: RangeProof,
    low: int,
    high: int,
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows ``ciphertext`` encrypts a value in range.

    Cost: per branch two sums of two or three public multiples (``vartime_sum``).
    """
    _check_bounds(low, high)
    branches = high - low + 1
    if len(proof.challenges) != branches or len(proof.responses) != branches:
        raise ProofError("range proof has the wrong number of branches")
    alpha, beta = ciphertext.alpha, ciphertext.beta
    commitments: list[Point] = []
    total = 0
    for j, c, v in zip(range(low, high + 1), proof.challenges, proof.responses, strict=True):
        # v*K − c*(β − j*G) = v*K − c*β + (c*j)*G
        b_terms = [(v, public_key), (-c.value, beta)]
        if j:
            b_terms.append((c.value * j, G))
        commitments += [vartime_sum([(v, G), (-c.value, alpha)]), vartime_sum(b_terms)]
        total += c.value
    expected = _range_challenge(tag, context, public_key, ciphertext, low, high, commitments)
    if Scalar(total) != expected:
        raise ProofError("range proof does not verify")


@dataclass(frozen=True, slots=True)
class ChallengeResponse:
    """A Schnorr or Chaum-Pedersen proof: one challenge ``c`` and one response ``v``."""

    challenge: Scalar
    response: Scalar

    def to_json(self) -> dict[str, str]:
        return {"c": self.challenge.hex(), "v": self.response.hex()}

    @classmethod
    def from_json(cls, value: object, where: str) -> ChallengeResponse:
        fields: Mapping[str, object] = read_object(value, where, ("c", "v"))
        return cls(read_scalar(fields["c"], f"{where}.c"), read_scalar(fields["v"], f"{where}.v"))


def prove_dleq(
    *,
    tag: str,
    context: Sequence[Item],
    base: Point,
    secret: Scalar,
    public: Point,
    image: Point,
    nonce: Scalar | None = None,
) -> ChallengeResponse:
    """Prove ``public = secret*G`` and ``image = secret*base`` (same exponent)."""
    if Point.base_mul(secret) != public or base * secret != image:
        raise ProofError("refusing to prove a false discrete-log equality")
    u = Scalar.random() if nonce is None else nonce
    c = hash_to_scalar(tag, *context, base, public, image, Point.base_mul(u), base * u)
    return ChallengeResponse(c, u + c * secret)


def verify_dleq(
    *,
    tag: str,
    context: Sequence[Item],
    base: Point,
    public: Point,
    image: Point,
    proof: ChallengeResponse,
) -> None:
    c, v = proof.challenge, proof.response
    a = vartime_sum([(v, G), (-c.value, public)])
    b = vartime_sum([(v, base), (-c.value, image)])
    if hash_to_scalar(tag, *context, base, public, image, a, b) != c:
        raise ProofError("Chaum-Pedersen proof does not verify")


def prove_schnorr(
    *,
    tag: str,
    context: Sequence[Item],
    secret: Scalar,
    public: Point,
    nonce: Scalar | None = None,
) -> ChallengeResponse:
    """Prove knowledge of ``secret`` with ``public = secret*G``."""
    if Point.base_mul(secret) != public:
        raise ProofError("refusing to prove knowledge of a wrong secret")
    u = Scalar.random() if nonce is None else nonce
    c = hash_to_scalar(tag, *context, G, public, Point.base_mul(u))
    return ChallengeResponse(c, u + c * secret)


def verify_schnorr(
    *, tag: str, context: Sequence[Item], public: Point, proof: ChallengeResponse
) -> None:
    c, v = proof.challenge, proof.response
    a = vartime_sum([(v, G), (-c.value, public)])
    if hash_to_scalar(tag, *context, G, public, a) != c:
        raise ProofError("Schnorr proof does not verify")
