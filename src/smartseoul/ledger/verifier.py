"""`smartseoul ledger verify`: check a Smart Seoul ledger from the outside, over HTTP only.

Trust model (docs/ledger.md): the log's key, the witnesses' keys and the quorum are pinned
in the state file the first time a log is seen (trust on first use) unless given on the
command line; later runs use the pinned keys and refuse a server that advertises others.
The state file also keeps the last verified (size, root) per log, so every run proves the
log only grew (consistency proof) since the previous one.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from smartseoul.ledger.checkpoint import open_checkpoint
from smartseoul.ledger.merkle import EMPTY_ROOT, ProofError, verify_consistency
from smartseoul.ledger.note import NoteError, decode_base64, encode_base64, parse_verifier_key
from smartseoul.ledger.witness_protocol import parse_cosigner_vkey, verify_cosignature

PAGE = 1000


class VerificationError(Exception):
    """The log failed a check: the message says which."""


@dataclass
class Pins:
    log_keys: list[str] = field(default_factory=list)
    witness_keys: list[str] = field(default_factory=list)
    quorum: int | None = None


def api_base(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/ledger") else url + "/ledger"


def load_state(path: Path | None) -> dict[str, Any]:
    if path is None or not path.exists():
        return {"logs": {}}
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    state.setdefault("logs", {})
    return state


def save_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".verify-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(state, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _get(client: httpx.Client, url: str, **params: Any) -> httpx.Response:
    response = client.get(url, params=params)
    if response.status_code != 200:
        raise VerificationError(
            f"GET {response.url} answered {response.status_code}: {response.text.strip()[:200]}"
        )
    return response


def _hashes(values: list[str]) -> list[bytes]:
    try:
        return [decode_base64(v) for v in values]
    except ValueError as exc:
        raise VerificationError(f"server sent a malformed hash: {exc}") from None


def root_of_leaf_list(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH of all leaf hashes, level by level.

    Pairing neighbours left to right and carrying an odd last node up unchanged builds
    exactly RFC 9162's tree; one list comprehension per level runs about three times faster
    than merkle.root_from_leaves' per-leaf loop, which matters for a million-entry audit.
    """
    if not leaves:
        return EMPTY_ROOT
    sha, level = hashlib.sha256, leaves
    while len(level) > 1:
        paired = [
            sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def iter_leaf_hashes(
    client: httpx.Client, base: str, name: str, size: int, *, workers: int = 4
) -> Iterator[bytes]:
    """Leaf hashes of entries [0, size), downloaded PAGE at a time (a few in flight)."""
    url = f"{base}/{name}/entries"
    sha, b64 = hashlib.sha256, binascii.a2b_base64

    def page(start: int) -> list[dict[str, Any]]:
        end = min(start + PAGE, size)
        rows: list[dict[str, Any]] = _get(client, url, start=start, end=end).json()["entries"]
        if [row["index"] for row in rows] != list(range(start, end)):
            raise VerificationError(f"entries {start}…{end} came back incomplete or out of order")
        return rows

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for rows in pool.map(page, range(0, size, PAGE)):
            for row in rows:
                yield sha(b"\x00" + b64(row["data"])).digest()


def verify_log(
    client: httpx.Client,
    base: str,
    advertised: dict[str, Any],
    state: dict[str, Any],
    pins: Pins,
    *,
    full: bool,
    say: Callable[[str], None],
) -> None:
    name, origin = advertised["name"], advertised["origin"]
    known = state["logs"].get(origin, {})
    # 1. Keys: command line, else pinned, else first use of what the server advertises.
    log_key = next(
        (k for k in pins.log_keys if parse_verifier_key(k).name == origin),
        known.get("vkey") or advertised["vkey"],
    )
    if not pins.log_keys and not known:
        say(f"{name}: trusting the log key on first use: {log_key}")
    if advertised["vkey"] != log_key:
        raise VerificationError(
            f"{name}: server advertises log key {advertised['vkey']}, pinned is {log_key}"
        )
    witness_keys = (
        pins.witness_keys
        or known.get("witnesses")
        or [w["vkey"] for w in advertised.get("witnesses", [])]
    )
    quorum = pins.quorum if pins.quorum is not None else known.get("quorum")
    if quorum is None:
        quorum = int(advertised.get("quorum", 0))
    verifier = parse_verifier_key(log_key)
    witnesses = [parse_cosigner_vkey(k) for k in witness_keys]

    # 2. The checkpoint: the log's signature, then the witnesses' cosignatures.
    text = _get(client, f"{base}/{name}/checkpoint").text
    try:
        checkpoint, _ = open_checkpoint(text, [verifier], origin=origin)
    except NoteError as exc:
        raise VerificationError(f"{name}: checkpoint signature: {exc}") from None
    cosigned = []
    for witness in witnesses:
        try:
            verify_cosignature(text, witness)
            cosigned.append(witness.name)
        except NoteError:
            continue
    if len(cosigned) < quorum:
        raise VerificationError(
            f"{name}: checkpoint of size {checkpoint.size} has {len(cosigned)} valid witness "
            f"cosignature(s), the quorum is {quorum}"
        )
    say(
        f"{name}: checkpoint size {checkpoint.size} root {encode_base64(checkpoint.root_hash)} "
        f"signed by the log, cosigned by {len(cosigned)}/{len(witnesses)} witness(es)"
        + (f" ({', '.join(cosigned)})" if cosigned else "")
    )

    # 3. Append-only since the last run.
    if "size" in known:
        old_size, old_root = int(known["size"]), decode_base64(known["root"])
        if checkpoint.size < old_size:
            raise VerificationError(
                f"{name}: the log shrank from {old_size} to {checkpoint.size} entries"
            )
        hashes: list[bytes] = []
        if 0 < old_size < checkpoint.size:
            body = _get(
                client, f"{base}/{name}/proof/consistency", first=old_size, second=checkpoint.size
            ).json()
            hashes = _hashes(body["hashes"])
        try:
            verify_consistency(old_size, checkpoint.size, old_root, checkpoint.root_hash, hashes)
        except ProofError as exc:
            raise VerificationError(
                f"{name}: NOT consistent with the checkpoint seen before ({old_size}): {exc}"
            ) from None
        say(f"{name}: consistent with the previous checkpoint of size {old_size}")

    # 4. Optionally everything: recompute the root from every entry.
    if full:
        root = root_of_leaf_list(list(iter_leaf_hashes(client, base, name, checkpoint.size)))
        if root != checkpoint.root_hash:
            raise VerificationError(f"{name}: the entries do not hash to the checkpoint's root")
        say(f"{name}: all {checkpoint.size} entries downloaded; they hash to the signed root")

    state["logs"][origin] = {
        "name": name,
        "vkey": log_key,
        "witnesses": witness_keys,
        "quorum": quorum,
        "size": checkpoint.size,
        "root": encode_base64(checkpoint.root_hash),
        "checkpoint": text,
    }


def verify(
    url: str,
    *,
    log: str | None = None,
    state_path: Path | None = None,
    full: bool = False,
    pins: Pins | None = None,
    say: Callable[[str], None] = print,
    timeout: float = 30.0,
) -> bool:
    """Verify one log (or all); True when every check passed.  State is saved only then."""
    base = api_base(url)
    state = load_state(state_path)
    pins = pins or Pins()
    ok = True
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        index = _get(client, base + "/").json()["logs"]
        chosen = [item for item in index if log is None or item["name"] == log]
        if not chosen:
            raise VerificationError(f"the server has no log named {log!r}")
        for advertised in chosen:
            try:
                verify_log(client, base, advertised, state, pins, full=full, say=say)
            except VerificationError as exc:
                say(f"FAILED {exc}")
                ok = False
    if ok and state_path is not None:
        save_state(state_path, state)
    return ok
