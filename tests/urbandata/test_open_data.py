"""Hourly district air quality reaches Open Data Plaza as Seoul's RealtimeCityAir service."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from smartseoul.opendata.platform import platform_datasets_refresh
from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.models import Sensor
from smartseoul.urbandata.payloads import Incoming


def test_district_fine_dust_is_served_as_realtime_city_air(
    sensors: dict[str, Sensor], departments: None
) -> None:
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    reports_store(
        incoming=[
            Incoming("SDOT-MAPO-1", hour + timedelta(minutes=10), {"pm10": 90.0, "pm25": 30.0}),
            Incoming("SDOT-MAPO-2", hour + timedelta(minutes=10), {"pm10": 100.0, "pm25": 40.0}),
        ],
        rejected=[],
        source="mqtt",
    )
    platform_datasets_refresh()
    answer = Client().get("/openapi/sample/json/RealtimeCityAir/1/5/").json()
    rows = answer["RealtimeCityAir"]["row"]
    (mapo,) = [row for row in rows if row["MSRSTE_NM"] == "마포구"]
    assert mapo["MSRRGN_NM"] == "서북권"
    # Seoul's service sends MSRDT as text, and so does ours (a column kept as text).
    assert mapo["MSRDT"] == timezone.localtime(hour).strftime("%Y%m%d%H%M")
    # PM10 95 is 나쁨 (81-150); PM2.5 35 is 보통 (16-35): the worse grade and its pollutant.
    assert (mapo["PM10"], mapo["PM25"]) == (95, 35)
    assert (mapo["IDEX_NM"], mapo["ARPLT_MAIN"]) == ("나쁨", "PM10")
    assert mapo["O3"] in (None, "")  # not measured by our sensors
