"""The operators' pages: sensor models, alert rules, and per-sensor API keys (issued,
used for that sensor only, revoked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client

from smartseoul.accounts.models import User
from smartseoul.audit.models import AuditEvent
from smartseoul.urbandata.alerting import alert_rules_ensure_defaults
from smartseoul.urbandata.models import AlertRule, Report, Sensor, SensorKey, SensorModel
from tests.urbandata.test_views import signed_in_official

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
NOISE_QUANTITIES = "noise dB(A) 20 140\nvibration mm/s 0 50 20\n"


def report(serial: str | None, minutes: int) -> dict[str, object]:
    item: dict[str, object] = {
        "measured_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "values": {"pm10": 20.0},
    }
    if serial is not None:
        item["serial"] = serial
    return item


def test_an_operator_adds_and_edits_a_sensor_model(
    sdot_model: SensorModel, sensor_operator: User, citizen: User
) -> None:
    client = signed_in_official(sensor_operator)
    listing = client.get("/city/operators/models/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "sdot-multi" in listing
    refused = client.post(
        "/city/operators/models/new/",
        {"code": "noise-v2", "name": "소음·진동", "quantities": "noise dB(A) 140 20\n"},
    )
    assert "1행: 최솟값은 최댓값보다 작아야 합니다." in refused.content.decode()
    assert not SensorModel.objects.filter(code="noise-v2").exists()
    client.post(
        "/city/operators/models/new/",
        {"code": "noise-v2", "name": "소음·진동", "quantities": NOISE_QUANTITIES},
    )
    model = SensorModel.objects.get(code="noise-v2")
    assert model.quantities["vibration"] == {
        "unit": "mm/s",
        "min": 0.0,
        "max": 50.0,
        "max_step": 20.0,
    }
    form = client.get("/city/operators/models/noise-v2/").content.decode()
    assert "vibration mm/s 0 50 20" in form
    client.post(
        "/city/operators/models/noise-v2/",
        {"code": "noise-v2", "name": "소음·진동 v2", "quantities": "noise dB(A) 30 130\n"},
    )
    model.refresh_from_db()
    assert model.name == "소음·진동 v2"
    assert list(model.quantities) == ["noise"]
    assert AuditEvent.objects.filter(action="urbandata.sensor_model_update").exists()
    # Citizens and visitors may not.
    assert Client().get("/city/operators/models/").status_code in (302, 403)
    citizen_client = Client()
    citizen_client.force_login(citizen)
    assert citizen_client.get("/city/operators/models/new/").status_code == 403


def test_an_operator_sets_a_district_rule_and_edits_a_built_in_one(
    sensors: dict[str, Sensor], sensor_operator: User
) -> None:
    alert_rules_ensure_defaults()
    client = signed_in_official(sensor_operator)
    listing = client.get("/city/operators/rules/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "한파(아침 최저기온 급강하)" in listing
    assert listing.count("<td>모든 자치구</td>") == AlertRule.objects.count()
    refused = client.post(
        "/city/operators/rules/new/",
        {"kind": "pm10", "severity": "advisory", "threshold": "100", "duration": "0"},
    )
    assert refused.status_code == 200
    assert AlertRule.objects.filter(threshold=100).count() == 0
    client.post(
        "/city/operators/rules/new/",
        {
            "kind": "pm10",
            "severity": "advisory",
            "district": "11440",
            "threshold": "100",
            "duration": "3",
            "active": "on",
        },
    )
    rule = AlertRule.objects.get(kind="pm10", district="11440")
    assert (rule.threshold, rule.duration, rule.active) == (100, 3, True)
    offline = AlertRule.objects.get(kind="offline")
    client.post(
        f"/city/operators/rules/{offline.pk}/",
        {"kind": "offline", "severity": "advisory", "threshold": "30", "duration": "60"},
    )
    offline.refresh_from_db()
    assert (offline.duration, offline.active) == (60, False)
    event = AuditEvent.objects.get(action="urbandata.alert_rule_update")
    assert event.details["before"]["duration"] == 30
    assert AuditEvent.objects.filter(action="urbandata.alert_rule_create").count() == 1


def test_a_sensor_key_reports_for_its_own_sensor_only_until_revoked(
    sensors: dict[str, Sensor], sensor_operator: User
) -> None:
    client = signed_in_official(sensor_operator)
    issued = client.post(
        "/city/operators/sensors/SDOT-MAPO-1/keys/change", {"step": "issue"}
    ).content.decode()
    secret = issued.split('<code id="new-sensor-key">')[1].split("</code>")[0]
    assert secret.startswith("ssk_")
    key = SensorKey.objects.get()
    assert key.sensor.serial == "SDOT-MAPO-1"
    assert secret not in client.get("/city/operators/sensors/SDOT-MAPO-1/keys/").content.decode()

    def send(batch: list[dict[str, object]]) -> object:
        return Client().post(
            "/api/sensors/reports",
            {"reports": batch},
            content_type="application/json",
            headers={"X-API-Key": secret},
        )

    answer = send([report("SDOT-MAPO-1", 0), report(None, 2)])  # serial may be left out
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"stored": 2, "duplicates": 0, "quarantined": 0}
    foreign = send([report("SDOT-MAPO-1", 4), report("SDOT-GANGNAM-1", 4)])
    assert foreign.status_code == 403
    assert "SDOT-GANGNAM-1" in foreign.json()["error"]["message"]
    assert Report.objects.count() == 2  # nothing of the refused batch was stored
    client.post(
        "/city/operators/sensors/SDOT-MAPO-1/keys/change", {"step": "revoke", "key": key.pk}
    )
    assert send([report("SDOT-MAPO-1", 6)]).status_code == 401
    assert {
        e.action for e in AuditEvent.objects.filter(action__startswith="urbandata.sensor_key")
    } == {
        "urbandata.sensor_key_issue",
        "urbandata.sensor_key_revoke",
    }
    # A sensor key opens nothing else.
    assert Client().get("/api/sensors/quarantine", headers={"X-API-Key": secret}).status_code in (
        401,
        403,
    )
