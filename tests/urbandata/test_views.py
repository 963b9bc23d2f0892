"""The dashboard, district and sensor pages, alert handling and the operators' import page."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from smartseoul.accounts.models import User
from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.alert_actions import alert_open
from smartseoul.urbandata.alerting import alert_rules_ensure_defaults
from smartseoul.urbandata.models import Alert, AlertRule, Sensor
from smartseoul.urbandata.payloads import Incoming
from tests.conftest import PASSWORD, totp_activate, totp_code


def signed_in_official(user: User) -> Client:
    client = Client()
    secret = totp_activate(user)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    return client


def test_the_public_dashboard_shows_district_grades_and_alerts(sensors: dict[str, Sensor]) -> None:
    now = timezone.now()
    reports_store(
        incoming=[Incoming("SDOT-MAPO-1", now - timedelta(minutes=2), {"pm10": 180, "pm25": 20})],
        rejected=[],
        source="http",
    )
    alert_rules_ensure_defaults()
    rule = AlertRule.objects.get(kind="pm10", severity="advisory")
    alert_open(rule=rule, district="11440", subject="", value=180, now=now)
    page = Client().get("/city/", HTTP_ACCEPT_LANGUAGE="ko")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-code="11440"' in html
    assert "grade-very_bad" in html
    assert "매우나쁨" in html
    assert "마포구" in html
    shapes = Client().get("/city/districts.geojson").json()
    assert len(shapes["features"]) == 25
    district = Client().get("/city/districts/11440/").content.decode()
    assert "SDOT-MAPO-1" in district
    sensor = Client().get("/city/sensors/SDOT-MAPO-1/").content.decode()
    assert "180" in sensor
    assert Client().get("/city/sensors/NOPE/").status_code == 404


def test_the_stream_sends_a_snapshot_of_the_districts(sensors: dict[str, Sensor]) -> None:
    response = Client().get("/city/stream")
    assert response["Content-Type"] == "text/event-stream"
    chunks = iter(response.streaming_content)
    assert next(chunks).decode().startswith("retry:")
    first = next(chunks).decode()
    assert first.startswith("event: snapshot\ndata: ")
    assert '"code": "11440"' in first
    response.close()


def test_the_district_office_handles_its_alert_on_the_dashboard(
    sensors: dict[str, Sensor], official: User
) -> None:
    alert_rules_ensure_defaults()
    rule = AlertRule.objects.get(kind="cold_wave", severity="advisory")
    alert = alert_open(rule=rule, district="11440", subject="", value=-13, now=timezone.now())
    client = signed_in_official(official)
    page = client.get(f"/city/alerts/{alert.pk}/").content.decode()
    assert 'value="acknowledge"' in page
    client.post(f"/city/alerts/{alert.pk}/handle", {"step": "acknowledge", "note": ""})
    assert (
        f'<option value="{official.pk}" selected>'
        in client.get(f"/city/alerts/{alert.pk}/").content.decode()
    )
    client.post(f"/city/alerts/{alert.pk}/handle", {"step": "assign", "assignee": official.pk})
    client.post(f"/city/alerts/{alert.pk}/handle", {"step": "action", "note": "열선 가동"})
    client.post(f"/city/alerts/{alert.pk}/handle", {"step": "resolve"})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    assert alert.action_taken == "열선 가동"
    # The public sees the alert but no handling form.
    assert 'value="acknowledge"' not in Client().get(f"/city/alerts/{alert.pk}/").content.decode()


def test_an_operator_imports_sensors_from_csv_all_or_nothing(
    sdot_model: object, sensor_operator: User
) -> None:
    client = signed_in_official(sensor_operator)
    good = (
        "serial,model,lat,lon,installed_at,calibration\n"
        'S-1,sdot-multi,37.5663,126.9016,2026-01-01T00:00:00+09:00,"{""pm10"": {""scale"": 1.1}}"\n'
        "S-2,sdot-multi,37.5140,127.0565,2026-01-01T00:00:00+09:00,\n"
    )
    bad = good + "S-3,sdot-multi,35.1796,129.0756,2026-01-01T00:00:00+09:00,\n"  # Busan
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = client.post(
        "/city/operators/sensors/",
        {"file": SimpleUploadedFile("s.csv", bad.encode(), "text/csv")},
    )
    assert "4행: location: 위치가 서울 밖입니다." in refused.content.decode()
    assert Sensor.objects.count() == 0
    client.post(
        "/city/operators/sensors/",
        {"file": SimpleUploadedFile("s.csv", good.encode(), "text/csv")},
    )
    assert {s.serial: s.district_id for s in Sensor.objects.all()} == {
        "S-1": "11440",
        "S-2": "11680",
    }
    assert Sensor.objects.get(serial="S-1").calibration == {"pm10": {"scale": 1.1}}
    assert Client().get("/city/operators/sensors/").status_code in (302, 403)
