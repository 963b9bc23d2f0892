"""Encrypted ballots: encryption with proofs, server-side verification, trackers, Benaloh audits.

A ballot answers each question of a :class:`Manifest` with one ciphertext per option (0 or 1,
with a 0/1 proof) and one proof per question that the options' sum lies in ``[min, max]``
(single choice is ``min = max = 1``). The exact byte layouts and hash inputs are specified in
``docs/election-crypto.md``; ``static/voting/ballot-crypto.js`` implements the same in the
browser and ``tests/voting/crypto/vectors.json`` pins both to identical bytes.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from smartseoul.voting.crypto.codec import (
    read_hex,
    read_int,
    read_list,
    read_object,
    read_point,
)
from smartseoul.voting.crypto.elgamal import Ciphertext, add_all, encrypt
from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import IDENTITY, POINT_SIZE, SCALAR_SIZE, G, Point, Scalar
from smartseoul.voting.crypto.hashing import Item, NonceSource, hash32, u32
from smartseoul.voting.crypto.proofs import Randomness, RangeProof, prove_range, verify_range

MAX_QUESTIONS = 1000
MAX_OPTIONS = 1000
#: The binding is a pseudonymous per-voter value (e.g. a credential's public key), never
#: personal data: it is published with the ballot.
MAX_BINDING = 64


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """What the cryptography needs to know about a question: its shape, not its text."""

    options: int
    min_selections: int
    max_selections: int

    def __post_init__(self) -> None:
        if not 1 <= self.options <= MAX_OPTIONS:
            raise ProofError(f"a question has 1 to {MAX_OPTIONS} options")
        if not 0 <= self.min_selections <= self.max_selections <= self.options:
            raise ProofError("a question needs 0 <= min <= max <= number of options")
        if self.max_selections < 1:
            raise ProofError("a question must allow at least one selection")

    @property
    def count_proof_needed(self) -> bool:
        """False when any number of options may be chosen (min 0, max all): a sum of 0/1
        values always lies in [0, n], so the count proof would prove nothing. It is then
        empty — budget questions, whose budget proof bounds what matters, save 15 ms."""
        return not (self.min_selections == 0 and self.max_selections == self.options)


@dataclass(frozen=True, slots=True)
class Manifest:
    """``manifest_hash`` is the app's 32-byte hash of the full manifest (texts, ids, dates)."""

    manifest_hash: bytes
    questions: tuple[QuestionSpec, ...]

    def __post_init__(self) -> None:
        if len(self.manifest_hash) != 32:
            raise ProofError("manifest_hash must be 32 bytes")
        if not 1 <= len(self.questions) <= MAX_QUESTIONS:
            raise ProofError(f"a manifest has 1 to {MAX_QUESTIONS} questions")

    def to_json(self) -> dict[str, object]:
        return {
            "manifest_hash": self.manifest_hash.hex(),
            "questions": [
                {"options": q.options, "min": q.min_selections, "max": q.max_selections}
                for q in self.questions
            ],
        }

    @classmethod
    def from_json(cls, value: object) -> Manifest:
        fields = read_object(value, "manifest", ("manifest_hash", "questions"))
        questions = []
        for i, item in enumerate(read_list(fields["questions"], "manifest.questions")):
            where = f"manifest.questions[{i}]"
            q = read_object(item, where, ("options", "min", "max"))
            questions.append(
                QuestionSpec(
                    read_int(q["options"], f"{where}.options", low=1, high=MAX_OPTIONS),
                    read_int(q["min"], f"{where}.min", high=MAX_OPTIONS),
                    read_int(q["max"], f"{where}.max", high=MAX_OPTIONS),
                )
            )
        manifest_hash = read_hex(fields["manifest_hash"], "manifest.manifest_hash", size=32)
        return cls(manifest_hash, tuple(questions))


@dataclass(frozen=True, slots=True)
class ElectionContext:
    """A manifest, the joint public key, and the election hash binding both."""

    manifest: Manifest
    public_key: Point
    election_hash: bytes

    @classmethod
    def create(cls, manifest: Manifest, public_key: Point) -> ElectionContext:
        if public_key.is_identity:
            raise ProofError("the election public key must not be the identity")
        items: list[Item] = [manifest.manifest_hash, u32(len(manifest.questions))]
        for q in manifest.questions:
            items += [u32(q.options), u32(q.min_selections), u32(q.max_selections)]
        return cls(manifest, public_key, hash32("election", *items, public_key))


@dataclass(frozen=True, slots=True)
class EncryptedOption:
    ciphertext: Ciphertext
    proof: RangeProof


@dataclass(frozen=True, slots=True)
class EncryptedQuestion:
    options: tuple[EncryptedOption, ...]
    proof: RangeProof


@dataclass(frozen=True, slots=True)
class EncryptedBallot:
    election_hash: bytes
    binding: bytes
    questions: tuple[EncryptedQuestion, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "election_hash": self.election_hash.hex(),
            "binding": self.binding.hex(),
            "questions": [
                {
                    "options": [
                        {
                            "alpha": o.ciphertext.alpha.hex(),
                            "beta": o.ciphertext.beta.hex(),
                            "proof": o.proof.to_json(),
                        }
                        for o in q.options
                    ],
                    "proof": q.proof.to_json(),
                }
                for q in self.questions
            ],
        }

    @classmethod
    def from_json(cls, value: object) -> EncryptedBallot:
        """Parse strictly; shapes are checked against the manifest by :func:`verify_ballot`."""
        fields = read_object(value, "ballot", ("election_hash", "binding", "questions"))
        questions = []
        raw_questions = read_list(fields["questions"], "ballot.questions")
        if len(raw_questions) > MAX_QUESTIONS:
            raise ProofError("ballot.questions: too many questions")
        for qi, raw in enumerate(raw_questions):
            where = f"ballot.questions[{qi}]"
            q = read_object(raw, where, ("options", "proof"))
            raw_options = read_list(q["options"], f"{where}.options")
            if len(raw_options) > MAX_OPTIONS:
                raise ProofError(f"{where}.options: too many options")
            options = []
            for oi, raw_option in enumerate(raw_options):
                at = f"{where}.options[{oi}]"
                o = read_object(raw_option, at, ("alpha", "beta", "proof"))
                ciphertext = Ciphertext(
                    read_point(o["alpha"], f"{at}.alpha"), read_point(o["beta"], f"{at}.beta")
                )
                proof = RangeProof.from_json(o["proof"], f"{at}.proof", 2)
                options.append(EncryptedOption(ciphertext, proof))
            proof_fields = read_object(q["proof"], f"{where}.proof", ("c", "v"))
            branches = len(read_list(proof_fields["c"], f"{where}.proof.c"))
            if not 0 <= branches <= MAX_OPTIONS + 1:
                raise ProofError(f"{where}.proof: wrong number of branches")
            proof = RangeProof.from_json(q["proof"], f"{where}.proof", branches)
            questions.append(EncryptedQuestion(tuple(options), proof))
        return cls(
            read_hex(fields["election_hash"], "ballot.election_hash", size=32),
            read_hex(fields["binding"], "ballot.binding", max_size=MAX_BINDING),
            tuple(questions),
        )

    def to_bytes(self) -> bytes:
        """The canonical encoding (docs/election-crypto.md, "Ballot bytes")."""
        parts = [self.election_hash, u32(len(self.binding)), self.binding, u32(len(self.questions))]
        for q in self.questions:
            parts.append(u32(len(q.options)))
            for o in q.options:
                parts += [o.ciphertext.to_bytes(), o.proof.to_bytes()]
            parts += [u32(len(q.proof.challenges)), q.proof.to_bytes()]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> EncryptedBallot:
        reader = _Reader(data)
        election_hash = reader.take(32)
        binding = reader.take(reader.count(MAX_BINDING))
        questions = []
        for _ in range(reader.count(MAX_QUESTIONS, low=1)):
            options = []
            for _ in range(reader.count(MAX_OPTIONS, low=1)):
                ciphertext = Ciphertext(reader.point(), reader.point())
                options.append(EncryptedOption(ciphertext, reader.range_proof(2)))
            proof = reader.range_proof(reader.count(MAX_OPTIONS + 1))
            questions.append(EncryptedQuestion(tuple(options), proof))
        if not reader.done:
            raise ProofError("trailing bytes after the ballot")
        return cls(election_hash, binding, tuple(questions))

    def tracker(self) -> bytes:
        """The ballot tracker: ``hash32("tracker", ballot bytes)``; not chained (see docs)."""
        return hash32("tracker", self.to_bytes())


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def take(self, size: int) -> bytes:
        if self._at + size > len(self._data):
            raise ProofError("ballot bytes are truncated")
        chunk = self._data[self._at : self._at + size]
        self._at += size
        return chunk

    def count(self, high: int, *, low: int = 0) -> int:
        value = int.from_bytes(self.take(4), "big")
        if not low <= value <= high:
            raise ProofError("a count in the ballot bytes is out of range")
        return value

    def point(self) -> Point:
        return Point.from_bytes(self.take(POINT_SIZE))

    def range_proof(self, branches: int) -> RangeProof:
        challenges = tuple(Scalar.from_bytes(self.take(SCALAR_SIZE)) for _ in range(branches))
        responses = tuple(Scalar.from_bytes(self.take(SCALAR_SIZE)) for _ in range(branches))
        return RangeProof(challenges, responses)

    @property
    def done(self) -> bool:
        return self._at == len(self._data)


@dataclass(frozen=True, slots=True)
class BallotSecrets:
    """What the voter's device keeps: reveal ``seed`` to audit; never send it with a cast."""

    seed: bytes
    selections: tuple[tuple[int, ...], ...]


def _option_context(context: ElectionContext, binding: bytes, q: int, i: int) -> list[Item]:
    return [context.election_hash, binding, u32(q), u32(i)]


def _question_context(
    context: ElectionContext, binding: bytes, q: int, ciphertexts: Sequence[Ciphertext]
) -> list[Item]:
    items: list[Item] = [context.election_hash, binding, u32(q), u32(len(ciphertexts))]
    for ciphertext in ciphertexts:
        items += [ciphertext.alpha, ciphertext.beta]
    return items


def check_selections(manifest: Manifest, selections: Sequence[Sequence[int]]) -> None:
    if len(selections) != len(manifest.questions):
        raise ProofError("one list of selections per question is needed")
    for q, (spec, chosen) in enumerate(zip(manifest.questions, selections, strict=True)):
        if len(chosen) != spec.options:
            raise ProofError(f"question {q}: one 0/1 value per option is needed")
        if any(type(m) is not int or m not in (0, 1) for m in chosen):
            raise ProofError(f"question {q}: every selection must be 0 or 1")
        if not spec.min_selections <= sum(chosen) <= spec.max_selections:
            raise ProofError(
                f"question {q}: choose between {spec.min_selections} and {spec.max_selections}"
            )


def _proof_nonces(nonce: NonceSource, *path: bytes) -> Randomness:
    def randomness(branch: int, slot: int) -> Scalar:
        return nonce(*path, u32(branch), u32(slot))

    return randomness


def encrypt_ballot(
    context: ElectionContext,
    selections: Sequence[Sequence[int]],
    *,
    binding: bytes = b"",
    seed: bytes | None = None,
) -> tuple[EncryptedBallot, BallotSecrets]:
    """Encrypt and prove; all randomness comes from ``seed`` (fresh random when ``None``).

    Pass a seed only to reproduce a ballot (test vectors, audits): reusing a seed for a
    different ballot breaks its secrecy.
    """
    check_selections(context.manifest, selections)
    if len(binding) > MAX_BINDING:
        raise ProofError(f"the binding is at most {MAX_BINDING} bytes")
    seed = secrets.token_bytes(32) if seed is None else seed
    nonce = NonceSource(seed, context.election_hash)
    key = context.public_key
    questions = []
    for q, (spec, chosen) in enumerate(zip(context.manifest.questions, selections, strict=True)):
        options, ciphertexts, nonces = [], [], []
        for i, m in enumerate(chosen):
            r = nonce(b"encrypt", u32(q), u32(i))
            ciphertext = encrypt(key, m, r)
            proof = prove_range(
                tag="option",
                context=_option_context(context, binding, q, i),
                public_key=key,
                ciphertext=ciphertext,
                value=m,
                nonce=r,
                low=0,
                high=1,
                randomness=_proof_nonces(nonce, b"option-proof", u32(q), u32(i)),
            )
            options.append(EncryptedOption(ciphertext, proof))
            ciphertexts.append(ciphertext)
            nonces.append(r)
        if not spec.count_proof_needed:
            questions.append(EncryptedQuestion(tuple(options), RangeProof((), ())))
            continue
        proof = prove_range(
            tag="question",
            context=_question_context(context, binding, q, ciphertexts),
            public_key=key,
            ciphertext=add_all(ciphertexts),
            value=sum(chosen),
            nonce=sum(nonces, Scalar(0)),
            low=spec.min_selections,
            high=spec.max_selections,
            randomness=_proof_nonces(nonce, b"question-proof", u32(q)),
        )
        questions.append(EncryptedQuestion(tuple(options), proof))
    ballot = EncryptedBallot(context.election_hash, bytes(binding), tuple(questions))
    return ballot, BallotSecrets(seed, tuple(tuple(chosen) for chosen in selections))


def verify_ballot(context: ElectionContext, ballot: EncryptedBallot) -> None:
    """Check shape and every proof; raise :class:`ProofError` naming the first failure."""
    if ballot.election_hash != context.election_hash:
        raise ProofError("the ballot is for another election")
    if len(ballot.binding) > MAX_BINDING:
        raise ProofError("the ballot's binding is too long")
    specs = context.manifest.questions
    if len(ballot.questions) != len(specs):
        raise ProofError("the ballot does not answer every question of the manifest")
    key = context.public_key
    for q, (spec, question) in enumerate(zip(specs, ballot.questions, strict=True)):
        if len(question.options) != spec.options:
            raise ProofError(f"question {q}: wrong number of options")
        ciphertexts = [option.ciphertext for option in question.options]
        for i, option in enumerate(question.options):
            try:
                verify_range(
                    tag="option",
                    context=_option_context(context, ballot.binding, q, i),
                    public_key=key,
                    ciphertext=option.ciphertext,
                    proof=option.proof,
                    low=0,
                    high=1,
                )
            except ProofError as error:
                raise ProofError(f"question {q} option {i}: {error}") from None
        if not spec.count_proof_needed:
            if question.proof.challenges or question.proof.responses:
                raise ProofError(f"question {q}: any number may be chosen; no count proof is due")
            continue
        try:
            verify_range(
                tag="question",
                context=_question_context(context, ballot.binding, q, ciphertexts),
                public_key=key,
                ciphertext=add_all(ciphertexts),
                proof=question.proof,
                low=spec.min_selections,
                high=spec.max_selections,
            )
        except ProofError as error:
            raise ProofError(f"question {q}: number of selections: {error}") from None


def audit_ballot(
    context: ElectionContext, ballot: EncryptedBallot, seed: bytes
) -> tuple[tuple[int, ...], ...]:
    """Benaloh challenge: from the revealed seed, read the choices and re-derive the ballot.

    Decrypts each option with its derived nonce (``β − r*K`` must be ``0`` or ``G``), then
    re-encrypts those choices with the same seed and binding and requires identical bytes, so
    the device's entire output, proofs included, is shown to follow from the seed. Returns
    the choices for the voter to compare with what they picked.
    """
    if ballot.election_hash != context.election_hash:
        raise ProofError("the ballot is for another election")
    nonce = NonceSource(seed, context.election_hash)
    choices = []
    for q, question in enumerate(ballot.questions):
        row = []
        for i, option in enumerate(question.options):
            opened = option.ciphertext.beta - context.public_key * nonce(b"encrypt", u32(q), u32(i))
            if opened == IDENTITY:
                row.append(0)
            elif opened == G:
                row.append(1)
            else:
                raise ProofError(f"question {q} option {i}: the seed does not open this ciphertext")
        choices.append(tuple(row))
    again, _ = encrypt_ballot(context, choices, binding=ballot.binding, seed=seed)
    if again.to_bytes() != ballot.to_bytes():
        raise ProofError("the ballot does not follow from the revealed seed")
    return tuple(choices)
