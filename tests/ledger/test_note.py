"""C2SP signed notes: the spec's and Go sumdb/note's vectors, round trips, rejections."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartseoul.ledger.note import (
    ALG_ED25519,
    AmbiguousKeyError,
    Ed25519Signer,
    Ed25519Verifier,
    InvalidSignatureError,
    KeyFormatError,
    MalformedNoteError,
    Signature,
    UnverifiedNoteError,
    add_signatures,
    decode_vkey,
    generate_signer_key,
    key_id,
    open_note,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
    split_note,
)

# c2sp.org/signed-note §Verifier keys, Example.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
# golang.org/x/mod/sumdb/note note_test.go.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    "RZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33"
    "WWd1RvMc+QQ=\n"
)


def test_spec_example_key_and_note():
    verifier = parse_verifier_key(SPEC_VKEY)
    assert verifier.name == "example.com/foo"
    assert verifier.key_id == 0x530D903A == key_id(verifier.name, ALG_ED25519, verifier.public_key)
    assert verifier.vkey == SPEC_VKEY
    note = open_note(SPEC_NOTE.encode(), [verifier])
    assert note.text == "This is an example message.\n"
    assert [s.name for s in note.signatures] == ["example.com/foo"]


def test_go_reference_keys_and_signature():
    signer = parse_signer_key(PETER_SKEY)
    verifier = parse_verifier_key(PETER_VKEY)
    assert signer.key_id == verifier.key_id == 0xC74F20A3
    assert signer.vkey == PETER_VKEY
    assert signer.skey == PETER_SKEY
    # Ed25519 is deterministic: signing reproduces Go's note byte for byte.
    assert sign_note(TEXT, [signer]) == TEXT + "\n" + PETER_SIG
    assert parse_verifier_key(ENOCH_VKEY).key_id == 0xAF0CFE78


def test_open_with_one_known_and_one_unknown_key():
    peter, enoch = parse_verifier_key(PETER_VKEY), parse_verifier_key(ENOCH_VKEY)
    note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [peter])
    assert note.text == TEXT
    assert [s.name for s in note.signatures] == ["PeterNeumann"]
    assert [s.name for s in note.unverified] == ["EnochRoot"]
    both = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [peter, enoch])
    assert [s.name for s in both.signatures] == ["PeterNeumann", "EnochRoot"]
    assert both.to_text() == TEXT + "\n" + PETER_SIG + ENOCH_SIG


def test_note_without_known_signature_is_rejected():
    with pytest.raises(UnverifiedNoteError) as info:
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])
    assert len(info.value.note.unverified) == 2


def test_tampered_text_or_signature_is_rejected():
    peter = parse_verifier_key(PETER_VKEY)
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        open_note(TEXT.replace("cryptography", "cryptographY") + "\n" + PETER_SIG, [peter])
    bad_sig = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(InvalidSignatureError):
        open_note(TEXT + "\n" + bad_sig, [peter])
    # A second, bad signature by a known key is checked too, not skipped.
    with pytest.raises(InvalidSignatureError):
        open_note(TEXT + "\n" + PETER_SIG + bad_sig, [peter])


def test_duplicates_are_collapsed():
    peter = parse_verifier_key(PETER_VKEY)
    note = open_note(TEXT + "\n" + PETER_SIG * 2 + ENOCH_SIG * 2, [peter])
    assert len(note.signatures) == 1
    assert len(note.unverified) == 1


def test_same_name_and_id_but_different_key_is_ambiguous():
    peter = parse_verifier_key(PETER_VKEY)

    class Impostor:
        name, key_id = peter.name, peter.key_id

        def verify(self, message: bytes, signature: bytes) -> bool:
            return True

    with pytest.raises(AmbiguousKeyError):
        open_note(TEXT + "\n" + PETER_SIG, [peter, Impostor()])
    # The same verifier twice is not ambiguous.
    open_note(TEXT + "\n" + PETER_SIG, [peter, parse_verifier_key(PETER_VKEY)])


def test_wrong_key_with_same_name_is_ignored():
    _, other_vkey = generate_signer_key("PeterNeumann")
    with pytest.raises(UnverifiedNoteError):
        open_note(TEXT + "\n" + PETER_SIG, [parse_verifier_key(other_vkey)])


@pytest.mark.parametrize(
    "msg",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        "\r" + TEXT + "\n" + PETER_SIG,
        TEXT
        + "\n"
        + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX=\n",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + "- PeterNeumann " + PETER_SIG[len("— PeterNeumann ") :],
        TEXT + "\n" + "— PeterNeumann AAAA\n",  # shorter than key ID + 1 byte
        TEXT + "\n" + "— PeterNeumann x08go/ZJ!!\n",
        TEXT + "\n" + "— a+b x08go/ZJkuBS9U\n",
        TEXT + "\n" + PETER_SIG * 101,
    ],
)
def test_malformed_notes(msg):
    with pytest.raises(MalformedNoteError):
        open_note(msg, [parse_verifier_key(PETER_VKEY)])


def test_invalid_utf8_is_malformed():
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), [parse_verifier_key(PETER_VKEY)])


def test_non_canonical_base64_signature_is_malformed():
    # "AYE=" and "AYF=" decode to the same bytes; only the first is canonical.
    with pytest.raises(MalformedNoteError, match="canonical"):
        split_note(TEXT + "\n— PeterNeumann AAAAAAF=\n")


def _manglings(key: str):
    raw = key.encode()
    for i in range(len(raw)):
        for j in range(i + 1, len(raw) + 1):
            if (i, j) != (0, len(raw)):
                yield raw[i:j].decode(errors="replace")
    for i in range(len(raw)):
        yield (raw[:i] + bytes([raw[i] + 1]) + raw[i + 1 :]).decode(errors="replace")


def test_mangled_verifier_keys_are_rejected():
    for mangled in _manglings(PETER_VKEY):
        with pytest.raises(KeyFormatError):
            parse_verifier_key(mangled)
    # Wrong key length or unknown algorithm, with a key ID fixed up to match.
    with pytest.raises(KeyFormatError):
        parse_verifier_key(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
    with pytest.raises(KeyFormatError, match="unsupported signature type"):
        parse_verifier_key("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_mangled_signer_keys_are_rejected():
    for mangled in _manglings(PETER_SKEY):
        with pytest.raises(KeyFormatError):
            parse_signer_key(mangled)


def test_uppercase_key_id_is_rejected():
    with pytest.raises(KeyFormatError, match="lowercase"):
        decode_vkey(PETER_VKEY.replace("c74f20a3", "C74F20A3"))


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u00a0b", "a\u3000b"])
def test_invalid_key_names(name):
    with pytest.raises(KeyFormatError):
        generate_signer_key(name)


names = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters="+\x85"
    ),
    min_size=1,
    max_size=20,
)
lines = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)


@given(name=names, body=st.lists(lines, min_size=1, max_size=5))
def test_generated_keys_round_trip(name, body):
    skey, vkey = generate_signer_key(name)
    signer, verifier = parse_signer_key(skey), parse_verifier_key(vkey)
    text = "\n".join(body) + "\n"
    signed = sign_note(text, [signer])
    note = open_note(signed.encode(), [verifier])
    assert note.text == text
    assert note.signatures[0] == Signature(name, verifier.key_id, note.signatures[0].signature)
    # Any change to the text breaks the signature.
    altered = "X" + signed
    with pytest.raises(InvalidSignatureError):
        open_note(altered, [verifier])


def test_adding_and_replacing_signatures():
    peter = parse_signer_key(PETER_SKEY)
    other = Ed25519Signer("example.com/other", b"\x07" * 32)
    signed = sign_note(TEXT, [peter])
    both = add_signatures(signed, [other])
    note = open_note(both, [peter.verifier(), other.verifier()])
    assert [s.name for s in note.signatures] == ["PeterNeumann", "example.com/other"]
    # Re-signing with the same key replaces its line instead of adding one.
    again = add_signatures(both, [peter])
    assert again.count("— PeterNeumann ") == 1
    assert len(split_note(again)[1]) == 2


@pytest.mark.parametrize("text", ["no newline", "", "bell\x07\n"])
def test_sign_rejects_bad_text(text):
    with pytest.raises(MalformedNoteError):
        sign_note(text, [parse_signer_key(PETER_SKEY)])


def test_verifier_rejects_wrong_length_signature_and_key():
    verifier = parse_verifier_key(PETER_VKEY)
    assert not verifier.verify(TEXT.encode(), b"\x00" * 63)
    with pytest.raises(KeyFormatError):
        Ed25519Verifier("x", b"\x00" * 31)
    assert "seed" not in repr(parse_signer_key(PETER_SKEY))
