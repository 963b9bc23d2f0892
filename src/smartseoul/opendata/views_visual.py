"""The chart builder (server-drawn SVG: embeddable anywhere as an image, no script) and the
map view (Leaflet over GeoJSON made from coordinates, geometries or district names/codes)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from smartseoul.opendata import queries
from smartseoul.opendata.charts import KINDS, draw_chart
from smartseoul.opendata.geo import geo_columns, to_features
from smartseoul.opendata.models import ResourceVersion
from smartseoul.opendata.query import (
    AGGREGATIONS,
    NUMERIC_TYPES,
    QueryError,
    TableQuery,
    table_aggregate,
    table_search,
)
from smartseoul.opendata.views import filters_from

MAP_MAX_FEATURES = 5000


def _chart_settings(request: HttpRequest, version: ResourceVersion) -> dict[str, str]:
    names = version.column_names
    numeric = [c["name"] for c in version.schema if c["type"].startswith(NUMERIC_TYPES)]
    text = [c["name"] for c in version.schema if not c["type"].startswith(NUMERIC_TYPES)]
    kind = request.GET.get("kind") or "bar"
    x = request.GET.get("x") or (text[0] if text else names[0])
    y = request.GET.get("y") or (numeric[0] if numeric else "")
    aggregation = request.GET.get("agg") or ("sum" if y else "count")
    return {"kind": kind, "x": x, "y": y, "agg": aggregation}


def _chart_data(
    request: HttpRequest, version: ResourceVersion, chosen: dict[str, str]
) -> list[tuple[Any, float | None]]:
    if chosen["kind"] not in KINDS:
        raise QueryError("kind", _("Choose a bar, line, pie or scatter chart."))
    if chosen["kind"] == "scatter":
        result = table_search(
            version,
            TableQuery(
                filters=filters_from(request),
                fields=[chosen["x"], chosen["y"]],
                limit=2000,
                include_total=False,
            ),
        )
        return [(x, y) for x, y in result.records]
    return table_aggregate(
        version,
        group_by=chosen["x"],
        value=chosen["y"] or None,
        aggregation=chosen["agg"],
        filters=filters_from(request),
    )


@require_GET
def chart(request: HttpRequest, resource_id: str) -> HttpResponse:
    resource = queries.resource_find(resource_id)
    version = queries.table_of(resource)
    chosen = _chart_settings(request, version)
    error = ""
    data: list[tuple[Any, float | None]] = []
    try:
        data = _chart_data(request, version, chosen)
    except QueryError as exc:
        error = exc.message
    query = urlencode({**{k: v for k, v in request.GET.lists()}, **chosen}, doseq=True)
    svg_url = reverse("opendata:chart_svg", kwargs={"resource_id": resource.pk}) + "?" + query
    embed_url = request.build_absolute_uri(
        reverse("opendata:chart_embed", kwargs={"resource_id": resource.pk}) + "?" + query
    )
    return render(
        request,
        "opendata/chart.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "version": version,
            "chosen": chosen,
            "kinds": KINDS,
            "aggregations": list(AGGREGATIONS),
            "columns": version.column_names,
            "numeric_columns": [
                c["name"] for c in version.schema if c["type"].startswith(NUMERIC_TYPES)
            ],
            "data": data,
            "error": error,
            "svg_url": svg_url,
            "embed_code": f'<iframe src="{embed_url}" width="660" height="400" '
            f'title="{resource.dataset.title}" loading="lazy"></iframe>',
        },
    )


@require_GET
def chart_svg(request: HttpRequest, resource_id: str) -> HttpResponse:
    resource = queries.resource_find(resource_id)
    version = queries.table_of(resource)
    chosen = _chart_settings(request, version)
    try:
        data = _chart_data(request, version, chosen)
    except QueryError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    title = resource.dataset.title
    y_label = chosen["y"] if chosen["agg"] != "count" else _("count")
    svg = draw_chart(chosen["kind"], data, title=title, x_label=chosen["x"], y_label=y_label)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # type: ignore[arg-type]
def chart_embed(request: HttpRequest, resource_id: str) -> HttpResponse:
    """A bare page with the chart, for other sites' iframes (the only framable page)."""
    resource = queries.resource_find(resource_id)
    svg_url = reverse("opendata:chart_svg", kwargs={"resource_id": resource.pk})
    response = render(
        request,
        "opendata/chart_embed.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "svg_url": svg_url + "?" + request.GET.urlencode(),
        },
    )
    return response


@require_GET
def map_page(request: HttpRequest, resource_id: str) -> HttpResponse:
    resource = queries.resource_find(resource_id)
    version = queries.table_of(resource)
    found = geo_columns(version)
    return render(
        request,
        "opendata/map.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "version": version,
            "geo": found,
            "tile_url": settings.MAP_TILE_URL,
            "geojson_url": reverse("opendata:map_geojson", kwargs={"resource_id": resource.pk})
            + ("?" + request.GET.urlencode() if request.GET else ""),
        },
    )


@require_GET
def map_geojson(request: HttpRequest, resource_id: str) -> JsonResponse:
    resource = queries.resource_find(resource_id)
    version = queries.table_of(resource)
    found = geo_columns(version)
    if found is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    try:
        result = table_search(
            version,
            TableQuery(filters=filters_from(request), limit=MAP_MAX_FEATURES, include_total=False),
        )
    except QueryError as exc:
        return JsonResponse({"error": exc.message}, status=400)
    names = [f["id"] for f in result.fields]
    features = to_features(found, names, result.records)
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        json_dumps_params={"ensure_ascii": False},
    )


def chart_json(data: list[tuple[Any, float | None]]) -> str:
    return json.dumps([[str(x), y] for x, y in data], ensure_ascii=False)
