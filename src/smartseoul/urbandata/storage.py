"""The batch writer: many reports in one transaction, area roll-ups updated in the same one.

Per batch: look the sensors up (cached per process), QC each report against the sensor's
last state, insert all reports with one statement that skips (sensor, measured_at) pairs
already stored and returns the ones it inserted, add only those to the neighbourhood and
district hours and days (sum/count/min/max, so averages compose), move each
sensor's "latest" row forward, and keep every refused report in the quarantine.  Sensor
hours are rolled up once their hour has closed (rollups.py); a report for an hour already
closed is added to its sensor-hour row here.  Callers acknowledge their messages only after
this commits, which is what makes delivery at-least-once and storage exactly-once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from smartseoul.urbandata.models import LatestReading, QuarantinedReport, RollupState
from smartseoul.urbandata.payloads import Incoming, Rejected
from smartseoul.urbandata.quality import SensorState, check
from smartseoul.urbandata.sensor_cache import SensorInfo, sensor_cache

__all__ = ["SensorInfo", "StoreResult", "hour_of", "sensor_cache", "seoul_day_of", "store"]

SEOUL_OFFSET = timedelta(hours=9)  # Korea keeps no daylight saving time
FUTURE_TOLERANCE = timedelta(minutes=5)
# A model's max_step is the largest believable change between reports two minutes apart;
# after a longer silence the air may have changed by anything, so no spike is judged then.
SPIKE_GAP = timedelta(minutes=10)
SQLITE_ROWS_PER_STATEMENT = 500
# PostgreSQL advisory lock (any fixed number): held shared by every storing transaction from
# before it reads where the closed hours end until it commits; rollups.py takes it
# exclusively once when it closes hours.
ARRIVALS_LOCK = 0x5EB50A1F


@dataclass(slots=True)
class StoreResult:
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def seoul_day_of(moment: datetime) -> datetime:
    """The UTC instant at which ``moment``'s Seoul calendar day began."""
    local = moment.astimezone(UTC) + SEOUL_OFFSET
    return local.replace(hour=0, minute=0, second=0, microsecond=0) - SEOUL_OFFSET


def store(
    incoming: list[Incoming],
    rejected: list[Rejected],
    *,
    source: str,
    topic: str = "",
    now: datetime | None = None,
) -> StoreResult:
    """Store one batch atomically; see the module docstring."""
    now = now or timezone.now()
    result = StoreResult()
    quarantine = list(rejected)
    sensors = sensor_cache.get({report.serial for report in incoming})
    candidates: dict[tuple[int, datetime], tuple[SensorInfo, Incoming]] = {}
    for report in incoming:
        info = sensors.get(report.serial)
        reason = _refusal(report, info, now)
        if reason is not None:
            quarantine.append(_rejected(report, reason))
            continue
        assert info is not None
        key = (info.id, report.measured_at.astimezone(UTC))
        if key in candidates:
            result.duplicates += 1  # the same report twice in one batch
        else:
            candidates[key] = (info, report)
    with transaction.atomic():
        if candidates:
            result.stored, duplicates = _store_reports(candidates, now)
            result.duplicates += duplicates
        if quarantine:
            QuarantinedReport.objects.bulk_create(
                [
                    QuarantinedReport(
                        received_at=now,
                        source=source,
                        topic=_printable(item.topic or topic)[:300],
                        serial=_printable(item.serial)[:100],
                        payload=_printable(item.payload),
                        reason=_printable(item.reason)[:300],
                    )
                    for item in quarantine
                ]
            )
            result.quarantined = len(quarantine)
    return result


def _printable(text: str) -> str:
    """PostgreSQL text cannot hold NUL; keep everything else of what was sent."""
    return text.replace("\x00", "\ufffd")


def _refusal(report: Incoming, info: SensorInfo | None, now: datetime) -> str | None:
    if info is None:
        return f"unknown sensor {report.serial!r}"
    if report.measured_at > now + FUTURE_TOLERANCE:
        return "measured_at is in the future"
    if report.measured_at < info.installed_at:
        return "measured before the sensor was installed"
    if info.retired_at is not None and report.measured_at > info.retired_at:
        return "measured after the sensor was retired"
    if not report.values.keys() <= info.quantities.keys():
        unknown = sorted(set(report.values) - info.quantities.keys())
        return f"the sensor's model does not measure {', '.join(unknown)}"
    return None


def _rejected(report: Incoming, reason: str) -> Rejected:
    payload = {
        "serial": report.serial,
        "measured_at": report.measured_at.isoformat(),
        "values": report.values,
    }
    return Rejected(report.serial, json.dumps(payload, ensure_ascii=False), reason)


def _store_reports(
    candidates: dict[tuple[int, datetime], tuple[SensorInfo, Incoming]], now: datetime
) -> tuple[int, int]:
    latest = _latest_states({key[0] for key in candidates})
    states: dict[int, SensorState] = {}
    newest: dict[int, tuple[datetime, dict[str, float | None]]] = {}
    rows: list[tuple[int, datetime, str, str, str]] = []
    checked_by_key: dict[tuple[int, datetime], dict[str, float | None]] = {}
    # In time order per sensor, so spike and stuck checks see the reports as they happened.
    for key in sorted(candidates, key=lambda k: (k[0], k[1])):
        info, report = candidates[key]
        sensor_id, measured_at = key
        previous = latest.get(sensor_id)
        state = states.get(sensor_id)
        if state is None:
            state = SensorState(
                values=previous[1] if previous else {}, repeats=previous[2] if previous else {}
            )
            states[sensor_id] = state
        last_time = newest.get(sensor_id, (previous[0] if previous else None, {}))[0]
        is_late = last_time is not None and measured_at <= last_time
        if not is_late and last_time is not None and measured_at - last_time > SPIKE_GAP:
            state.values.clear()
        checked = check(
            raw=report.values,
            quantities=info.quantities,
            calibration=info.calibration,
            state=None if is_late else state,
        )
        flags: dict[str, list[str]] = dict(checked.flags)
        if is_late:
            flags["report"] = ["late"]
        else:
            newest[sensor_id] = (measured_at, checked.values)
        checked_by_key[key] = checked.values
        rows.append(
            (
                sensor_id,
                measured_at,
                orjson.dumps(report.values).decode(),
                orjson.dumps(checked.values).decode(),
                orjson.dumps(flags).decode() if flags else "{}",
            )
        )
    if connection.vendor == "postgresql":
        stored = _insert_and_roll_up_postgresql(rows, now)
    else:
        # SQLite transactions are serial (BEGIN IMMEDIATE): nothing closes hours meanwhile.
        closed_before = (
            RollupState.objects.filter(pk=1).values_list("closed_before", flat=True).first()
        )
        inserted = _insert_reports_sqlite(rows, now, closed_before)
        _add_to_rollups_sqlite(_deltas(inserted, candidates, checked_by_key, closed_before), now)
        stored = len(inserted)
    _move_latest(newest, states, now)
    return stored, len(rows) - stored


def _latest_states(
    sensor_ids: set[int],
) -> dict[int, tuple[datetime, dict[str, float | None], dict[str, list[float]]]]:
    """Each sensor's newest time, values and repeat counters (what QC compares with)."""
    if connection.vendor != "postgresql":
        return {
            sensor_id: (measured_at, dict(values), dict(repeats))
            for sensor_id, measured_at, values, repeats in LatestReading.objects.filter(
                sensor_id__in=sensor_ids
            ).values_list("sensor_id", "measured_at", "values", "repeats")
        }
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        # JSON as text, decoded with orjson: Django's per-row JSON decoding cost more than
        # the query.  %b: binary parameters, no per-element quoting in Python.
        cursor.execute(
            'SELECT sensor_id, measured_at, "values"::text, repeats::text'
            " FROM urbandata_latestreading WHERE sensor_id = ANY(%b::bigint[])",
            [sorted(sensor_ids)],
        )
        return {
            sensor_id: (measured_at, orjson.loads(values), orjson.loads(repeats))
            for sensor_id, measured_at, values, repeats in cursor.fetchall()
        }


def _deltas(
    inserted: set[tuple[int, datetime]],
    candidates: dict[tuple[int, datetime], tuple[SensorInfo, Incoming]],
    checked_by_key: dict[tuple[int, datetime], dict[str, float | None]],
    closed_before: datetime | None,
) -> dict[tuple[str, str, str, str, datetime], list[float]]:
    """Roll-up increments of the newly stored reports: per neighbourhood and district by
    hour and day, and per sensor by hour only for a report whose hour has already closed
    (the others are rolled up when it closes)."""
    deltas: dict[tuple[str, str, str, str, datetime], list[float]] = {}
    for key in inserted:
        info, _report = candidates[key]
        hour, day = hour_of(key[1]), seoul_day_of(key[1])
        targets = [("d", "h", info.district, hour), ("d", "d", info.district, day)]
        if closed_before is not None and key[1] < closed_before:
            targets.append(("s", "h", str(info.id), hour))
        if info.neighbourhood:
            targets += [("n", "h", info.neighbourhood, hour), ("n", "d", info.neighbourhood, day)]
        for quantity, value in checked_by_key[key].items():
            if value is None:
                continue
            for scope, granularity, area, bucket in targets:
                delta = deltas.get((scope, granularity, quantity, area, bucket))
                if delta is None:
                    deltas[(scope, granularity, quantity, area, bucket)] = [1, value, value, value]
                else:
                    delta[0] += 1
                    delta[1] += value
                    delta[2] = min(delta[2], value)
                    delta[3] = max(delta[3], value)
    return deltas


# One statement per batch on PostgreSQL: insert the reports (skipping any already stored),
# and from exactly the inserted rows add every value to its neighbourhood and district hour
# and day roll-ups, and to its sensor-hour row if that hour has closed.  The
# aggregation runs inside PostgreSQL; Python only ships five arrays.  Roll-ups are upserted
# in a fixed order so that concurrent ingesters (and rollups.py) lock the same rows in the
# same order.
_POSTGRESQL_INSERT_AND_ROLL_UP = """
WITH state AS (
    SELECT closed_before FROM urbandata_rollupstate WHERE id = 1
), inserted AS (
    INSERT INTO urbandata_report
        (sensor_id, measured_at, received_at, raw, "values", flags, rolled_on_arrival)
    SELECT s, m, %(now)b, r::jsonb, v::jsonb, f::jsonb,
           COALESCE(m < (SELECT closed_before FROM state), false)
    FROM unnest(%(sensors)b::bigint[], %(times)b::timestamptz[], %(raw)b::text[],
                %(values)b::text[], %(flags)b::text[]) AS u(s, m, r, v, f)
    ON CONFLICT (sensor_id, measured_at) DO NOTHING
    RETURNING sensor_id, measured_at, "values", rolled_on_arrival
), placed AS (
    -- One row per value, read once: every level is summed in one pass (grouping sets) rather
    -- than from a materialised copy scanned once per level.
    SELECT e.key AS quantity, (e.value)::float8 AS value, s.district_id AS district,
           s.neighbourhood_id AS neighbourhood,
           -- Sensor hours only for reports of a closed hour (rare): the rest are rolled up
           -- when their hour closes (rollups.py); NULL keys are dropped below.
           CASE WHEN i.rolled_on_arrival THEN i.sensor_id::text END AS sensor,
           date_trunc('hour', i.measured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
           date_trunc('day', i.measured_at AT TIME ZONE 'Asia/Seoul')
               AT TIME ZONE 'Asia/Seoul' AS day
    FROM inserted i JOIN urbandata_sensor s ON s.id = i.sensor_id, jsonb_each(i."values") e
    WHERE jsonb_typeof(e.value) = 'number'
), increments AS (
    SELECT CASE WHEN GROUPING(district) = 0 THEN 'd'
                WHEN GROUPING(neighbourhood) = 0 THEN 'n' ELSE 's' END AS scope,
           CASE WHEN GROUPING(hour) = 0 THEN 'h' ELSE 'd' END AS granularity,
           quantity, COALESCE(district, neighbourhood, sensor) AS key,
           COALESCE(hour, day) AS bucket,
           COUNT(*) AS n, SUM(value) AS total, MIN(value) AS low, MAX(value) AS high
    FROM placed
    GROUP BY GROUPING SETS ((quantity, district, hour), (quantity, district, day),
                            (quantity, neighbourhood, hour), (quantity, neighbourhood, day),
                            (quantity, sensor, hour))
), rolled AS (
    INSERT INTO urbandata_rollup
        (scope, granularity, quantity, key, bucket, count, total, minimum, maximum, updated_at)
    SELECT scope, granularity, quantity, key, bucket, n, total, low, high, %(now)b
    FROM increments WHERE key IS NOT NULL
    ORDER BY scope, granularity, quantity, key, bucket
    ON CONFLICT (scope, granularity, quantity, key, bucket) DO UPDATE SET
        count = urbandata_rollup.count + EXCLUDED.count,
        total = urbandata_rollup.total + EXCLUDED.total,
        minimum = LEAST(urbandata_rollup.minimum, EXCLUDED.minimum),
        maximum = GREATEST(urbandata_rollup.maximum, EXCLUDED.maximum),
        updated_at = EXCLUDED.updated_at
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM inserted), (SELECT COUNT(*) FROM rolled)
"""


def _insert_and_roll_up_postgresql(
    rows: list[tuple[int, datetime, str, str, str]], now: datetime
) -> int:
    import psycopg

    sensors, times, raw, values, flags = (list(column) for column in zip(*rows, strict=True))
    connection.ensure_connection()
    # A server-side-binding cursor with binary parameters (%b): Django's client-side cursor,
    # or text-format arrays, would quote every array element in Python (a regular expression
    # per element), which cost more than the insert itself.
    with psycopg.Cursor(connection.connection) as cursor:
        # Its own statement, before the one that reads closed_before: that statement's
        # snapshot must be taken while the lock is held (rollups.py).  And memory enough for
        # this transaction's grouping to stay hashed: the planner cannot tell how few keys
        # jsonb_each yields and, at the 4 MB default, sorts a large batch's values on disk.
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%b), set_config('work_mem', '32MB', true)",
            [ARRIVALS_LOCK],
            binary=True,
        )
        cursor.execute(
            _POSTGRESQL_INSERT_AND_ROLL_UP,
            {
                "now": now,
                "sensors": sensors,
                "times": times,
                "raw": raw,
                "values": values,
                "flags": flags,
            },
            binary=True,
        )
        stored, _rolled = cursor.fetchone()  # type: ignore[misc]
    return int(stored)


def _insert_reports_sqlite(
    rows: list[tuple[int, datetime, str, str, str]], now: datetime, closed_before: datetime | None
) -> set[tuple[int, datetime]]:
    inserted: set[tuple[int, datetime]] = set()
    with connection.cursor() as cursor:
        adapt = connection.ops.adapt_datetimefield_value
        received = adapt(now)
        for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
            chunk = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
            params: list[Any] = []
            for sensor_id, measured_at, raw, values, flags in chunk:
                closed = closed_before is not None and measured_at < closed_before
                params += [sensor_id, adapt(measured_at), received, raw, values, flags, closed]
            placeholders = ",".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(_SQLITE_INSERT_REPORTS.replace("{rows}", placeholders), params)
            # SQLite hands back naive UTC datetimes (Django's converters) or text.
            for sensor_id, returned in cursor.fetchall():
                when = datetime.fromisoformat(returned) if isinstance(returned, str) else returned
                inserted.add((sensor_id, when.replace(tzinfo=UTC)))
    return inserted


_SQLITE_INSERT_REPORTS = (
    "INSERT INTO urbandata_report"
    ' (sensor_id, measured_at, received_at, raw, "values", flags, rolled_on_arrival)'
    " VALUES {rows} ON CONFLICT (sensor_id, measured_at) DO NOTHING"
    " RETURNING sensor_id, measured_at"
)


def _add_to_rollups_sqlite(
    deltas: dict[tuple[str, str, str, str, datetime], list[float]], now: datetime
) -> None:
    if not deltas:
        return
    # Few distinct buckets per batch: adapt each once, not once per row.
    adapted: dict[datetime, Any] = {}

    def adapt(moment: datetime) -> Any:
        if moment not in adapted:
            adapted[moment] = connection.ops.adapt_datetimefield_value(moment)
        return adapted[moment]

    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO urbandata_rollup"
            " (scope, granularity, quantity, key, bucket, count, total, minimum, maximum,"
            " updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (scope, granularity, quantity, key, bucket) DO UPDATE SET"
            " count = count + excluded.count, total = total + excluded.total,"
            " minimum = min(minimum, excluded.minimum),"
            " maximum = max(maximum, excluded.maximum), updated_at = excluded.updated_at",
            [
                (s, g, q, k, adapt(b), int(d[0]), d[1], d[2], d[3], adapt(now))
                for (s, g, q, k, b), d in sorted(deltas.items())
            ],
        )


def _move_latest(
    newest: dict[int, tuple[datetime, dict[str, float | None]]],
    states: dict[int, SensorState],
    now: datetime,
) -> None:
    if not newest:
        return
    rows = [
        (
            sensor_id,
            measured_at,
            orjson.dumps(values).decode(),
            orjson.dumps(states[sensor_id].repeats).decode(),
        )
        for sensor_id, (measured_at, values) in sorted(newest.items())
    ]
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                "INSERT INTO urbandata_latestreading"
                ' (sensor_id, measured_at, "values", repeats, updated_at)'
                " SELECT s, m, v::jsonb, r::jsonb, %b FROM unnest(%b::bigint[],"
                " %b::timestamptz[], %b::text[], %b::text[]) AS u(s, m, v, r)"
                " ON CONFLICT (sensor_id) DO UPDATE SET measured_at = EXCLUDED.measured_at,"
                ' "values" = EXCLUDED."values", repeats = EXCLUDED.repeats,'
                " updated_at = EXCLUDED.updated_at"
                " WHERE urbandata_latestreading.measured_at < EXCLUDED.measured_at",
                [now, *map(list, zip(*rows, strict=True))],
                binary=True,
            )
        return
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO urbandata_latestreading"
            ' (sensor_id, measured_at, "values", repeats, updated_at)'
            " VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (sensor_id) DO UPDATE SET measured_at = excluded.measured_at,"
            ' "values" = excluded."values", repeats = excluded.repeats,'
            " updated_at = excluded.updated_at WHERE measured_at < excluded.measured_at",
            [(s, adapt(m), v, r, adapt(now)) for s, m, v, r in rows],
        )
