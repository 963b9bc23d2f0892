"""Checking many encrypted ballots on every core, and summing the counted ones on the way.

About 3 ms of libsodium work per five-option ballot: a 120,000-ballot record is six minutes
on one core, so the ballots are split into chunks for a pool of processes.  Each chunk comes
back with its failures, its partial weighted sums (per option and weight) and a digest of
each ciphertext, so that the main process only adds up.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

from smartseoul.voting.crypto import (
    Ciphertext,
    ElectionContext,
    EncryptedBallot,
    Manifest,
    Point,
    ProofError,
    verify_ballot,
    weighted_sum,
)

CHUNK = 200
# Below this many ballots starting processes costs more than it saves.
PARALLEL_FROM = 400


class BallotJob(NamedTuple):
    index: int  # ledger index, to name the ballot in a failure
    entry: bytes
    weight: int
    counted: bool
    pseudonym: str


@dataclass
class ChunkResult:
    failures: list[tuple[int, str]] = field(default_factory=list)
    # (option position, weight) → the sum of those counted ciphertexts, as 64 bytes
    sums: dict[tuple[int, int], bytes] = field(default_factory=dict)
    # (ciphertext digest, ledger index) for every option of every valid ballot
    digests: list[tuple[bytes, int]] = field(default_factory=list)


@dataclass
class Outcome:
    failures: list[tuple[int, str]]
    sums: dict[tuple[int, int], Ciphertext]
    repeated: list[tuple[int, str]]

    def tally(self, width: int) -> list[Ciphertext]:
        """The weighted sum per option (each distinct weight multiplied in once)."""
        return [
            weighted_sum((w, c) for (p, w), c in self.sums.items() if p == position)
            for position in range(width)
        ]


_context: ElectionContext | None = None


def _set_context(manifest: dict[str, object], public_key: str) -> None:
    global _context
    _context = ElectionContext.create(
        Manifest.from_json(manifest), Point.from_bytes(bytes.fromhex(public_key))
    )


def _check_chunk(jobs: Sequence[BallotJob]) -> ChunkResult:
    assert _context is not None
    result = ChunkResult()
    sums: dict[tuple[int, int], Ciphertext] = {}
    for job in jobs:
        try:
            ballot = EncryptedBallot.from_json(json.loads(job.entry)["ballot"])
            verify_ballot(_context, ballot)
            if ballot.binding and ballot.binding.hex() != job.pseudonym:
                raise ProofError("the ballot is bound to another voter's pseudonym")
        except (ProofError, ValueError, KeyError) as exc:
            result.failures.append((job.index, str(exc)))
            continue
        ciphertexts = [o.ciphertext for q in ballot.questions for o in q.options]
        for position, ciphertext in enumerate(ciphertexts):
            encoded = ciphertext.to_bytes()
            result.digests.append((hashlib.sha256(encoded).digest()[:16], job.index))
            if job.counted:
                key = (position, job.weight)
                before = sums.get(key)
                sums[key] = ciphertext if before is None else before + ciphertext
    result.sums = {key: c.to_bytes() for key, c in sums.items()}
    return result


def check_ballots(context: ElectionContext, jobs: Sequence[BallotJob], *, workers: int) -> Outcome:
    chunks = [jobs[start : start + CHUNK] for start in range(0, len(jobs), CHUNK)]
    args = (context.manifest.to_json(), context.public_key.hex())
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        # "spawn": a clean interpreter per worker, whatever threads the caller runs.
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_set_context,
            initargs=args,
        ) as pool:
            results = list(pool.map(_check_chunk, chunks))
    else:
        _set_context(*args)
        results = [_check_chunk(chunk) for chunk in chunks]
    failures: list[tuple[int, str]] = []
    sums: dict[tuple[int, int], Ciphertext] = {}
    seen: dict[bytes, int] = {}
    repeated: list[tuple[int, str]] = []
    for result in results:
        failures += result.failures
        for key, encoded in result.sums.items():
            ciphertext = Ciphertext.from_bytes(encoded)
            before = sums.get(key)
            sums[key] = ciphertext if before is None else before + ciphertext
        for digest, index in result.digests:
            first = seen.setdefault(digest, index)
            if first != index:
                repeated.append((index, f"a ciphertext of ledger entry {first} again"))
    return Outcome(sorted(failures), sums, repeated)
