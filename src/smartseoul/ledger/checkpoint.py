"""C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint).

A checkpoint is the text of a signed note::

    <origin>
    <tree size, ASCII decimal, no leading zeroes>
    <base64 RFC 6962 root hash>
    [extension lines, each non-empty]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from smartseoul.ledger.merkle import HASH_SIZE, MAX_TREE_SIZE
from smartseoul.ledger.note import (
    Note,
    NoteError,
    Verifier,
    decode_base64,
    encode_base64,
    open_note,
)

_SIZE = re.compile(r"0|[1-9][0-9]*", re.ASCII)


class CheckpointError(NoteError):
    """Checkpoint text that breaks c2sp.org/tlog-checkpoint §Note text."""


def _check_line(line: str, what: str) -> None:
    if not line:
        raise CheckpointError(f"{what} must not be empty")
    if any(c < " " for c in line):
        raise CheckpointError(f"{what} must not contain control characters")


def parse_size(text: str, what: str = "tree size") -> int:
    """ASCII decimal with no leading zeroes (``0`` for zero), at most 2**64 - 1.

    Shared with the witness protocol's ``old`` line, which has the same rule.
    """
    if not _SIZE.fullmatch(text):
        raise CheckpointError(f"{what} must be ASCII decimal without leading zeroes: {text!r}")
    # Bound the length first so a huge digit string costs nothing to reject.
    if len(text) > 20 or int(text) > MAX_TREE_SIZE:
        raise CheckpointError(f"{what} does not fit in 64 bits")
    return int(text)


def parse_hash(text: str, what: str = "root hash") -> bytes:
    """Canonical standard base64 of exactly 32 bytes."""
    try:
        raw = decode_base64(text)
    except ValueError as exc:
        raise CheckpointError(f"{what} is not canonical base64") from exc
    if len(raw) != HASH_SIZE:
        raise CheckpointError(f"{what} must be {HASH_SIZE} bytes, not {len(raw)}")
    return raw


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        for line in self.extensions:
            _check_line(line, "extension line")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise CheckpointError("tree size must be an int")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"tree size out of range: {self.size}")
        # A size-0 checkpoint with a root other than EMPTY_ROOT is well formed
        # but false, like any wrong root: the witness answers it with 422,
        # not as a syntax error, so it is not refused here.
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes")

    def to_text(self) -> str:
        """The note text, each line newline-terminated."""
        lines = [self.origin, str(self.size), encode_base64(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text strictly (§Note text)."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("checkpoint needs origin, tree size and root hash lines")
    origin, size, root, *extensions = lines
    _check_line(origin, "origin")
    for line in extensions:
        _check_line(line, "extension line")
    return Checkpoint(origin, parse_size(size), parse_hash(root), tuple(extensions))


def format_checkpoint(checkpoint: Checkpoint) -> str:
    return checkpoint.to_text()


def open_checkpoint(
    msg: bytes | str, verifiers: Iterable[Verifier], *, origin: str | None = None
) -> tuple[Checkpoint, Note]:
    """Verify a signed checkpoint note and parse its text.

    With ``origin`` given, a checkpoint for any other log is refused: the
    same key could sign for several logs.
    """
    note = open_note(msg, verifiers)
    checkpoint = parse_checkpoint(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is for {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint, note
