"""The log side of c2sp.org/tlog-witness: send a checkpoint, collect the cosignature.

Network calls happen outside any database transaction; proofs are computed by the caller's
thread (the only one that touches the database), the HTTP requests run in parallel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from smartseoul.ledger.config import WitnessConfig
from smartseoul.ledger.note import NoteError, parse_signature_line
from smartseoul.ledger.witness_protocol import (
    build_add_checkpoint_request,
    cosignature_timestamp,
    verify_cosignature,
)

log = logging.getLogger(__name__)

ProofSource = Callable[[int, int], list[bytes]]


@dataclass(frozen=True)
class CosignatureResult:
    witness: str
    line: str  # "— name base64\n"
    timestamp: int


def _post(client: httpx.Client, witness: WitnessConfig, body: bytes) -> httpx.Response | None:
    try:
        return client.post(witness.add_checkpoint_url, content=body)
    except httpx.HTTPError as exc:
        log.warning("witness %s unreachable: %s", witness.name, exc)
        return None


def _accept(witness: WitnessConfig, note: str, response: httpx.Response) -> CosignatureResult:
    line = response.text
    # Never store what we did not check: the witness's line must verify with its pinned key.
    timestamp = verify_cosignature(note + line, witness.verifier)
    signature = parse_signature_line(line.rstrip("\n"))
    return CosignatureResult(witness.name, signature.line, timestamp)


def collect_cosignatures(
    *,
    note: str,
    size: int,
    witnesses: list[WitnessConfig],
    known_sizes: dict[str, int],
    proof: ProofSource,
    timeout: float,
) -> list[CosignatureResult]:
    """Ask every witness to cosign the signed checkpoint ``note`` of ``size`` leaves.

    ``known_sizes`` holds the size each witness last cosigned for this log; a 409 answer
    tells the witness's real size and the request is retried once from there.
    """
    if not witnesses:
        return []

    def request_body(old: int) -> bytes:
        return build_add_checkpoint_request(old, proof(old, size) if 0 < old < size else [], note)

    first: dict[str, tuple[int, bytes]] = {}
    for witness in witnesses:
        old = known_sizes.get(witness.name, 0)
        first[witness.name] = (old if old <= size else 0, request_body(old if old <= size else 0))
    results: list[CosignatureResult] = []
    with (
        httpx.Client(timeout=timeout) as client,
        ThreadPoolExecutor(max_workers=min(8, len(witnesses))) as pool,
    ):
        responses = list(pool.map(lambda w: (w, _post(client, w, first[w.name][1])), witnesses))
        for witness, response in responses:
            if response is not None and response.status_code == 409:
                try:
                    old = int(response.text.strip())
                except ValueError:
                    log.warning("witness %s sent a bad 409 body", witness.name)
                    continue
                if old > size:
                    continue  # it already cosigned a newer checkpoint of ours
                response = _post(client, witness, request_body(old))
            if response is None:
                continue
            if response.status_code != 200:
                log.warning(
                    "witness %s refused the checkpoint of size %d: %s %s",
                    witness.name,
                    size,
                    response.status_code,
                    response.text.strip()[:200],
                )
                continue
            try:
                results.append(_accept(witness, note, response))
            except (NoteError, ValueError) as exc:
                log.warning("witness %s sent an invalid cosignature: %s", witness.name, exc)
    return results


__all__ = ["CosignatureResult", "collect_cosignatures", "cosignature_timestamp"]
