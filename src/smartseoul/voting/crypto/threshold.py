"""k-of-n election key without a trusted dealer, and verifiable threshold decryption.

Key generation is Pedersen's joint-Feldman DKG, as ElectionGuard and Belenios use it:

1. Every trustee ``i`` (1..n) draws a random polynomial ``f_i`` of degree ``k−1`` and publishes
   a :class:`PublicDealing`: Feldman commitments ``C_{i,l} = a_{i,l}*G`` to its coefficients,
   each with a Schnorr proof of knowledge (no trustee can publish a coefficient it cannot open,
   which rules out rogue-key cancellation of others' commitments).
2. It sends ``s_{i,j} = f_i(j)`` to every trustee ``j``, sealed to ``j``'s transport key
   (:func:`seal_share`); the server only relays sealed shares.
3. Trustee ``j`` opens and checks each share against the commitments (:func:`verify_share`):
   ``s_{i,j}*G == Σ_l j^l*C_{i,l}``. A failing share is a complaint the app resolves.
4. Election key ``K = Σ_i C_{i,0}``; trustee ``j``'s secret share ``x_j = Σ_i s_{i,j}`` (it never
   leaves the trustee's machine); its public share ``X_j = Σ_l j^l*(Σ_i C_{i,l})`` is computable
   by anyone, and ``x_j = F(j)`` for ``F = Σ_i f_i`` with ``F(0)`` the unknown election secret.

Decryption: trustee ``j`` publishes ``M_j = x_j*α`` for each ciphertext with a Chaum-Pedersen
proof that ``log_G X_j = log_α M_j``. Any ``k`` verified shares give ``s*α = Σ λ_j*M_j`` (Lagrange
at 0), and ``β − s*α = m*G``. Fewer than ``k`` shares are refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from smartseoul.voting.crypto.codec import (
    read_hex,
    read_int,
    read_list,
    read_object,
    read_point,
)
from smartseoul.voting.crypto.elgamal import Ciphertext, DiscreteLog, discrete_log_table
from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import ORDER, Point, Scalar, multi_mul, point_sum
from smartseoul.voting.crypto.hashing import Item, transcript, u32
from smartseoul.voting.crypto.proofs import (
    ChallengeResponse,
    prove_dleq,
    prove_schnorr,
    verify_dleq,
    verify_schnorr,
)

MAX_TRUSTEES = 255


@dataclass(frozen=True, slots=True)
class Ceremony:
    """One key-generation ceremony: ``n`` trustees, threshold ``k``, and what it is for.

    ``ceremony_hash`` (32 bytes, chosen by the app, e.g. a hash of the vote's id and trustee
    list) goes into every DKG proof and seal, so nothing is replayable across ceremonies.
    """

    ceremony_hash: bytes
    trustees: int
    threshold: int

    def __post_init__(self) -> None:
        if len(self.ceremony_hash) != 32:
            raise ProofError("ceremony_hash must be 32 bytes")
        if not 1 <= self.threshold <= self.trustees <= MAX_TRUSTEES:
            raise ProofError(f"need 1 <= threshold <= trustees <= {MAX_TRUSTEES}")

    def context(self, *items: Item) -> list[Item]:
        return [self.ceremony_hash, u32(self.trustees), u32(self.threshold), *items]

    def check_index(self, index: int, what: str = "trustee") -> None:
        if not 1 <= index <= self.trustees:
            raise ProofError(f"{what} index must be in 1..{self.trustees}")


# --- transport keys and sealed shares -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransportKey:
    """A trustee's key for receiving sealed shares; ``secret`` stays on its machine."""

    index: int
    secret: Scalar
    public: Point
    proof: ChallengeResponse


def transport_key_generate(ceremony: Ceremony, index: int) -> TransportKey:
    ceremony.check_index(index)
    secret = Scalar.random()
    public = Point.base_mul(secret)
    proof = prove_schnorr(
        tag="transport-key", context=ceremony.context(u32(index)), secret=secret, public=public
    )
    return TransportKey(index, secret, public, proof)


def verify_transport_key(
    ceremony: Ceremony, index: int, public: Point, proof: ChallengeResponse
) -> None:
    ceremony.check_index(index)
    if public.is_identity:
        raise ProofError("a transport key must not be the identity")
    verify_schnorr(
        tag="transport-key", context=ceremony.context(u32(index)), public=public, proof=proof
    )


@dataclass(frozen=True, slots=True)
class SealedShare:
    """``s_{i,j}`` sealed to trustee ``j``: hashed ElGamal (DHIES), encrypt-then-MAC."""

    dealer: int
    recipient: int
    ephemeral: Point
    body: bytes
    tag: bytes

    def to_json(self) -> dict[str, object]:
        return {
            "dealer": self.dealer,
            "recipient": self.recipient,
            "ephemeral": self.ephemeral.hex(),
            "body": self.body.hex(),
            "tag": self.tag.hex(),
        }

    @classmethod
    def from_json(cls, value: object) -> SealedShare:
        f = read_object(value, "sealed_share", ("dealer", "recipient", "ephemeral", "body", "tag"))
        return cls(
            read_int(f["dealer"], "sealed_share.dealer", low=1, high=MAX_TRUSTEES),
            read_int(f["recipient"], "sealed_share.recipient", low=1, high=MAX_TRUSTEES),
            read_point(f["ephemeral"], "sealed_share.ephemeral"),
            read_hex(f["body"], "sealed_share.body", size=32),
            read_hex(f["tag"], "sealed_share.tag", size=32),
        )


def _seal_keys(
    ceremony: Ceremony, dealer: int, recipient: int, public: Point, ephemeral: Point, shared: Point
) -> tuple[bytes, bytes]:
    digest = hashlib.sha512(
        transcript(
            "share-seal", *ceremony.context(u32(dealer), u32(recipient)), public, ephemeral, shared
        )
    ).digest()
    return digest[:32], digest[32:]


def _mac(key: bytes, ephemeral: Point, body: bytes) -> bytes:
    return hmac.new(key, ephemeral.to_bytes() + body, hashlib.sha256).digest()


def seal_share(
    ceremony: Ceremony, dealer: int, recipient: int, recipient_public: Point, share: Scalar
) -> SealedShare:
    ceremony.check_index(dealer, "dealer")
    ceremony.check_index(recipient, "recipient")
    e = Scalar.random()
    ephemeral = Point.base_mul(e)
    pad, mac_key = _seal_keys(
        ceremony, dealer, recipient, recipient_public, ephemeral, recipient_public * e
    )
    body = bytes(a ^ b for a, b in zip(share.to_bytes(), pad, strict=True))
    return SealedShare(dealer, recipient, ephemeral, body, _mac(mac_key, ephemeral, body))


def open_share(ceremony: Ceremony, key: TransportKey, sealed: SealedShare) -> Scalar:
    if sealed.recipient != key.index:
        raise ProofError("this share is sealed to another trustee")
    shared = sealed.ephemeral * key.secret
    pad, mac_key = _seal_keys(
        ceremony, sealed.dealer, key.index, key.public, sealed.ephemeral, shared
    )
    if not hmac.compare_digest(_mac(mac_key, sealed.ephemeral, sealed.body), sealed.tag):
        raise ProofError(f"the share from dealer {sealed.dealer} fails its integrity check")
    return Scalar.from_bytes(bytes(a ^ b for a, b in zip(sealed.body, pad, strict=True)))


# --- dealing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicDealing:
    dealer: int
    commitments: tuple[Point, ...]
    proofs: tuple[ChallengeResponse, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "dealer": self.dealer,
            "commitments": [c.hex() for c in self.commitments],
            "proofs": [p.to_json() for p in self.proofs],
        }

    @classmethod
    def from_json(cls, value: object) -> PublicDealing:
        f = read_object(value, "dealing", ("dealer", "commitments", "proofs"))
        commitments = read_list(f["commitments"], "dealing.commitments")
        proofs = read_list(f["proofs"], "dealing.proofs", length=len(commitments))
        if len(commitments) > MAX_TRUSTEES:
            raise ProofError("dealing.commitments: too many")
        return cls(
            read_int(f["dealer"], "dealing.dealer", low=1, high=MAX_TRUSTEES),
            tuple(read_point(c, f"dealing.commitments[{i}]") for i, c in enumerate(commitments)),
            tuple(
                ChallengeResponse.from_json(p, f"dealing.proofs[{i}]") for i, p in enumerate(proofs)
            ),
        )


@dataclass(frozen=True, slots=True)
class Dealing:
    """A dealer's output: publish ``public``; ``shares[j]`` goes (sealed) to trustee ``j``."""

    public: PublicDealing
    shares: Mapping[int, Scalar]


def _coefficient_context(ceremony: Ceremony, dealer: int, degree: int) -> list[Item]:
    return ceremony.context(u32(dealer), u32(degree))


def deal(ceremony: Ceremony, dealer: int) -> Dealing:
    ceremony.check_index(dealer, "dealer")
    coefficients = [Scalar.random() for _ in range(ceremony.threshold)]
    commitments = tuple(Point.base_mul(a) for a in coefficients)
    proofs = tuple(
        prove_schnorr(
            tag="dkg-coefficient",
            context=_coefficient_context(ceremony, dealer, degree),
            secret=a,
            public=commitment,
        )
        for degree, (a, commitment) in enumerate(zip(coefficients, commitments, strict=True))
    )
    shares = {j: _evaluate(coefficients, j) for j in range(1, ceremony.trustees + 1)}
    return Dealing(PublicDealing(dealer, commitments, proofs), shares)


def _evaluate(coefficients: Sequence[Scalar], x: int) -> Scalar:
    value = 0
    for a in reversed(coefficients):  # Horner
        value = (value * x + a.value) % ORDER
    return Scalar(value)


def verify_dealing(ceremony: Ceremony, dealing: PublicDealing) -> None:
    ceremony.check_index(dealing.dealer, "dealer")
    if len(dealing.commitments) != ceremony.threshold or len(dealing.proofs) != ceremony.threshold:
        raise ProofError(f"dealer {dealing.dealer}: expected {ceremony.threshold} commitments")
    for degree, (commitment, proof) in enumerate(
        zip(dealing.commitments, dealing.proofs, strict=True)
    ):
        try:
            verify_schnorr(
                tag="dkg-coefficient",
                context=_coefficient_context(ceremony, dealing.dealer, degree),
                public=commitment,
                proof=proof,
            )
        except ProofError:
            raise ProofError(
                f"dealer {dealing.dealer}: proof for coefficient {degree} does not verify"
            ) from None


def _commitment_at(commitments: Sequence[Point], x: int) -> Point:
    """``Σ_l x^l*C_l``, the commitment to ``f(x)``."""
    return multi_mul((pow(x, degree, ORDER), c) for degree, c in enumerate(commitments))


def verify_share(dealing: PublicDealing, recipient: int, share: Scalar) -> None:
    if Point.base_mul(share) != _commitment_at(dealing.commitments, recipient):
        raise ProofError(f"the share from dealer {dealing.dealer} does not match its commitments")


def _distinct(dealings: Iterable[PublicDealing]) -> list[PublicDealing]:
    dealings = list(dealings)
    if not dealings or len({d.dealer for d in dealings}) != len(dealings):
        raise ProofError("need one dealing per dealer, at least one")
    return dealings


def joint_public_key(dealings: Iterable[PublicDealing]) -> Point:
    """The election key ``K = Σ_i C_{i,0}`` over the qualified dealers."""
    key = point_sum(d.commitments[0] for d in _distinct(dealings))
    if key.is_identity:
        raise ProofError("the joint key is the identity")
    return key


def public_share(dealings: Iterable[PublicDealing], trustee: int) -> Point:
    """``X_j``: sum the dealers' commitments per degree first, then one evaluation."""
    dealings = _distinct(dealings)
    degrees = len(dealings[0].commitments)
    if any(len(d.commitments) != degrees for d in dealings):
        raise ProofError("dealings have different thresholds")
    summed = [point_sum(d.commitments[degree] for d in dealings) for degree in range(degrees)]
    return _commitment_at(summed, trustee)


def secret_share(
    dealings: Iterable[PublicDealing], trustee: int, shares: Mapping[int, Scalar]
) -> Scalar:
    """``x_j = Σ_i s_{i,j}``, after checking every received share against its commitments."""
    dealings = _distinct(dealings)
    if set(shares) != {d.dealer for d in dealings}:
        raise ProofError("need exactly one share from every qualified dealer")
    for dealing in dealings:
        verify_share(dealing, trustee, shares[dealing.dealer])
    return sum(shares.values(), Scalar(0))


# --- decryption -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    """Trustee ``trustee``'s ``M = x_j*α`` for each ciphertext, with a proof each."""

    trustee: int
    factors: tuple[Point, ...]
    proofs: tuple[ChallengeResponse, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "trustee": self.trustee,
            "factors": [m.hex() for m in self.factors],
            "proofs": [p.to_json() for p in self.proofs],
        }

    @classmethod
    def from_json(cls, value: object) -> DecryptionShare:
        f = read_object(value, "decryption_share", ("trustee", "factors", "proofs"))
        factors = read_list(f["factors"], "decryption_share.factors")
        proofs = read_list(f["proofs"], "decryption_share.proofs", length=len(factors))
        return cls(
            read_int(f["trustee"], "decryption_share.trustee", low=1, high=MAX_TRUSTEES),
            tuple(read_point(m, f"decryption_share.factors[{i}]") for i, m in enumerate(factors)),
            tuple(
                ChallengeResponse.from_json(p, f"decryption_share.proofs[{i}]")
                for i, p in enumerate(proofs)
            ),
        )


def _decryption_context(
    election_hash: bytes, trustee: int, position: int, ciphertext: Ciphertext
) -> list[Item]:
    return [election_hash, u32(trustee), u32(position), ciphertext.beta]


def partial_decrypt(
    election_hash: bytes,
    trustee: int,
    secret: Scalar,
    ciphertexts: Sequence[Ciphertext],
) -> DecryptionShare:
    public = Point.base_mul(secret)
    factors, proofs = [], []
    for position, ciphertext in enumerate(ciphertexts):
        factor = ciphertext.alpha * secret
        proofs.append(
            prove_dleq(
                tag="decryption",
                context=_decryption_context(election_hash, trustee, position, ciphertext),
                base=ciphertext.alpha,
                secret=secret,
                public=public,
                image=factor,
            )
        )
        factors.append(factor)
    return DecryptionShare(trustee, tuple(factors), tuple(proofs))


def verify_decryption_share(
    election_hash: bytes,
    public: Point,
    ciphertexts: Sequence[Ciphertext],
    share: DecryptionShare,
) -> None:
    """``public`` is the trustee's :func:`public_share` (never taken from the share itself)."""
    if len(share.factors) != len(ciphertexts) or len(share.proofs) != len(ciphertexts):
        raise ProofError(f"trustee {share.trustee}: one factor per ciphertext is needed")
    for position, (ciphertext, factor, proof) in enumerate(
        zip(ciphertexts, share.factors, share.proofs, strict=True)
    ):
        try:
            verify_dleq(
                tag="decryption",
                context=_decryption_context(election_hash, share.trustee, position, ciphertext),
                base=ciphertext.alpha,
                public=public,
                image=factor,
                proof=proof,
            )
        except ProofError:
            raise ProofError(
                f"trustee {share.trustee}: decryption proof {position} does not verify"
            ) from None


def lagrange_at_zero(indices: Sequence[int]) -> dict[int, Scalar]:
    if len(set(indices)) != len(indices) or any(not 1 <= i < ORDER for i in indices):
        raise ProofError("trustee indices must be distinct and positive")
    coefficients = {}
    for j in indices:
        numerator, denominator = 1, 1
        for m in indices:
            if m != j:
                numerator = numerator * m % ORDER
                denominator = denominator * (m - j) % ORDER
        coefficients[j] = Scalar(numerator * pow(denominator, -1, ORDER))
    return coefficients


def combine_decryption_shares(
    threshold: int, ciphertexts: Sequence[Ciphertext], shares: Sequence[DecryptionShare]
) -> list[Point]:
    """``m*G`` for each ciphertext from at least ``threshold`` (already verified) shares."""
    if len({s.trustee for s in shares}) != len(shares):
        raise ProofError("one decryption share per trustee")
    if len(shares) < threshold:
        raise ProofError(f"need decryption shares from at least {threshold} trustees")
    if any(len(s.factors) != len(ciphertexts) for s in shares):
        raise ProofError("one factor per ciphertext is needed")
    # Exactly `threshold` shares suffice; using only those costs fewer multiplications.
    chosen = sorted(shares, key=lambda s: s.trustee)[:threshold]
    weights = lagrange_at_zero([s.trustee for s in chosen])
    return [
        ciphertext.beta - multi_mul((weights[s.trustee], s.factors[i]) for s in chosen)
        for i, ciphertext in enumerate(ciphertexts)
    ]


def decrypt_tally(
    threshold: int,
    ciphertexts: Sequence[Ciphertext],
    shares: Sequence[DecryptionShare],
    discrete_log: DiscreteLog | None = None,
) -> list[int]:
    table = discrete_log or discrete_log_table()
    return [
        table.solve(point) for point in combine_decryption_shares(threshold, ciphertexts, shares)
    ]
