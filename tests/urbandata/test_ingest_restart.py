"""Kill an ingester mid-stream (SIGKILL: no goodbye), start it again: nothing acknowledged is
lost and nothing is counted twice.

The ingester is a real `smartseoul ingest` process.  On PostgreSQL it shares the test
database; on SQLite it uses a migrated database file that this test reads directly.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from tests.processes import clean_env, cli, spawn, stop
from tests.urbandata.mqtt import forget_session, publisher, unique_prefix, wait_until

SENSORS = 20
ROUNDS = 60  # 1,200 reports in 120 messages of 10
START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def counter(url: str, sqlite_path: Path | None):
    def count(sql: str) -> int:
        if sqlite_path is not None:
            with sqlite3.connect(sqlite_path) as db:
                return int(db.execute(sql).fetchone()[0] or 0)
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return int(cursor.fetchone()[0] or 0)

    return count


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_killed_ingester_loses_nothing_and_counts_nothing_twice(
    tmp_path: Path, sqlite_copy: Path
) -> None:
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        credentials = f"{s['USER']}:{s['PASSWORD'] or ''}"
        url = f"postgresql://{credentials}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
        path = None
    else:
        url, path = f"sqlite:///{sqlite_copy}", sqlite_copy
    prefix, client_id = unique_prefix(), f"{unique_prefix()}-ingest"
    env = clean_env(
        SMARTSEOUL_ENV="development",
        SMARTSEOUL_VAR_DIR=str(tmp_path / "var"),
        SMARTSEOUL_LOG_LEVEL="warning",
        DATABASE_URL=url,
        SMARTSEOUL_SENSORS_TOPIC_PREFIX=prefix,
    )
    cli(
        "sensors",
        "simulate",
        "--register",
        "--sensors",
        str(SENSORS),
        "--rounds",
        "0",
        env=env,
        cwd=tmp_path,
    )
    count = counter(url, path)
    args = ("ingest", "--client-id", client_id, "--batch-ms", "20", "--batch-size", "50")
    first = spawn(*args, env=env, cwd=tmp_path)
    try:
        wait_until(lambda: "subscribed" in (first.stdout.readline() or ""), timeout=30)  # type: ignore[union-attr]
        with publisher() as publish:
            for round_ in range(ROUNDS):
                moment = (START + timedelta(minutes=2 * round_)).isoformat()
                publish(
                    f"{prefix}/gateways/test",
                    {
                        "reports": [
                            {
                                "serial": f"DEMO-{n:06d}",
                                "measured_at": moment,
                                "values": {"pm10": 10 + n + round_ % 7},
                            }
                            for n in range(1, SENSORS + 1)
                        ]
                    },
                )
                if round_ == ROUNDS // 3:
                    # Mid-stream, once some batches are committed: kill without warning.
                    wait_until(lambda: count("SELECT COUNT(*) FROM urbandata_report") > 0)
                    os.killpg(first.pid, signal.SIGKILL)
                    first.wait(10)
                time.sleep(0.01)
        stored_while_down = count("SELECT COUNT(*) FROM urbandata_report")
        assert stored_while_down < SENSORS * ROUNDS
        # The reports' hours are long over: roll up what is stored, so that the rest (and
        # anything redelivered) arrives for hours already rolled up, the late path.
        rollup = cli("sensors", "rollup", env=env, cwd=tmp_path)
        assert "sensor hours rolled up" in rollup.stdout
        second = spawn(*args, env=env, cwd=tmp_path)
        try:
            expected = SENSORS * ROUNDS
            wait_until(lambda: count("SELECT COUNT(*) FROM urbandata_report") >= expected, 60)
            time.sleep(0.5)  # anything redelivered late would show up now
            assert count("SELECT COUNT(*) FROM urbandata_report") == expected
            # Every report is in the roll-ups exactly once.
            rolled = (
                "SELECT SUM(count) FROM urbandata_rollup"
                " WHERE scope = '{}' AND granularity = '{}' AND quantity = 'pm10'"
            )
            assert count(rolled.format("s", "h")) == expected
            assert count(rolled.format("d", "d")) == expected
        finally:
            output = stop(second)
        assert "Traceback" not in output, output
    finally:
        stop(first)
        forget_session(client_id)
