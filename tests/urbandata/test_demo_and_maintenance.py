"""The demo's sensors and day of data; retention and the daily Parquet archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.test import override_settings

from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.maintenance import reports_archive, reports_prune
from smartseoul.urbandata.models import Report, Rollup, Sensor
from smartseoul.urbandata.payloads import Incoming
from smartseoul.urbandata.rollups import sensor_hours_roll_up
from smartseoul.urbandata.simulate import SimulatedCity, values


def test_simulated_weather_is_believable() -> None:
    import random

    city = SimulatedCity(3, seed=3)
    rng = random.Random(3)
    dawn = values(city.sensors[0], datetime(2026, 1, 15, 21, tzinfo=UTC), rng)  # 06:00 KST
    afternoon = values(city.sensors[0], datetime(2026, 1, 16, 6, tzinfo=UTC), rng)  # 15:00
    assert dawn["temperature"] < afternoon["temperature"] < 10
    rush = values(city.sensors[0], datetime(2026, 1, 15, 23, 30, tzinfo=UTC), rng)  # 08:30
    night = values(city.sensors[0], datetime(2026, 1, 15, 18, tzinfo=UTC), rng)  # 03:00
    assert rush["noise"] > night["noise"] + 10


def test_old_raw_reports_are_pruned_and_their_rollups_kept(sensors: dict[str, Sensor]) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    old, recent = now - timedelta(days=100), now - timedelta(days=1)
    reports_store(
        incoming=[
            Incoming("SDOT-MAPO-1", old, {"pm10": 10.0}),
            Incoming("SDOT-MAPO-1", recent, {"pm10": 20.0}),
        ],
        rejected=[],
        source="import",
        now=now,
    )
    sensor_hours_roll_up(now=now)  # pruning waits for this (see test_rollups)
    assert reports_prune(now=now) == 1
    assert list(Report.objects.values_list("measured_at", flat=True)) == [recent]
    assert Rollup.objects.filter(
        scope="d", granularity="d", bucket__lt=old + timedelta(days=1)
    ).exists()


@pytest.mark.django_db
def test_a_seoul_day_is_archived_to_parquet(sensors: dict[str, Sensor], tmp_path: Path) -> None:
    # 23:30 on the 19th and 00:30 on the 20th, Seoul time: two different days.
    late = datetime(2026, 11, 19, 14, 30, tzinfo=UTC)
    early = datetime(2026, 11, 19, 15, 30, tzinfo=UTC)
    reports_store(
        incoming=[
            Incoming("SDOT-MAPO-1", late, {"pm10": 10.0}),
            Incoming("SDOT-MAPO-1", early, {"pm10": 20.0}),
        ],
        rejected=[],
        source="import",
        now=early + timedelta(hours=1),
    )
    with override_settings(SENSORS_ARCHIVE_ROOT=tmp_path):
        path, rows = reports_archive(day="2026-11-20")
    assert rows == 1
    assert path == tmp_path / "reports" / "date=2026-11-20" / "reports.parquet"
    table = pq.read_table(path).to_pylist()
    assert table[0]["serial"] == "SDOT-MAPO-1"
    assert table[0]["district"] == "11440"
    assert table[0]["measured_at"] == early
