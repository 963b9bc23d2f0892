"""`verify-election --url`: hold an election record against the live `votes` ledger.

A record proves that its ballots are in the signed log; only the log itself can show that
no ballot of the vote was left out.  So: the server must advertise the record's log key,
its current checkpoint must extend the record's (consistency proof), and every entry of the
log up to the record's checkpoint is read; each that is a ballot of this vote must be in the
record at the same index.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import httpx

from smartseoul.ledger.checkpoint import open_checkpoint
from smartseoul.ledger.merkle import verify_consistency
from smartseoul.ledger.note import decode_base64, parse_verifier_key

if TYPE_CHECKING:
    from smartseoul.voting.verify_record import RecordVerifier, Report

PAGE = 1000


def _get(client: httpx.Client, url: str, **params: Any) -> httpx.Response:
    response = client.get(url, params=params)
    if response.status_code != 200:
        from smartseoul.voting.verify_record import Failed

        raise Failed(f"GET {response.url} answered {response.status_code}")
    return response


def check_live(report: Report, verifier: RecordVerifier, url: str) -> None:
    ledger = verifier.record["ledger"]
    base = f"{url.rstrip('/')}/ledger"
    name = ledger["log"]
    with httpx.Client(timeout=60, follow_redirects=False) as client:

        def same_log() -> str:
            from smartseoul.voting.verify_record import Failed

            assert verifier.checkpoint is not None
            logs = {log["name"]: log for log in _get(client, base + "/").json()["logs"]}
            if name not in logs or logs[name]["vkey"] != ledger["vkey"]:
                raise Failed(f"{url} does not advertise the record's `{name}` log key")
            text = _get(client, f"{base}/{name}/checkpoint").text
            current, _ = open_checkpoint(
                text, [parse_verifier_key(ledger["vkey"])], origin=ledger["origin"]
            )
            old = verifier.checkpoint
            hashes: list[bytes] = []
            if 0 < old.size < current.size:
                body = _get(
                    client,
                    f"{base}/{name}/proof/consistency",
                    first=old.size,
                    second=current.size,
                ).json()
                hashes = [decode_base64(h) for h in body["hashes"]]
            verify_consistency(old.size, current.size, old.root_hash, current.root_hash, hashes)
            return f"today's log ({current.size} entries) extends the record's checkpoint"

        def complete() -> str:
            from smartseoul.voting.verify_record import Failed

            assert verifier.checkpoint is not None
            found = _ballots_of(client, f"{base}/{name}/entries", verifier)
            recorded = {b.index for b in verifier.ballots}
            missing = sorted(found - recorded)
            if missing:
                raise Failed(f"ballots of this vote missing from the record at {missing[:10]}")
            size = verifier.checkpoint.size
            return f"all {size} log entries read: no ballot of this vote is missing"

        report.run("published ledger", same_log, ["ledger checkpoint"])
        report.run("complete ballot list", complete, ["published ledger"])


def _ballots_of(client: httpx.Client, url: str, verifier: RecordVerifier) -> set[int]:
    assert verifier.checkpoint is not None
    size = verifier.checkpoint.size
    vote = verifier.record["vote"]
    needle = f'"vote":"{vote}"'.encode()

    def page(start: int) -> list[int]:
        rows = _get(client, url, start=start, end=min(start + PAGE, size)).json()["entries"]
        found = []
        for row in rows:
            data = decode_base64(row["data"])
            # Entries are canonical JSON, so a ballot of this vote contains the needle; parse
            # only those to be sure (the text could also sit inside some other string).
            if needle in data:
                document = json.loads(data)
                if isinstance(document, dict) and document.get("vote") == vote:
                    found.append(int(row["index"]))
        return found

    with ThreadPoolExecutor(max_workers=4) as pool:
        return {index for indexes in pool.map(page, range(0, size, PAGE)) for index in indexes}
