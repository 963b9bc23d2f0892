"""The sensor API under /api/sensors/: reports in, latest values, series, CSV, alerts."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from smartseoul.api import csrf_check, identified_if_possible, presented_api_key, signed_in
from smartseoul.urbandata import queries
from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.models import SensorKey
from smartseoul.urbandata.operator_actions import sensor_key_authenticate
from smartseoul.urbandata.payloads import (
    MAX_REPORTS_PER_MESSAGE,
    Incoming,
    Rejected,
    parse_report,
)

router = Router(tags=["urbandata"], auth=identified_if_possible)


class SensorKeyAuth(APIKeyHeader):
    """One sensor's own key (``ssk_…``, issued on its page by a sensor operator): it may
    send that sensor's reports and nothing else."""

    param_name = "X-API-Key"
    openapi_description = "A sensor's own key (ssk_…): reports of that sensor only."

    def authenticate(self, request: HttpRequest, key: str | None) -> SensorKey | None:
        sensor_key = sensor_key_authenticate(key) if key else None
        if sensor_key is not None:
            # Rate-limited per key, not per address (ClientRateThrottle): a sensor reports
            # every two minutes, and hundreds may share one mobile network's address.
            request.rate_bucket = f"sensor-key:{sensor_key.pk}"  # type: ignore[attr-defined]
        return sensor_key


sensor_key_auth = SensorKeyAuth()


class ReportsIn(Schema):
    reports: list[dict[str, Any]] = Field(
        max_length=MAX_REPORTS_PER_MESSAGE,
        description="Reports as in docs/sensors.md: serial, measured_at, values",
    )


class StoreOut(Schema):
    stored: int
    duplicates: int
    quarantined: int


@router.post(
    "/reports",
    response=StoreOut,
    auth=[sensor_key_auth, *signed_in],
    summary="Send a batch of reports (a sensor's own key, or a gateway's: an operator's key)",
)
def post_reports(request: HttpRequest, body: ReportsIn) -> dict[str, int]:
    own_serial = ""
    if isinstance(request.auth, SensorKey):  # type: ignore[attr-defined]
        own_serial = request.auth.sensor.serial  # type: ignore[attr-defined]
        for item in body.reports:
            serial = item.get("serial", own_serial) if isinstance(item, dict) else own_serial
            if serial != own_serial:
                raise PermissionDenied(
                    f"This key belongs to sensor {own_serial}; it may not report for "
                    f"sensor {str(serial)[:100]}."
                )
    else:
        if presented_api_key(request) is None:
            csrf_check(request)
        if not queries.may_operate_sensors(request.user):
            raise PermissionDenied("This key's account may not send sensor reports.")
    incoming: list[Incoming] = []
    rejected: list[Rejected] = []
    for item in body.reports:
        result = parse_report(item, default_serial=own_serial)
        if isinstance(result, Incoming):
            incoming.append(result)
        else:
            rejected.append(result)
    stored = reports_store(incoming=incoming, rejected=rejected, source="http")
    return {
        "stored": stored.stored,
        "duplicates": stored.duplicates,
        "quarantined": stored.quarantined,
    }


class LatestItem(Schema):
    serial: str
    district: str
    neighbourhood: str | None
    lat: float
    lon: float
    measured_at: datetime
    values: dict[str, float | None]


class LatestOut(Schema):
    count: int
    items: list[LatestItem]


@router.get("/latest", response=LatestOut, summary="Each sensor's newest values")
def latest(
    request: HttpRequest,
    district: str | None = None,
    neighbourhood: str | None = None,
    limit: int = Query(1000, ge=1, le=queries.MAX_LATEST_ITEMS),
) -> dict[str, Any]:
    rows = queries.latest_readings(district=district, neighbourhood=neighbourhood, limit=limit)
    items = [
        {
            "serial": row.sensor.serial,
            "district": row.sensor.district_id,
            "neighbourhood": row.sensor.neighbourhood_id,
            "lat": row.sensor.lat,
            "lon": row.sensor.lon,
            "measured_at": row.measured_at,
            "values": row.values,
        }
        for row in rows
    ]
    return {"count": len(items), "items": items}


class PointOut(Schema):
    time: datetime
    value: float
    count: int


class SeriesOut(Schema):
    scope: str
    key: str
    quantity: str
    interval: str
    agg: str
    points: list[PointOut]


@router.get(
    "/series",
    response=SeriesOut,
    summary="A sensor's, neighbourhood's or district's hourly or daily series (JSON or CSV)",
)
def series(
    request: HttpRequest,
    quantity: str,
    sensor: str | None = None,
    district: str | None = None,
    neighbourhood: str | None = None,
    interval: Literal["hour", "day"] = "hour",
    agg: Literal["avg", "min", "max", "count"] = "avg",
    start: datetime | None = None,
    end: datetime | None = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    chosen = [(s, k) for s, k in (("s", sensor), ("d", district), ("n", neighbourhood)) if k]
    if len(chosen) != 1:
        raise HttpError(400, "Give exactly one of sensor, district or neighbourhood.")
    scope, key = chosen[0]
    if scope == "s":
        found = queries.sensor_by_serial(key)
        if found is None:
            raise Http404(f"No sensor {key!r}.")
        key = str(found.pk)
    end = end or timezone.now()
    start = start or end - (timedelta(days=1) if interval == "hour" else timedelta(days=30))
    for name, moment in (("start", start), ("end", end)):
        if timezone.is_naive(moment):
            raise HttpError(400, f"{name} needs a time zone (e.g. +09:00).")
    try:
        points = queries.series(
            scope=scope,
            key=key,
            quantity=quantity,
            interval=interval,
            agg=agg,
            start=start,
            end=end,
        )
    except ValueError as exc:
        raise HttpError(400, str(exc)) from exc
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["time", quantity, "count"])
        for point in points:
            writer.writerow([point.bucket.isoformat(), point.value, point.count])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{quantity}-{interval}.csv"'
        return response
    return {
        "scope": {"s": "sensor", "d": "district", "n": "neighbourhood"}[scope],
        "key": chosen[0][1],
        "quantity": quantity,
        "interval": interval,
        "agg": agg,
        "points": [{"time": p.bucket, "value": p.value, "count": p.count} for p in points],
    }


class ColumnsOut(Schema):
    t: list[int] = Field(description="bucket starts, Unix seconds (UTC)")
    v: list[float | None] = Field(description="the aggregate of each bucket")
    n: list[int] = Field(description="reports counted in each bucket")


class DistrictSeriesOut(Schema):
    quantity: str
    interval: str
    agg: str
    districts: dict[str, ColumnsOut]


@router.get(
    "/districts/series",
    response=DistrictSeriesOut,
    summary="Every district's hourly or daily series at once, as columns (≤ 500 buckets)",
)
def districts_series(
    request: HttpRequest,
    quantity: str,
    interval: Literal["hour", "day"] = "hour",
    agg: Literal["avg", "min", "max", "count"] = "avg",
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    end = end or timezone.now()
    start = start or end - (timedelta(days=7) if interval == "hour" else timedelta(days=90))
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise HttpError(400, "start and end need a time zone (e.g. +09:00).")
    try:
        found = queries.district_series(
            quantity=quantity, interval=interval, agg=agg, start=start, end=end
        )
    except ValueError as exc:
        raise HttpError(400, str(exc)) from exc
    return {
        "quantity": quantity,
        "interval": interval,
        "agg": agg,
        "districts": {
            code: {"t": columns.times, "v": columns.values, "n": columns.counts}
            for code, columns in found.items()
        },
    }


class DistrictOut(Schema):
    code: str
    name: str
    values: dict[str, float]
    grade: str | None
    grade_label: str


@router.get(
    "/districts",
    response=list[DistrictOut],
    summary="Every district's averages for the latest hour, with the fine-dust grade",
)
def districts(request: HttpRequest) -> list[dict[str, Any]]:
    return queries.district_overview()


class AlertOut(Schema):
    id: int
    kind: str
    severity: str
    status: str
    district: str
    sensor: str | None
    opened_at: datetime
    value: float
    message: str


@router.get("/alerts", response=list[AlertOut], summary="Alerts not yet resolved")
def alerts(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "kind": a.rule.kind,
            "severity": a.severity,
            "status": a.status,
            "district": a.district_id,
            "sensor": a.subject or None,
            "opened_at": a.opened_at,
            "value": a.value,
            "message": a.message,
        }
        for a in queries.active_alerts()[:500]
    ]


class QuarantineOut(Schema):
    received_at: datetime
    source: str
    topic: str
    serial: str
    reason: str
    payload: str


@router.get(
    "/quarantine",
    response=list[QuarantineOut],
    auth=signed_in,
    summary="The newest refused reports, with the reason (sensor operators)",
)
def quarantine(request: HttpRequest, limit: int = Query(100, ge=1, le=1000)) -> list[Any]:
    return list(queries.quarantine_for(request.user, limit=limit))
