"""Reads of the sensor service.  Measurements are public; the quarantine is for operators.

Everything here reads the roll-ups or the one-row-per-sensor "latest" table, so the answers
cost the same after a week or a year of data.  The one exception is a sensor's hours not
rolled up yet (the open hour and, for a few minutes, the one before: rollups.py), read from
that sensor's own raw reports, at most 30 an hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartseoul.places.models import District
from smartseoul.urbandata.models import (
    Alert,
    LatestReading,
    QuarantinedReport,
    Report,
    Rollup,
    Sensor,
)
from smartseoul.urbandata.rollups import rolled_before_for
from smartseoul.urbandata.storage import hour_of, seoul_day_of

MAX_SERIES_POINTS = 2_000
MAX_LATEST_ITEMS = 5_000

# Korea's air-quality index grades (통합대기환경지수 bands for particulate matter), upper
# bounds inclusive, in µg/m³: 좋음, 보통, 나쁨, then 매우나쁨 above.
GRADE_BOUNDS = {"pm10": (30, 80, 150), "pm25": (15, 35, 75)}
GRADES = ["good", "moderate", "bad", "very_bad"]
GRADE_LABELS = {
    "good": _("Good"),
    "moderate": _("Moderate"),
    "bad": _("Bad"),
    "very_bad": _("Very bad"),
}
GRADE_KO = {"good": "좋음", "moderate": "보통", "bad": "나쁨", "very_bad": "매우나쁨"}
DASHBOARD_QUANTITIES = ["pm10", "pm25", "temperature", "humidity", "noise"]


def grade(quantity: str, value: float | None) -> str | None:
    """The grade of a PM10 or PM2.5 concentration (rounded as published), else None."""
    if value is None or quantity not in GRADE_BOUNDS:
        return None
    rounded = round(value)
    for name, bound in zip(GRADES, GRADE_BOUNDS[quantity], strict=False):
        if rounded <= bound:
            return name
    return GRADES[-1]


def worst_grade(*grades: str | None) -> str | None:
    known = [g for g in grades if g is not None]
    return max(known, key=GRADES.index) if known else None


def may_operate_sensors(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "accounts.operate_sensors"
    )


def latest_readings(
    *, district: str | None = None, neighbourhood: str | None = None, limit: int = 1000
) -> QuerySet[LatestReading]:
    rows = LatestReading.objects.select_related("sensor").filter(sensor__retired_at__isnull=True)
    if district:
        rows = rows.filter(sensor__district_id=district)
    if neighbourhood:
        rows = rows.filter(sensor__neighbourhood_id=neighbourhood)
    return rows.order_by("sensor__serial")[: min(limit, MAX_LATEST_ITEMS)]


@dataclass(frozen=True)
class Point:
    bucket: datetime
    value: float
    count: int


def series(
    *,
    scope: str,
    key: str,
    quantity: str,
    interval: str,
    agg: str,
    start: datetime,
    end: datetime,
) -> list[Point]:
    """One area's or sensor's roll-up between ``start`` (inclusive) and ``end`` (exclusive).

    Raises ValueError naming the argument when the request is too large or malformed.
    """
    if interval not in ("hour", "day"):
        raise ValueError("interval must be hour or day")
    if agg not in ("avg", "min", "max", "count"):
        raise ValueError("agg must be avg, min, max or count")
    if end <= start:
        raise ValueError("end must be after start")
    step = timedelta(hours=1) if interval == "hour" else timedelta(days=1)
    if (end - start) / step > MAX_SERIES_POINTS:
        raise ValueError(f"at most {MAX_SERIES_POINTS} {interval}s per request: shorten start..end")
    # A sensor's days are summed from its hours (sum/count/min/max compose): the days that
    # begin in [start, end), whole, as area days are.
    from_hours = scope == "s" and interval == "day"
    if from_hours:
        start, end = _next_seoul_day(start), _next_seoul_day(end)
    if scope == "s":
        buckets = _sensor_hours(int(key), quantity, start, end)
    else:
        rows = Rollup.objects.filter(
            scope=scope,
            granularity="h" if interval == "hour" else "d",
            quantity=quantity,
            key=key,
            bucket__gte=start,
            bucket__lt=end,
        ).order_by("bucket")
        buckets = list(rows.values_list("bucket", "count", "total", "minimum", "maximum"))
    if from_hours:
        days: dict[datetime, list[float]] = {}
        for bucket, count, total, minimum, maximum in buckets:
            day = days.setdefault(seoul_day_of(bucket), [0, 0.0, minimum, maximum])
            day[0] += count
            day[1] += total
            day[2] = min(day[2], minimum)
            day[3] = max(day[3], maximum)
        buckets = [(b, int(c), t, mi, ma) for b, (c, t, mi, ma) in days.items()]
    points = []
    for bucket, count, total, minimum, maximum in buckets:
        value = {
            "avg": total / count if count else 0.0,
            "min": minimum,
            "max": maximum,
            "count": float(count),
        }[agg]
        points.append(Point(bucket, round(value, 3), count))
    return points


def _next_seoul_day(moment: datetime) -> datetime:
    """The first Seoul midnight at or after ``moment``."""
    day = seoul_day_of(moment)
    return day if day == moment else day + timedelta(days=1)


def _sensor_hours(
    sensor_id: int, quantity: str, start: datetime, end: datetime
) -> list[tuple[datetime, int, float, float, float]]:
    """A sensor's hours beginning in [start, end): the rolled-up ones from the roll-up
    table, the later ones summed from its raw reports (as current as the reports)."""
    rolled_before = rolled_before_for(sensor_id)
    rolled_until = min(end, rolled_before) if rolled_before else start  # None: none yet
    rows = Rollup.objects.filter(
        scope="s",
        granularity="h",
        quantity=quantity,
        key=str(sensor_id),
        bucket__gte=start,
        bucket__lt=rolled_until,
    )
    buckets = list(
        rows.order_by("bucket").values_list("bucket", "count", "total", "minimum", "maximum")
    )
    # Hours beginning in [start, end) hold the reports measured in [first, last).
    first, last = hour_of(start), hour_of(end)
    first += timedelta(hours=1) if first < start else timedelta(0)
    last += timedelta(hours=1) if last < end else timedelta(0)
    if rolled_before is not None:
        first = max(first, rolled_before)
    if first >= last:
        return buckets
    open_hours: dict[datetime, list[float]] = {}
    for measured_at, values in Report.objects.filter(
        sensor_id=sensor_id, measured_at__gte=first, measured_at__lt=last
    ).values_list("measured_at", "values"):
        value = values.get(quantity)
        if value is None:  # not measured, or refused by QC: not in roll-ups either
            continue
        hour = open_hours.setdefault(hour_of(measured_at), [0, 0.0, value, value])
        hour[0] += 1
        hour[1] += value
        hour[2] = min(hour[2], value)
        hour[3] = max(hour[3], value)
    buckets += [(b, int(c), t, lo, hi) for b, (c, t, lo, hi) in sorted(open_hours.items())]
    return buckets


@dataclass(frozen=True)
class Columns:
    """A series as parallel columns: bucket starts (Unix seconds), values, report counts."""

    times: list[int]
    values: list[float]
    counts: list[int]


_AGG_SQL = {
    "avg": "total / NULLIF(count, 0)",
    "min": "minimum",
    "max": "maximum",
    "count": "count::float8",
}


_DISTRICT_SERIES_SQL = (
    "SELECT key, array_agg(extract(epoch FROM bucket)::bigint ORDER BY bucket),"
    " array_agg(round(({agg})::numeric, 3)::float8 ORDER BY bucket),"
    " array_agg(count ORDER BY bucket)"
    " FROM urbandata_rollup WHERE scope = 'd' AND granularity = %s"
    " AND quantity = %s AND bucket >= %s AND bucket < %s GROUP BY key"
)


def district_series(
    *, quantity: str, interval: str, agg: str, start: datetime, end: datetime
) -> dict[str, Columns]:
    """Every district's series at once (the city-wide chart): one indexed range scan.

    On PostgreSQL each district comes back as one row of arrays, so 25 × 168 hours cost 25
    rows on the wire and in Python, not 4,200.
    """
    if interval not in ("hour", "day") or agg not in _AGG_SQL:
        raise ValueError("interval must be hour or day; agg avg, min, max or count")
    step = timedelta(hours=1) if interval == "hour" else timedelta(days=1)
    if end <= start or (end - start) / step > MAX_SERIES_POINTS // 4:
        raise ValueError(f"at most {MAX_SERIES_POINTS // 4} {interval}s per request")
    granularity = "h" if interval == "hour" else "d"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The aggregate expression comes from the fixed _AGG_SQL table, never from input.
            cursor.execute(
                _DISTRICT_SERIES_SQL.replace("{agg}", _AGG_SQL[agg]),
                [granularity, quantity, start, end],
            )
            return {key: Columns(t, v, n) for key, t, v, n in cursor.fetchall()}
    result: dict[str, Columns] = {}
    rows = Rollup.objects.filter(
        scope="d", granularity=granularity, quantity=quantity, bucket__gte=start, bucket__lt=end
    ).values_list("key", "bucket", "count", "total", "minimum", "maximum")
    for key, bucket, count, total, minimum, maximum in rows.order_by("key", "bucket"):
        value = {
            "avg": total / count if count else 0.0,
            "min": minimum,
            "max": maximum,
            "count": float(count),
        }[agg]
        columns = result.setdefault(key, Columns([], [], []))
        columns.times.append(int(bucket.timestamp()))
        columns.values.append(round(value, 3))
        columns.counts.append(count)
    return result


def district_overview(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every district's averages for the latest hour with data (this or the last), graded."""
    now = now or timezone.now()
    this_hour = hour_of(now)
    rows = Rollup.objects.filter(
        scope="d",
        granularity="h",
        quantity__in=DASHBOARD_QUANTITIES,
        bucket__gte=this_hour - timedelta(hours=1),
        bucket__lte=this_hour,
    ).values_list("key", "quantity", "bucket", "count", "total")
    values: dict[str, dict[str, tuple[datetime, float]]] = {}
    for key, quantity, bucket, count, total in rows:
        known = values.setdefault(key, {}).get(quantity)
        if count and (known is None or bucket > known[0]):
            values[key][quantity] = (bucket, round(total / count, 1))
    overview = []
    for district in District.objects.order_by("code"):
        measured = {q: v for q, (_, v) in values.get(district.code, {}).items()}
        pm_grade = worst_grade(
            grade("pm10", measured.get("pm10")), grade("pm25", measured.get("pm25"))
        )
        overview.append(
            {
                "code": district.code,
                "name": district.name,
                "values": measured,
                "grade": pm_grade,
                "grade_label": str(GRADE_LABELS[pm_grade]) if pm_grade else "",
            }
        )
    return overview


def district_air_quality_hourly(*, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Hourly district fine dust in the fields of Seoul's ``RealtimeCityAir`` service.

    For Open Data Plaza to publish.  Our sensors measure PM10 and PM2.5 only; O3, NO2, CO
    and SO2 are left empty.  IDEX_* give the worse of the two PM grades.
    """
    districts = {d.code: d.name_ko for d in District.objects.all()}
    rows = Rollup.objects.filter(
        scope="d",
        granularity="h",
        quantity__in=["pm10", "pm25"],
        bucket__gte=start,
        bucket__lt=end,
    ).values_list("key", "bucket", "quantity", "count", "total")
    merged: dict[tuple[str, datetime], dict[str, float]] = {}
    for key, bucket, quantity, count, total in rows:
        if count:
            merged.setdefault((key, bucket), {})[quantity] = round(total / count)
    result = []
    for (key, bucket), values in sorted(merged.items(), key=lambda item: (item[0][1], item[0][0])):
        pm10, pm25 = values.get("pm10"), values.get("pm25")
        grades = {"PM10": grade("pm10", pm10), "PM25": grade("pm25", pm25)}
        worst = worst_grade(*grades.values())
        # The main pollutant: the one whose grade is the worst (PM2.5 on a tie, as published).
        main = max((n for n, g in grades.items() if g == worst), default=None)
        result.append(
            {
                "MSRDT": timezone.localtime(bucket).strftime("%Y%m%d%H%M"),
                "MSRRGN_NM": SEOUL_ZONES.get(key, ""),
                "MSRSTE_NM": districts.get(key, key),
                "PM10": pm10,
                "PM25": pm25,
                "O3": None,
                "NO2": None,
                "CO": None,
                "SO2": None,
                "IDEX_NM": GRADE_KO[worst] if worst else None,
                "IDEX_MVL": max((v for v in (pm10, pm25) if v is not None), default=None),
                "ARPLT_MAIN": main,
            }
        )
    return result


# Seoul's five air-quality zones (권역), as the city's RealtimeCityAir service names them.
SEOUL_ZONES = {
    **dict.fromkeys(["11110", "11140", "11170"], "도심권"),
    **dict.fromkeys(
        ["11200", "11215", "11230", "11260", "11290", "11305", "11320", "11350"], "동북권"
    ),
    **dict.fromkeys(["11380", "11410", "11440"], "서북권"),
    **dict.fromkeys(["11470", "11500", "11530", "11545", "11560", "11590", "11620"], "서남권"),
    **dict.fromkeys(["11650", "11680", "11710", "11740"], "동남권"),
}


def active_alerts() -> QuerySet[Alert]:
    return (
        Alert.objects.exclude(status=Alert.Status.RESOLVED)
        .select_related("rule", "district", "sensor", "assignee")
        .order_by("-opened_at")
    )


def quarantine_for(user: Any, *, limit: int = 100) -> QuerySet[QuarantinedReport]:
    if not may_operate_sensors(user):
        raise PermissionDenied("Only sensor operators see the quarantine.")
    return QuarantinedReport.objects.order_by("-received_at")[: min(limit, 1000)]


def sensor_by_serial(serial: str) -> Sensor | None:
    return (
        Sensor.objects.select_related("model", "district", "neighbourhood", "latest")
        .filter(serial=serial)
        .first()
    )


def dashboard_version() -> str:
    """Changes whenever the dashboard would: a new report or an alert opened or changed."""
    newest = LatestReading.objects.aggregate(newest=Max("updated_at"))["newest"]
    alert_state = Alert.objects.aggregate(last=Max("pk"))["last"]
    active = Alert.objects.exclude(status=Alert.Status.RESOLVED).count()
    return f"{newest.isoformat() if newest else '-'}|{alert_state}|{active}"
