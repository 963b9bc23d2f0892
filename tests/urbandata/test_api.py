"""The sensor API: HTTP ingestion with API keys, latest, series (JSON and CSV), bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client

from smartseoul.accounts.actions import api_key_issue
from smartseoul.accounts.models import User
from smartseoul.urbandata.models import Report, Sensor
from tests.conftest import totp_activate

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def reports(serial: str, hours: int) -> list[dict[str, object]]:
    return [
        {
            "serial": serial,
            "measured_at": (T0 + timedelta(minutes=30 * i)).isoformat(),
            "values": {"pm10": 20.0 + i, "temperature": 5.0 - i * 0.1},
        }
        for i in range(hours * 2)
    ]


def test_a_gateway_key_sends_a_batch_and_bad_reports_are_counted(
    sensors: dict[str, Sensor], sensor_operator: User
) -> None:
    totp_activate(sensor_operator)  # an official's keys work once their TOTP is set up
    _key, secret = api_key_issue(user=sensor_operator, name="gateway 7")
    batch = [*reports("SDOT-MAPO-1", 2), {"serial": "SDOT-MAPO-1", "values": {"pm10": 1}}]
    answer = Client().post(
        "/api/sensors/reports",
        {"reports": batch},
        content_type="application/json",
        headers={"X-API-Key": secret},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"stored": 4, "duplicates": 0, "quarantined": 1}
    again = Client().post(
        "/api/sensors/reports",
        {"reports": batch[:4]},
        content_type="application/json",
        headers={"X-API-Key": secret},
    )
    assert again.json() == {"stored": 0, "duplicates": 4, "quarantined": 0}
    assert Report.objects.count() == 4
    quarantine = Client().get("/api/sensors/quarantine", headers={"X-API-Key": secret}).json()
    assert quarantine[0]["reason"].startswith("measured_at is missing")


def test_only_sensor_operators_may_send_reports(sensors: dict[str, Sensor], citizen: User) -> None:
    _key, secret = api_key_issue(user=citizen, name="my script")
    answer = Client().post(
        "/api/sensors/reports",
        {"reports": reports("SDOT-MAPO-1", 1)},
        content_type="application/json",
        headers={"X-API-Key": secret},
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert (
        Client()
        .post("/api/sensors/reports", {"reports": []}, content_type="application/json")
        .status_code
        == 401
    )
    assert Report.objects.count() == 0


def test_series_of_a_sensor_and_a_district_as_json_and_csv(
    sensors: dict[str, Sensor], sensor_operator: User
) -> None:
    import json

    from smartseoul.urbandata.actions import reports_store
    from smartseoul.urbandata.payloads import parse_message

    good, bad = parse_message(json.dumps({"reports": reports("SDOT-MAPO-1", 3)}))
    reports_store(incoming=good, rejected=bad, source="http", now=T0 + timedelta(hours=4))
    window = {"start": T0.isoformat(), "end": (T0 + timedelta(hours=3)).isoformat()}
    answer = (
        Client()
        .get("/api/sensors/series", {"sensor": "SDOT-MAPO-1", "quantity": "pm10", **window})
        .json()
    )
    assert [p["value"] for p in answer["points"]] == [20.5, 22.5, 24.5]
    maximum = (
        Client()
        .get(
            "/api/sensors/series",
            {
                "district": "11440",
                "quantity": "pm10",
                "agg": "max",
                "interval": "day",
                # The Seoul day of 10:00 KST began at 15:00 UTC the day before.
                "start": (T0 - timedelta(hours=12)).isoformat(),
                "end": window["end"],
            },
        )
        .json()
    )
    assert [p["value"] for p in maximum["points"]] == [25.0]
    csv = Client().get(
        "/api/sensors/series",
        {"sensor": "SDOT-MAPO-1", "quantity": "pm10", "format": "csv", **window},
    )
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[:2] == [
        "time,pm10,count",
        "2026-11-20T01:00:00+00:00,20.5,2",
    ]


def test_series_refuse_too_long_or_ambiguous_requests(sensors: dict[str, Sensor]) -> None:
    too_long = Client().get(
        "/api/sensors/series",
        {
            "district": "11440",
            "quantity": "pm10",
            "start": "2020-01-01T00:00:00Z",
            "end": "2026-01-01T00:00:00Z",
        },
    )
    assert too_long.status_code == 400
    assert "at most 2000 hours" in too_long.json()["error"]["message"]
    both = Client().get(
        "/api/sensors/series", {"district": "11440", "sensor": "X", "quantity": "pm10"}
    )
    assert both.status_code == 400
    missing = Client().get("/api/sensors/series", {"sensor": "NOPE", "quantity": "pm10"})
    assert missing.status_code == 404


def test_districts_are_graded_by_the_worse_of_pm10_and_pm25(sensors: dict[str, Sensor]) -> None:
    from django.utils import timezone

    from smartseoul.urbandata.actions import reports_store
    from smartseoul.urbandata.payloads import Incoming

    now = timezone.now()
    reports_store(
        incoming=[Incoming("SDOT-GANGNAM-1", now - timedelta(minutes=1), {"pm10": 45, "pm25": 40})],
        rejected=[],
        source="http",
    )
    districts = {d["code"]: d for d in Client().get("/api/sensors/districts").json()}
    assert districts["11680"]["grade"] == "bad"  # PM10 moderate, PM2.5 bad
    assert districts["11680"]["values"]["pm10"] == 45.0
    assert districts["11110"]["grade"] is None


def test_every_districts_series_at_once_as_columns(sensors: dict[str, Sensor]) -> None:
    import json

    from smartseoul.urbandata.actions import reports_store
    from smartseoul.urbandata.payloads import parse_message

    both = reports("SDOT-MAPO-1", 2) + reports("SDOT-GANGNAM-1", 1)
    good, bad = parse_message(json.dumps({"reports": both}))
    reports_store(incoming=good, rejected=bad, source="http", now=T0 + timedelta(hours=4))
    answer = (
        Client()
        .get(
            "/api/sensors/districts/series",
            {
                "quantity": "pm10",
                "start": T0.isoformat(),
                "end": (T0 + timedelta(hours=3)).isoformat(),
            },
        )
        .json()
    )
    hour = int(T0.timestamp())
    assert answer["districts"] == {
        "11440": {"t": [hour, hour + 3600], "v": [20.5, 22.5], "n": [2, 2]},
        "11680": {"t": [hour], "v": [20.5], "n": [2]},
    }
