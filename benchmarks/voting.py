"""Counting and verifying secret ballots: `uv run python -m benchmarks.voting [--ballots N]`.

Builds a secret-ballot community election through the real actions on a fresh SQLite
database: a voter roll of N households (weights 1–3), a 2-of-3 key ceremony, one question
with five options (single choice), N encrypted ballots plus one re-vote in ten.  Prints JSON:

- ``tally``: counting (the weighted homomorphic sum, read from the database, as the worker's
  task computes it after ``vote_tally``) and the
  trustees' part (two partial decryptions with proofs, checked by the server, then combined);
- ``record``: building the election record and its size;
- ``verify``: ``verify-election`` on that record with every core — seconds per check, ballots
  per second — and one core's cost per ballot;
- ``extrapolated_120k``: the same verification for 120,000 ballots, extrapolated linearly from
  N (every per-ballot step is linear; the rest is negligible).  It is an extrapolation.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import multiprocessing
import os
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

OPTIONS = 5
TARGET = 120_000


def _encrypt_chunk(
    manifest: dict[str, Any], key: str, picks: Sequence[int]
) -> list[dict[str, Any]]:
    from smartseoul.voting.crypto import ElectionContext, Manifest, Point, encrypt_ballot

    context = ElectionContext.create(
        Manifest.from_json(manifest), Point.from_bytes(bytes.fromhex(key))
    )
    return [
        encrypt_ballot(context, [[1 if i == pick else 0 for i in range(OPTIONS)]])[0].to_json()
        for pick in picks
    ]


def _encrypt_all(manifest: dict[str, Any], key: str, picks: list[int]) -> list[dict[str, Any]]:
    chunks = [picks[i : i + 250] for i in range(0, len(picks), 250)]
    with ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn")) as pool:
        done = pool.map(_encrypt_chunk, [manifest] * len(chunks), [key] * len(chunks), chunks)
        return [ballot for chunk in done for ballot in chunk]


def _cpu_seconds() -> float:
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _django(workdir: Path) -> None:
    os.environ.update(
        SMARTSEOUL_ENV="development",
        SMARTSEOUL_VAR_DIR=str(workdir / "var"),
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        DJANGO_SETTINGS_MODULE="smartseoul.settings",
        SMARTSEOUL_LOG_LEVEL="warning",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _election(ballots: int) -> tuple[Any, dict[int, Any], list[Any], Any]:
    from django.utils import timezone

    from smartseoul.accounts.actions import official_create, role_grant
    from smartseoul.accounts.models import Department, User
    from smartseoul.accounts.roles import Role
    from smartseoul.voting import trustee_device as device
    from smartseoul.voting.actions import QuestionSpec, vote_create, vote_schedule
    from smartseoul.voting.models import RollEntry
    from smartseoul.voting.trustee_queries import ceremony_view, sealed_shares_for
    from smartseoul.voting.trustees import (
        ceremony_of,
        trustee_confirm,
        trustee_dealing_submit,
        trustee_transport_key_submit,
        trustees_appoint,
    )
    from smartseoul.web.demo import departments_load

    departments_load()
    admin = official_create(
        actor=None,
        email="bench@city.example",
        password=None,
        name="bench",
        department=Department.objects.get(code="digital-city"),
        roles=[Role.ELECTION_ADMINISTRATOR],
    )
    trustees = []
    for i in (1, 2, 3):
        user = User.objects.create_user(f"trustee{i}@bench.example", None)
        role_grant(actor=None, user=user, role=Role.ELECTION_TRUSTEE)
        trustees.append(User.objects.get(pk=user.pk))
    now = timezone.now()
    vote = vote_create(
        actor=admin,
        kind="community",
        privacy="secret",
        uses_roll=True,
        title="benchmark election",
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=1),
        questions=[QuestionSpec("who?", [f"candidate {i}" for i in range(OPTIONS)])],
    )
    # The roll is set up directly (roll_import caps an apartment complex's roll at 20,000
    # households; the benchmark goes to a city's 120,000 voters). Codes are not used: the
    # casts below name each household's roll entry.
    RollEntry.objects.bulk_create(
        RollEntry(
            vote=vote,
            label=f"{i // 100 + 101}동 {i % 100 + 1}호",
            weight=1 + i % 3,
            credential_hash=secrets.token_hex(32),
            issued_at=now,
        )
        for i in range(ballots)
    )
    trustees_appoint(actor=admin, vote=vote, users=trustees, threshold=2)
    states = {
        i: device.new_state(
            server="-", vote=str(vote.public_id), index=i, ceremony=ceremony_of(vote)
        )
        for i in (1, 2, 3)
    }
    for i, user in enumerate(trustees, 1):
        trustee_transport_key_submit(actor=user, vote=vote, transport_key=device.init(states[i]))
    keys = {t["index"]: t["transport_key"] for t in ceremony_view(vote, admin)["trustees"]}
    for i, user in enumerate(trustees, 1):
        dealing, sealed = device.deal_shares(states[i], keys)
        trustee_dealing_submit(actor=user, vote=vote, dealing=dealing, sealed_shares=sealed)
    dealings = [t["dealing"] for t in ceremony_view(vote, admin)["trustees"]]
    for i, user in enumerate(trustees, 1):
        device.confirm(states[i], dealings, sealed_shares_for(vote, user))
        trustee_confirm(actor=user, vote=vote)
    vote.refresh_from_db()
    vote_schedule(actor=admin, vote=vote)
    return vote, states, trustees, admin


def run(ballots: int) -> dict[str, Any]:
    from smartseoul.voting import trustee_device as device
    from smartseoul.voting.actions import (
        ballot_cast_encrypted,
        vote_publish,
        vote_sync_status,
        vote_tally,
    )
    from smartseoul.voting.ballot_context import crypto_manifest
    from smartseoul.voting.counting import encrypted_count_finish
    from smartseoul.voting.models import RollEntry
    from smartseoul.voting.record import election_record
    from smartseoul.voting.tally import tally_from_json
    from smartseoul.voting.trustees import trustee_decryption_submit
    from smartseoul.voting.verify_ballots import BallotJob, Setting, check_ballots
    from smartseoul.voting.verify_record import verify

    started = time.perf_counter()
    vote, states, trustees, admin = _election(ballots)
    households = list(RollEntry.objects.filter(vote=vote).order_by("pk"))
    revoters = households[::10]
    picks = [i % OPTIONS for i in range(len(households) + len(revoters))]
    encrypted = _encrypt_all(crypto_manifest(vote).to_json(), vote.public_key, picks)
    for voter, ballot in zip([*households, *revoters], encrypted, strict=True):
        ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot)
    setup_seconds = time.perf_counter() - started

    vote_sync_status(vote, now=vote.closes_at + datetime.timedelta(seconds=1))
    started = time.perf_counter()
    vote_tally(actor=admin, vote=vote)  # asks for the count; the worker's task sums:
    encrypted_count_finish(vote=vote, actor=admin)
    vote.refresh_from_db()
    tally_seconds = time.perf_counter() - started
    started = time.perf_counter()
    ciphertexts = tally_from_json(vote.encrypted_tally)
    for index in (1, 3):
        share = device.decrypt(states[index], bytes.fromhex(vote.election_hash), ciphertexts)
        trustee_decryption_submit(actor=trustees[index - 1], vote=vote, share=share)
    decrypt_seconds = time.perf_counter() - started
    vote_publish(actor=admin, vote=vote)

    started = time.perf_counter()
    record = election_record(vote)
    text = json.dumps(record)
    record_seconds = time.perf_counter() - started
    record = json.loads(text)

    workers = os.cpu_count() or 1
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    report = verify(record, workers=workers, say=lambda _line: None)
    verify_seconds = time.perf_counter() - started
    # CPU time (this process and its finished workers) does not grow with other work on the
    # machine the way wall time does: divided by the cores it is the idle-machine time.
    verify_cpu = _cpu_seconds() - cpu_before
    if not report.ok:
        raise SystemExit(f"the benchmark's record failed verification: {report.failed}")
    entries = len(record["ballots"])

    # One core, the first 500 entries: parsing, proofs and sums, as each worker does them.
    setting = Setting(
        vote=record["vote"],
        manifest_hash=record["manifest_hash"],
        secret=True,
        crypto_manifest=record["crypto"]["manifest"],
        public_key=record["crypto"]["public_key"],
    )
    jobs = [
        BallotJob(b["index"], base64.b64decode(b["entry"]), b["counted"])
        for b in record["ballots"][:500]
    ]
    started, cpu_started = time.perf_counter(), time.process_time()
    check_ballots(setting, jobs, workers=1)
    one_core_ms = (time.perf_counter() - started) / len(jobs) * 1e3
    one_core_cpu_ms = (time.process_time() - cpu_started) / len(jobs) * 1e3

    counted = record["results"]["ballots"]
    return {
        # Other work on the machine slows every number here; say how busy it was.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "ballots": entries,
        "counted": counted,
        "setup_seconds": round(setup_seconds, 1),
        "tally": {
            "vote_tally_seconds": round(tally_seconds, 2),
            "vote_tally_ms_per_ballot": round(
                tally_seconds / record["results"]["ballots"] * 1e3, 3
            ),
            "decrypt_2_of_3_seconds": round(decrypt_seconds, 3),
        },
        "record": {
            "build_seconds": round(record_seconds, 2),
            "megabytes": round(len(text) / 1e6, 2),
            "kilobytes_per_ballot": round(len(text) / entries / 1e3, 2),
        },
        "verify": {
            "workers": workers,
            "seconds": round(verify_seconds, 2),
            "ballots_per_second": round(entries / verify_seconds, 1),
            "checks_seconds": {name: round(s, 3) for name, s in report.seconds.items()},
            "cpu_seconds": round(verify_cpu, 2),
            "idle_machine_seconds": round(verify_cpu / workers, 2),
            "one_core_ms_per_ballot": round(one_core_ms, 3),
            "one_core_cpu_ms_per_ballot": round(one_core_cpu_ms, 3),
        },
        "extrapolated_120k": {
            "note": f"linear from {entries} ballots, not measured",
            "verify_minutes": round(verify_seconds * TARGET / entries / 60, 1),
            "verify_minutes_idle_machine": round(verify_cpu / workers * TARGET / entries / 60, 1),
            "vote_tally_seconds": round(tally_seconds * TARGET / counted, 0),
            "record_megabytes": round(len(text) * TARGET / entries / 1e6, 0),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=5000, help="households that vote")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="smartseoul-bench-voting-") as workdir:
        _django(Path(workdir))
        print(json.dumps(run(args.ballots), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
