"""Roll-up work during steady ingestion, for `benchmarks.urbandata --rollup-backlog N`.

At 10,000 reports/s an hour's sensor roll-up is ~36 million reports, a quarter of an hour of
one core. Ingesters give it at most ``HOUSEKEEPING_BUDGET_S`` a minute (rollups.py). This
module stores ``N`` raw reports in closed hours not rolled up yet, then runs the roll-up on
a thread as an ingester's housekeeping does (a budgeted run, then a minute's wait), while
the benchmark publishes at a steady rate; ``backlog_s`` then shows whether storage stays
current while the roll-up takes its share of the machine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

HOUSEKEEPING_PERIOD_S = 60.0


def store_backlog(count: int, sample_values: dict[str, float], now: datetime) -> datetime:
    """``count`` raw reports (every sensor every 2 minutes) in hours that closed well before
    ``now`` and are not rolled up; returns the first of those hours."""
    import json

    from django.db import connection

    from smartseoul.urbandata.models import Sensor
    from smartseoul.urbandata.storage import hour_of

    sensors = Sensor.objects.count()
    hours = max(1, -(-count // (sensors * 30)))
    first = hour_of(now) - timedelta(hours=hours + 2)
    document = json.dumps(sample_values)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO urbandata_report (sensor_id, measured_at, received_at, raw, "values",
                                          flags)
            SELECT s.id, m, m, %s::jsonb, %s::jsonb, '{}'
            FROM urbandata_sensor s,
                 generate_series(%s::timestamptz,
                                 %s::timestamptz - interval '2 minutes',
                                 interval '2 minutes') AS m
            """,
            [document, document, first, first + timedelta(hours=hours)],
        )
        # Everything before ``first`` counts as rolled up, so the roll-up starts there.
        cursor.execute(
            "INSERT INTO urbandata_rollupstate (id, closed_before, rolled_before, sensors_below,"
            " updated_at) VALUES (1, %s, %s, 0, now()) ON CONFLICT (id) DO UPDATE"
            " SET closed_before = EXCLUDED.closed_before,"
            " rolled_before = EXCLUDED.rolled_before, sensors_below = 0",
            [first, first],
        )
        cursor.execute("ANALYZE urbandata_report")
    return first


class Housekeeping(threading.Thread):
    """The roll-up as an ingester's housekeeping thread runs it, with its own connection."""

    def __init__(self, cpu_seconds: Callable[[int], float]) -> None:
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.runs: list[float] = []
        self.cpu_seconds = cpu_seconds
        self.cpu_s = 0.0  # its PostgreSQL backend's, read before the connection closes

    def run(self) -> None:
        from django.db import connection

        from smartseoul.urbandata.rollups import HOUSEKEEPING_BUDGET_S, sensor_hours_roll_up

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = int(cursor.fetchone()[0])
        try:
            while not self.stopping.is_set():
                began = time.perf_counter()
                sensor_hours_roll_up(budget_s=HOUSEKEEPING_BUDGET_S)
                self.runs.append(round(time.perf_counter() - began, 1))
                self.stopping.wait(HOUSEKEEPING_PERIOD_S)
        finally:
            self.cpu_s = self.cpu_seconds(backend)
            connection.close()


def rolled_count(first: datetime) -> dict[str, Any]:
    """How far the roll-up got into the backlog: sensor-hour PM10 counts from ``first`` on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(count), 0) FROM urbandata_rollup"
            " WHERE scope = 's' AND granularity = 'h' AND quantity = 'pm10' AND bucket >= %s",
            [first],
        )
        return {"backlog_reports_rolled_up": int(cursor.fetchone()[0])}
