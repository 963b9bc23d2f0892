"""Sensor hours rolled up once, when the hour closes: the series stays current before that,
late reports count once, the roll-up can run again, and pruning waits for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client

from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.maintenance import reports_prune
from smartseoul.urbandata.models import Report, Rollup, Sensor
from smartseoul.urbandata.payloads import Incoming
from smartseoul.urbandata.rollups import CLOSE_AFTER, sensor_hours_roll_up

H0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 10:00 in Seoul
H1 = H0 + timedelta(hours=1)
SERIAL = "SDOT-MAPO-1"


def store(*reports: Incoming, now: datetime) -> tuple[int, int]:
    result = reports_store(incoming=list(reports), rejected=[], source="http", now=now)
    return result.stored, result.duplicates


def pm10(minute: int, value: float, hour: datetime = H0) -> Incoming:
    return Incoming(SERIAL, hour + timedelta(minutes=minute), {"pm10": value})


def series(**params: str) -> list[tuple[str, float, int]]:
    answer = Client().get("/api/sensors/series", {"sensor": SERIAL, "quantity": "pm10", **params})
    assert answer.status_code == 200, answer.content
    return [(p["time"], p["value"], p["count"]) for p in answer.json()["points"]]


def window(start: datetime, end: datetime) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


def test_the_open_hour_is_in_the_series_before_it_closes(sensors: dict[str, Sensor]) -> None:
    # Two reports of 10:00-11:00 KST, then a report of the next hour, while that one is open.
    store(pm10(0, 40.0), pm10(2, 60.0), now=H0 + timedelta(minutes=3))
    assert series(**window(H0, H1)) == [("2026-11-20T01:00:00Z", 50.0, 2)]
    # The first hour closes and is rolled up; the second is still open.
    assert sensor_hours_roll_up(now=H1 + CLOSE_AFTER) == 1
    store(pm10(4, 10.0, H1), now=H1 + CLOSE_AFTER + timedelta(minutes=1))
    expected = [("2026-11-20T01:00:00Z", 50.0, 2), ("2026-11-20T02:00:00Z", 10.0, 1)]
    assert series(**window(H0, H1 + timedelta(hours=1))) == expected
    # The open hour has no sensor-hour row yet: it is read from the sensor's raw reports.
    sensor_rows = Rollup.objects.filter(scope="s", quantity="pm10")
    assert list(sensor_rows.values_list("bucket", "count")) == [(H0, 2)]
    # And the day, summed from both.
    day = series(interval="day", agg="count", **window(H0 - timedelta(hours=10), H1))
    assert day == [("2026-11-19T15:00:00Z", 3.0, 3)]


def test_a_late_report_for_a_rolled_up_hour_counts_once(sensors: dict[str, Sensor]) -> None:
    store(pm10(0, 40.0), pm10(2, 60.0), now=H0 + timedelta(minutes=3))
    assert sensor_hours_roll_up(now=H1 + CLOSE_AFTER) == 1
    # An hour later a gateway delivers a report of that hour it had held back, twice.
    late = pm10(30, 20.0)
    assert store(late, now=H1 + timedelta(hours=1)) == (1, 0)
    assert store(late, now=H1 + timedelta(hours=1)) == (0, 1)
    assert series(**window(H0, H1)) == [("2026-11-20T01:00:00Z", 40.0, 3)]
    assert series(agg="min", **window(H0, H1))[0][1] == 20.0
    # Rolling up again adds nothing: the hour was rolled up, the late report counted on arrival.
    assert sensor_hours_roll_up(now=H1 + timedelta(hours=2)) == 0
    assert series(**window(H0, H1)) == [("2026-11-20T01:00:00Z", 40.0, 3)]
    assert Rollup.objects.get(scope="s", quantity="pm10").count == 3
    # The district hour counted it once as well.
    assert Rollup.objects.get(scope="d", granularity="h", quantity="pm10").count == 3


def test_a_report_for_a_closed_hour_not_yet_rolled_up_counts_once(
    sensors: dict[str, Sensor],
) -> None:
    """Closing and rolling up are two steps; a report arriving between them is counted by
    exactly one of them."""
    from smartseoul.urbandata.models import RollupState

    store(pm10(0, 40.0), now=H0 + timedelta(minutes=1))
    RollupState.objects.update_or_create(pk=1, defaults={"closed_before": H1})
    store(pm10(10, 60.0), now=H1 + timedelta(minutes=30))  # closed: added on arrival
    assert series(**window(H0, H1)) == [("2026-11-20T01:00:00Z", 50.0, 2)]
    assert sensor_hours_roll_up(now=H1 + CLOSE_AFTER) == 1
    assert series(**window(H0, H1)) == [("2026-11-20T01:00:00Z", 50.0, 2)]
    assert Rollup.objects.get(scope="s", quantity="pm10").count == 2


def test_pruning_keeps_raw_reports_of_hours_not_rolled_up(sensors: dict[str, Sensor]) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    old = now - timedelta(days=100)
    store(Incoming(SERIAL, old, {"pm10": 10.0}), now=now)
    # Past the retention window, but its hour has not been rolled up: the raw report is
    # still the only record of that sensor's hour.
    assert reports_prune(now=now) == 0
    assert Report.objects.count() == 1
    assert sensor_hours_roll_up(now=now) == 1
    assert reports_prune(now=now) == 1
    assert Report.objects.count() == 0
    assert series(**window(old, old + timedelta(hours=1))) == [(_z(old), 10.0, 1)]


def retried(work: Callable[[], int]) -> int:
    """As the ingester does: a batch the database refused (SQLite's test database, shared
    in memory between threads, refuses a second writer outright) is tried again."""
    for _attempt in range(200):
        try:
            return work()
        except OperationalError:
            time.sleep(0.01)
    raise AssertionError("the database kept refusing the work")


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.django_db(transaction=True)
def test_reports_arriving_while_their_hour_is_rolled_up_count_once(
    sensors: dict[str, Sensor],
) -> None:
    """Batches of one hour keep arriving from another thread (its own database connection)
    while the hour closes and is rolled up: every report is in the sensor-hour rows once."""
    serials = list(sensors)
    stored = 0
    errors: list[BaseException] = []
    started = threading.Event()

    def arrive() -> None:
        nonlocal stored
        try:
            for second in range(0, 3600, 20):
                moment = H0 + timedelta(seconds=second)
                batch = [Incoming(s, moment, {"pm10": float(second % 97)}) for s in serials]
                stored += retried(lambda b=batch: store(*b, now=H1 + timedelta(minutes=5))[0])
                started.set()
        except BaseException as exc:  # reported below
            errors.append(exc)
            started.set()
        finally:
            close_old_connections()
            connection.close()

    worker = threading.Thread(target=arrive)
    worker.start()
    started.wait(30)
    assert retried(lambda: sensor_hours_roll_up(now=H1 + CLOSE_AFTER)) == 1
    worker.join(120)
    assert not errors, errors
    assert stored == len(serials) * 180
    counted = sum(Rollup.objects.filter(scope="s", quantity="pm10").values_list("count", flat=True))
    assert counted == stored
    for serial in serials:
        points = Client().get(
            "/api/sensors/series",
            {"sensor": serial, "quantity": "pm10", "agg": "count", **window(H0, H1)},
        )
        assert [p["count"] for p in points.json()["points"]] == [180]


def test_an_hour_is_rolled_up_a_slice_of_sensors_at_a_time(
    sensors: dict[str, Sensor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a budget, a run rolls up a slice of sensors and the next run goes on: until then
    each sensor's series is right whichever side of the slice boundary it is on, and a late
    report counts once on either side."""
    from smartseoul.urbandata import rollups
    from smartseoul.urbandata.models import RollupState

    monkeypatch.setattr(rollups, "SLICE_SENSORS", 1)
    by_id = sorted(sensors.values(), key=lambda s: s.pk)
    first, last = by_id[0], by_id[-1]
    assert len(by_id) >= 3
    for sensor in by_id:
        store(*(Incoming(sensor.serial, H0 + timedelta(minutes=m), {"pm10": 30.0}) for m in (0, 2)),
              now=H0 + timedelta(minutes=3))  # fmt: skip

    def counts(sensor: Sensor) -> list[int]:
        answer = Client().get(
            "/api/sensors/series",
            {"sensor": sensor.serial, "quantity": "pm10", "agg": "count", **window(H0, H1)},
        )
        return [p["count"] for p in answer.json()["points"]]

    # A zero budget: one slice (one sensor) per run; the hour is not finished.
    assert sensor_hours_roll_up(now=H1 + CLOSE_AFTER, budget_s=0) == 0
    state = RollupState.objects.get()
    assert (state.rolled_before, state.sensors_below) == (H0, first.pk + 1)
    assert list(Rollup.objects.filter(scope="s").values_list("key", flat=True)) == [str(first.pk)]
    # A late report for each side of the boundary: added on arrival, counted once.
    for sensor in (first, last):
        store(Incoming(sensor.serial, H0 + timedelta(minutes=40), {"pm10": 60.0}),
              now=H1 + CLOSE_AFTER + timedelta(minutes=1))  # fmt: skip
    assert counts(first) == [3]
    assert counts(last) == [3]
    assert counts(by_id[1]) == [2]
    # Pruning waits for the whole hour.
    assert reports_prune(now=H1 + timedelta(days=400)) == 0
    runs = 1
    while sensor_hours_roll_up(now=H1 + CLOSE_AFTER, budget_s=0) == 0:
        runs += 1
        assert runs <= len(by_id)
    state = RollupState.objects.get()
    assert (state.rolled_before, state.sensors_below) == (H1, 0)
    assert [counts(sensor) for sensor in by_id] == [[3]] + [[2]] * (len(by_id) - 2) + [[3]]
    totals = Rollup.objects.filter(scope="s", quantity="pm10").values_list("count", flat=True)
    assert sum(totals) == 2 * len(by_id) + 2
