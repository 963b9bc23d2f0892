"""KMA's sudden-cold rule (한파주의보/경보): the morning minimum falls by 10 / 15 °C or more
since the day before, to 3 °C or below and 3 °C or more below the normal, October to April."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.alerting import (
    alert_rules_ensure_defaults,
    alerts_evaluate,
    cold_drop_holds,
    normal_minimum,
)
from smartseoul.urbandata.models import Alert, AlertRule, Sensor
from smartseoul.urbandata.payloads import Incoming

# Monday 2026-11-02 00:00 in Seoul.
WEEK_START = datetime(2026, 11, 1, 15, tzinfo=UTC)
# Each day's lowest value at 06:00 (the morning minimum is lower still when the night
# before was colder): in Mapo-gu the morning minimum falls 11 °C (13 → 2) on Wednesday
# (advisory), and 16 °C (11 → -5) on Saturday (advisory and warning).  In Gangnam-gu it
# falls 11 °C on Wednesday but only to 5 °C: above 3 °C, so no alert there.
MAPO = [12.0, 13.0, 2.0, 10.0, 14.0, -5.0, 4.5]
GANGNAM = [15.0, 17.0, 5.0, 6.0, 7.0, 8.0, 9.0]


def feed_day(serial: str, day: int, minimum: float, evening: float | None) -> float:
    """A day of hourly temperatures: from last evening's value down to the minimum at 06:00,
    up 9 °C by 15:00, cooling after; a few degrees an hour at most, as the air does (QC
    would flag larger jumps as spikes).  Returns the 23:00 value."""
    start = WEEK_START + timedelta(days=day)
    evening = minimum + 3 if evening is None else evening
    temperatures = [
        evening + (minimum - evening) * h / 6 if h < 6 else minimum + 9 * (1 - abs(h - 15) / 9)
        for h in range(24)
    ]
    reports_store(
        incoming=[
            Incoming(serial, start + timedelta(hours=h), {"temperature": round(t, 2)})
            for h, t in enumerate(temperatures)
        ],
        rejected=[],
        source="import",
        now=start + timedelta(days=1),
    )
    return round(temperatures[-1], 2)


def test_a_sudden_cold_week_opens_and_resolves_exactly_the_kma_alerts(
    sensors: dict[str, Sensor],
) -> None:
    alert_rules_ensure_defaults()
    AlertRule.objects.filter(kind=AlertRule.Kind.OFFLINE).update(active=False)
    timeline = []
    evenings: dict[str, float | None] = {"SDOT-MAPO-1": None, "SDOT-GANGNAM-1": None}
    for day in range(7):
        for serial, minima in (("SDOT-MAPO-1", MAPO), ("SDOT-GANGNAM-1", GANGNAM)):
            evenings[serial] = feed_day(serial, day, minima[day], evenings[serial])
        # Evaluated at 10:00 Seoul time, once the morning minimum is settled.
        changes = alerts_evaluate(now=WEEK_START + timedelta(days=day, hours=10))
        timeline.append((changes.opened, changes.resolved))
    assert timeline == [(0, 0), (0, 0), (1, 0), (0, 1), (0, 0), (2, 0), (0, 2)]
    alerts = Alert.objects.order_by("opened_at", "severity")
    assert [(a.rule.kind, a.severity, a.district_id, a.value, a.status) for a in alerts] == [
        ("cold_wave_drop", "advisory", "11440", 11.0, "resolved"),
        ("cold_wave_drop", "advisory", "11440", 16.0, "resolved"),
        ("cold_wave_drop", "warning", "11440", 16.0, "resolved"),
    ]
    # The Saturday alerts opened on Saturday morning and resolved on Sunday's.
    assert alerts[2].opened_at == WEEK_START + timedelta(days=5, hours=10)
    assert alerts[2].resolved_at == WEEK_START + timedelta(days=6, hours=10)


def test_before_nine_a_fall_that_already_meets_the_rule_counts(
    sensors: dict[str, Sensor],
) -> None:
    alert_rules_ensure_defaults()
    AlertRule.objects.filter(kind=AlertRule.Kind.OFFLINE).update(active=False)
    evening = feed_day("SDOT-MAPO-1", 0, 13.0, None)
    start = WEEK_START + timedelta(days=1)
    early = [
        Incoming("SDOT-MAPO-1", start + timedelta(hours=h), {"temperature": evening - 2 * h})
        for h in range(7)
    ]
    reports_store(incoming=early, rejected=[], source="mqtt", now=start + timedelta(hours=7))
    changes = alerts_evaluate(now=start + timedelta(hours=7, minutes=5))
    assert changes.opened == 1
    assert Alert.objects.get().rule.kind == "cold_wave_drop"


def test_the_rule_needs_the_season_the_ceiling_and_a_cold_day_for_the_date() -> None:
    # Normals: early November about 6-7 °C, late January about -5 °C.
    assert 5.5 < normal_minimum(date(2026, 11, 2)) < 7.5
    assert normal_minimum(date(2027, 1, 15)) == -5.5
    assert cold_drop_holds(before=13, morning=2, day=date(2026, 11, 2), drop=10)
    # Fell 11 °C to 2 °C, but on 20 November the normal is about 2.6 °C: not 3 °C below it.
    assert not cold_drop_holds(before=13, morning=2, day=date(2026, 11, 20), drop=10)
    # The same fall in May is outside the cold-wave season.
    assert not cold_drop_holds(before=13, morning=-1, day=date(2026, 5, 12), drop=10)
    # Fell only 9 °C.
    assert not cold_drop_holds(before=11, morning=2, day=date(2026, 11, 2), drop=10)
    # A warning needs 15 °C.
    assert not cold_drop_holds(before=13, morning=-1, day=date(2026, 11, 2), drop=15)
