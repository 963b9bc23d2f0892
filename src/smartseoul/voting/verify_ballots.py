"""One pass over every ballot entry of a record, on every core.

About 2 ms of proof checking per five-option ballot and 12 ms per 25-project budget ballot
(with the C kernel, docs/election-crypto.md §11): a 120,000-ballot record is minutes to
half an hour on one core, so the entries are split into chunks for a pool of processes.
Each worker reads its entries (strict, canonical JSON of this vote), checks the encrypted
ballots' proofs and sums the counted ones per option and weight; the main process only adds
up the chunks and follows the replacement chain from the entries' headers it gets back.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import rfc8785

from smartseoul.voting.budget_rules import BudgetRule, verified_budget_proofs
from smartseoul.voting.crypto import (
    Ciphertext,
    ElectionContext,
    EncryptedBallot,
    Manifest,
    Point,
    PointSum,
    ProofError,
    verify_ballot,
    weighted_sum,
)

BALLOT_TYPE = "smartseoul.ballot/v1"
HEADER_KEYS = {"type", "vote", "manifest", "pseudonym", "weight", "cast_at", "replaces"}
CHUNK = 200
# Below this many ballots starting processes costs more than it saves.
PARALLEL_FROM = 400


class BallotJob(NamedTuple):
    at: int  # the entry's ledger index, to name the ballot in a failure
    entry: bytes
    counted: bool  # as the record says; the replacement chain check confirms it


class Header(NamedTuple):
    pseudonym: str
    replaces: str | None
    weight: int
    choices: Any  # open polls only


@dataclass(frozen=True)
class Setting:
    vote: str
    manifest_hash: str
    secret: bool
    crypto_manifest: dict[str, Any] | None = None  # with the key: check the proofs too
    public_key: str | None = None
    # Budget questions of a secret vote: question number → BudgetRule JSON; their ballots
    # carry a ``budget_proofs`` key, checked with the other proofs.
    budget_rules: dict[int, Any] = field(default_factory=dict)


@dataclass
class ChunkResult:
    headers: dict[int, Header] = field(default_factory=dict)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)
    # (option position, weight) → the sum of those counted ciphertexts, as 64 bytes
    sums: dict[tuple[int, int], bytes] = field(default_factory=dict)
    # (ciphertext digest, ledger index) for every option of every valid ballot
    digests: list[tuple[bytes, int]] = field(default_factory=list)


@dataclass
class Outcome:
    headers: dict[int, Header]
    malformed: list[tuple[int, str]]
    failures: list[tuple[int, str]]
    sums: dict[tuple[int, int], Ciphertext]
    repeated: list[tuple[int, str]]
    proofs_checked: bool

    def tally(self, width: int) -> list[Ciphertext]:
        """The weighted sum per option (each distinct weight multiplied in once)."""
        return [
            weighted_sum((w, c) for (p, w), c in self.sums.items() if p == position)
            for position in range(width)
        ]


_setting: Setting | None = None
_context: ElectionContext | None = None
_rules: dict[int, BudgetRule] = {}


def _configure(setting: Setting) -> None:
    global _setting, _context, _rules
    _setting, _context = setting, None
    _rules = {q: BudgetRule.from_json(rule) for q, rule in setting.budget_rules.items()}
    if setting.crypto_manifest is not None and setting.public_key is not None:
        _context = ElectionContext.create(
            Manifest.from_json(setting.crypto_manifest),
            Point.from_bytes(bytes.fromhex(setting.public_key)),
        )


def _canonical(document: Any, entry: bytes) -> bool:
    # Ballot entries are ASCII JSON, for which sorted compact json.dumps is RFC 8785 exactly;
    # only when that differs does the (slow, pure-Python) RFC 8785 encoder decide.
    fast = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return fast.encode() == entry or rfc8785.dumps(document) == entry


def _header(setting: Setting, entry: bytes) -> tuple[Header, Any, Any]:
    document = json.loads(entry)
    content = {"ballot"} if setting.secret else {"choices"}
    if setting.secret and setting.budget_rules:
        content.add("budget_proofs")
    if not isinstance(document, dict) or set(document) != HEADER_KEYS | content:
        raise ValueError(f"expected exactly the keys {sorted(HEADER_KEYS | content)}")
    if not _canonical(document, entry):
        raise ValueError("not canonical JSON (RFC 8785)")
    if document["type"] != BALLOT_TYPE or document["vote"] != setting.vote:
        raise ValueError("not a ballot of this vote")
    if document["manifest"] != setting.manifest_hash:
        raise ValueError("names another manifest")
    weight, pseudonym, replaces = document["weight"], document["pseudonym"], document["replaces"]
    if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
        raise ValueError("the weight must be a positive integer")
    if not isinstance(pseudonym, str) or not (replaces is None or isinstance(replaces, str)):
        raise ValueError("malformed pseudonym or replaces")
    choices = None if setting.secret else document["choices"]
    header = Header(pseudonym, replaces, weight, choices)
    return header, document.get("ballot"), document.get("budget_proofs")


def _check_chunk(jobs: Sequence[BallotJob]) -> ChunkResult:
    assert _setting is not None
    result = ChunkResult()
    # Running sums stay decoded in the C kernel (group.PointSum): an addition costs about a
    # microsecond there, against ~14 µs for libsodium's decode-add-encode.
    sums: dict[tuple[int, int], tuple[PointSum, PointSum]] = {}
    for job in jobs:
        try:
            header, ballot_json, budget_proofs = _header(_setting, job.entry)
        except (ValueError, KeyError) as exc:
            result.malformed.append((job.at, str(exc)))
            continue
        result.headers[job.at] = header
        if _context is None:
            continue
        try:
            ballot = EncryptedBallot.from_json(ballot_json)
            verify_ballot(_context, ballot)
            verified_budget_proofs(_rules, _context, ballot, budget_proofs)
            if ballot.binding and ballot.binding.hex() != header.pseudonym:
                raise ProofError("the ballot is bound to another voter's pseudonym")
        except ProofError as exc:
            result.failures.append((job.at, str(exc)))
            continue
        ciphertexts = [o.ciphertext for q in ballot.questions for o in q.options]
        for position, ciphertext in enumerate(ciphertexts):
            result.digests.append((hashlib.sha256(ciphertext.to_bytes()).digest()[:16], job.at))
            if job.counted:
                key = (position, header.weight)
                if key not in sums:
                    sums[key] = (PointSum(), PointSum())
                sums[key][0].add(ciphertext.alpha)
                sums[key][1].add(ciphertext.beta)
    result.sums = {
        key: Ciphertext(alpha.point(), beta.point()).to_bytes()
        for key, (alpha, beta) in sums.items()
    }
    return result


def check_ballots(setting: Setting, jobs: Sequence[BallotJob], *, workers: int) -> Outcome:
    chunks = [jobs[start : start + CHUNK] for start in range(0, len(jobs), CHUNK)]
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        # "spawn": a clean interpreter per worker, whatever threads the caller runs.
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_configure,
            initargs=(setting,),
        ) as pool:
            results = list(pool.map(_check_chunk, chunks))
    else:
        _configure(setting)
        results = [_check_chunk(chunk) for chunk in chunks]
    return _merge(results, proofs_checked=setting.public_key is not None)


def _merge(results: list[ChunkResult], *, proofs_checked: bool) -> Outcome:
    outcome = Outcome({}, [], [], {}, [], proofs_checked)
    seen: dict[bytes, int] = {}
    for result in results:
        outcome.headers.update(result.headers)
        outcome.malformed += result.malformed
        outcome.failures += result.failures
        for key, encoded in result.sums.items():
            ciphertext = Ciphertext.from_bytes(encoded)
            before = outcome.sums.get(key)
            outcome.sums[key] = ciphertext if before is None else before + ciphertext
        for digest, index in result.digests:
            first = seen.setdefault(digest, index)
            if first != index:
                outcome.repeated.append((index, f"a ciphertext of ledger entry {first} again"))
    outcome.failures.sort()
    return outcome
