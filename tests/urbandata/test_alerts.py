"""Alert rules over a synthetic cold-wave week, and the alert lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from smartseoul.accounts.models import User
from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.alert_actions import (
    alert_acknowledge,
    alert_record_action,
    alert_resolve,
)
from smartseoul.urbandata.alerting import alert_rules_ensure_defaults, alerts_evaluate
from smartseoul.urbandata.models import Alert, AlertRule, Sensor
from smartseoul.urbandata.payloads import Incoming

# Monday 2027-01-04 00:00 in Seoul.
WEEK_START = datetime(2027, 1, 3, 15, tzinfo=UTC)
# Each day's morning minimum in Mapo-gu: advisory at <= -12 on 2 days, warning at <= -15.
DAILY_MINIMUM = [-5.0, -13.0, -14.0, -16.0, -16.5, -8.0, -3.0]


def feed_day(day: int, minimum: float) -> None:
    """A day of hourly temperatures for one Mapo sensor: lowest at 06:00, 8 °C more at 15:00."""
    start = WEEK_START + timedelta(days=day)
    reports = [
        Incoming(
            "SDOT-MAPO-1",
            start + timedelta(hours=h),
            {
                "temperature": round(
                    minimum + 8 * (1 - abs(h - 15) / 9) if h >= 6 else minimum + (6 - h) * 0.5, 2
                )
            },
        )
        for h in range(24)
    ]
    reports_store(incoming=reports, rejected=[], source="import", now=start + timedelta(days=1))


def test_a_cold_wave_week_opens_and_resolves_exactly_the_kma_alerts(
    sensors: dict[str, Sensor], official: User
) -> None:
    alert_rules_ensure_defaults()
    # Only one sensor reports in this week; the others' offline alerts are another test's.
    AlertRule.objects.filter(kind=AlertRule.Kind.OFFLINE).update(active=False)
    timeline = []
    for day, minimum in enumerate(DAILY_MINIMUM):
        feed_day(day, minimum)
        # Evaluated each evening at 23:30 Seoul time.
        changes = alerts_evaluate(now=WEEK_START + timedelta(days=day, hours=23, minutes=30))
        timeline.append((changes.opened, changes.resolved))
    assert timeline == [(0, 0), (0, 0), (1, 0), (0, 0), (1, 0), (0, 2), (0, 0)]
    alerts = Alert.objects.filter(rule__kind=AlertRule.Kind.COLD_WAVE).order_by("opened_at")
    assert [(a.severity, a.district_id, a.status) for a in alerts] == [
        ("advisory", "11440", "resolved"),
        ("warning", "11440", "resolved"),
    ]
    assert [e.event for e in alerts[0].history.all()] == ["opened", "resolved"]
    # No other district had data, so no other alert.
    assert Alert.objects.count() == 2


def test_the_district_office_is_told_and_handles_the_alert(
    sensors: dict[str, Sensor],
    official: User,
    citizen: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alert_rules_ensure_defaults()
    AlertRule.objects.filter(kind=AlertRule.Kind.OFFLINE).update(active=False)
    start = datetime(2026, 3, 2, 0, tzinfo=UTC)
    reports = [
        Incoming("SDOT-MAPO-1", start + timedelta(minutes=10 * i), {"pm10": 210.0 + i % 3})
        for i in range(18)
    ]
    reports_store(incoming=reports, rejected=[], source="import", now=start + timedelta(hours=3))
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        changes = alerts_evaluate(now=start + timedelta(hours=3, minutes=5))
    assert changes.opened == 1
    assert mailoutbox[0].to == [official.email]
    assert "마포구" in mailoutbox[0].subject
    alert = Alert.objects.get()
    assert alert.rule.kind == "pm10"
    assert alert.department.code == "gu-11440"
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=citizen, alert=alert)
    alert_acknowledge(actor=official, alert=alert, note="보고 받음")
    alert_record_action(actor=official, alert=alert, action_taken="도로 물청소 차량 출동")
    alert_resolve(actor=official, alert=alert)
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert alert.assignee == official
    assert alert.action_taken == "도로 물청소 차량 출동"
    assert [e.event for e in alert.history.all()] == [
        "opened",
        "acknowledged",
        "action",
        "resolved",
    ]


def test_a_silent_sensor_raises_an_offline_alert_until_it_reports_again(
    sensors: dict[str, Sensor],
) -> None:
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    alive = [Incoming(serial, now - timedelta(minutes=5), {"pm10": 20.0}) for serial in sensors]
    reports_store(incoming=alive, rejected=[], source="mqtt", now=now)
    later = now + timedelta(minutes=40)
    # Everyone but the Gangnam sensor kept reporting.
    reports_store(
        incoming=[
            Incoming(serial, later - timedelta(minutes=2), {"pm10": 21.0})
            for serial in sensors
            if serial != "SDOT-GANGNAM-1"
        ],
        rejected=[],
        source="mqtt",
        now=later,
    )
    assert alerts_evaluate(now=later).opened == 1
    offline = Alert.objects.get(rule__kind=AlertRule.Kind.OFFLINE)
    assert (offline.subject, offline.district_id) == ("SDOT-GANGNAM-1", "11680")
    back = later + timedelta(minutes=10)
    reports_store(
        incoming=[Incoming("SDOT-GANGNAM-1", back, {"pm10": 22.0})],
        rejected=[],
        source="mqtt",
        now=back,
    )
    assert alerts_evaluate(now=back + timedelta(minutes=1)).resolved == 1
