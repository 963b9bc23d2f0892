"""The city dashboard (public), its live stream, sensor and district pages, alert handling
and the operators' sensor registry page."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartseoul.accounts.models import User
from smartseoul.places.boundaries import district_features
from smartseoul.places.models import District
from smartseoul.urbandata import queries
from smartseoul.urbandata.actions import sensors_import_csv
from smartseoul.urbandata.alert_actions import (
    alert_acknowledge,
    alert_assign,
    alert_record_action,
    alert_resolve,
    may_handle_alert,
)
from smartseoul.urbandata.models import Alert, QuarantinedReport, Sensor

log = logging.getLogger(__name__)

# A stream lives this long, then the browser's EventSource reconnects by itself: no
# server thread is held forever by a forgotten tab.
STREAM_SECONDS = 300
STREAM_POLL_SECONDS = 1.0


def _snapshot() -> dict[str, Any]:
    return {
        "districts": queries.district_overview(),
        "alerts": [
            {
                "id": alert.pk,
                "kind": alert.rule.get_kind_display(),
                "severity": alert.get_severity_display(),
                "status": alert.get_status_display(),
                "district": alert.district.name,
                "sensor": alert.subject,
                "opened_at": timezone.localtime(alert.opened_at).strftime("%m-%d %H:%M"),
                "value": round(alert.value, 1),
            }
            for alert in queries.active_alerts()[:50]
        ],
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    from smartseoul.web.services import registered

    snapshot = _snapshot()
    return render(
        request,
        "urbandata/dashboard.html",
        {
            "districts": snapshot["districts"],
            "alerts": queries.active_alerts()[:50],
            "services": [s for s in registered() if s.slug != "city"],
            "tiles": settings.MAP_TILE_URL,
        },
    )


def stream(request: HttpRequest) -> StreamingHttpResponse:
    """Server-Sent Events: a full snapshot whenever the cheap version string changes."""

    def events() -> Iterator[str]:
        yield "retry: 3000\n\n"
        last = None
        deadline = time.monotonic() + STREAM_SECONDS
        try:
            while time.monotonic() < deadline:
                try:
                    version = queries.dashboard_version()
                    payload = (
                        json.dumps(_snapshot(), ensure_ascii=False) if version != last else None
                    )
                except Exception:
                    log.warning("dashboard stream ended by a database error", exc_info=True)
                    return
                last = version
                yield f"event: snapshot\ndata: {payload}\n\n" if payload else ": keep-alive\n\n"
                time.sleep(STREAM_POLL_SECONDS)
        finally:
            # This thread's connection is not reused by the request cycle: close it here.
            with contextlib.suppress(Exception):
                connection.close()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through as they come
    return response


@cache
def _district_shapes() -> str:
    """From the packaged boundaries (no database), built once per process."""
    features = [
        {
            "type": "Feature",
            "id": feature["properties"]["SIG_CD"],
            "properties": {"code": feature["properties"]["SIG_CD"]},
            "geometry": feature["geometry"],
        }
        for feature in district_features()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def district_shapes(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_district_shapes(), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def district_detail(request: HttpRequest, code: str) -> HttpResponse:
    district = get_object_or_404(District, code=code)
    overview = next(d for d in queries.district_overview() if d["code"] == code)
    sensors = (
        Sensor.objects.filter(district=district, retired_at__isnull=True)
        .select_related("neighbourhood", "latest")
        .order_by("neighbourhood__name_ko", "serial")[:500]
    )
    return render(
        request,
        "urbandata/district.html",
        {"district": district, "overview": overview, "sensors": sensors},
    )


def sensor_detail(request: HttpRequest, serial: str) -> HttpResponse:
    sensor = queries.sensor_by_serial(serial)
    if sensor is None:
        raise Http404(_("No such sensor."))
    latest = getattr(sensor, "latest", None)
    quantities = sensor.model.quantities
    rows = [
        {
            "quantity": name,
            "unit": spec.get("unit", ""),
            "value": latest.values.get(name) if latest else None,
        }
        for name, spec in quantities.items()
    ]
    return render(
        request,
        "urbandata/sensor.html",
        {"sensor": sensor, "latest": latest, "rows": rows},
    )


def series_json(request: HttpRequest) -> JsonResponse:
    """The charts' data: the last 48 hours of a district's or sensor's hourly averages."""
    quantity = request.GET.get("quantity", "pm10")
    end = timezone.now() + timedelta(hours=1)
    scope, key = ("d", request.GET.get("district", ""))
    if request.GET.get("sensor"):
        sensor = queries.sensor_by_serial(request.GET["sensor"])
        if sensor is None:
            raise Http404
        scope, key = "s", str(sensor.pk)
    points = queries.series(
        scope=scope,
        key=key,
        quantity=quantity,
        interval="hour",
        agg="avg",
        start=end - timedelta(hours=48),
        end=end,
    )
    return JsonResponse(
        {"t": [int(p.bucket.timestamp()) for p in points], "v": [p.value for p in points]}
    )


def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        Alert.objects.select_related("rule", "district", "assignee", "department"), pk=pk
    )
    may_handle = may_handle_alert(request.user, alert)
    assignees = []
    if may_handle:
        # The district office's officials and the sensor operators.
        candidates = User.objects.filter(is_active=True, official_profile__isnull=False)
        candidates = candidates.select_related("official_profile").order_by("email")[:200]
        assignees = [u for u in candidates if may_handle_alert(u, alert)][:50]
    return render(
        request,
        "urbandata/alert.html",
        {
            "alert": alert,
            "history": alert.history.select_related("actor"),
            "may_handle": may_handle,
            "assignees": assignees,
        },
    )


@login_required
@require_POST
def alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    step = request.POST.get("step")
    note = request.POST.get("note", "").strip()
    try:
        if step == "acknowledge":
            alert_acknowledge(actor=request.user, alert=alert, note=note)  # type: ignore[arg-type]
            messages.success(request, _("Alert acknowledged."))
        elif step == "action":
            alert_record_action(actor=request.user, alert=alert, action_taken=note)  # type: ignore[arg-type]
            messages.success(request, _("Action recorded."))
        elif step == "assign":
            assignee = User.objects.filter(pk=request.POST.get("assignee") or 0).first()
            if assignee is None:
                raise ValidationError({"assignee": _("Choose who handles the alert.")})
            alert_assign(actor=request.user, alert=alert, assignee=assignee)  # type: ignore[arg-type]
            messages.success(request, _("Alert assigned."))
        elif step == "resolve":
            alert_resolve(actor=request.user, alert=alert, note=note)  # type: ignore[arg-type]
            messages.success(request, _("Alert resolved."))
        else:
            messages.error(request, _("Unknown step."))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("urbandata:alert", pk=pk)


@permission_required("accounts.operate_sensors", raise_exception=True)
def operator_sensors(request: HttpRequest) -> HttpResponse:
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                messages.error(request, _("The file must be UTF-8 CSV."))
            else:
                try:
                    result = sensors_import_csv(actor=request.user, text=text)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    if not result.errors:
                        messages.success(
                            request,
                            _("%(created)d sensors registered, %(updated)d updated.")
                            % {"created": result.created, "updated": result.updated},
                        )
                        return redirect("urbandata:operator_sensors")
    sensors = Sensor.objects.select_related("model", "district", "latest").order_by("serial")
    return render(
        request,
        "urbandata/operator_sensors.html",
        {
            "sensors": sensors[:500],
            "sensor_count": sensors.count(),
            "quarantine": QuarantinedReport.objects.order_by("-received_at")[:20],
            "quarantine_count": QuarantinedReport.objects.count(),
            "result": result,
        },
    )
