"""Demo sensors: the S-DoT multi-function model, a few hundred sensors, a day of data."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.utils import timezone

# Valid ranges are the instrument's; max_step is the largest believable 2-minute change.
SDOT_QUANTITIES: dict[str, dict[str, float | str | None]] = {
    "pm10": {"unit": "µg/m³", "min": 0, "max": 1000, "max_step": 300},
    "pm25": {"unit": "µg/m³", "min": 0, "max": 600, "max_step": 200},
    "temperature": {"unit": "°C", "min": -40, "max": 60, "max_step": 8},
    "humidity": {"unit": "%", "min": 0, "max": 100, "max_step": 40},
    "noise": {"unit": "dB(A)", "min": 20, "max": 140, "max_step": None},
    "wind_speed": {"unit": "m/s", "min": 0, "max": 60, "max_step": None},
    "wind_direction": {"unit": "°", "min": 0, "max": 360, "max_step": None},
    "illuminance": {"unit": "lx", "min": 0, "max": 200_000, "max_step": None},
    "uv_index": {"unit": "UVI", "min": 0, "max": 20, "max_step": None},
    "floating_population": {"unit": "people", "min": 0, "max": 100_000, "max_step": None},
}
DEMO_SENSOR_COUNT = 200
DEMO_HOURS = 24
# The demo's day of history is hourly (real sensors report every 2 minutes), so that the
# first `smartseoul demo` loads it in seconds on SQLite.
DEMO_INTERVAL_MINUTES = 60


def urbandata_demo_load() -> None:
    """Idempotent: sensors across Seoul and the last day of their reports."""
    from smartseoul.urbandata.actions import reports_store, sensor_model_save, sensor_register
    from smartseoul.urbandata.alerting import alert_rules_ensure_defaults
    from smartseoul.urbandata.models import Sensor
    from smartseoul.urbandata.simulate import SimulatedCity

    model = sensor_model_save(
        actor=None, code="sdot-multi", name="S-DoT multi-function", quantities=SDOT_QUANTITIES
    )
    alert_rules_ensure_defaults()
    if Sensor.objects.filter(serial__startswith="DEMO-").exists():
        return
    city = SimulatedCity(DEMO_SENSOR_COUNT, seed=7)
    installed = timezone.now() - timedelta(days=30)
    for sensor in city.sensors:
        sensor_register(
            actor=None,
            serial=sensor.serial,
            model=model,
            lat=sensor.lat,
            lon=sensor.lon,
            installed_at=installed,
        )
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(hours=DEMO_HOURS)
    moment = start
    rng = random.Random(7)  # noqa: S311 - simulated weather, not secrets
    while moment <= now:
        reports = city.reports(moment, rng)
        reports_store(incoming=reports, rejected=[], source="import")
        moment += timedelta(minutes=DEMO_INTERVAL_MINUTES)
    # The day's closed hours rolled up, as a running ingester or worker would have done.
    from smartseoul.urbandata.rollups import sensor_hours_roll_up

    sensor_hours_roll_up()
