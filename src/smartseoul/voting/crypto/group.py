"""The ristretto255 group (RFC 9496) over libsodium, with strict encodings.

Notation is additive, as in RFC 9496: ``G`` is the standard generator, ``s * P`` a scalar
multiple, ``P + Q`` the group law. Scalars are integers modulo the prime group order ``ORDER``.

Speed notes (measured on the 2-core CI machine class, see ``benchmarks/voting_crypto.py``):
libsodium's constant-time variable-base multiplication costs about 60 µs, a fixed-base
multiplication by ``G`` about 19 µs (it uses a precomputed table) and an addition about 16 µs
(two decodings and one encoding, each an inverse square root). libsodium exposes no
multi-scalar multiplication, so a multi-scalar sum is a sum of single multiplications; the
code routes every multiple of ``G`` through the fast fixed-base path and never decodes a point
twice. Points keep their canonical 32-byte encoding, which is what libsodium takes.

Verifiers sum public multiples with :func:`vartime_sum` and :class:`PointSum` instead, which
run on the C kernel of native.py when it is built (one chain of doublings per sum, points kept
decoded; about twice as fast) and on libsodium otherwise. Never pass a secret to them.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import random
import secrets
import sys
from collections.abc import Iterable, Sequence
from functools import lru_cache

import rbcl

from smartseoul.voting.crypto import native
from smartseoul.voting.crypto.errors import ProofError

logger = logging.getLogger(__name__)

# rbcl writes its bundled libsodium to a fresh temporary file at import and never removes
# it: 2.8 MB left in /tmp by every process that loads the crypto (gigabytes after a day of
# worker restarts or one CI run). The library is loaded by then, and POSIX keeps a loaded
# file's mapping after unlinking; elsewhere the file stays, as before.
with contextlib.suppress(OSError, AttributeError, KeyError):
    os.unlink(sys.modules["rbcl._sodium"].lib_path)

#: ℓ = 2^252 + 27742317777372353535851937790883648493, the prime order of ristretto255.
ORDER = 2**252 + 27742317777372353535851937790883648493
SCALAR_SIZE = 32
POINT_SIZE = 32

_smul = rbcl.crypto_scalarmult_ristretto255
_smul_base = rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero
_add = rbcl.crypto_core_ristretto255_add
_sub = rbcl.crypto_core_ristretto255_sub
_is_valid = rbcl.crypto_core_ristretto255_is_valid_point
_from_hash = rbcl.crypto_core_ristretto255_from_hash


class Scalar:
    """An integer modulo ``ORDER``; immutable, canonical 32-byte little-endian encoding."""

    __slots__ = ("value",)
    value: int

    def __init__(self, value: int) -> None:
        object.__setattr__(self, "value", value % ORDER)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Scalar is immutable")

    @classmethod
    def from_bytes(cls, data: bytes) -> Scalar:
        """Decode 32 bytes; a value ≥ ℓ is rejected (only one encoding per scalar)."""
        if not isinstance(data, bytes | bytearray) or len(data) != SCALAR_SIZE:
            raise ProofError("a scalar must be 32 bytes")
        value = int.from_bytes(data, "little")
        if value >= ORDER:
            raise ProofError("scalar encoding is not reduced modulo the group order")
        return cls(value)

    @classmethod
    def from_hash(cls, digest: bytes) -> Scalar:
        """Reduce a 64-byte digest modulo ℓ (bias < 2^-259, as libsodium's scalar_reduce)."""
        if len(digest) != 64:
            raise ProofError("a scalar hash must be 64 bytes")
        return cls(int.from_bytes(digest, "little"))

    @classmethod
    def random(cls) -> Scalar:
        return cls(int.from_bytes(secrets.token_bytes(64), "little"))

    def to_bytes(self) -> bytes:
        return self.value.to_bytes(SCALAR_SIZE, "little")

    def hex(self) -> str:
        return self.to_bytes().hex()

    def inverse(self) -> Scalar:
        if self.value == 0:
            raise ProofError("zero has no inverse")
        return Scalar(pow(self.value, -1, ORDER))

    def __add__(self, other: Scalar | int) -> Scalar:
        return Scalar(self.value + _int(other))

    __radd__ = __add__

    def __sub__(self, other: Scalar | int) -> Scalar:
        return Scalar(self.value - _int(other))

    def __rsub__(self, other: Scalar | int) -> Scalar:
        return Scalar(_int(other) - self.value)

    def __mul__(self, other: Scalar | int) -> Scalar:
        return Scalar(self.value * _int(other))

    __rmul__ = __mul__

    def __neg__(self) -> Scalar:
        return Scalar(-self.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Scalar):
            return self.value == other.value
        if isinstance(other, int):
            # Exact, not modular, so that equal objects hash equally (hash(5) == hash(Scalar(5))).
            return self.value == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)

    def __bool__(self) -> bool:
        return self.value != 0

    def __int__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        # Never print the value: scalars are often secrets.
        return "Scalar(…)"


def _int(value: Scalar | int) -> int:
    return value.value if isinstance(value, Scalar) else value


def _scalar_bytes(value: Scalar | int) -> bytes:
    if isinstance(value, Scalar):
        return value.value.to_bytes(SCALAR_SIZE, "little")
    return (value % ORDER).to_bytes(SCALAR_SIZE, "little")


class Point:
    """A ristretto255 element held as its canonical encoding (equality is byte equality).

    ``_decoded`` caches the C kernel's decoded form (native.py) once a verifier needed it.
    """

    __slots__ = ("_decoded", "_encoding")
    _encoding: bytes
    _decoded: bytes | None

    def __init__(self, encoding: bytes) -> None:
        """Decode and validate; see :meth:`from_bytes`."""
        data, decoded = _validated(encoding)
        object.__setattr__(self, "_encoding", data)
        object.__setattr__(self, "_decoded", decoded)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Point is immutable")

    @classmethod
    def from_bytes(cls, data: bytes) -> Point:
        """Decode 32 bytes, rejecting non-canonical and invalid encodings.

        The identity (32 zero bytes) is a valid element; callers that must not accept it
        (public keys) check :attr:`is_identity` themselves.
        """
        return cls(data)

    @classmethod
    def from_uniform(cls, digest: bytes) -> Point:
        """RFC 9496 one-way map of 64 uniform bytes (libsodium's ``from_hash``)."""
        if len(digest) != 64:
            raise ProofError("hash-to-group input must be 64 bytes")
        return _trusted(_from_hash(bytes(digest)))

    @staticmethod
    def base_mul(scalar: Scalar | int) -> Point:
        """``scalar * G`` through libsodium's fixed-base table (about 3x a variable base)."""
        return _trusted(_smul_base(_scalar_bytes(scalar)))

    def to_bytes(self) -> bytes:
        return self._encoding

    def hex(self) -> str:
        return self._encoding.hex()

    @property
    def is_identity(self) -> bool:
        return self._encoding == _IDENTITY_BYTES

    def __add__(self, other: Point) -> Point:
        return _trusted(_add(self._encoding, other._encoding))

    def __sub__(self, other: Point) -> Point:
        return _trusted(_sub(self._encoding, other._encoding))

    def __neg__(self) -> Point:
        return _trusted(_sub(_IDENTITY_BYTES, self._encoding))

    def __mul__(self, scalar: Scalar | int) -> Point:
        if self._encoding == _G_BYTES:
            return Point.base_mul(scalar)
        try:
            return _trusted(_smul(_scalar_bytes(scalar), self._encoding))
        except RuntimeError:
            # libsodium reports an identity result (zero scalar or identity point) as an
            # error; every Point here was validated on entry, so that is the only cause.
            return IDENTITY

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Point):
            return self._encoding == other._encoding
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._encoding)

    def __repr__(self) -> str:
        return f"Point({self._encoding.hex()})"


def _validated(data: bytes) -> tuple[bytes, bytes | None]:
    if not isinstance(data, bytes | bytearray) or len(data) != POINT_SIZE:
        raise ProofError("a group element must be 32 bytes")
    data = bytes(data)
    # RFC 9496 rejects any value ≥ p. libsodium 1.0.18 (rbcl's) only checks the low 255
    # bits, so it took every element with a second encoding, top bit set: refused here.
    if data[31] & 0x80:
        raise ProofError("not a canonical ristretto255 encoding")
    # Both decoders reject non-canonical field encodings, negative s, and non-square
    # results: exactly RFC 9496's decoding rules, so each element has a single accepted
    # encoding. The C kernel's decoding is kept for the verifier's sums.
    if _native is not None:
        decoded = ctypes.create_string_buffer(native.DECODED_SIZE)
        if _native.smartseoul_vartime_decode(decoded, data) != 0:
            raise ProofError("not a canonical ristretto255 encoding")
        return data, decoded.raw
    if not _is_valid(data):
        raise ProofError("not a canonical ristretto255 encoding")
    return data, None


def _trusted(encoding: bytes, decoded: bytes | None = None) -> Point:
    """Wrap libsodium's or the kernel's output (always canonical) without decoding it."""
    point = object.__new__(Point)
    object.__setattr__(point, "_encoding", encoding)
    object.__setattr__(point, "_decoded", decoded)
    return point


#: The C kernel (native.py) once group.py has checked it, else None.
_native: ctypes.CDLL | None = None

_IDENTITY_BYTES = bytes(POINT_SIZE)
_G_BYTES = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")
IDENTITY = _trusted(_IDENTITY_BYTES)
G = _trusted(_G_BYTES)

#: A second generator whose discrete logarithm to ``G`` nobody knows: the RFC 9496 map of
#: SHA-512 of a public string. Not used by the ElGamal scheme itself; kept for Pedersen
#: commitments should the app need them.
H_DOMAIN = b"smartseoul/voting/v1/generator-H"
H = Point.from_uniform(hashlib.sha512(H_DOMAIN).digest())


@lru_cache(maxsize=4096)
def small_multiple(m: int) -> Point:
    """``m * G`` for small non-negative ``m`` (option values, range bounds), cached."""
    return Point.base_mul(m)


def multi_mul(terms: Iterable[tuple[Scalar | int, Point]]) -> Point:
    """``Σ s_i * P_i``. Terms on ``G`` are merged into one fixed-base multiplication."""
    base = 0
    total: Point | None = None
    for scalar, point in terms:
        if point._encoding == _G_BYTES:
            base += _int(scalar)
            continue
        product = point * scalar
        total = product if total is None else total + product
    if base % ORDER:
        product = Point.base_mul(base)
        total = product if total is None else total + product
    return IDENTITY if total is None else total


def point_sum(points: Iterable[Point]) -> Point:
    total = IDENTITY
    for point in points:
        total = total + point
    return total


# ---- Variable-time sums for verifiers -------------------------------------------------------


def _decoded(point: Point) -> bytes:
    assert _native is not None
    if point._decoded is None:
        decoded = ctypes.create_string_buffer(native.DECODED_SIZE)
        if _native.smartseoul_vartime_decode(decoded, point._encoding) != 0:
            raise ProofError("not a canonical ristretto255 encoding")  # never: validated
        object.__setattr__(point, "_decoded", decoded.raw)
    return point._decoded  # type: ignore[return-value]


def vartime_sum(terms: Sequence[tuple[Scalar | int, Point]]) -> Point:
    """``Σ s_i * P_i`` for PUBLIC scalars and points only (proof checks, public weights).

    With the C kernel it takes time that depends on the scalars, which is harmless for
    values everybody can read and fatal for secrets: nonces and keys go through
    :func:`multi_mul` or ``Point.__mul__`` (libsodium, constant time). Negative integers are
    welcome (``-c`` costs what ``c`` costs). Without the kernel, libsodium computes it.
    """
    if _native is None:
        return multi_mul((_int(s) % ORDER, p) for s, p in terms)
    if len(terms) > native.MAX_TERMS:
        total = PointSum()
        for start in range(0, len(terms), native.MAX_TERMS):
            total.add(vartime_sum(terms[start : start + native.MAX_TERMS]))
        return total.point()
    scalars, signs, points = [], bytearray(len(terms)), []
    for i, (scalar, point) in enumerate(terms):
        value = _int(scalar)
        if value < 0:
            value, signs[i] = -value, 1
        scalars.append((value % ORDER).to_bytes(SCALAR_SIZE, "little"))
        points.append(_decoded(point))
    decoded = ctypes.create_string_buffer(native.DECODED_SIZE)
    encoding = ctypes.create_string_buffer(POINT_SIZE)
    _native.smartseoul_vartime_sum(
        len(terms), b"".join(scalars), bytes(signs), b"".join(points), decoded, encoding
    )
    return _trusted(encoding.raw, decoded.raw)


class PointSum:
    """A running sum of public points (a tally) that stays decoded until it is read."""

    __slots__ = ("_decoded_sum", "_total")

    def __init__(self) -> None:
        self._total = IDENTITY
        self._decoded_sum: bytes | None = _decoded(IDENTITY) if _native is not None else None

    def add(self, point: Point) -> None:
        if self._decoded_sum is None:
            self._total = self._total + point
            return
        assert _native is not None
        out = ctypes.create_string_buffer(native.DECODED_SIZE)
        _native.smartseoul_vartime_add(out, self._decoded_sum, _decoded(point))
        self._decoded_sum = out.raw

    def point(self) -> Point:
        if self._decoded_sum is None:
            return self._total
        assert _native is not None
        encoding = ctypes.create_string_buffer(POINT_SIZE)
        _native.smartseoul_vartime_encode(encoding, self._decoded_sum)
        return _trusted(encoding.raw, self._decoded_sum)


def _kernel_agrees(kernel: ctypes.CDLL) -> bool:
    """The kernel must reproduce libsodium on sample sums before it is trusted."""
    global _native
    _native = kernel
    try:
        rng = random.Random(9496)  # noqa: S311 - fixed public samples for a self-check
        points = [G] + [
            Point.from_uniform(rng.getrandbits(512).to_bytes(64, "little")) for _ in range(3)
        ]
        for point in points:
            object.__setattr__(point, "_decoded", None)
            if Point(point.to_bytes()).to_bytes() != point.to_bytes():
                return False
        for n in (1, 2, 3, 4):
            terms = [(rng.randrange(-ORDER + 1, ORDER), p) for p in points[:n]]
            expected = IDENTITY
            for s, p in terms:
                expected = expected + p * (s % ORDER)
            if vartime_sum(terms) != expected:
                return False
        return True
    except (ProofError, RuntimeError):
        return False
    finally:
        _native = None


if native.library is not None:
    if _kernel_agrees(native.library):
        _native = native.library
    else:
        logger.warning("the C verifier kernel disagrees with libsodium; not using it")
