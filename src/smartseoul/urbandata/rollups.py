"""Sensor-hour roll-ups, written once per hour when the hour closes.

Keeping a row per sensor × hour × quantity current as reports arrive was most of what
ingestion cost the database (each batch rewrote tens of thousands of those rows).  Instead:

- reports of an *open* hour are stored raw only (neighbourhood and district hours are still
  kept current per batch: dashboards read those);
- ``CLOSE_AFTER`` past an hour's end the hour is *closed* and rolled up with
  ``INSERT … SELECT … GROUP BY`` over its raw reports (``sensor_hours_roll_up``, run every
  minute by an ingester and by the worker; idempotent), a slice of ``SLICE_SENSORS`` sensors
  per transaction.  A run stops after ``budget_s`` seconds, resting as long as each slice
  took (so it uses half a core at most), and the next one goes on where it stopped: the
  hour's roll-up is spread over the following minutes instead of taking a core all at once
  (at 10,000 reports/s an hour is 36 million reports, ~10 minutes of one core) and
  ingestion keeps its share of the machine;
- a report that arrives for a closed hour is added to its sensor-hour row as it is stored
  (a rare path) and marked ``rolled_on_arrival``, which the hour's roll-up leaves out;
- reads of one sensor's series take the rolled-up hours from the roll-up table and the later
  ones (≤ 30 reports an hour) from its raw reports (queries.py), so they are as current as
  the reports; raw reports are pruned only in rolled-up hours (maintenance.py).

``RollupState`` holds the two boundaries, ``closed_before`` and ``rolled_before``, and how far
into the hour at ``rolled_before`` the slices have got (``sensors_below``).

On PostgreSQL every storing transaction holds ``ARRIVALS_LOCK`` shared from before it reads
``closed_before`` until it commits.  Closing hours is: move ``closed_before`` (commit), take
the lock exclusively once (which waits for every batch that may have read the old boundary
and stored reports of a now-closed hour raw-only), then aggregate: every report the roll-up
must count is committed by then, and every later one is added on arrival instead.  Storing
waits for that lock for at most one batch's transaction, once an hour, never for the
aggregation.  On SQLite, transactions are serial (BEGIN IMMEDIATE), so no lock is needed.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from smartseoul.urbandata.models import Report, RollupState, Sensor
from smartseoul.urbandata.storage import ARRIVALS_LOCK, hour_of

log = logging.getLogger(__name__)

# How long after an hour's end its reports may still be arriving in the normal course
# (network, gateways, a batch being filled); later ones take the add-on-arrival path.
CLOSE_AFTER = timedelta(minutes=10)
HOUR = timedelta(hours=1)
# A PostgreSQL advisory lock key (any fixed number): one roll-up runner at a time.
RUNNER_LOCK = 0x5EB50A20
# Sensors (by id) in a run's first roll-up transaction: 15,000 reports of an hour at the
# S-DoT rate of a report every 2 minutes.  Later slices are sized from the time the last one
# took, aiming at SLICE_SECONDS each, so a budget is overrun by a few seconds at most.
SLICE_SENSORS = 500
SLICE_SECONDS = 2.0
# What the ingesters and the worker give a run (wall time, half of it working: see the pause
# in _roll_up) before leaving the rest to the next one.
HOUSEKEEPING_BUDGET_S = 40.0


def rollup_state() -> tuple[datetime | None, datetime | None]:
    """(closed_before, rolled_before); both None before the first roll-up."""
    row = RollupState.objects.filter(pk=1).values_list("closed_before", "rolled_before").first()
    return row if row is not None else (None, None)


def rolled_before_for(sensor_id: int) -> datetime | None:
    """Before when this sensor's hours are rolled up (its slice of the hour being rolled up
    may be done already); None before the first roll-up."""
    row = RollupState.objects.filter(pk=1).values_list("rolled_before", "sensors_below").first()
    if row is None or row[0] is None:
        return None
    rolled_before, sensors_below = row
    return rolled_before + HOUR if sensor_id < sensors_below else rolled_before


def sensor_hours_roll_up(*, now: datetime | None = None, budget_s: float | None = None) -> int:
    """Close the hours that ended ``CLOSE_AFTER`` ago and roll them up, slice by slice; the
    number of hours finished.  With ``budget_s``, stop after the slice that passes it (the
    next run goes on from there).  Safe to run from several processes at once and again."""
    now = now or timezone.now()
    deadline = None if budget_s is None else time.monotonic() + budget_s
    if connection.vendor != "postgresql":
        return _roll_up(now, deadline)
    with connection.cursor() as cursor:
        # One runner at a time (the others have nothing to do meanwhile).
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUNNER_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        try:
            return _roll_up(now, deadline)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUNNER_LOCK])


def _roll_up(now: datetime, deadline: float | None) -> int:
    target = hour_of(now - CLOSE_AFTER)  # hours before this one are closed
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(pk=1)
        if state.closed_before is None or state.closed_before < target:
            state.closed_before = target
            state.updated_at = now
            state.save(update_fields=["closed_before", "updated_at"])
    if connection.vendor == "postgresql":
        # Wait for the batches that read the old boundary (see the module docstring).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ARRIVALS_LOCK])
    rolled = 0
    # Every sensor that stored reports of a closed hour raw-only existed when it closed
    # (later reports of closed hours are added on arrival), so the slices stop here.
    sensor_ids = Sensor.objects.aggregate(first=Min("pk"), last=Max("pk"))
    first_sensor, last_sensor = sensor_ids["first"] or 0, sensor_ids["last"] or 0
    width = SLICE_SENSORS
    while True:  # at least one slice per run, however small the budget
        started = time.monotonic()
        # One transaction per slice of sensors keeps each one short, whatever the rate.
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(pk=1)
            closed = state.closed_before
            assert closed is not None
            if state.sensors_below:  # an hour is under way: its next slice
                hour = state.rolled_before
                assert hour is not None
            else:
                pending = Report.objects.filter(measured_at__lt=closed)
                if state.rolled_before is not None:
                    pending = pending.filter(measured_at__gte=state.rolled_before)
                first = pending.aggregate(first=Min("measured_at"))["first"]
                if first is None:  # nothing left to roll up: empty hours need no rows
                    if state.rolled_before != closed:
                        state.rolled_before = closed
                        state.updated_at = now
                        state.save(update_fields=["rolled_before", "updated_at"])
                    return rolled
                hour = hour_of(first)
            start = state.sensors_below or first_sensor  # 0: a new hour starts
            below = start + width
            _aggregate(hour, now, sensors_from=start, sensors_below=below)
            if below > last_sensor:  # every sensor's slice is done: the hour is rolled up
                state.rolled_before, state.sensors_below = hour + HOUR, 0
                rolled += 1
            else:
                state.rolled_before, state.sensors_below = hour, below
            state.updated_at = now
            state.save(update_fields=["rolled_before", "sensors_below", "updated_at"])
        if deadline is not None and time.monotonic() >= deadline:
            return rolled
        took = max(time.monotonic() - started, 1e-3)
        width = max(1, min(int(width * SLICE_SECONDS / took), 100_000))
        if deadline is not None:
            # Half a core at most: a pause as long as the slice took, so that ingestion
            # keeps the rest of the machine while an hour is rolled up.
            time.sleep(min(took, max(0.0, deadline - time.monotonic())))


# Added to (not replacing) existing rows: reports that arrived after the hour closed are
# already in them.  Ordered like the batch writer's upserts, so the two lock rows in the
# same order.
_POSTGRESQL_AGGREGATE = """
INSERT INTO urbandata_rollup
    (scope, granularity, quantity, key, bucket, count, total, minimum, maximum, updated_at)
SELECT 's', 'h', e.key, r.sensor_id::text, %(hour)s, COUNT(*), SUM((e.value)::float8),
       MIN((e.value)::float8), MAX((e.value)::float8), %(now)s
FROM urbandata_report r, jsonb_each(r."values") e
WHERE r.measured_at >= %(hour)s AND r.measured_at < %(end)s AND NOT r.rolled_on_arrival
  AND r.sensor_id >= %(sensors_from)s AND r.sensor_id < %(sensors_below)s
  AND jsonb_typeof(e.value) = 'number'
GROUP BY r.sensor_id, e.key
ORDER BY e.key, r.sensor_id::text
ON CONFLICT (scope, granularity, quantity, key, bucket) DO UPDATE SET
    count = urbandata_rollup.count + EXCLUDED.count,
    total = urbandata_rollup.total + EXCLUDED.total,
    minimum = LEAST(urbandata_rollup.minimum, EXCLUDED.minimum),
    maximum = GREATEST(urbandata_rollup.maximum, EXCLUDED.maximum),
    updated_at = EXCLUDED.updated_at
"""

# SQLite: "WHERE" before ON CONFLICT is required there to parse INSERT … SELECT … ON CONFLICT.
_SQLITE_AGGREGATE = """
INSERT INTO urbandata_rollup
    (scope, granularity, quantity, key, bucket, count, total, minimum, maximum, updated_at)
SELECT 's', 'h', e.key, CAST(r.sensor_id AS TEXT), %s, COUNT(*), SUM(e.value),
       MIN(e.value), MAX(e.value), %s
FROM urbandata_report r, json_each(r."values") e
WHERE r.measured_at >= %s AND r.measured_at < %s AND NOT r.rolled_on_arrival
  AND r.sensor_id >= %s AND r.sensor_id < %s
  AND e.type IN ('integer', 'real')
GROUP BY r.sensor_id, e.key
ON CONFLICT (scope, granularity, quantity, key, bucket) DO UPDATE SET
    count = count + excluded.count, total = total + excluded.total,
    minimum = min(minimum, excluded.minimum), maximum = max(maximum, excluded.maximum),
    updated_at = excluded.updated_at
"""


def _aggregate(hour: datetime, now: datetime, *, sensors_from: int, sensors_below: int) -> None:
    """Roll up the hour's reports of the sensors with ``sensors_from <= id < sensors_below``
    (the unique (sensor, measured_at) index finds them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _POSTGRESQL_AGGREGATE,
                {
                    "hour": hour,
                    "end": hour + HOUR,
                    "now": now,
                    "sensors_from": sensors_from,
                    "sensors_below": sensors_below,
                },
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.execute(
            _SQLITE_AGGREGATE,
            [adapt(hour), adapt(now), adapt(hour), adapt(hour + HOUR), sensors_from, sensors_below],
        )
