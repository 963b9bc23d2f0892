"""`smartseoul verify-election RECORD [--url URL]`: re-check an election record from scratch.

Needs no database and trusts nothing in the record it can recompute: the manifest hash, the
key ceremony and the election hash, the signed `votes` checkpoint and the ballots' inclusion
in it, every ballot's entry, tracker and proofs, the replacement chain, the homomorphic
tally, every decryption share and the result.  With ``--url`` it also reads the live ledger:
the record's checkpoint must be a prefix of today's log, and no ballot of this vote may be
missing from the record.  The format is docs/election-record.md.

Prints one line per check (✓ passed, ✗ failed, – skipped because a check it needs failed)
and exits 0 when every check passed, 1 when one failed, 2 when the record cannot be read.
Ballot proofs are checked on every core (``--workers``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import rfc8785

from smartseoul.ledger.checkpoint import Checkpoint, open_checkpoint
from smartseoul.ledger.merkle import leaf_hash
from smartseoul.ledger.multiproof import verify_multi_inclusion
from smartseoul.ledger.note import NoteError, parse_verifier_key
from smartseoul.ledger.witness_protocol import parse_cosigner_vkey, verify_cosignature
from smartseoul.voting.crypto import (
    Ceremony,
    Ciphertext,
    DecryptionShare,
    ElectionContext,
    Manifest,
    Point,
    PublicDealing,
    combine_decryption_shares,
    joint_public_key,
    public_share,
    verify_dealing,
    verify_decryption_share,
    verify_transport_key,
)
from smartseoul.voting.crypto.codec import read_object, read_point
from smartseoul.voting.crypto.proofs import ChallengeResponse
from smartseoul.voting.verify_ballots import BallotJob, Outcome, Setting, check_ballots
from smartseoul.voting.verify_budget import (
    PaperError,
    check_paper,
    check_paper_results,
    check_winners,
    choice_problem,
    manifest_rules,
)
from smartseoul.voting.verify_report import Ballot, Failed, Report, _b64, _failures

RECORD_TYPE = "smartseoul.election-record/v1"
CEREMONY_TYPE = "smartseoul.key-ceremony/v1"


def _ciphertexts_json(value: Any) -> list[list[Ciphertext]]:
    return [
        [
            Ciphertext(read_point(c["alpha"], "alpha"), read_point(c["beta"], "beta"))
            for c in question
        ]
        for question in value
    ]


class RecordVerifier:
    """The checks, in the order a reader of docs/election-record.md would make them."""

    def __init__(
        self, record: Any, *, workers: int, log_key: str | None, witness_keys: list[str]
    ) -> None:
        self.record = record
        self.workers = workers
        self.log_key = log_key
        self.witness_keys = witness_keys
        self.secret = False
        self.ballots: list[Ballot] = []
        self.manifest: dict[str, Any] = {}
        self.context: ElectionContext | None = None
        self.checkpoint: Checkpoint | None = None
        self.public_shares: dict[int, Point] = {}
        self.tally: list[Ciphertext] = []
        self.shares: list[DecryptionShare] = []
        self.outcome: Outcome | None = None
        self.threshold = 0

    # --- the record itself ------------------------------------------------------------
    def check_format(self) -> str:
        r = self.record
        if not isinstance(r, dict) or r.get("type") != RECORD_TYPE:
            raise Failed(f"not a {RECORD_TYPE} document")
        if r.get("privacy") not in ("open", "secret"):
            raise Failed("privacy must be open or secret")
        self.secret = r["privacy"] == "secret"
        for key in ("vote", "manifest", "manifest_hash", "ballots", "results", "ledger"):
            if key not in r:
                raise Failed(f"the record has no {key!r}")
        if self.secret and "crypto" not in r:
            raise Failed("a secret ballot's record needs its 'crypto' part")
        previous = -1
        for item in r["ballots"]:
            index = item["index"]
            if not isinstance(index, int) or index <= previous:
                raise Failed("ballots must be in increasing ledger order")
            previous = index
            if not isinstance(item["counted"], bool) or not isinstance(item["tracker"], str):
                raise Failed(f"ballot at ledger entry {index} is malformed")
            self.ballots.append(
                Ballot(
                    index, _b64(item["entry"], f"entry {index}"), item["tracker"], item["counted"]
                )
            )
        self.manifest = r["manifest"]
        return f"{r['privacy']} vote {r['vote']}, {len(self.ballots)} ballot entries"

    def check_manifest_hash(self) -> str:
        digest = hashlib.sha256(rfc8785.dumps(self.manifest)).hexdigest()
        if digest != self.record["manifest_hash"]:
            raise Failed(
                f"SHA-256 of the canonical manifest is {digest}, "
                f"the record says {self.record['manifest_hash']}"
            )
        if (
            self.manifest.get("vote") != self.record["vote"]
            or self.manifest.get("privacy") != self.record["privacy"]
        ):
            raise Failed("the manifest is for another vote")
        return f"SHA-256 of the RFC 8785 manifest is {digest}"

    # --- keys ---------------------------------------------------------------------------
    def check_crypto_manifest(self) -> str:
        crypto = Manifest.from_json(self.record["crypto"]["manifest"])
        if crypto.manifest_hash.hex() != self.record["manifest_hash"]:
            raise Failed("the crypto manifest names another manifest hash")
        shapes = [(q.options, q.min_selections, q.max_selections) for q in crypto.questions]
        expected = [
            (len(q["options"]), q["min_choices"], q["max_choices"])
            for q in self.manifest["questions"]
        ]
        if shapes != expected:
            raise Failed(f"question shapes {shapes} do not match the manifest's {expected}")
        return f"{len(shapes)} question(s): " + ", ".join(
            f"{n} options, choose {lo}–{hi}" for n, lo, hi in shapes
        )

    def check_ceremony(self) -> str:
        crypto = self.record["crypto"]
        document = crypto["ceremony"]["document"]
        digest = hashlib.sha256(rfc8785.dumps(document)).hexdigest()
        if digest != crypto["ceremony"]["ceremony_hash"]:
            raise Failed("the ceremony hash is not the SHA-256 of the ceremony document")
        if document.get("type") != CEREMONY_TYPE or document.get("vote") != self.record["vote"]:
            raise Failed("the ceremony document is for another vote")
        ceremony = Ceremony(bytes.fromhex(digest), document["trustees"], document["threshold"])
        trustees = crypto["trustees"]
        if [t["index"] for t in trustees] != list(range(1, ceremony.trustees + 1)):
            raise Failed(f"expected trustees 1…{ceremony.trustees}")
        dealings = []
        for t in trustees:
            fields = read_object(
                t["transport_key"], f"trustee {t['index']} transport key", ("public", "proof")
            )
            verify_transport_key(
                ceremony,
                t["index"],
                read_point(fields["public"], "transport key"),
                ChallengeResponse.from_json(fields["proof"], "transport key proof"),
            )
            dealing = PublicDealing.from_json(t["dealing"])
            if dealing.dealer != t["index"]:
                raise Failed(f"trustee {t['index']} carries dealer {dealing.dealer}'s dealing")
            verify_dealing(ceremony, dealing)
            dealings.append(dealing)
        key = joint_public_key(dealings)
        if key.hex() != crypto["public_key"]:
            raise Failed("the election key is not the sum of the trustees' first commitments")
        self.threshold = ceremony.threshold
        self.public_shares = {d.dealer: public_share(dealings, d.dealer) for d in dealings}
        return (
            f"{ceremony.threshold} of {ceremony.trustees} trustees; every transport key and "
            f"dealing proof holds; key {key.hex()}"
        )

    def check_election_hash(self) -> str:
        crypto = self.record["crypto"]
        manifest = Manifest.from_json(crypto["manifest"])
        self.context = ElectionContext.create(
            manifest, Point.from_bytes(bytes.fromhex(crypto["public_key"]))
        )
        if self.context.election_hash.hex() != crypto["election_hash"]:
            raise Failed(
                f"recomputed {self.context.election_hash.hex()}, "
                f"the record says {crypto['election_hash']}"
            )
        return self.context.election_hash.hex()

    # --- the ledger ---------------------------------------------------------------------
    def check_checkpoint(self) -> str:
        ledger = self.record["ledger"]
        vkey = self.log_key or ledger["vkey"]
        if vkey != ledger["vkey"]:
            raise Failed(f"the record's log key {ledger['vkey']} is not the pinned {vkey}")
        text = ledger["checkpoint"]
        self.checkpoint, _note = open_checkpoint(
            text, [parse_verifier_key(vkey)], origin=ledger["origin"]
        )
        keys = self.witness_keys or [w["vkey"] for w in ledger.get("witnesses", [])]
        cosigned = []
        for key in keys:
            try:
                verify_cosignature(text, parse_cosigner_vkey(key))
                cosigned.append(parse_cosigner_vkey(key).name)
            except NoteError:
                continue
        quorum = int(ledger.get("quorum", 0))
        if len(cosigned) < quorum:
            raise Failed(f"{len(cosigned)} valid witness cosignature(s), the quorum is {quorum}")
        trust = "pinned" if self.log_key else "the record's (pin it with --log-key)"
        return (
            f"{ledger['origin']} size {self.checkpoint.size}, signed by {trust} log key, "
            f"cosigned by {len(cosigned)} witness(es)"
        )

    def check_trackers(self) -> str:
        wrong = [
            (b.index, "tracker is not the entry's leaf hash")
            for b in self.ballots
            if leaf_hash(b.entry).hex() != b.tracker
        ]
        if wrong:
            raise _failures(wrong, "wrong tracker(s)")
        return f"{len(self.ballots)} trackers are the leaf hashes of their entries"

    def check_inclusion(self) -> str:
        assert self.checkpoint is not None
        proof = [_b64(h, "proof hash") for h in self.record["ledger"]["proof"]]
        verify_multi_inclusion(
            [b.index for b in self.ballots],
            [bytes.fromhex(b.tracker) for b in self.ballots],
            self.checkpoint.size,
            proof,
            self.checkpoint.root_hash,
        )
        return (
            f"every entry is in the signed tree of {self.checkpoint.size} "
            f"({len(proof)} proof hashes)"
        )

    # --- the ballots --------------------------------------------------------------------
    def check_entries(self) -> str:
        """Runs the one pass over all entries (ballot proofs too, when the key checked out);
        this check reports the entries' form, "ballot proofs" the rest."""
        crypto = self.record.get("crypto") if self.context is not None else None
        setting = Setting(
            vote=self.record["vote"],
            manifest_hash=self.record["manifest_hash"],
            secret=self.secret,
            crypto_manifest=crypto["manifest"] if crypto else None,
            public_key=crypto["public_key"] if crypto else None,
            budget_rules=manifest_rules(self.manifest) if self.secret else {},
        )
        jobs = [BallotJob(b.index, b.entry, b.counted) for b in self.ballots]
        self.outcome = check_ballots(setting, jobs, workers=self.workers)
        if self.outcome.malformed:
            raise _failures(self.outcome.malformed, "malformed ballot entr(y/ies)")
        for b in self.ballots:
            b.header = self.outcome.headers[b.index]
        return f"{len(self.ballots)} canonical ballot entries for this vote and manifest"

    def check_chain(self) -> str:
        last: dict[str, Ballot] = {}
        problems = []
        for b in self.ballots:
            assert b.header is not None
            pseudonym, replaces = b.header.pseudonym, b.header.replaces
            before = last.get(pseudonym)
            expected = before.tracker if before else None
            if replaces != expected:
                problems.append(
                    (
                        b.index,
                        f"replaces {replaces}, but the pseudonym's previous ballot is {expected}",
                    )
                )
            if before is not None and not self.manifest.get("allow_revote", True):
                problems.append(
                    (b.index, "a second ballot, but this vote does not allow re-voting")
                )
            last[pseudonym] = b
        counted = {id(b) for b in last.values()}
        for b in self.ballots:
            last_one = id(b) in counted
            if b.counted != last_one:
                problems.append(
                    (
                        b.index,
                        f"counted is {b.counted}, yet it is {'' if last_one else 'not '}"
                        "its pseudonym's last ballot",
                    )
                )
        if problems:
            raise _failures(problems, "break(s) in the replacement chain")
        replaced = len(self.ballots) - len(last)
        return f"{len(last)} voters, one counted ballot each (the last); {replaced} replaced"

    def check_ballot_proofs(self) -> str:
        assert self.context is not None
        assert self.outcome is not None
        if not self.outcome.proofs_checked:
            raise Failed("the proofs were not checked")
        if self.outcome.failures:
            raise _failures(self.outcome.failures, "ballot(s) fail their proofs")
        if self.outcome.repeated:
            raise _failures(self.outcome.repeated, "ballot(s) repeat another ballot's ciphertext")
        self.tally = self.outcome.tally(sum(q.options for q in self.context.manifest.questions))
        return (
            f"{len(self.ballots)} ballots: every 0/1 and selection-count proof holds, "
            "no ciphertext repeats"
        )

    def check_open_choices(self) -> str:
        problems = []
        questions = self.manifest["questions"]
        for b in self.ballots:
            assert b.header is not None
            choices = b.header.choices
            if not isinstance(choices, list) or len(choices) != len(questions):
                problems.append((b.index, "one list of choices per question is needed"))
                continue
            for number, (chosen, q) in enumerate(zip(choices, questions, strict=True), start=1):
                problem = choice_problem(q, chosen)
                if problem:
                    problems.append((b.index, f"question {number}: {problem}"))
        if problems:
            raise _failures(problems, "invalid ballot(s)")
        return f"{len(self.ballots)} ballots choose within every question's bounds and budget"

    # --- the count ----------------------------------------------------------------------
    def check_tally(self) -> str:
        published = [
            c
            for question in _ciphertexts_json(self.record["crypto"]["encrypted_tally"])
            for c in question
        ]
        if published != self.tally:
            wrong = [
                p for p, (a, b) in enumerate(zip(published, self.tally, strict=False)) if a != b
            ]
            raise Failed(
                "the encrypted tally differs from the weighted sum of the counted ballots "
                f"(positions {wrong or 'count'})"
            )
        counted = sum(b.counted for b in self.ballots)
        return f"the encrypted tally is the weighted sum of the {counted} counted ballots"

    def check_decryptions(self) -> str:
        election_hash = bytes.fromhex(self.record["crypto"]["election_hash"])
        shares = [DecryptionShare.from_json(s) for s in self.record["crypto"]["decryption_shares"]]
        if len({s.trustee for s in shares}) != len(shares):
            raise Failed("two decryption shares from one trustee")
        for share in shares:
            if share.trustee not in self.public_shares:
                raise Failed(f"a decryption share from unknown trustee {share.trustee}")
            verify_decryption_share(
                election_hash, self.public_shares[share.trustee], self.tally, share
            )
        if len(shares) < self.threshold:
            raise Failed(f"{len(shares)} decryption share(s), {self.threshold} needed")
        self.shares = shares
        names = sorted(s.trustee for s in shares)
        return f"{len(shares)} share(s) from trustees {names}, each proven (k = {self.threshold})"

    def check_results(self) -> str:
        results = self.record["results"]
        counted = [b for b in self.ballots if b.counted]
        questions = self.manifest["questions"]
        claimed = [[o["votes"] for o in q["options"]] for q in results["questions"]]
        if [q["text"] for q in results["questions"]] != [q["text"] for q in questions] or [
            [o["label"] for o in q["options"]] for q in results["questions"]
        ] != [q["options"] for q in questions]:
            raise Failed("the results do not follow the manifest's questions and options")
        if results["ballots"] != len(counted):
            raise Failed(f"the results count {results['ballots']} ballots, {len(counted)} counted")
        if sum(results["turnout_by_district"].values()) != len(counted):
            raise Failed("turnout by district does not add up to the ballots counted")
        flat = [v for row in claimed for v in row]
        if any(not isinstance(v, int) or v < 0 for v in flat):
            raise Failed("a count is not a non-negative integer")
        try:
            sheets = check_paper(self.record, self.manifest)
            paper = check_paper_results(results, self.manifest, sheets)
        except (PaperError, KeyError, TypeError) as exc:
            raise Failed(f"paper ballots: {exc}") from None
        if self.secret:
            # The trustees decrypted the electronic ballots only; paper adds its own count.
            flat = [
                v - p
                for row, paper_row in zip(claimed, paper, strict=True)
                for v, p in zip(row, paper_row, strict=True)
            ]
            if any(v < 0 for v in flat):
                raise Failed("the results count fewer votes than the paper ballots alone")
            points = combine_decryption_shares(self.threshold, self.tally, self.shares)
            wrong = [
                p
                for p, (point, value) in enumerate(zip(points, flat, strict=True))
                if point != Point.base_mul(value)
            ]
            if len(points) != len(flat) or wrong:
                raise Failed(
                    f"the decrypted tally does not match the published counts (positions {wrong})"
                )
        else:
            counts = [list(row) for row in paper]
            approvals: list[list[Any]] = [[] for _ in questions]
            for b in counted:
                assert b.header is not None
                for number, (row, chosen) in enumerate(zip(counts, b.header.choices, strict=True)):
                    approvals[number].extend([chosen] * b.header.weight)
                    for i in chosen:
                        row[i] += b.header.weight
            if counts != claimed:
                raise Failed(f"recounted {counts}, the record says {claimed}")
        try:
            budget_lines = check_winners(
                results, self.manifest, None if self.secret else approvals, sheets
            )
        except (PaperError, KeyError, TypeError, ValueError) as exc:
            raise Failed(f"budget winners: {exc}") from None
        if budget_lines:
            return "; ".join(budget_lines)
        return "; ".join(
            f"{q['text']}: " + ", ".join(f"{o['label']} {o['votes']}" for o in q["options"])
            for q in results["questions"]
        )

    def run(self, report: Report) -> None:
        report.run("record format", self.check_format)
        if "record format" in report.failed:
            return
        report.run("manifest hash", self.check_manifest_hash)
        if self.secret:
            report.run("crypto manifest", self.check_crypto_manifest, ["manifest hash"])
            report.run("key ceremony", self.check_ceremony)
            report.run(
                "election hash", self.check_election_hash, ["crypto manifest", "key ceremony"]
            )
        report.run("ledger checkpoint", self.check_checkpoint)
        report.run("ballot trackers", self.check_trackers)
        report.run(
            "ledger inclusion", self.check_inclusion, ["ledger checkpoint", "ballot trackers"]
        )
        report.run("ballot entries", self.check_entries)
        report.run("replacement chain", self.check_chain, ["ballot entries"])
        if self.secret:
            report.run(
                "ballot proofs", self.check_ballot_proofs, ["election hash", "ballot entries"]
            )
            report.run(
                "homomorphic tally", self.check_tally, ["ballot proofs", "replacement chain"]
            )
            report.run(
                "decryption shares", self.check_decryptions, ["key ceremony", "homomorphic tally"]
            )
            report.run("results", self.check_results, ["decryption shares"])
        else:
            report.run("ballot choices", self.check_open_choices, ["ballot entries"])
            report.run("results", self.check_results, ["ballot choices", "replacement chain"])


def load_record(source: str) -> Any:
    if source.startswith(("http://", "https://")):
        import httpx

        response = httpx.get(source, timeout=300, follow_redirects=True)
        response.raise_for_status()
        return response.json()
    with Path(source).open("rb") as fh:
        return json.load(fh)


def verify(
    record: Any,
    *,
    url: str | None = None,
    workers: int | None = None,
    log_key: str | None = None,
    witness_keys: Sequence[str] = (),
    say: Callable[[str], None] = print,
) -> Report:
    report = Report(say)
    verifier = RecordVerifier(
        record,
        workers=workers or os.cpu_count() or 1,
        log_key=log_key,
        witness_keys=list(witness_keys),
    )
    verifier.run(report)
    if url and "record format" not in report.failed:
        from smartseoul.voting.verify_live import check_live

        check_live(report, verifier, url)
    return report


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="smartseoul verify-election",
        description="Check an election record (docs/election-record.md) from scratch.",
    )
    parser.add_argument("record", help="the record file (or its https:// address)")
    parser.add_argument("--url", help="the site, to check the record against its live ledger")
    parser.add_argument("--log-key", help="the `votes` log's verifier key, published out of band")
    parser.add_argument("--witness-key", action="append", default=[], help="a witness's key")
    parser.add_argument("--workers", type=int, help="processes checking ballots (default: cores)")
    args = parser.parse_args(argv)
    try:
        record = load_record(args.record)
    except (OSError, ValueError) as exc:
        print(f"smartseoul verify-election: cannot read {args.record}: {exc}", file=sys.stderr)
        return 2
    report = verify(
        record,
        url=args.url,
        workers=args.workers,
        log_key=args.log_key,
        witness_keys=args.witness_key,
    )
    passed = sum(1 for _n, ok, _d in report.results if ok)
    print(f"{'OK' if report.ok else 'FAILED'}: {passed} of {len(report.results)} checks passed")
    return 0 if report.ok else 1
