"""How fast is the ledger?  `uv run python -m benchmarks.ledger [--database-url URL]`

Prints JSON:
- durable appends per second through ``entries_append`` (each batch one committed,
  synced transaction), for a few batch sizes, and single ``entry_append`` calls;
- inclusion and consistency proof latency from a log of ``--proof-size`` entries (10
  million by default, built through the same append path in big batches), for the
  query alone and for the whole HTTP endpoint;
- a full audit of ``--audit-size`` entries: reading them from the database and
  recomputing the root, and the verifier's share (JSON pages → leaf hashes → root).

Runs on a fresh database: a temporary SQLite file by default, or a new PostgreSQL
database next to the one ``--database-url``/``DATABASE_URL`` names (dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _fresh_database(url: str | None, workdir: Path) -> tuple[str, Callable[[], None]]:
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"smartseoul_bench_ledger_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


def _summary_ms(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "calls": len(ordered),
        "mean_ms": round(statistics.fmean(ordered) * 1e3, 3),
        "p50_ms": round(ordered[len(ordered) // 2] * 1e3, 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1e3, 3),
        "max_ms": round(ordered[-1] * 1e3, 3),
    }


def bench_appends(log_name: str, total: int) -> dict[str, Any]:
    from smartseoul.ledger import actions

    log = actions.log_ensure(log_name)
    results: dict[str, Any] = {}
    counter = 0
    for batch in (100, 1_000, 10_000):
        calls = max(1, total // batch)
        started = time.perf_counter()
        for _ in range(calls):
            data = [
                b'{"ballot":%d,"choice":"yes","poll":"2026-budget"}' % (counter + i)
                for i in range(batch)
            ]
            counter += batch
            actions.entries_append(log=log, data=data)
        elapsed = time.perf_counter() - started
        results[f"batch_{batch}"] = {
            "entries": calls * batch,
            "entries_per_second": round(calls * batch / elapsed),
        }
    started = time.perf_counter()
    singles = 300
    for i in range(singles):
        actions.entry_append(log=log, data=b"single %d" % i)
    results["single_entry_appends_per_second"] = round(singles / (time.perf_counter() - started))
    return results


def build_log(log_name: str, size: int, batch: int = 200_000) -> float:
    """The big log for the proof and audit measurements, built in bulk.

    Same hashing (merkle.Frontier) and the same row writer (store.insert_rows) as
    entries_append, but with the random-order leaf-hash index dropped during the build
    and recreated once at the end, as one would for a bulk import.
    """
    from django.db import connection, transaction

    from smartseoul.ledger import actions
    from smartseoul.ledger.merkle import Frontier, leaf_hash
    from smartseoul.ledger.models import Log, node_key
    from smartseoul.ledger.store import insert_rows

    log = actions.log_ensure(log_name)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX ledger_entry_leaf_hash")
    frontier = Frontier()
    while frontier.size < size:
        first = frontier.size
        data = [b"entry %d" % i for i in range(first, min(first + batch, size))]
        leaves = [leaf_hash(item) for item in data]
        done = frontier.extend(leaves)
        nodes = [(node_key(level, index), h) for (level, index), h in done if level]
        with transaction.atomic():
            insert_rows(
                log_id=log.pk,
                first_index=first,
                data=data,
                leaves=leaves,
                nodes=nodes,
                created_at=timezone_now(),
            )
        print(f"  built {frontier.size:,} entries", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX ledger_entry_leaf_hash ON ledger_entry (log_id, leaf_hash)")
    Log.objects.filter(pk=log.pk).update(
        size=frontier.size, frontier=b"".join(frontier.hashes), root=frontier.root()
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def timezone_now() -> Any:
    from django.utils import timezone

    return timezone.now()


def bench_proofs(log_name: str, size: int, calls: int) -> dict[str, Any]:
    from django.test import Client

    from smartseoul.ledger import queries
    from smartseoul.ledger.merkle import verify_consistency, verify_inclusion

    log = queries.log_get(log_name)
    root = bytes(log.root)
    rng = random.Random(9162)
    inclusion, consistency, http_inclusion, http_consistency = [], [], [], []
    for _ in range(calls):
        index = rng.randrange(size)
        started = time.perf_counter()
        proof = queries.inclusion(log, index=index, leaf=None, tree_size=size)
        inclusion.append(time.perf_counter() - started)
        verify_inclusion(proof["leaf_hash"], index, size, proof["hashes"], root)
        first = rng.randrange(1, size)
        started = time.perf_counter()
        queries.consistency(log, first=first, second=size)
        consistency.append(time.perf_counter() - started)
    client = Client()
    for _ in range(calls):
        index, first = rng.randrange(size), rng.randrange(1, size)
        started = time.perf_counter()
        response = client.get(
            f"/ledger/{log_name}/proof/inclusion", {"index": index, "tree_size": size}
        )
        http_inclusion.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
        started = time.perf_counter()
        response = client.get(
            f"/ledger/{log_name}/proof/consistency", {"first": first, "second": size}
        )
        http_consistency.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
    # One consistency proof checked end to end, so the numbers are for correct proofs.
    from smartseoul.ledger.merkle import root_hash
    from smartseoul.ledger.store import DbHashReader

    reader = DbHashReader(log.pk)
    first = size // 3
    proof = queries.consistency(log, first=first, second=size)["hashes"]
    verify_consistency(first, size, root_hash(reader, first), root, proof)
    return {
        "tree_size": size,
        "inclusion_query": _summary_ms(inclusion),
        "consistency_query": _summary_ms(consistency),
        "inclusion_http": _summary_ms(http_inclusion),
        "consistency_http": _summary_ms(http_consistency),
    }


def bench_audit(log_name: str, size: int) -> dict[str, Any]:
    import base64
    import binascii

    from django.db import connection

    from smartseoul.ledger import queries
    from smartseoul.ledger.merkle import root_hash
    from smartseoul.ledger.store import DbHashReader
    from smartseoul.ledger.verifier import PAGE, root_of_leaf_list

    log = queries.log_get(log_name)
    expected = root_hash(DbHashReader(log.pk), size)

    # Server side: stream every entry from the database and recompute the root.
    started = time.perf_counter()
    from hashlib import sha256

    def leaves() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT data FROM ledger_entry WHERE log_id = %s AND "index" < %s ORDER BY "index"',
                [log.pk, size],
            )
            while rows := cursor.fetchmany(10_000):
                for (data,) in rows:
                    yield sha256(b"\x00" + bytes(data)).digest()

    assert root_of_leaf_list(list(leaves())) == expected
    database_seconds = time.perf_counter() - started

    # Verifier side: what `ledger verify --full` does with the downloaded JSON pages.
    pages = []
    for start in range(0, size, PAGE):
        rows = queries.entries_range(log, start, min(start + PAGE, size))
        pages.append(
            json.dumps(
                {"entries": [{"index": i, "data": base64.b64encode(d).decode()} for i, d in rows]}
            )
        )
    started = time.perf_counter()
    b64 = binascii.a2b_base64

    def verifier_leaves() -> Any:
        for page in pages:
            for row in json.loads(page)["entries"]:
                yield sha256(b"\x00" + b64(row["data"])).digest()

    assert root_of_leaf_list(list(verifier_leaves())) == expected
    verifier_seconds = time.perf_counter() - started
    return {
        "entries": size,
        "database_read_and_root_s": round(database_seconds, 3),
        "verifier_compute_s": round(verifier_seconds, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--appends", type=int, default=100_000)
    parser.add_argument("--proof-size", type=int, default=10_000_000)
    parser.add_argument("--audit-size", type=int, default=1_000_000)
    parser.add_argument("--proof-calls", type=int, default=1_000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="smartseoul-bench-ledger-"))
    url, drop = _fresh_database(args.database_url, workdir)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "SMARTSEOUL_ENV": "development",
            "SMARTSEOUL_DEBUG": "false",
            "SMARTSEOUL_VAR_DIR": str(workdir),
            "SMARTSEOUL_LOG_LEVEL": "warning",
            "SMARTSEOUL_LEDGER_LOGS": "appends,big",
            "DJANGO_SETTINGS_MODULE": "smartseoul.settings",
        }
    )
    subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "manage", "migrate", "-v", "0"], check=True
    )
    import django

    django.setup()
    from django.db import connection

    try:
        appends = bench_appends("appends", args.appends)
        build_seconds = build_log("big", max(args.proof_size, args.audit_size))
        report = {
            "benchmark": "ledger",
            "database": connection.vendor,
            "durable_appends": appends,
            "build_big_log_in_bulk": {
                "entries": max(args.proof_size, args.audit_size),
                "seconds": round(build_seconds, 1),
                "entries_per_second": round(max(args.proof_size, args.audit_size) / build_seconds),
            },
            "proofs": bench_proofs("big", args.proof_size, args.proof_calls),
            "full_audit": bench_audit("big", args.audit_size),
        }
    finally:
        drop()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
