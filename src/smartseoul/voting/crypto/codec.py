"""Strict JSON field readers: every malformed value becomes one :class:`ProofError`.

JSON carries bytes as lowercase hexadecimal of the exact length; objects must have exactly
the expected keys. Being this strict means one ballot has one JSON form, and a server never
stores a value it would later read differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from smartseoul.voting.crypto.errors import ProofError
from smartseoul.voting.crypto.group import POINT_SIZE, SCALAR_SIZE, Point, Scalar

_HEX = re.compile(r"(?:[0-9a-f]{2})*")


def read_hex(value: object, where: str, *, size: int | None = None, max_size: int = 1024) -> bytes:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ProofError(f"{where}: expected lowercase hexadecimal")
    data = bytes.fromhex(value)
    if size is not None and len(data) != size:
        raise ProofError(f"{where}: expected {size} bytes")
    if len(data) > max_size:
        raise ProofError(f"{where}: longer than {max_size} bytes")
    return data


def read_point(value: object, where: str) -> Point:
    try:
        return Point.from_bytes(read_hex(value, where, size=POINT_SIZE))
    except ProofError as error:
        raise ProofError(f"{where}: {error}") from None


def read_scalar(value: object, where: str) -> Scalar:
    try:
        return Scalar.from_bytes(read_hex(value, where, size=SCALAR_SIZE))
    except ProofError as error:
        raise ProofError(f"{where}: {error}") from None


def read_object(value: object, where: str, keys: Sequence[str]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ProofError(f"{where}: expected an object")
    if set(value) != set(keys):
        raise ProofError(f"{where}: expected exactly the keys {', '.join(sorted(keys))}")
    return value


def read_list(value: object, where: str, *, length: int | None = None) -> Sequence[object]:
    if not isinstance(value, list):
        raise ProofError(f"{where}: expected a list")
    if length is not None and len(value) != length:
        raise ProofError(f"{where}: expected {length} items, got {len(value)}")
    return value


def read_int(value: object, where: str, *, low: int = 0, high: int = 2**32 - 1) -> int:
    # bool is an int subclass in Python; JSON true must not pass as 1.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ProofError(f"{where}: expected an integer in [{low}, {high}]")
    return value
