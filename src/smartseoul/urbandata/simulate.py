"""A simulated sensor network: believable reports for demos, tests and benchmarks.

Temperature follows a daily curve (coldest near 06:00, warmest near 15:00 Seoul time), noise
and floating population peak in the rush hours, and a few districts have a fine-dust episode
in the afternoon.  ``smartseoul sensors simulate`` publishes these over MQTT.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from smartseoul.places.lookup import lookup
from smartseoul.urbandata.payloads import Incoming

# Seoul's bounding box; points outside the city are drawn again.
_SOUTH, _NORTH, _WEST, _EAST = 37.43, 37.70, 126.77, 127.18
# 강서구, 영등포구, 구로구: the demo's fine-dust episode districts (west winds off the sea).
DUST_DISTRICTS = {"11500", "11560", "11530"}


@dataclass(frozen=True, slots=True)
class SimulatedSensor:
    serial: str
    lat: float
    lon: float
    district: str
    neighbourhood: str | None
    offset: float  # a sensor's own bias, so neighbours differ a little


class SimulatedCity:
    def __init__(self, count: int, *, seed: int = 1, prefix: str = "DEMO") -> None:
        rng = random.Random(seed)  # noqa: S311 - simulated weather, not secrets
        self.sensors: list[SimulatedSensor] = []
        while len(self.sensors) < count:
            lat, lon = rng.uniform(_SOUTH, _NORTH), rng.uniform(_WEST, _EAST)
            place = lookup(lat, lon)
            if place is None:
                continue
            self.sensors.append(
                SimulatedSensor(
                    serial=f"{prefix}-{len(self.sensors) + 1:06d}",
                    lat=round(lat, 6),
                    lon=round(lon, 6),
                    district=place.district_code,
                    neighbourhood=place.neighbourhood_code,
                    offset=rng.gauss(0, 1),
                )
            )

    def reports(self, moment: datetime, rng: random.Random) -> list[Incoming]:
        return [
            Incoming(sensor.serial, moment, values(sensor, moment, rng)) for sensor in self.sensors
        ]


def values(sensor: SimulatedSensor, moment: datetime, rng: random.Random) -> dict[str, float]:
    local = moment.astimezone(UTC) + timedelta(hours=9)
    hour = local.hour + local.minute / 60
    # Month-dependent mean: about -2 °C in January, 26 °C in August.
    seasonal = 12 - 14 * math.cos(2 * math.pi * (local.timetuple().tm_yday - 15) / 365)
    temperature = seasonal + 5 * math.sin(2 * math.pi * (hour - 9) / 24) + sensor.offset * 0.5
    humidity = min(100.0, max(15.0, 60 - 2 * (temperature - seasonal) + rng.gauss(0, 3)))
    rush = math.exp(-(((hour - 8.5) / 1.5) ** 2)) + math.exp(-(((hour - 18.5) / 1.8) ** 2))
    daytime = max(0.0, math.sin(math.pi * (hour - 6) / 13)) if 6 <= hour <= 19 else 0.0
    dust = 1.0
    if sensor.district in DUST_DISTRICTS and 12 <= hour <= 20:
        dust = 3.5
    pm10 = max(1.0, (28 + 18 * rush + sensor.offset * 3) * dust + rng.gauss(0, 3))
    return {
        "pm10": round(pm10, 1),
        "pm25": round(pm10 * 0.55 + rng.gauss(0, 1.5), 1) if pm10 > 3 else 1.0,
        "temperature": round(temperature + rng.gauss(0, 0.2), 2),
        "humidity": round(humidity, 1),
        "noise": round(45 + 20 * rush + 5 * daytime + rng.gauss(0, 2), 1),
        "wind_speed": round(abs(2.5 + rng.gauss(0, 1)), 1),
        "wind_direction": round(rng.uniform(0, 359), 0),
        "illuminance": round(60_000 * daytime + rng.uniform(0, 50), 0),
        "uv_index": round(
            7 * daytime * (0.5 + 0.5 * math.cos(2 * math.pi * (local.month - 7) / 12)), 1
        ),
        "floating_population": float(int(300 + 2500 * rush + 800 * daytime + rng.uniform(0, 100))),
    }


def report_json(report: Incoming) -> dict[str, object]:
    return {
        "serial": report.serial,
        "measured_at": report.measured_at.isoformat(),
        "values": report.values,
    }


def simulate_publish(
    *,
    host: str,
    port: int,
    topic_prefix: str,
    sensors: int,
    interval: float,
    batch: int,
    rounds: int | None,
    seed: int = 1,
) -> int:
    """Publish every sensor's report each ``interval`` seconds; returns reports sent."""
    import paho.mqtt.client as mqtt

    city = SimulatedCity(sensors, seed=seed, prefix="DEMO")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.max_queued_messages_set(0)
    client.connect(host, port)
    client.loop_start()
    rng = random.Random(seed)  # noqa: S311 - simulated weather, not secrets
    sent = 0
    done = 0
    try:
        while rounds is None or done < rounds:
            started = time.monotonic()
            moment = datetime.now(UTC).replace(microsecond=0)
            reports = city.reports(moment, rng)
            pending = []
            for start in range(0, len(reports), batch):
                chunk = reports[start : start + batch]
                if batch == 1:
                    topic = f"{topic_prefix}/sensors/{chunk[0].serial}"
                    body = json.dumps(report_json(chunk[0]))
                else:
                    topic = f"{topic_prefix}/gateways/simulator"
                    body = json.dumps({"reports": [report_json(r) for r in chunk]})
                pending.append(client.publish(topic, body, qos=1))
            for info in pending:
                info.wait_for_publish(timeout=60)
            sent += len(reports)
            done += 1
            if rounds is None or done < rounds:
                time.sleep(max(0.0, interval - (time.monotonic() - started)))
    finally:
        client.loop_stop()
        client.disconnect()
    return sent


def simulate_register(count: int, *, seed: int = 1) -> int:
    """Register the simulator's first ``count`` sensors (and the S-DoT model) if missing."""
    from django.utils import timezone

    from smartseoul.urbandata.actions import sensor_model_save, sensor_register
    from smartseoul.urbandata.demo import SDOT_QUANTITIES
    from smartseoul.urbandata.models import Sensor

    model = sensor_model_save(
        actor=None, code="sdot-multi", name="S-DoT multi-function", quantities=SDOT_QUANTITIES
    )
    city = SimulatedCity(count, seed=seed, prefix="DEMO")
    known = set(Sensor.objects.filter(serial__startswith="DEMO-").values_list("serial", flat=True))
    installed = timezone.now() - timedelta(days=30)
    for sensor in city.sensors:
        if sensor.serial not in known:
            sensor_register(
                actor=None,
                serial=sensor.serial,
                model=model,
                lat=sensor.lat,
                lon=sensor.lon,
                installed_at=installed,
            )
    return len(city.sensors) - len(known)
