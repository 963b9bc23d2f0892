"""How many ballots a second can mVoting take?  `uv run python -m benchmarks.voting_cast`

Prints JSON for an open poll with one 5-option question:
- `actions`: several processes calling ``ballot_cast`` directly (the database, the ledger
  append and the participation lock, without HTTP);
- `http`: ``smartseoul serve --workers 2`` answering ``POST /api/voting/votes/{id}/ballots``
  from a pool of client threads, each voter with their own API key (the whole stack).

Every ballot is durable when its request returns; a ledger publisher runs beside the casters
as ``smartseoul worker`` does in production and appends waiting ballots to the `votes` ledger
in batches, and `ledger_lag_s` says how long after the last cast the ledger held every ballot
(`max_ledger_batch` is the largest batch it appended).  Runs on a fresh
database: a temporary SQLite file by default, or a new PostgreSQL database next to the one
``--database-url``/``DATABASE_URL`` names (dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.ledger import _fresh_database

SETUP = """
import datetime, json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from smartseoul.accounts.actions import api_key_issue, citizen_profile_save, official_create
from smartseoul.accounts.models import CitizenProfile, User
from smartseoul.accounts.roles import Role
from smartseoul.places.models import District
from smartseoul.voting.actions import QuestionSpec, vote_create, vote_schedule
from smartseoul.web.demo import departments_load
from smartseoul.accounts.models import Department

departments_load()
official = official_create(actor=None, email="bench@city.example", password=None, name="b",
    department=Department.objects.get(code="digital-city"), roles=[Role.ELECTION_ADMINISTRATOR])
now = timezone.now()
vote = vote_schedule(actor=official, vote=vote_create(actor=official, kind="policy",
    title="bench", opens_at=now - datetime.timedelta(minutes=1),
    closes_at=now + datetime.timedelta(days=1),
    questions=[QuestionSpec("q", ["a", "b", "c", "d", "e"])]))
voters = int(sys.argv[1])
users = User.objects.bulk_create(User(email=f"v{i}@bench.example") for i in range(voters))
districts = list(District.objects.values_list("code", flat=True))
CitizenProfile.objects.bulk_create(
    CitizenProfile(user=u, name="v", district_id=districts[i % len(districts)])
    for i, u in enumerate(users))
keys = [api_key_issue(user=u, name="bench")[1] for u in users[voters // 2:]]
print(json.dumps({"vote": str(vote.public_id), "keys": keys}))
"""

CASTER = """
import sys, time
import django
django.setup()
from smartseoul.accounts.models import User
from smartseoul.voting.actions import ballot_cast
from smartseoul.voting.models import Vote
vote = Vote.objects.get(public_id=sys.argv[1])
start, end = int(sys.argv[2]), int(sys.argv[3])
voters = list(User.objects.filter(email__in=[f"v{i}@bench.example" for i in range(start, end)])
              .select_related("citizen_profile"))
began = time.perf_counter()
for n, voter in enumerate(voters):
    ballot_cast(vote=vote, voter=voter, choices=[[n % 5]])
print(time.perf_counter() - began)
"""


def _env(url: str, workdir: Path, redis_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTSEOUL_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=url,
        SMARTSEOUL_ENV="development",
        SMARTSEOUL_DEBUG="0",
        SMARTSEOUL_VAR_DIR=str(workdir / "var"),
        SMARTSEOUL_LOG_LEVEL="warning",
        SMARTSEOUL_API_RATE_KEY="100000/m",
        DJANGO_SETTINGS_MODULE="smartseoul.settings",
    )
    if redis_url:  # the production setup: rate limits in Redis, not in the database
        env["REDIS_URL"] = redis_url
    return env


WAITING = """
import django
django.setup()
from smartseoul.voting.models import Ballot
print(Ballot.objects.filter(ledger_index__isnull=True).count())
"""

LARGEST_BATCH = """
import django
django.setup()
from smartseoul.audit.models import AuditEvent
events = AuditEvent.objects.filter(action="ledger.entries_appended")
print(max((e.details["count"] for e in events), default=0))
"""


def _django_print(env: dict[str, str], code: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip().splitlines()[-1])


def _ledger_lag(env: dict[str, str], cast_done: float) -> float:
    """Seconds from the last cast until no ballot waits for the ledger."""
    while _django_print(env, WAITING):
        time.sleep(0.05)
    return round(time.perf_counter() - cast_done, 2)


def _publisher(env: dict[str, str], workdir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "smartseoul.cli", "ledger", "publish", "--interval", "1"],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "publisher.log").open("w"),
        start_new_session=True,
    )


def bench_actions(env: dict[str, str], vote: str, voters: int, processes: int) -> dict[str, Any]:
    share = voters // processes
    began = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CASTER, vote, str(p * share), str((p + 1) * share)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    for worker in workers:
        worker.communicate(timeout=1800)
        assert worker.returncode == 0
    elapsed = time.perf_counter() - began
    return {
        "processes": processes,
        "ballots": share * processes,
        "ballots_per_second": round(share * processes / elapsed, 1),
        "ledger_lag_s": _ledger_lag(env, began + elapsed),
    }


def bench_http(env: dict[str, str], vote: str, keys: list[str], workdir: Path) -> dict[str, Any]:
    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartseoul.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "server.log").open("w"),
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api/voting/votes/{vote}/ballots"
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        client = httpx.Client(timeout=30)

        def cast(item: tuple[int, str]) -> float:
            n, key = item
            started = time.perf_counter()
            response = client.post(url, json={"choices": [[n % 5]]}, headers={"X-API-Key": key})
            assert response.status_code == 201, response.text
            return time.perf_counter() - started

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=16) as pool:
            latencies = sorted(pool.map(cast, enumerate(keys)))
        elapsed = time.perf_counter() - began
        lag = _ledger_lag(env, began + elapsed)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        errors = [
            line for line in (workdir / "server.log").read_text().splitlines() if "Error" in line
        ]
        if errors:
            print("\n".join(errors[-20:]), file=sys.stderr)
    return {
        "server_workers": 2,
        "client_threads": 16,
        "ballots": len(keys),
        "ballots_per_second": round(len(keys) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1e3, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1e3, 1),
        "ledger_lag_s": lag,
    }


def _setup_django_for_drop() -> None:
    # The ledger benchmark's database helper closes Django's connections when it drops the
    # database; this process never opened any, but Django must be configured to say so.
    os.environ.setdefault("SMARTSEOUL_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")


def main() -> None:
    _setup_django_for_drop()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--voters", type=int, default=6000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL"),
        help="cache for the API's rate limits, as in production (default: $REDIS_URL; "
        "without it the database cache is used)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, drop = _fresh_database(args.database_url, workdir)
        try:
            env = _env(url, workdir, args.redis_url)
            setup = subprocess.run(
                [sys.executable, "-c", SETUP, str(args.voters)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=1800,
            )
            prepared = json.loads(setup.stdout.strip().splitlines()[-1])
            publisher = _publisher(env, workdir)
            try:
                actions = bench_actions(env, prepared["vote"], args.voters // 2, args.processes)
                http = bench_http(env, prepared["vote"], prepared["keys"], workdir)
            finally:
                os.killpg(publisher.pid, 15)
                publisher.wait(timeout=30)
            largest_batch = _django_print(env, LARGEST_BATCH)
        finally:
            drop()
    database = "postgresql" if url.startswith("postgres") else "sqlite"
    print(
        json.dumps(
            {
                "benchmark": "voting.cast",
                "database": database,
                "cache": "redis" if args.redis_url else "database",
                "actions": actions,
                "http": http,
                "max_ledger_batch": largest_batch,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
