"""Alert rules with Korea's thresholds built in, evaluated over the roll-ups.

Defaults (``alert_rules_ensure_defaults``), each for every district unless a district rule
is added:

* fine dust — 미세먼지 주의보/경보: PM10 hourly average ≥ 150 / 300 µg/m³ for 2 hours;
  초미세먼지: PM2.5 ≥ 75 / 150 µg/m³ for 2 hours;
* cold wave — KMA 한파주의보/경보: daily minimum temperature ≤ −12 / −15 °C on 2 days in a row;
* sudden cold — KMA 한파주의보/경보, October to April: the morning minimum fell by 10 / 15 °C or
  more since the day before, to 3 °C or below and 3 °C or more below the normal for the day;
* heat wave — KMA 폭염주의보/경보: daily maximum apparent temperature ≥ 33 / 35 °C on 2 days;
* noise — hourly average ≥ 65 dB(A) (the roadside daytime standard) for 2 hours;
* offline — a sensor silent for 30 minutes.

KMA issues cold- and heat-wave advisories on forecasts; we raise them on what the sensors
measured.  A day counts once its value is settled (the morning minimum at 09:00, the
apparent-temperature peak at 18:00), or earlier if it already meets the rule (today's
minimum can only fall, its maximum only rise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from smartseoul.places.models import District
from smartseoul.urbandata.models import Alert, AlertRule, LatestReading, Rollup, Sensor
from smartseoul.urbandata.storage import hour_of, seoul_day_of

SEOUL = ZoneInfo("Asia/Seoul")
Kind = AlertRule.Kind
Severity = AlertRule.Severity

DEFAULT_RULES = [
    (Kind.PM10, Severity.ADVISORY, 150, 2),
    (Kind.PM10, Severity.WARNING, 300, 2),
    (Kind.PM25, Severity.ADVISORY, 75, 2),
    (Kind.PM25, Severity.WARNING, 150, 2),
    (Kind.COLD_WAVE, Severity.ADVISORY, -12, 2),
    (Kind.COLD_WAVE, Severity.WARNING, -15, 2),
    (Kind.COLD_WAVE_DROP, Severity.ADVISORY, 10, 1),
    (Kind.COLD_WAVE_DROP, Severity.WARNING, 15, 1),
    (Kind.HEAT_WAVE, Severity.ADVISORY, 33, 2),
    (Kind.HEAT_WAVE, Severity.WARNING, 35, 2),
    (Kind.NOISE, Severity.ADVISORY, 65, 2),
    (Kind.OFFLINE, Severity.ADVISORY, 30, 30),
]

# A day's value is settled at this Seoul hour: the morning minimum by 09:00, the afternoon
# peak of apparent temperature by 18:00.
SETTLES_AT_HOUR = {Kind.COLD_WAVE: 9, Kind.COLD_WAVE_DROP: 9, Kind.HEAT_WAVE: 18}
# KMA's sudden-cold criterion (한파특보): a morning minimum at or below 3 °C and at least 3 °C
# below the normal, from October to April.  "Morning" is 00:00-09:00 Seoul time.
COLD_DROP_CEILING = 3.0
COLD_DROP_BELOW_NORMAL = 3.0
COLD_DROP_MONTHS = {10, 11, 12, 1, 2, 3, 4}
MORNING_HOURS = 9
# Seoul's (KMA station 108) climate normal of the daily minimum temperature by month, °C, as
# KMA's climate normals table gives it; a day's normal is interpolated between mid-months.
SEOUL_NORMAL_MINIMUM = (-5.5, -3.2, 1.9, 8.0, 13.5, 18.7, 22.3, 22.9, 17.7, 10.6, 3.5, -3.4)
# kind -> (quantity, roll-up granularity, statistic, does a value >= threshold trigger?)
_MEASURED = {
    Kind.PM10: ("pm10", "h", "avg", True),
    Kind.PM25: ("pm25", "h", "avg", True),
    Kind.NOISE: ("noise", "h", "avg", True),
    Kind.COLD_WAVE: ("temperature", "d", "min", False),
    Kind.HEAT_WAVE: ("apparent_temperature", "d", "max", True),
}
UNITS = {
    Kind.PM10: "µg/m³",
    Kind.PM25: "µg/m³",
    Kind.NOISE: "dB(A)",
    Kind.COLD_WAVE: "°C",
    Kind.COLD_WAVE_DROP: "°C",
    Kind.HEAT_WAVE: "°C",
}


@dataclass
class Changes:
    opened: int = 0
    resolved: int = 0


def alert_rules_ensure_defaults() -> None:
    """Create the built-in city-wide rules of every kind that has no rule yet (operators may
    then edit, deactivate or add to them; a kind added in a new version arrives by itself)."""
    present = set(AlertRule.objects.values_list("kind", flat=True).distinct())
    missing = [rule for rule in DEFAULT_RULES if rule[0] not in present]
    if missing:
        AlertRule.objects.bulk_create(
            AlertRule(kind=kind, severity=severity, threshold=threshold, duration=duration)
            for kind, severity, threshold, duration in missing
        )


def alerts_evaluate(*, now: datetime | None = None) -> Changes:
    """Open the alerts whose condition holds and resolve those whose condition ended."""
    from smartseoul.urbandata.alert_actions import alert_open, alert_resolve_automatically

    now = now or timezone.now()
    alert_rules_ensure_defaults()
    changes = Changes()
    districts = list(District.objects.values_list("code", flat=True))
    rules = list(AlertRule.objects.filter(active=True))
    active = {
        (a.rule_id, a.district_id, a.subject): a
        for a in Alert.objects.exclude(status=Alert.Status.RESOLVED)
    }
    for rule in rules:
        if rule.kind == Kind.OFFLINE:
            findings = _offline(rule, now)
        elif rule.kind == Kind.COLD_WAVE_DROP:
            findings = _cold_drop(rule, [rule.district_id] if rule.district_id else districts, now)
        else:
            scope = [rule.district_id] if rule.district_id else districts
            findings = _measured(rule, scope, now)
        for (district, subject), (firing, value) in findings.items():
            current = active.get((rule.pk, district, subject))
            try:
                with transaction.atomic():
                    if firing and current is None:
                        alert_open(
                            rule=rule, district=district, subject=subject, value=value, now=now
                        )
                        changes.opened += 1
                    elif not firing and current is not None:
                        alert_resolve_automatically(alert=current, value=value, now=now)
                        changes.resolved += 1
            except IntegrityError:
                # Another ingester evaluating at the same moment opened it first.
                continue
    return changes


def _measured(
    rule: AlertRule, districts: list[str], now: datetime
) -> dict[tuple[str, str], tuple[bool, float]]:
    quantity, granularity, statistic, upward = _MEASURED[Kind(rule.kind)]
    step = timedelta(hours=1) if granularity == "h" else timedelta(days=1)
    current = hour_of(now) if granularity == "h" else seoul_day_of(now)
    start = current - step * (rule.duration + 1)
    rows = Rollup.objects.filter(
        scope="d",
        granularity=granularity,
        quantity=quantity,
        key__in=districts,
        bucket__gte=start,
        bucket__lte=current,
    ).values_list("key", "bucket", "count", "total", "minimum", "maximum")
    series: dict[str, dict[datetime, float]] = {}
    for key, bucket, count, total, minimum, maximum in rows:
        value = {"avg": total / count if count else 0.0, "min": minimum, "max": maximum}[statistic]
        series.setdefault(key, {})[bucket] = value

    def meets(value: float) -> bool:
        return value >= rule.threshold if upward else value <= rule.threshold

    findings: dict[tuple[str, str], tuple[bool, float]] = {}
    for district, values in series.items():
        # Settled buckets, plus the current one if it already meets the rule.
        settled = granularity == "d" and now >= current + timedelta(
            hours=SETTLES_AT_HOUR.get(Kind(rule.kind), 24)
        )
        in_current = current in values and (settled or meets(values[current]))
        last = current if in_current else current - step
        window = [last - step * i for i in range(rule.duration)]
        if last not in values:
            continue
        firing = all(b in values and meets(values[b]) for b in window)
        findings[(district, "")] = (firing, values[last])
    return findings


def normal_minimum(day: date) -> float:
    """Seoul's normal daily minimum for a calendar day (monthly normals, interpolated)."""
    middle = date(day.year, day.month, 15)
    month = day.month - 1
    if day >= middle:
        other = date(day.year + (day.month == 12), day.month % 12 + 1, 15)
        a, b = SEOUL_NORMAL_MINIMUM[month], SEOUL_NORMAL_MINIMUM[(month + 1) % 12]
        share = (day - middle).days / (other - middle).days
    else:
        other = date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 15)
        a, b = SEOUL_NORMAL_MINIMUM[month], SEOUL_NORMAL_MINIMUM[(month - 1) % 12]
        share = (middle - day).days / (middle - other).days
    return round(a + (b - a) * share, 1)


def cold_drop_holds(*, before: float, morning: float, day: date, drop: float) -> bool:
    """KMA's sudden-cold rule for one day: fell by ``drop`` °C or more since the day
    before, to 3 °C or below and 3 °C or more below the normal, from October to April."""
    return (
        day.month in COLD_DROP_MONTHS
        and before - morning >= drop
        and morning <= COLD_DROP_CEILING
        and morning <= normal_minimum(day) - COLD_DROP_BELOW_NORMAL
    )


def _cold_drop(
    rule: AlertRule, districts: list[str], now: datetime
) -> dict[tuple[str, str], tuple[bool, float]]:
    """Morning minimum (the lowest hourly minimum 00:00-09:00 Seoul time) of today against
    yesterday's; today counts from 09:00, or earlier once it already meets the rule (a
    morning minimum can only fall).  The alert's value is the fall in °C."""
    today = seoul_day_of(now)
    rows = Rollup.objects.filter(
        scope="d",
        granularity="h",
        quantity="temperature",
        key__in=districts,
        bucket__gte=today - timedelta(days=2),
        bucket__lt=today + timedelta(days=1),
    ).values_list("key", "bucket", "minimum")
    mornings: dict[str, dict[datetime, float]] = {}
    for key, bucket, minimum in rows:
        day = seoul_day_of(bucket)
        if bucket - day < timedelta(hours=MORNING_HOURS):
            known = mornings.setdefault(key, {}).get(day)
            mornings[key][day] = minimum if known is None else min(known, minimum)

    def holds(values: dict[datetime, float], day: datetime) -> bool | None:
        if day not in values or day - timedelta(days=1) not in values:
            return None
        local = timezone.localtime(day, SEOUL).date()
        return cold_drop_holds(
            before=values[day - timedelta(days=1)],
            morning=values[day],
            day=local,
            drop=rule.threshold,
        )

    settled = now >= today + timedelta(hours=MORNING_HOURS)
    findings: dict[tuple[str, str], tuple[bool, float]] = {}
    for district, values in mornings.items():
        day = today if settled or holds(values, today) else today - timedelta(days=1)
        firing = holds(values, day)
        if firing is None:
            continue
        fall = values[day - timedelta(days=1)] - values[day]
        findings[(district, "")] = (firing, round(fall, 1))
    return findings


def _offline(rule: AlertRule, now: datetime) -> dict[tuple[str, str], tuple[bool, float]]:
    silent_after = now - timedelta(minutes=rule.duration)
    sensors = Sensor.objects.filter(retired_at__isnull=True, installed_at__lt=silent_after)
    if rule.district_id:
        sensors = sensors.filter(district_id=rule.district_id)
    latest = dict(
        LatestReading.objects.filter(sensor__in=sensors).values_list("sensor_id", "measured_at")
    )
    findings: dict[tuple[str, str], tuple[bool, float]] = {}
    for sensor_id, serial, district in sensors.values_list("pk", "serial", "district_id"):
        last = latest.get(sensor_id)
        minutes = (now - last).total_seconds() / 60 if last else float(rule.duration)
        findings[(district, serial)] = (last is None or last < silent_after, round(minutes, 1))
    return findings
