"""Sensors behind one address each get their own allowance on the HTTP report API."""

from __future__ import annotations

from typing import Any

from django.test import Client

from smartseoul.accounts.models import User
from smartseoul.urbandata.models import Sensor
from smartseoul.urbandata.operator_actions import sensor_key_issue
from tests.urbandata.test_operators import report


def test_each_sensor_key_has_its_own_allowance_behind_one_address(
    sensors: dict[str, Sensor], sensor_operator: User, settings: Any
) -> None:
    settings.API_RATE_ANONYMOUS = "2/m"
    mapo = sensor_key_issue(actor=sensor_operator, sensor=sensors["SDOT-MAPO-1"])[1]
    gangnam = sensor_key_issue(actor=sensor_operator, sensor=sensors["SDOT-GANGNAM-1"])[1]

    def send(secret: str, minutes: int) -> int:
        return (
            Client()
            .post(
                "/api/sensors/reports",
                {"reports": [report(None, minutes)]},
                content_type="application/json",
                headers={"X-API-Key": secret},
                REMOTE_ADDR="203.0.113.7",
            )
            .status_code
        )

    assert [send(mapo, m) for m in (0, 2, 4)] == [200, 200, 429]
    # Same address, another sensor: its own two requests.
    assert [send(gangnam, m) for m in (0, 2, 4)] == [200, 200, 429]
    # The address itself was not used up by the sensors.
    assert Client(REMOTE_ADDR="203.0.113.7").get("/api/sensors/latest").status_code == 200
    # A wrong key is refused before any bucket is counted, so it cannot mint allowances.
    assert send("ssk_" + "0" * 40, 6) == 401
