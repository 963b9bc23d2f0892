"""Public pages: the catalogue, a dataset, its sheet view and its downloads."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from smartseoul.accounts.models import Department
from smartseoul.opendata import queries
from smartseoul.opendata.actions import may_publish, search_term_count, usage_count
from smartseoul.opendata.downloads import FORMATS, download
from smartseoul.opendata.linked_data import dataset_jsonld
from smartseoul.opendata.models import Category, ResourceVersion
from smartseoul.opendata.query import OPERATORS, QueryError, TableQuery, parse_sort, table_search
from smartseoul.opendata.search import catalogue_search, related_ids

PAGE_SIZE = 20
SHEET_ROWS = 50
SORTS = {
    "": "",
    "relevance": "score desc",
    "recent": "metadata_modified desc",
    "title": "title_string asc",
    "popular": "views_recent desc",
}


def _toggle_url(request: HttpRequest, facet: str, value: str) -> str:
    """The catalogue with this facet value added to (or, when active, removed from) the
    current search, keeping the other filters."""
    query = {k: v for k, v in request.GET.lists() if k != "page"}
    values = list(query.get(facet, []))
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    query[facet] = values
    return "?" + urlencode(query, doseq=True)


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    facet_filters = {
        facet: request.GET.getlist(facet)
        for facet in ("category", "organization", "res_format", "tags")
        if request.GET.getlist(facet)
    }
    sort_key = request.GET.get("sort", "")
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    result = catalogue_search(
        q=q,
        facet_filters=facet_filters,
        sort=SORTS.get(sort_key, ""),
        rows=PAGE_SIZE,
        start=(page_number - 1) * PAGE_SIZE,
    )
    if q and page_number == 1:
        search_term_count(term=q)
    categories = dict(Category.choices)
    departments = {d.code: str(d) for d in Department.objects.all()}
    facets = [
        (
            facet,
            label,
            [
                (
                    _toggle_url(request, facet, value),
                    labeller(value),
                    count,
                    value in facet_filters.get(facet, []),
                )
                for value, count in result.facets.get(facet, {}).items()
            ],
        )
        for facet, label, labeller in (
            ("category", _("Category"), lambda v: str(categories.get(v, v))),
            ("organization", _("Publisher"), lambda v: departments.get(v, v)),
            ("res_format", _("Format"), lambda v: v),
            ("tags", _("Tag"), lambda v: v),
        )
    ]
    base_query = {k: v for k, v in request.GET.lists() if k != "page"}
    pages = (result.count + PAGE_SIZE - 1) // PAGE_SIZE
    return render(
        request,
        "opendata/catalogue.html",
        {
            "q": q,
            "datasets": queries.datasets_in_order(result.ids),
            "count": result.count,
            "facets": facets,
            "sort": sort_key,
            "popular_terms": queries.popular_terms(),
            "page_number": page_number,
            "previous_url": "?" + urlencode({**base_query, "page": page_number - 1}, doseq=True)
            if page_number > 1
            else None,
            "next_url": "?" + urlencode({**base_query, "page": page_number + 1}, doseq=True)
            if page_number < pages
            else None,
            "may_publish": may_publish(request.user) if request.user.is_authenticated else False,
        },
    )


@require_GET
def dataset_page(request: HttpRequest, name: str) -> HttpResponse:
    dataset = queries.dataset_find(name)
    usage_count(dataset=dataset, kind="views")
    resources = []
    for resource in dataset.resources.all():
        version = resource.current_version() if resource.is_tabular else None
        resources.append(
            {
                "resource": resource,
                "version": version,
                "versions": list(resource.versions.all()) if resource.is_tabular else [],
            }
        )
    jsonld = dataset_jsonld(dataset, request.build_absolute_uri("/").rstrip("/"), schema_org=True)
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": dataset,
            "resources": resources,
            "usage": queries.usage_totals(dataset),
            "apps": queries.gallery_apps_for(dataset),
            "related": queries.datasets_in_order(related_ids(dataset)),
            # Escaped for a <script type="application/ld+json"> block (no inline code runs).
            "jsonld": json.dumps(jsonld, ensure_ascii=False)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026"),
            "may_edit": may_publish(request.user, dataset.department)
            if request.user.is_authenticated
            else False,
        },
    )


def filters_from(request: HttpRequest) -> dict[str, Any]:
    """Sheet/download filters: repeated ``fc`` (column), ``fo`` (operator), ``fv`` (value)."""
    filters: dict[str, Any] = {}
    columns, operators, values = (request.GET.getlist(k) for k in ("fc", "fo", "fv"))
    for column, operator, value in zip(columns, operators, values, strict=False):
        if not column or value == "":
            continue
        if operator not in (*OPERATORS, "like"):
            operator = "eq"
        if operator == "like":
            value = f"%{value}%"
        filters.setdefault(column, {})[operator] = value
    return filters


def table_query_from(request: HttpRequest, version: ResourceVersion) -> TableQuery:
    sort = parse_sort(request.GET.get("sort", ""), version.column_names)
    fields = [f for f in request.GET.getlist("fields") if f] or None
    return TableQuery(
        filters=filters_from(request), q=request.GET.get("q") or None, fields=fields, sort=sort
    )


@require_GET
def sheet(request: HttpRequest, resource_id: str) -> HttpResponse:
    resource = queries.resource_find(resource_id)
    version = queries.table_of(resource)
    error = ""
    try:
        query = table_query_from(request, version)
        page_number = max(1, int(request.GET.get("page", "1") or 1))
        query.limit, query.offset = SHEET_ROWS, (page_number - 1) * SHEET_ROWS
        result = table_search(version, query)
    except (QueryError, ValueError) as exc:
        error = getattr(exc, "message", str(exc))
        query, page_number = TableQuery(limit=SHEET_ROWS), 1
        result = table_search(version, query)
    paginator = Paginator(range(result.total or 0), SHEET_ROWS)
    page = paginator.get_page(page_number)
    keep = {k: v for k, v in request.GET.lists() if k not in ("page", "sort")}
    columns = [
        {
            "name": field["id"],
            "type": field["type"],
            "sort_url": "?"
            + urlencode(
                {
                    **keep,
                    "sort": f"{field['id']} {'desc' if _sorted_asc(query, field['id']) else 'asc'}",
                },
                doseq=True,
            ),
            "sorted": _sort_state(query, field["id"]),
        }
        for field in result.fields
    ]
    here = {k: v for k, v in request.GET.lists() if k != "page"}
    return render(
        request,
        "opendata/sheet.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "version": version,
            "columns": columns,
            "records": result.records,
            "total": result.total,
            "page": page,
            "error": error,
            "filters": [
                (c, o, v)
                for c, o, v in zip(
                    request.GET.getlist("fc"),
                    request.GET.getlist("fo"),
                    request.GET.getlist("fv"),
                    strict=False,
                )
            ],
            "operators": [
                ("eq", "="),
                ("ne", "≠"),
                ("gt", ">"),
                ("gte", "≥"),
                ("lt", "<"),
                ("lte", "≤"),
                ("like", _("contains")),
            ],
            "q": request.GET.get("q", ""),
            "page_query": urlencode(here, doseq=True),
            "download_query": urlencode(
                {k: v for k, v in request.GET.lists() if k != "page"}, doseq=True
            ),
            "formats": FORMATS,
        },
    )


def _sorted_asc(query: TableQuery, column: str) -> bool:
    return any(c == column and not d for c, d in query.sort)


def _sort_state(query: TableQuery, column: str) -> str:
    for c, descending in query.sort:
        if c == column:
            return "descending" if descending else "ascending"
    return "none"


@require_GET
def table_download(
    request: HttpRequest, resource_id: str, file_format: str
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    if file_format not in FORMATS:
        raise Http404("Unknown format.")
    resource = queries.resource_find(resource_id)
    version = queries.table_of(resource)
    try:
        query = table_query_from(request, version)
    except QueryError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    usage_count(dataset=resource.dataset, kind="downloads")
    try:
        return download(version, query, file_format, f"{resource.dataset.name}-v{version.number}")
    except QueryError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")


@require_GET
def version_source(request: HttpRequest, resource_id: str, number: int) -> FileResponse:
    """The file exactly as the publisher uploaded it, for any kept version."""
    resource = queries.resource_find(resource_id)
    version = queries.version_find(resource, number)
    if not version.source:
        raise Http404("This version has no file (its download failed).")
    usage_count(dataset=resource.dataset, kind="downloads")
    return FileResponse(
        version.source.open("rb"),
        as_attachment=True,
        filename=f"{resource.dataset.name}-v{version.number}.{resource.format}",
    )


@require_GET
def version_status(request: HttpRequest, resource_id: str, number: int) -> HttpResponse:
    """The load's progress and report (polled by the publisher's page with HTMX)."""
    resource = queries.resource_find(resource_id)
    version = queries.version_find(resource, number)
    return render(
        request, "opendata/_version_status.html", {"resource": resource, "version": version}
    )


def dataset_url(name: str) -> str:
    return reverse("opendata:dataset", kwargs={"name": name})
