"""Sensor fixtures: the S-DoT multi-function model and a few sensors in known districts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smartseoul.accounts.actions import official_create
from smartseoul.accounts.models import Department, User
from smartseoul.accounts.roles import Role
from smartseoul.urbandata.actions import sensor_model_save, sensor_register
from smartseoul.urbandata.demo import SDOT_QUANTITIES
from smartseoul.urbandata.models import Sensor, SensorModel
from smartseoul.urbandata.storage import sensor_cache

INSTALLED = datetime(2026, 1, 1, tzinfo=UTC)
# (serial, lat, lon): 종로구 세종로, 마포구 (Mapo-gu office), 강남구 삼성동
PLACES = [
    ("SDOT-JONGNO-1", 37.5720, 126.9769),
    ("SDOT-MAPO-1", 37.5663, 126.9016),
    ("SDOT-MAPO-2", 37.5560, 126.9100),
    ("SDOT-GANGNAM-1", 37.5140, 127.0565),
]


@pytest.fixture(autouse=True)
def _fresh_sensor_cache() -> None:
    sensor_cache.clear()


@pytest.fixture
def sdot_model(db: None) -> SensorModel:
    return sensor_model_save(
        actor=None, code="sdot-multi", name="S-DoT multi-function", quantities=SDOT_QUANTITIES
    )


@pytest.fixture
def sensors(sdot_model: SensorModel) -> dict[str, Sensor]:
    return {
        serial: sensor_register(
            actor=None, serial=serial, model=sdot_model, lat=lat, lon=lon, installed_at=INSTALLED
        )
        for serial, lat, lon in PLACES
    }


@pytest.fixture
def sensor_operator(departments: None) -> User:
    return official_create(
        actor=None,
        email="seonho@seoul.example.go.kr",
        password="correct-horse-battery-staple",
        name="오선호",
        department=Department.objects.get(code="climate-environment"),
        roles=[Role.SENSOR_OPERATOR],
    )
