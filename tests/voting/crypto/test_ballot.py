"""Ballots: honest ballots verify; forged, changed, misdirected or over-full ballots do not."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartseoul.voting.crypto import (
    ElectionContext,
    EncryptedBallot,
    G,
    Manifest,
    ProofError,
    QuestionSpec,
    Scalar,
    audit_ballot,
    encrypt,
    encrypt_ballot,
    verify_ballot,
)
from smartseoul.voting.crypto.ballot import EncryptedOption, EncryptedQuestion
from smartseoul.voting.crypto.elgamal import add_all
from smartseoul.voting.crypto.proofs import prove_range

SECRET = Scalar(42424242)
KEY = G * SECRET
SINGLE = Manifest(b"\x01" * 32, (QuestionSpec(5, 1, 1),))
MIXED = Manifest(b"\x02" * 32, (QuestionSpec(3, 1, 2), QuestionSpec(2, 0, 1)))


def _context(manifest: Manifest = SINGLE) -> ElectionContext:
    return ElectionContext.create(manifest, KEY)


@st.composite
def manifests_and_choices(draw: st.DrawFn) -> tuple[Manifest, list[list[int]]]:
    specs, choices = [], []
    for _ in range(draw(st.integers(1, 3))):
        options = draw(st.integers(1, 5))
        high = draw(st.integers(1, options))
        low = draw(st.integers(0, high))
        count = draw(st.integers(low, high))
        chosen = draw(st.permutations(range(options)))[:count]
        specs.append(QuestionSpec(options, low, high))
        choices.append([int(i in chosen) for i in range(options)])
    return Manifest(draw(st.binary(min_size=32, max_size=32)), tuple(specs)), choices


@settings(max_examples=25, deadline=None)
@given(manifests_and_choices(), st.binary(max_size=64))
def test_honest_ballots_verify_and_audit(
    case: tuple[Manifest, list[list[int]]], binding: bytes
) -> None:
    manifest, choices = case
    context = _context(manifest)
    ballot, secrets = encrypt_ballot(context, choices, binding=binding)
    verify_ballot(context, ballot)
    assert EncryptedBallot.from_json(json.loads(json.dumps(ballot.to_json()))) == ballot
    assert EncryptedBallot.from_bytes(ballot.to_bytes()) == ballot
    assert audit_ballot(context, ballot, secrets.seed) == tuple(map(tuple, choices))


def test_encryption_is_deterministic_in_the_seed_only() -> None:
    context = _context()
    first, _ = encrypt_ballot(context, [[0, 1, 0, 0, 0]], seed=b"\x05" * 32)
    again, _ = encrypt_ballot(context, [[0, 1, 0, 0, 0]], seed=b"\x05" * 32)
    fresh, _ = encrypt_ballot(context, [[0, 1, 0, 0, 0]])
    assert first == again
    assert first.tracker() == again.tracker() != fresh.tracker()
    assert len(first.tracker()) == 32


@pytest.mark.parametrize(
    "choices",
    [
        [[0, 1, 1, 0, 0]],  # two choices in a single-choice question
        [[0, 0, 0, 0, 0]],  # none where one is required
        [[0, 2, 0, 0, 0]],  # a 2 in a 0/1 slot
        [[0, 1, 0, 0]],  # wrong number of options
        [[0, 1, 0, 0, 0], [1]],  # an extra question
        [[0, True, 0, 0, 0]],  # a bool is not 0/1
    ],
)
def test_the_honest_client_refuses_invalid_choices(choices: list[list[int]]) -> None:
    with pytest.raises(ProofError):
        encrypt_ballot(_context(), choices)


def _forged(context: ElectionContext, values: list[int], claimed: list[int]) -> EncryptedBallot:
    """A cheating client: encrypts ``values`` but proves as if they were ``claimed``."""
    spec = context.manifest.questions[0]
    ciphertexts, nonces, options = [], [], []
    for i, (value, claim) in enumerate(zip(values, claimed, strict=True)):
        nonce = Scalar.random()
        ciphertext = encrypt(context.public_key, value, nonce)
        proof = prove_range(
            tag="option",
            context=[context.election_hash, b"", (0).to_bytes(4, "big"), i.to_bytes(4, "big")],
            public_key=context.public_key,
            ciphertext=ciphertext,
            value=claim,
            nonce=nonce,
            low=0,
            high=1,
        )
        ciphertexts.append(ciphertext)
        nonces.append(nonce)
        options.append(EncryptedOption(ciphertext, proof))
    question_context: list[bytes] = [
        context.election_hash,
        b"",
        (0).to_bytes(4, "big"),
        len(values).to_bytes(4, "big"),
    ]
    for ciphertext in ciphertexts:
        question_context += [ciphertext.alpha.to_bytes(), ciphertext.beta.to_bytes()]
    proof = prove_range(
        tag="question",
        context=question_context,
        public_key=context.public_key,
        ciphertext=add_all(ciphertexts),
        value=min(max(sum(claimed), spec.min_selections), spec.max_selections),
        nonce=sum(nonces, Scalar(0)),
        low=spec.min_selections,
        high=spec.max_selections,
    )
    return EncryptedBallot(context.election_hash, b"", (EncryptedQuestion(tuple(options), proof),))


def test_the_forgery_helper_makes_valid_ballots_when_honest() -> None:
    context = _context()
    verify_ballot(context, _forged(context, [0, 0, 1, 0, 0], [0, 0, 1, 0, 0]))


def test_a_two_in_a_zero_one_slot_is_rejected() -> None:
    context = _context()
    ballot = _forged(context, [0, 2, 0, 0, 0], [0, 1, 0, 0, 0])
    with pytest.raises(ProofError, match="question 0 option 1: range proof does not verify"):
        verify_ballot(context, ballot)


def test_too_many_choices_are_rejected() -> None:
    context = _context()
    ballot = _forged(context, [1, 1, 0, 0, 0], [1, 1, 0, 0, 0])
    with pytest.raises(ProofError, match="question 0: number of selections"):
        verify_ballot(context, ballot)


def test_a_negative_vote_is_rejected() -> None:
    """-1 in one slot and 1 twice elsewhere sums to 1: the 0/1 proof catches the -1."""
    context = _context()
    minus_one = Scalar(-1).value  # encrypt() takes non-negative ints: -1 is ℓ-1
    ballot = _forged(context, [1, 1, minus_one, 0, 0], [1, 1, 0, 0, 0])
    with pytest.raises(ProofError, match="option 2"):
        verify_ballot(context, ballot)


def test_a_ballot_for_another_election_is_rejected() -> None:
    ballot, _ = encrypt_ballot(_context(), [[1, 0, 0, 0, 0]])
    other = ElectionContext.create(Manifest(b"\x09" * 32, SINGLE.questions), KEY)
    with pytest.raises(ProofError, match="another election"):
        verify_ballot(other, ballot)
    # Relabelling the ballot does not help: every proof hashes the election hash.
    relabelled = EncryptedBallot(other.election_hash, ballot.binding, ballot.questions)
    with pytest.raises(ProofError, match="does not verify"):
        verify_ballot(other, relabelled)


def test_a_ballot_under_another_key_is_rejected() -> None:
    ballot, _ = encrypt_ballot(_context(), [[1, 0, 0, 0, 0]])
    other = ElectionContext.create(SINGLE, KEY + G)
    with pytest.raises(ProofError):
        verify_ballot(other, EncryptedBallot(other.election_hash, b"", ballot.questions))


def test_a_ballot_cannot_be_rebound_to_another_voter() -> None:
    context = _context()
    ballot, _ = encrypt_ballot(context, [[1, 0, 0, 0, 0]], binding=b"voter-a")
    moved = EncryptedBallot(ballot.election_hash, b"voter-b", ballot.questions)
    with pytest.raises(ProofError, match="does not verify"):
        verify_ballot(context, moved)


def test_options_cannot_be_reordered() -> None:
    context = _context()
    ballot, _ = encrypt_ballot(context, [[1, 0, 0, 0, 0]])
    options = ballot.questions[0].options
    swapped = EncryptedQuestion((options[1], options[0], *options[2:]), ballot.questions[0].proof)
    with pytest.raises(ProofError, match="option 0"):
        verify_ballot(context, EncryptedBallot(ballot.election_hash, b"", (swapped,)))


def test_flipping_any_byte_of_a_ballot_is_rejected() -> None:
    context = _context(MIXED)
    ballot, _ = encrypt_ballot(context, [[1, 0, 1], [0, 1]], binding=b"cred")
    data = ballot.to_bytes()
    for position in range(len(data)):
        changed = bytearray(data)
        # Alternate the low and the high bit so both sign/canonicity and value bits are hit.
        changed[position] ^= 0x01 if position % 2 else 0x80
        with pytest.raises(ProofError):
            verify_ballot(context, EncryptedBallot.from_bytes(bytes(changed)))


def test_replacing_any_value_with_a_well_formed_one_is_rejected() -> None:
    """Byte flips mostly break encodings; also swap in valid points and scalars."""
    context = _context(MIXED)
    ballot, _ = encrypt_ballot(context, [[0, 1, 1], [0, 0]])
    document = ballot.to_json()

    def paths(node: object, at: tuple[object, ...]) -> list[tuple[object, ...]]:
        if isinstance(node, dict):
            return [p for key, value in node.items() for p in paths(value, (*at, key))]
        if isinstance(node, list):
            return [p for i, value in enumerate(node) for p in paths(value, (*at, i))]
        return [at] if at[-1] not in ("binding", "election_hash") else []

    leaves = paths(document, ())
    assert len(leaves) == 5 * (2 + 4) + (2 + 2) + (2 + 2)
    for path in leaves:
        changed = copy.deepcopy(document)
        holder: object = changed
        for key in path[:-1]:
            holder = holder[key]  # type: ignore[index]
        holder[path[-1]] = (  # type: ignore[index]
            (G * 7).hex() if path[-1] in ("alpha", "beta") else Scalar(7).hex()
        )
        with pytest.raises(ProofError):
            verify_ballot(context, EncryptedBallot.from_json(changed))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.pop("binding"),
        lambda b: b.update(extra=1),
        lambda b: b.update(questions={}),
        lambda b: b["questions"][0]["options"][0].update(alpha="zz" * 32),
        lambda b: b["questions"][0]["options"][0].update(alpha="AB" * 32),
        lambda b: b["questions"][0]["options"][0].update(alpha="00" * 31),
        lambda b: b["questions"][0]["options"][0].update(alpha="01" + "00" * 31),
        lambda b: b["questions"][0]["options"][0].update(beta=None),
        lambda b: b["questions"][0]["options"][0]["proof"]["c"].append("00" * 32),
        lambda b: b["questions"][0]["options"][0]["proof"].update(v=["ff" * 32, "00" * 32]),
        lambda b: b["questions"][0]["proof"].update(c=[]),
        lambda b: b.update(binding="00" * 65),
        lambda b: b.update(election_hash="00" * 31),
    ],
)
def test_malformed_json_is_one_clear_error(mutate: object) -> None:
    ballot, _ = encrypt_ballot(_context(), [[1, 0, 0, 0, 0]])
    document = ballot.to_json()
    mutate(document)  # type: ignore[operator]
    with pytest.raises(ProofError):
        verify_ballot(_context(), EncryptedBallot.from_json(document))


@pytest.mark.parametrize("value", [None, [], "x", 3, {"questions": []}])
def test_garbage_is_rejected_without_other_exceptions(value: object) -> None:
    with pytest.raises(ProofError):
        EncryptedBallot.from_json(value)
    with pytest.raises(ProofError):
        EncryptedBallot.from_bytes(json.dumps(value).encode())


def test_structure_must_match_the_manifest() -> None:
    ballot, _ = encrypt_ballot(_context(MIXED), [[1, 0, 0], [0, 1]])
    other_shape = ElectionContext.create(
        Manifest(MIXED.manifest_hash, (QuestionSpec(3, 1, 2),)), KEY
    )
    with pytest.raises(ProofError):
        verify_ballot(other_shape, ballot)


def test_audit_detects_a_wrong_seed_or_a_changed_ballot() -> None:
    context = _context()
    ballot, secrets = encrypt_ballot(context, [[0, 0, 0, 1, 0]])
    with pytest.raises(ProofError, match="does not open"):
        audit_ballot(context, ballot, b"\x00" * 32)
    # A device that used the seed for the ciphertexts but other randomness for the proofs.
    other, _ = encrypt_ballot(context, [[0, 0, 0, 1, 0]])
    mixed = EncryptedBallot(
        ballot.election_hash,
        b"",
        (EncryptedQuestion(ballot.questions[0].options, other.questions[0].proof),),
    )
    with pytest.raises(ProofError, match="does not follow"):
        audit_ballot(context, mixed, secrets.seed)


def test_manifest_validation_and_json() -> None:
    assert Manifest.from_json(MIXED.to_json()) == MIXED
    for bad in [
        {"manifest_hash": "00" * 32, "questions": []},
        {"manifest_hash": "00" * 32, "questions": [{"options": 2, "min": 2, "max": 1}]},
        {"manifest_hash": "00" * 32, "questions": [{"options": 2, "min": 0, "max": 0}]},
        {"manifest_hash": "00" * 32, "questions": [{"options": 0, "min": 0, "max": 1}]},
        {"manifest_hash": "00" * 32, "questions": [{"options": 2, "min": 0, "max": True}]},
        {"manifest_hash": "00" * 31, "questions": [{"options": 2, "min": 0, "max": 1}]},
    ]:
        with pytest.raises(ProofError):
            Manifest.from_json(bad)
    with pytest.raises(ProofError, match="identity"):
        ElectionContext.create(SINGLE, G * 0)


_FUZZ_BALLOT, _ = encrypt_ballot(_context(MIXED), [[1, 1, 0], [0, 1]])
_JSON_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=70),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_junk_anywhere_raises_only_proof_error(data: st.DataObject) -> None:
    context = _context(MIXED)
    document = _FUZZ_BALLOT.to_json()
    node: object = document
    while True:
        keys = list(node.items()) if isinstance(node, dict) else list(enumerate(node))  # type: ignore[arg-type]
        key, child = data.draw(st.sampled_from(keys))
        if isinstance(child, dict | list) and child and data.draw(st.booleans()):
            node = child
            continue
        node[key] = data.draw(_JSON_JUNK)  # type: ignore[index]
        break
    if document == _FUZZ_BALLOT.to_json():
        return  # the junk happened to equal the original value (e.g. an empty binding)
    try:
        verify_ballot(context, EncryptedBallot.from_json(document))
    except ProofError:
        return
    raise AssertionError("a changed ballot was accepted")
