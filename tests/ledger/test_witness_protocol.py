"""tlog-cosignature and tlog-witness add-checkpoint: formats and decision rules."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartseoul.ledger.checkpoint import Checkpoint
from smartseoul.ledger.merkle import EMPTY_ROOT, MemoryTree
from smartseoul.ledger.note import (
    ALG_ED25519,
    Ed25519Signer,
    KeyFormatError,
    UnverifiedNoteError,
    decode_vkey,
    key_id,
    open_note,
    parse_verifier_key,
    sign_note,
    split_note,
)
from smartseoul.ledger.witness_protocol import (
    ALG_COSIGNATURE_V1,
    CONTENT_TYPE_SIZE,
    CosignatureSigner,
    CosignatureVerifier,
    MemoryWitnessStore,
    RequestError,
    Witness,
    WitnessResponse,
    build_add_checkpoint_request,
    cosignature_message,
    cosignature_timestamp,
    generate_cosigner_key,
    parse_add_checkpoint_request,
    parse_cosigner_skey,
    parse_cosigner_vkey,
    verify_cosignature,
)

NOW = 1_700_000_000
ORIGIN = "example.com/log"
LOG = Ed25519Signer(ORIGIN, b"\x11" * 32)
OTHER_LOG_KEY = Ed25519Signer(ORIGIN, b"\x12" * 32)
WITNESS_KEY = CosignatureSigner("witness.example/w1", b"\x22" * 32, clock=lambda: NOW)

TREE = MemoryTree()
TREE.extend(b"leaf %d" % i for i in range(40))
FORK = MemoryTree()
FORK.extend(b"leaf %d" % i if i != 3 else b"evil" for i in range(40))


def signed(
    size: int, tree: MemoryTree = TREE, *, signer: Ed25519Signer = LOG, origin: str = ORIGIN
) -> str:
    return sign_note(Checkpoint(origin, size, tree.root(size)).to_text(), [signer])


def request(old: int, size: int, tree: MemoryTree = TREE, **kwargs) -> bytes:
    proof = tree.consistency_proof(old, size) if old else []
    return build_add_checkpoint_request(old, proof, signed(size, tree, **kwargs))


@pytest.fixture
def store() -> MemoryWitnessStore:
    return MemoryWitnessStore()


@pytest.fixture
def witness(store) -> Witness:
    return Witness(WITNESS_KEY, {ORIGIN: [LOG.verifier()]}, store)


def cosigned(witness: Witness, old: int, size: int) -> WitnessResponse:
    response = witness.add_checkpoint(request(old, size))
    assert response.status == 200, response.body
    return response


# --- cosignature format (c2sp.org/tlog-cosignature) ---


def test_signed_message_matches_the_spec_example():
    text = b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosignature_message(text, 1679315147) == b"cosignature/v1\ntime 1679315147\n" + text


def test_spec_example_cosignature_carries_its_timestamp():
    line = (
        "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJs"
        "X3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
    )
    _, [signature] = split_note("x\n\n" + line)
    assert signature.key_id == 0x8D66CF3F
    assert cosignature_timestamp(signature) == 1679315147


def test_cosigner_key_id_uses_type_0x04():
    assert WITNESS_KEY.key_id == key_id(WITNESS_KEY.name, 0x04, WITNESS_KEY.public_key)
    assert WITNESS_KEY.key_id != key_id(WITNESS_KEY.name, ALG_ED25519, WITNESS_KEY.public_key)
    verifier = parse_cosigner_vkey(WITNESS_KEY.vkey)
    assert verifier.key_id == WITNESS_KEY.key_id
    assert verifier.vkey == WITNESS_KEY.vkey
    with pytest.raises(KeyFormatError, match="unsupported signature type 0x04"):
        parse_verifier_key(WITNESS_KEY.vkey)
    with pytest.raises(KeyFormatError, match="not a cosignature"):
        parse_cosigner_vkey(LOG.vkey)


def test_cosigner_keys_round_trip():
    skey, vkey = generate_cosigner_key("witness.example/w2")
    signer = parse_cosigner_skey(skey, clock=lambda: NOW)
    assert signer.vkey == vkey
    assert decode_vkey(vkey).sig_type == ALG_COSIGNATURE_V1


def test_cosignature_round_trip_and_rejections():
    note = signed(7)
    text, _ = split_note(note)
    cosig = sign_note(text, [WITNESS_KEY])
    assert verify_cosignature(cosig, WITNESS_KEY.verifier()) == NOW
    other = CosignatureVerifier(WITNESS_KEY.name, CosignatureSigner("w", b"\x33" * 32).public_key)
    with pytest.raises(UnverifiedNoteError):
        verify_cosignature(cosig, other)
    # The timestamp is signed: moving it breaks the signature.
    raw = open_note(cosig, [WITNESS_KEY.verifier()]).signatures[0].signature
    moved = (NOW + 1).to_bytes(8, "big") + raw[8:]
    assert not WITNESS_KEY.verifier().verify(text.encode(), moved)
    # Verifiers MAY refuse cosignatures from the future.
    strict = CosignatureVerifier(WITNESS_KEY.name, WITNESS_KEY.public_key, 60, lambda: NOW - 3600)
    assert not strict.verify(text.encode(), raw)
    # A plain Ed25519 signature over the bare text is not a cosignature.
    assert not WITNESS_KEY.verifier().verify(text.encode(), raw[8:])


def test_cosigner_only_signs_checkpoints():
    with pytest.raises(ValueError, match="tree size"):
        WITNESS_KEY.sign(b"hello\nworld\nthis is not a checkpoint\n")
    checkpoint = Checkpoint(ORIGIN, 1, TREE.root(1)).to_text().encode()
    with pytest.raises(ValueError, match="timestamp"):
        CosignatureSigner("w", b"\x01" * 32, clock=lambda: 0).sign(checkpoint)


# --- request format (c2sp.org/tlog-witness §add-checkpoint) ---


def test_request_round_trip():
    body = request(5, 12)
    assert body.startswith(b"old 5\n")
    parsed = parse_add_checkpoint_request(body)
    assert parsed.old_size == 5
    assert list(parsed.proof) == TREE.consistency_proof(5, 12)
    assert parsed.checkpoint == signed(12).encode()
    assert build_add_checkpoint_request(0, [], "x") == b"old 0\n\nx"


@given(
    old=st.integers(0, 2**64 - 1),
    proof=st.lists(st.binary(min_size=32, max_size=32), max_size=63),
)
def test_request_round_trip_property(old, proof):
    body = build_add_checkpoint_request(old, proof, signed(3))
    parsed = parse_add_checkpoint_request(body)
    assert (parsed.old_size, list(parsed.proof)) == (old, proof)


HASH = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 1\n",
        b"new 1\n\nx",
        b"old 01\n\nx",
        b"old -1\n\nx",
        b"old\n\nx",
        b"old 1 \n\nx",
        b"old 1\nnot base64!\n\nx",
        b"old 1\nAAAA\n\nx",
        b"old 1\n" + (HASH + "\n").encode() * 64 + b"\nx",
        b"old \xff\n\nx",
    ],
)
def test_malformed_requests(body):
    with pytest.raises(RequestError):
        parse_add_checkpoint_request(body)


def test_build_rejects_bad_arguments():
    with pytest.raises(ValueError, match="63"):
        build_add_checkpoint_request(1, [b"\x00" * 32] * 64, "x")
    with pytest.raises(ValueError, match="32 bytes"):
        build_add_checkpoint_request(1, [b"\x00"], "x")


# --- the witness's decisions ---


def test_first_checkpoint_is_cosigned(witness, store):
    response = cosigned(witness, 0, 5)
    assert response.body.startswith("— witness.example/w1 ".encode())
    assert response.body.endswith(b"\n")
    # The client appends the response to its checkpoint and verifies it.
    assert verify_cosignature(signed(5).encode() + response.body, WITNESS_KEY.verifier()) == NOW
    assert store.get_size_and_root(ORIGIN) == (5, TREE.root(5))
    # The stored note carries the log's signature and the cosignature.
    kept = open_note(store.checkpoint(ORIGIN), [LOG.verifier(), WITNESS_KEY.verifier()])
    assert [s.name for s in kept.signatures] == [ORIGIN, WITNESS_KEY.name]


def test_consistent_extensions_are_cosigned(witness, store):
    cosigned(witness, 0, 5)
    cosigned(witness, 5, 12)
    cosigned(witness, 12, 12)  # the same checkpoint again
    cosigned(witness, 12, 40)
    assert store.get_size_and_root(ORIGIN) == (40, TREE.root(40))


def test_wrong_old_size_is_a_conflict(witness, store):
    cosigned(witness, 0, 5)
    response = witness.add_checkpoint(request(3, 12))
    assert response == (409, b"5\n")
    assert response.content_type == CONTENT_TYPE_SIZE
    # A client without state learns the latest size with old size 0.
    assert witness.add_checkpoint(request(0, 12)) == (409, b"5\n")


def test_inconsistent_proof_is_unprocessable(store):
    evidence: list[tuple[str, bytes]] = []
    witness = Witness(
        WITNESS_KEY,
        {ORIGIN: [LOG.verifier()]},
        store,
        on_misbehavior=lambda o, b: evidence.append((o, b)),
    )
    cosigned(witness, 0, 5)
    # The log rewrote leaf 3 and signed the forked tree.
    forked = witness.add_checkpoint(request(5, 12, FORK))
    assert forked.status == 422
    assert [origin for origin, _ in evidence] == [ORIGIN]
    # A genuine checkpoint with one proof hash flipped.
    proof = TREE.consistency_proof(5, 12)
    proof[0] = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    body = build_add_checkpoint_request(5, proof, signed(12))
    assert witness.add_checkpoint(body).status == 422
    assert witness.add_checkpoint(build_add_checkpoint_request(5, [], signed(12))).status == 422
    assert store.get_size_and_root(ORIGIN) == (5, TREE.root(5))


def test_same_size_different_root_is_unprocessable(witness):
    cosigned(witness, 0, 5)
    assert witness.add_checkpoint(request(5, 5, FORK)).status == 422


def test_rolled_back_checkpoint_is_refused(witness, store):
    cosigned(witness, 0, 12)
    # Honest about the old size: old size above the checkpoint size is 400.
    body = build_add_checkpoint_request(12, [], signed(8))
    assert witness.add_checkpoint(body).status == 400
    # Claiming the smaller size as the old one conflicts with the record.
    assert witness.add_checkpoint(request(8, 8)) == (409, b"12\n")
    assert store.get_size_and_root(ORIGIN) == (12, TREE.root(12))


def test_unknown_log_is_not_found(witness):
    other = Ed25519Signer("example.com/other", b"\x44" * 32)
    assert (
        witness.add_checkpoint(request(0, 5, signer=other, origin="example.com/other")).status
        == 404
    )


def test_bad_signatures_are_forbidden(witness, store):
    good = signed(5)
    root_line = good.split("\n")[2]
    other_root = base64.b64encode(TREE.root(6)).decode()
    for note in [
        good.replace("\n5\n", "\n6\n"),  # signature no longer matches the text
        good.replace(root_line, other_root),
        signed(5, signer=OTHER_LOG_KEY),  # right name, untrusted key
        signed(5, signer=Ed25519Signer("example.com/impostor", b"\x11" * 32)),
    ]:
        assert witness.add_checkpoint(build_add_checkpoint_request(0, [], note)).status == 403
    assert store.get_size_and_root(ORIGIN) is None


def test_one_failing_trusted_signature_is_forbidden(store):
    # During key rotation both keys are trusted; one bad signature taints the note.
    witness = Witness(WITNESS_KEY, {ORIGIN: [LOG.verifier(), OTHER_LOG_KEY.verifier()]}, store)
    text, _ = split_note(signed(5))
    good = sign_note(text, [LOG])
    forged = sign_note(text.replace("\n5\n", "\n6\n"), [OTHER_LOG_KEY]).split("\n\n")[1]
    assert witness.add_checkpoint(build_add_checkpoint_request(0, [], good + forged)).status == 403
    assert witness.add_checkpoint(build_add_checkpoint_request(0, [], good)).status == 200


def test_malformed_body_is_bad_request(witness):
    assert witness.add_checkpoint(b"garbage").status == 400
    assert witness.add_checkpoint(b"old 0\n\nnot a note").status == 400
    assert witness.add_checkpoint(b"old 0\n\n" + b"a\nb\n\n" + signed(1).encode()).status == 400


def test_empty_tree_rules(witness):
    bad = sign_note(f"{ORIGIN}\n0\n{'A' * 43}=\n", [LOG])
    assert witness.add_checkpoint(build_add_checkpoint_request(0, [], bad)).status == 422
    cosigned(witness, 0, 0)
    # From size 0 the proof must be empty.
    body = build_add_checkpoint_request(0, [EMPTY_ROOT], signed(4))
    assert witness.add_checkpoint(body).status == 422
    cosigned(witness, 0, 4)


def test_lost_race_is_a_conflict(store):
    class RacingStore(MemoryWitnessStore):
        """Another request cosigns size 20 between our read and our write."""

        def compare_and_set(self, origin, expected, new, checkpoint_note):
            super().compare_and_set(origin, expected, (20, TREE.root(20)), b"other")
            return super().compare_and_set(origin, expected, new, checkpoint_note)

    witness = Witness(WITNESS_KEY, {ORIGIN: [LOG.verifier()]}, RacingStore())
    assert witness.add_checkpoint(request(0, 5)) == (409, b"20\n")


def test_witness_refuses_ambiguous_log_keys():
    class Impostor:
        name, key_id = LOG.name, LOG.key_id

        def verify(self, message: bytes, signature: bytes) -> bool:
            return True

    with pytest.raises(ValueError, match="one name and ID"):
        Witness(WITNESS_KEY, {ORIGIN: [LOG.verifier(), Impostor()]}, MemoryWitnessStore())
