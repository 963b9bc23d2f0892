"""Witness cosignatures and the witness ``add-checkpoint`` call.

* c2sp.org/tlog-cosignature — Ed25519 ``cosignature/v1``: signature type
  0x04, key ID SHA-256(name || "\\n" || 0x04 || public key)[:4], signature
  bytes ``u64 big-endian timestamp || Ed25519 signature`` over
  ``"cosignature/v1\\ntime <timestamp>\\n" || checkpoint text``.
* c2sp.org/tlog-witness — the ``add-checkpoint`` request body and the
  witness's decision rules, as a pure state machine: the HTTP view only
  passes the body in and the status/body out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple, Protocol

import nacl.signing

from smartseoul.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    parse_checkpoint,
    parse_hash,
    parse_size,
)
from smartseoul.ledger.merkle import EMPTY_ROOT, ProofError, verify_consistency
from smartseoul.ledger.note import (
    AmbiguousKeyError,
    Ed25519Signer,
    Ed25519Verifier,
    InvalidSignatureError,
    KeyFormatError,
    NoteError,
    Signature,
    UnverifiedNoteError,
    Verifier,
    decode_ed25519_skey,
    decode_vkey,
    ed25519_verify,
    encode_base64,
    format_note,
    open_note,
    split_note,
)

ALG_COSIGNATURE_V1 = 0x04
#: tlog-cosignature §Format: the timestamp "MUST NOT exceed 2^63 - 1".
MAX_TIMESTAMP = (1 << 63) - 1
#: tlog-witness §add-checkpoint: "The client MUST NOT send more than 63
#: consistency proof lines."
MAX_PROOF_LINES = 63
CONTENT_TYPE_SIZE = "text/x.tlog.size"
CONTENT_TYPE_TEXT = "text/plain; charset=utf-8"

Clock = Callable[[], float]


class RequestError(ValueError):
    """An ``add-checkpoint`` body that breaks the request format."""


def cosignature_message(checkpoint_text: bytes, timestamp: int) -> bytes:
    """tlog-cosignature §Ed25519 signed message."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValueError(f"cosignature timestamp out of range: {timestamp}")
    return b"cosignature/v1\ntime %d\n" % timestamp + checkpoint_text


def cosignature_timestamp(signature: Signature | bytes) -> int:
    """The POSIX timestamp a cosignature carries (its first 8 bytes)."""
    raw = signature.signature if isinstance(signature, Signature) else signature
    if len(raw) != 8 + 64:
        raise ValueError("an Ed25519 cosignature is 72 bytes")
    return int.from_bytes(raw[:8], "big")


@dataclass(frozen=True)
class CosignatureVerifier(Ed25519Verifier):
    """Checks ``cosignature/v1`` signatures of one witness (key type 0x04).

    ``max_future`` (seconds) optionally refuses timestamps ahead of ``clock``,
    which the spec allows verifiers to do.
    """

    algorithm: ClassVar[int] = ALG_COSIGNATURE_V1
    max_future: float | None = None
    clock: Clock = field(default=time.time, repr=False, compare=False)

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 72:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        if self.max_future is not None and timestamp > self.clock() + self.max_future:
            return False
        signed = cosignature_message(message, timestamp)
        return ed25519_verify(self.public_key, signed, signature[8:])


@dataclass(frozen=True)
class CosignatureSigner(Ed25519Signer):
    """Produces ``cosignature/v1`` signatures (key type 0x04), timestamped by ``clock``.

    Its ``skey`` uses the signed-note ``PRIVATE+KEY+…`` layout with type 0x04: the C2SP
    specs define no private-key encoding for cosigners, and this one fits an environment
    variable like the log's own key.
    """

    algorithm: ClassVar[int] = ALG_COSIGNATURE_V1
    clock: Clock = field(default=time.time, repr=False, compare=False)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        # Cosignatures are statements about checkpoints only: refuse to sign
        # anything else rather than lend the key to arbitrary text.
        parse_checkpoint(message.decode("utf-8"))
        timestamp = int(self.clock())
        if not 0 < timestamp <= MAX_TIMESTAMP:
            raise ValueError(f"clock gave an unusable cosignature timestamp: {timestamp}")
        signed = cosignature_message(message, timestamp)
        signature = nacl.signing.SigningKey(self.seed).sign(signed).signature
        return timestamp.to_bytes(8, "big") + signature


def generate_cosigner_key(name: str) -> tuple[str, str]:
    """A new cosigner key pair as ``(signer key, verifier key)`` strings."""
    signer = CosignatureSigner(name, bytes(nacl.signing.SigningKey.generate()))
    return signer.skey, signer.vkey


def parse_cosigner_vkey(vkey: str) -> CosignatureVerifier:
    decoded = decode_vkey(vkey)
    if decoded.sig_type != ALG_COSIGNATURE_V1:
        raise KeyFormatError(f"not a cosignature/v1 key (type 0x{decoded.sig_type:02x})")
    return CosignatureVerifier(decoded.name, decoded.key)


def parse_cosigner_skey(skey: str, clock: Clock = time.time) -> CosignatureSigner:
    decoded = decode_ed25519_skey(skey, ALG_COSIGNATURE_V1)
    return CosignatureSigner(decoded.name, decoded.key, clock)


def verify_cosignature(signed_checkpoint: bytes | str, witness: CosignatureVerifier) -> int:
    """Check the witness cosigned this checkpoint; return the cosignature's time.

    Other signatures (the log's, other witnesses') are ignored. A witness
    response can be checked by appending it to the checkpoint note it
    answered, as tlog-witness §add-checkpoint suggests.
    """
    note = open_note(signed_checkpoint, [witness])
    parse_checkpoint(note.text)
    return cosignature_timestamp(note.signatures[0])


@dataclass(frozen=True)
class AddCheckpointRequest:
    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: bytes
    """The signed checkpoint note, as sent."""


def build_add_checkpoint_request(
    old_size: int, proof: Sequence[bytes], signed_note: bytes | str
) -> bytes:
    """The ``add-checkpoint`` request body (tlog-witness §add-checkpoint)."""
    if not 0 <= old_size <= (1 << 64) - 1:
        raise ValueError(f"old size out of range: {old_size}")
    if len(proof) > MAX_PROOF_LINES:
        raise ValueError(f"at most {MAX_PROOF_LINES} consistency proof lines")
    if any(len(h) != 32 for h in proof):
        raise ValueError("consistency proof hashes must be 32 bytes")
    note = signed_note.encode("utf-8") if isinstance(signed_note, str) else signed_note
    lines = [f"old {old_size}", *(encode_base64(h) for h in proof)]
    return "".join(line + "\n" for line in lines).encode("ascii") + b"\n" + note


def parse_add_checkpoint_request(body: bytes) -> AddCheckpointRequest:
    """Parse an ``add-checkpoint`` body; :class:`RequestError` if malformed.

    The note itself is only split off here; the witness checks it.
    """
    cut = body.find(b"\n\n")
    if cut < 0:
        raise RequestError("request needs an empty line before the checkpoint")
    try:
        header = body[: cut + 1].decode("ascii")
    except UnicodeDecodeError as exc:
        raise RequestError("request header must be ASCII") from exc
    lines = header[:-1].split("\n")
    first, hashes = lines[0], lines[1:]
    if not first.startswith("old "):
        raise RequestError("request must start with an 'old <size>' line")
    if len(hashes) > MAX_PROOF_LINES:
        raise RequestError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        old_size = parse_size(first[4:], "old size")
        proof = tuple(parse_hash(line, "consistency proof line") for line in hashes)
    except CheckpointError as exc:
        raise RequestError(str(exc)) from exc
    return AddCheckpointRequest(old_size, proof, body[cut + 2 :])


class WitnessStateStore(Protocol):
    """Where a witness keeps the latest checkpoint it cosigned, per log."""

    def get_size_and_root(self, origin: str) -> tuple[int, bytes] | None:
        """Latest cosigned (size, root hash), or None if never cosigned."""
        ...

    def compare_and_set(
        self,
        origin: str,
        expected: tuple[int, bytes] | None,
        new: tuple[int, bytes],
        checkpoint_note: bytes,
    ) -> bool:
        """Atomically replace the state if it still equals ``expected``.

        ``checkpoint_note`` is the checkpoint with the log signatures the
        witness verified and its own cosignature, for the monitoring
        endpoint. Returns False, changing nothing, if another request won.
        """
        ...


class MemoryWitnessStore:
    """Thread-safe in-memory :class:`WitnessStateStore` (tests, tools)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, tuple[int, bytes, bytes]] = {}

    def get_size_and_root(self, origin: str) -> tuple[int, bytes] | None:
        with self._lock:
            record = self._records.get(origin)
        return None if record is None else (record[0], record[1])

    def compare_and_set(
        self,
        origin: str,
        expected: tuple[int, bytes] | None,
        new: tuple[int, bytes],
        checkpoint_note: bytes,
    ) -> bool:
        with self._lock:
            record = self._records.get(origin)
            current = None if record is None else (record[0], record[1])
            if current != expected:
                return False
            self._records[origin] = (new[0], new[1], checkpoint_note)
            return True

    def checkpoint(self, origin: str) -> bytes | None:
        """The latest cosigned checkpoint note (tlog-witness §Monitor Retrieval)."""
        with self._lock:
            record = self._records.get(origin)
        return None if record is None else record[2]


class WitnessResponse(NamedTuple):
    status: int
    body: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPE_SIZE if self.status == 409 else CONTENT_TYPE_TEXT


def _error(status: int, message: str) -> WitnessResponse:
    return WitnessResponse(status, message.encode("utf-8") + b"\n")


class Witness:
    """The ``add-checkpoint`` decision rules of c2sp.org/tlog-witness.

    ``logs`` maps each known origin to the log's verifiers. ``on_misbehavior``
    is told about requests that were validly signed by a log but failed a
    consistency check: the spec notes they "might be proof of log
    misbehavior".
    """

    def __init__(
        self,
        signer: CosignatureSigner,
        logs: Mapping[str, Sequence[Verifier]],
        store: WitnessStateStore,
        *,
        on_misbehavior: Callable[[str, bytes], None] | None = None,
    ) -> None:
        for origin, verifiers in logs.items():
            ids = [(v.name, v.key_id) for v in verifiers]
            if not ids:
                raise ValueError(f"log {origin!r} has no verifier keys")
            if len(set(ids)) != len(ids):
                raise AmbiguousKeyError(f"log {origin!r} has two keys with one name and ID")
        self.signer = signer
        self.logs = {origin: tuple(vs) for origin, vs in logs.items()}
        self.store = store
        self.on_misbehavior = on_misbehavior

    def add_checkpoint(self, body: bytes) -> WitnessResponse:
        """Handle ``POST <submission prefix>/add-checkpoint``.

        Checks run in the order of tlog-witness §add-checkpoint:
        malformed body → 400; unknown origin → 404; no valid signature from a
        trusted log key, or a trusted key's signature fails → 403; old size
        above the checkpoint size → 400; old size not the latest cosigned
        size → 409 with that size (``text/x.tlog.size``); size-0 checkpoint
        without the empty root, non-empty proof from size 0, same size with
        another root, or a consistency proof that does not verify → 422;
        otherwise the state is updated atomically and 200 returns the
        cosignature line.
        """
        try:
            request = parse_add_checkpoint_request(body)
            text, _ = split_note(request.checkpoint)
            checkpoint = parse_checkpoint(text)
        except (RequestError, NoteError) as exc:
            return _error(400, f"malformed request: {exc}")
        verifiers = self.logs.get(checkpoint.origin)
        if verifiers is None:
            return _error(404, "unknown log origin")
        try:
            note = open_note(request.checkpoint, verifiers)
        except (InvalidSignatureError, UnverifiedNoteError) as exc:
            return _error(403, str(exc))
        if request.old_size > checkpoint.size:
            return _error(400, "old size is larger than the checkpoint size")

        state = self.store.get_size_and_root(checkpoint.origin)
        latest_size, latest_root = state if state is not None else (0, EMPTY_ROOT)
        if request.old_size != latest_size:
            return WitnessResponse(409, b"%d\n" % latest_size)
        problem = self._consistency_problem(checkpoint, request, latest_root)
        if problem is not None:
            if self.on_misbehavior is not None:
                self.on_misbehavior(checkpoint.origin, body)
            return _error(422, problem)

        cosignature = Signature(
            self.signer.name, self.signer.key_id, self.signer.sign(text.encode("utf-8"))
        )
        stored = format_note(text, [*note.signatures, cosignature]).encode("utf-8")
        new = (checkpoint.size, checkpoint.root_hash)
        if not self.store.compare_and_set(checkpoint.origin, state, new, stored):
            # Another request moved the log on between our read and write;
            # tlog-witness requires the check and the update to be atomic.
            current = self.store.get_size_and_root(checkpoint.origin)
            return WitnessResponse(409, b"%d\n" % (current[0] if current else 0))
        return WitnessResponse(200, cosignature.line.encode("utf-8"))

    @staticmethod
    def _consistency_problem(
        checkpoint: Checkpoint, request: AddCheckpointRequest, latest_root: bytes
    ) -> str | None:
        if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            return "a checkpoint of size 0 must have the empty tree's root hash"
        if request.old_size == 0 and request.proof:
            return "the consistency proof from size 0 must be empty"
        if request.old_size == checkpoint.size and checkpoint.root_hash != latest_root:
            return "same size as the latest cosigned checkpoint but a different root hash"
        try:
            verify_consistency(
                request.old_size,
                checkpoint.size,
                latest_root,
                checkpoint.root_hash,
                request.proof,
            )
        except ProofError as exc:
            return f"consistency proof does not verify: {exc}"
        return None
