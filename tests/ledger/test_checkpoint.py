"""C2SP checkpoints: strict parsing, formatting, signed round trips."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartseoul.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    format_checkpoint,
    open_checkpoint,
    parse_checkpoint,
)
from smartseoul.ledger.merkle import EMPTY_ROOT
from smartseoul.ledger.note import (
    Ed25519Signer,
    InvalidSignatureError,
    UnverifiedNoteError,
    sign_note,
    split_note,
)

# c2sp.org/tlog-checkpoint, the example at the top of the spec.
SPEC_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_NOTE = (
    SPEC_TEXT + "\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeO"
    "oRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)
ROOT_B64 = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
LOG = Ed25519Signer("example.com/log", b"\x01" * 32)


def test_spec_example_parses():
    text, sigs = split_note(SPEC_NOTE)
    assert text == SPEC_TEXT
    assert sigs[0].name == "example.com/behind-the-sofa"
    checkpoint = parse_checkpoint(text)
    assert checkpoint == Checkpoint(
        "example.com/behind-the-sofa", 20852163, base64.b64decode(ROOT_B64)
    )
    assert format_checkpoint(checkpoint) == SPEC_TEXT


def test_extension_lines_round_trip():
    text = SPEC_TEXT + "ext one\next two\n"
    checkpoint = parse_checkpoint(text)
    assert checkpoint.extensions == ("ext one", "ext two")
    assert checkpoint.to_text() == text


def test_empty_tree():
    text = f"o\n0\n{base64.b64encode(EMPTY_ROOT).decode()}\n"
    assert parse_checkpoint(text).size == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("o\n1\n" + ROOT_B64, "end with a newline"),
        ("o\n1\n", "origin, tree size and root hash"),
        ("\n1\n" + ROOT_B64 + "\n", "origin must not be empty"),
        ("o\n01\n" + ROOT_B64 + "\n", "leading zeroes"),
        ("o\n00\n" + ROOT_B64 + "\n", "leading zeroes"),
        ("o\n-1\n" + ROOT_B64 + "\n", "ASCII decimal"),
        ("o\n+1\n" + ROOT_B64 + "\n", "ASCII decimal"),
        ("o\n 1\n" + ROOT_B64 + "\n", "ASCII decimal"),
        ("o\n\u0661\n" + ROOT_B64 + "\n", "ASCII decimal"),  # Arabic-Indic digit one
        ("o\n18446744073709551616\n" + ROOT_B64 + "\n", "64 bits"),
        ("o\n1\n" + ROOT_B64[:-2] + "=\n", "base64"),
        ("o\n1\nAAAA\n", "32 bytes"),
        ("o\n1\n" + base64.b64encode(b"\x00" * 33).decode() + "\n", "32 bytes"),
        ("o\n1\n" + ROOT_B64 + "\n\n", "extension line must not be empty"),
        ("o\n1\n" + ROOT_B64 + "\n\next\n", "extension line must not be empty"),
        ("o\r\n1\n" + ROOT_B64 + "\n", "control characters"),
    ],
)
def test_malformed_checkpoints(text, message):
    with pytest.raises(CheckpointError, match=message):
        parse_checkpoint(text)


def test_checkpoint_fields_are_validated():
    with pytest.raises(CheckpointError):
        Checkpoint("", 1, EMPTY_ROOT)
    with pytest.raises(CheckpointError):
        Checkpoint("o", -1, EMPTY_ROOT)
    with pytest.raises(CheckpointError):
        Checkpoint("o", 1, b"short")
    with pytest.raises(CheckpointError):
        Checkpoint("o\nx", 1, EMPTY_ROOT)


origins = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1)


@given(
    origin=origins,
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(origins, max_size=3),
)
def test_format_parse_round_trip(origin, size, root, extensions):
    checkpoint = Checkpoint(origin, size, root, tuple(extensions))
    assert parse_checkpoint(checkpoint.to_text()) == checkpoint


def test_open_signed_checkpoint():
    checkpoint = Checkpoint("example.com/log", 42, b"\x05" * 32)
    signed = sign_note(checkpoint.to_text(), [LOG])
    opened, note = open_checkpoint(signed.encode(), [LOG.verifier()], origin="example.com/log")
    assert opened == checkpoint
    assert note.signatures[0].name == "example.com/log"
    with pytest.raises(CheckpointError, match="expected"):
        open_checkpoint(signed, [LOG.verifier()], origin="example.com/other")
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(signed, [Ed25519Signer("example.com/log", b"\x02" * 32).verifier()])
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(signed.replace("\n42\n", "\n43\n"), [LOG.verifier()])
