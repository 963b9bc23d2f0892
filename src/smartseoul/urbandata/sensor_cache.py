"""Each ingester's copy of the sensor registry: what storing a report needs to know about its
sensor, without a query per batch."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smartseoul.urbandata.models import Sensor, SensorModel

SENSOR_CACHE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class SensorInfo:
    id: int
    serial: str
    quantities: dict[str, dict[str, Any]]
    calibration: dict[str, dict[str, float]]
    district: str
    neighbourhood: str | None
    installed_at: datetime
    retired_at: datetime | None


class _SensorCache:
    """Serial → sensor facts; reloaded every minute and on an unknown serial."""

    def __init__(self) -> None:
        self.by_serial: dict[str, SensorInfo] = {}
        self.loaded_at = -1e9

    def get(self, serials: set[str]) -> dict[str, SensorInfo]:
        if time.monotonic() - self.loaded_at > SENSOR_CACHE_SECONDS or (
            serials - self.by_serial.keys()
        ):
            self.reload(serials)
        return {s: self.by_serial[s] for s in serials if s in self.by_serial}

    def reload(self, wanted: set[str]) -> None:
        rows = Sensor.objects.all()
        if self.loaded_at > 0 and len(wanted) < 1000:
            rows = rows.filter(serial__in=wanted)
        else:
            self.by_serial = {}
            self.loaded_at = time.monotonic()
        # Models once, not joined per sensor: a few models are shared by 50,000 sensors.
        quantities = dict(SensorModel.objects.values_list("pk", "quantities"))
        for (
            pk,
            serial,
            model_id,
            calibration,
            district,
            neighbourhood,
            installed,
            retired,
        ) in rows.values_list(
            "pk",
            "serial",
            "model_id",
            "calibration",
            "district_id",
            "neighbourhood_id",
            "installed_at",
            "retired_at",
        ).iterator(chunk_size=5000):
            self.by_serial[serial] = SensorInfo(
                id=pk,
                serial=serial,
                quantities=quantities[model_id],
                calibration=calibration or {},
                district=district,
                neighbourhood=neighbourhood,
                installed_at=installed,
                retired_at=retired,
            )

    def clear(self) -> None:
        self.by_serial = {}
        self.loaded_at = -1e9


sensor_cache = _SensorCache()
