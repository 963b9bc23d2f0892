"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys.

A note is UTF-8 text ending in a newline, a blank line, then one or more
signature lines ``— <key name> <base64(key ID || signature)>``. Keys travel as
text: verifier keys ``name+hexkeyid+base64(type || public key)`` and signer
keys ``PRIVATE+KEY+name+hexkeyid+base64(type || seed)``.

Signature types other than Ed25519 (0x01) plug in through the
:class:`Verifier` / :class:`Signer` protocols; ``witness_protocol`` adds the
timestamped cosignatures (0x04).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple, Protocol

import nacl.exceptions
import nacl.signing

ALG_ED25519 = 0x01
#: "Verifiers SHOULD apply a maximum limit to the number of signatures … but
#: MUST accept at least up to 16" (§Format). 100 is what Go's sumdb/note uses.
MAX_SIGNATURES = 100
SIG_PREFIX = "— "  # em dash U+2014, space

_HEX_ID = re.compile(r"[0-9a-f]{8}")


class NoteError(ValueError):
    """Base class of every note, key and signature error here."""


class MalformedNoteError(NoteError):
    """The bytes are not a well-formed signed note."""


class KeyFormatError(NoteError):
    """A verifier or signer key string is malformed or inconsistent."""


class InvalidSignatureError(NoteError):
    """A signature from a known key does not verify (the note is rejected)."""

    def __init__(self, name: str, key_id: int) -> None:
        super().__init__(f"invalid signature for key {name}+{key_id:08x}")
        self.name, self.key_id = name, key_id


class AmbiguousKeyError(NoteError):
    """Two different known verifiers share a key name and ID."""


class UnverifiedNoteError(NoteError):
    """No signature from a known key: the text must be ignored."""

    def __init__(self, note: Note) -> None:
        super().__init__("note has no signature from a known key")
        self.note = note


class Verifier(Protocol):
    """Checks signatures of one key (a signature type is a kind of verifier)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...


class Signer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, message: bytes) -> bytes: ...


def is_valid_key_name(name: str) -> bool:
    """Key names are non-empty, with no Unicode spaces and no ``+`` (§Format)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """SHA-256(key name || 0x0A || signature type || public key)[:4] as uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def decode_base64(text: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4), canonical encodings only."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError("invalid base64") from exc
    # Padding bits must be zero, so each value has exactly one encoding.
    if base64.b64encode(raw).decode() != text:
        raise ValueError("non-canonical base64")
    return raw


def encode_base64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


class DecodedKey(NamedTuple):
    name: str
    key_id: int
    sig_type: int
    key: bytes
    """Public key (verifier keys) or private seed (signer keys), without the type byte."""


def _decode_key_fields(name: str, hex_id: str, b64: str, what: str) -> DecodedKey:
    if not is_valid_key_name(name):
        raise KeyFormatError(f"{what}: invalid key name {name!r}")
    if not _HEX_ID.fullmatch(hex_id):
        raise KeyFormatError(f"{what}: key ID must be 8 lowercase hex digits")
    try:
        material = decode_base64(b64)
    except ValueError as exc:
        raise KeyFormatError(f"{what}: key material is not canonical base64") from exc
    if len(material) < 2:
        raise KeyFormatError(f"{what}: key material is empty")
    return DecodedKey(name, int(hex_id, 16), material[0], material[1:])


def decode_vkey(vkey: str) -> DecodedKey:
    """Split and check ``name+hexkeyid+base64(type || public key)`` (§Verifier keys).

    The key ID must match the recommended derivation; any signature type is
    accepted here, callers check the one they support.
    """
    # Base64 uses "+" too, so only the first two pluses separate fields.
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise KeyFormatError("verifier key must be name+keyid+key")
    name, hex_id, material = parts
    decoded = _decode_key_fields(name, hex_id, material, what="verifier key")
    if key_id(decoded.name, decoded.sig_type, decoded.key) != decoded.key_id:
        raise KeyFormatError("verifier key: key ID does not match the key")
    return decoded


def format_vkey(name: str, sig_type: int, public_key: bytes) -> str:
    if not is_valid_key_name(name):
        raise KeyFormatError(f"invalid key name {name!r}")
    kid = key_id(name, sig_type, public_key)
    return f"{name}+{kid:08x}+{encode_base64(bytes([sig_type]) + public_key)}"


def decode_ed25519_skey(skey: str, sig_type: int = ALG_ED25519) -> DecodedKey:
    """Split and check ``PRIVATE+KEY+name+hexkeyid+base64(type || seed)``.

    Only key types whose private key is an Ed25519 seed are understood; the
    key ID is checked against the derived public key.
    """
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise KeyFormatError("signer key must be PRIVATE+KEY+name+keyid+key")
    _, _, name, hex_id, material = parts
    decoded = _decode_key_fields(name, hex_id, material, what="signer key")
    if decoded.sig_type != sig_type:
        raise KeyFormatError(
            f"signer key: type 0x{decoded.sig_type:02x}, expected 0x{sig_type:02x}"
        )
    if len(decoded.key) != 32:
        raise KeyFormatError("signer key: an Ed25519 seed is 32 bytes")
    public = bytes(nacl.signing.SigningKey(decoded.key).verify_key)
    if key_id(decoded.name, sig_type, public) != decoded.key_id:
        raise KeyFormatError("signer key: key ID does not match the key")
    return decoded


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 verification (libsodium rejects small-order and non-canonical keys)."""
    if len(signature) != 64:
        return False
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Ed25519Verifier:
    """Verifier for plain Ed25519 note signatures (type 0x01).

    ``algorithm`` is the signature-type byte hashed into the key id and the vkey;
    the witness cosignature verifier reuses this class with its own type byte.
    """

    algorithm: ClassVar[int] = ALG_ED25519
    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise KeyFormatError(f"invalid key name {self.name!r}")
        if len(self.public_key) != 32:
            raise KeyFormatError("an Ed25519 public key is 32 bytes")
        object.__setattr__(self, "key_id", key_id(self.name, self.algorithm, self.public_key))

    @property
    def vkey(self) -> str:
        return format_vkey(self.name, self.algorithm, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        return ed25519_verify(self.public_key, message, signature)


@dataclass(frozen=True)
class Ed25519Signer:
    """Signer for plain Ed25519 note signatures (type 0x01); see Ed25519Verifier."""

    algorithm: ClassVar[int] = ALG_ED25519
    name: str
    seed: bytes = field(repr=False)
    public_key: bytes = field(init=False)
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise KeyFormatError(f"invalid key name {self.name!r}")
        if len(self.seed) != 32:
            raise KeyFormatError("an Ed25519 seed is 32 bytes")
        public = bytes(nacl.signing.SigningKey(self.seed).verify_key)
        object.__setattr__(self, "public_key", public)
        object.__setattr__(self, "key_id", key_id(self.name, self.algorithm, public))

    @property
    def skey(self) -> str:
        material = encode_base64(bytes([self.algorithm]) + self.seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{material}"

    @property
    def vkey(self) -> str:
        return format_vkey(self.name, self.algorithm, self.public_key)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        return nacl.signing.SigningKey(self.seed).sign(message).signature


def generate_signer_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key pair as ``(signer key, verifier key)`` strings."""
    signer = Ed25519Signer(name, bytes(nacl.signing.SigningKey.generate()))
    return signer.skey, signer.vkey


def parse_verifier_key(vkey: str) -> Ed25519Verifier:
    decoded = decode_vkey(vkey)
    if decoded.sig_type != ALG_ED25519:
        raise KeyFormatError(f"verifier key: unsupported signature type 0x{decoded.sig_type:02x}")
    return Ed25519Verifier(decoded.name, decoded.key)


def parse_signer_key(skey: str) -> Ed25519Signer:
    decoded = decode_ed25519_skey(skey, ALG_ED25519)
    return Ed25519Signer(decoded.name, decoded.key)


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID and the signature proper."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{SIG_PREFIX}{self.name} {encode_base64(blob)}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...] = ()
    """Verified signatures, each key once."""
    unverified: tuple[Signature, ...] = ()
    """Signatures from unknown keys, kept verbatim (deduplicated)."""

    def to_text(self) -> str:
        return format_note(self.text, (*self.signatures, *self.unverified))


def _as_text(msg: bytes | str) -> str:
    if isinstance(msg, bytes):
        try:
            text = msg.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError("note is not valid UTF-8") from exc
    else:
        text = msg
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedNoteError("note is not valid UTF-8") from exc
    if any(c < " " and c != "\n" for c in text):
        raise MalformedNoteError("note contains a control character other than newline")
    return text


def _check_text(text: str) -> None:
    _as_text(text)
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")


def parse_signature_line(line: str) -> Signature:
    """Parse ``— <name> <base64>`` (without its newline)."""
    if not line.startswith(SIG_PREFIX):
        raise MalformedNoteError("signature line must start with an em dash and a space")
    name, sep, b64 = line[len(SIG_PREFIX) :].partition(" ")
    if not sep or not is_valid_key_name(name):
        raise MalformedNoteError(f"signature line has an invalid key name: {line!r}")
    try:
        blob = decode_base64(b64)
    except ValueError as exc:
        raise MalformedNoteError(f"signature of {name} is not canonical base64") from exc
    if len(blob) < 5:
        raise MalformedNoteError(f"signature of {name} is too short")
    return Signature(name, int.from_bytes(blob[:4], "big"), blob[4:])


def split_note(msg: bytes | str) -> tuple[str, list[Signature]]:
    """Syntax-check a signed note; return its text and signatures, unverified.

    The text is everything up to the *last* blank line, final newline
    included (§Format).
    """
    whole = _as_text(msg)
    cut = whole.rfind("\n\n")
    if cut < 0:
        raise MalformedNoteError("note has no blank line before its signatures")
    text, block = whole[: cut + 1], whole[cut + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("note must end with at least one newline-terminated signature")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"note has more than {MAX_SIGNATURES} signatures")
    return text, [parse_signature_line(line) for line in lines]


def open_note(msg: bytes | str, verifiers: Iterable[Verifier]) -> Note:
    """Parse a signed note and verify it against known keys (§Signatures).

    Signatures from unknown keys (name and ID not both matching) are ignored
    and returned as ``unverified``. A known key's signature that fails to
    verify rejects the whole note (:class:`InvalidSignatureError`); at least
    one known key must have signed (:class:`UnverifiedNoteError`).
    """
    text, sigs = split_note(msg)
    known: dict[tuple[str, int], list[Verifier]] = {}
    for v in verifiers:
        same = known.setdefault((v.name, v.key_id), [])
        if v not in same:
            same.append(v)
    message = text.encode("utf-8")
    verified: dict[tuple[str, int], Signature] = {}
    unverified: dict[Signature, None] = {}
    for sig in sigs:
        candidates = known.get((sig.name, sig.key_id))
        if not candidates:
            unverified.setdefault(sig, None)
            continue
        if len(candidates) > 1:
            raise AmbiguousKeyError(f"ambiguous key {sig.name}+{sig.key_id:08x}")
        # Every signature claiming a known key is checked, duplicates too.
        if not candidates[0].verify(message, sig.signature):
            raise InvalidSignatureError(sig.name, sig.key_id)
        verified.setdefault((sig.name, sig.key_id), sig)
    note = Note(text, tuple(verified.values()), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(note)
    return note


def format_note(text: str, signatures: Iterable[Signature]) -> str:
    _check_text(text)
    lines = [sig.line for sig in signatures]
    if not lines:
        raise MalformedNoteError("a signed note needs at least one signature")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(lines)


def sign_note(text: str, signers: Sequence[Signer], *, keep: Iterable[Signature] = ()) -> str:
    """Sign ``text`` with every signer; earlier signatures in ``keep`` stay.

    A kept signature from the same key name and ID as a signer is replaced
    rather than duplicated.
    """
    _check_text(text)
    message = text.encode("utf-8")
    new = []
    for signer in signers:
        if not is_valid_key_name(signer.name):
            raise KeyFormatError(f"invalid signer name {signer.name!r}")
        new.append(Signature(signer.name, signer.key_id, signer.sign(message)))
    replaced = {(s.name, s.key_id) for s in new}
    kept = [s for s in keep if (s.name, s.key_id) not in replaced]
    return format_note(text, [*kept, *new])


def add_signatures(msg: bytes | str, signers: Sequence[Signer]) -> str:
    """Add signatures to an already signed note (its signatures are not checked)."""
    text, sigs = split_note(msg)
    return sign_note(text, signers, keep=sigs)
