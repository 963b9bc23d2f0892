"""CKAN's Action API (read side) at /api/3/action/{name} and /api/action/{name}.

Same envelope, error types and HTTP codes as CKAN 2.10, so ``ckanapi`` and the scripts people
wrote for data.gov work unchanged.  GET takes the parameters in the query string (JSON values
for dicts and lists, as CKAN accepts); POST takes a JSON object.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from smartseoul.accounts.models import Department
from smartseoul.api import presented_api_key
from smartseoul.lib import request_context
from smartseoul.lib.ratelimit import Rate, hit
from smartseoul.opendata import queries
from smartseoul.opendata.actions import usage_count
from smartseoul.opendata.datastore import ID
from smartseoul.opendata.models import Category, Dataset
from smartseoul.opendata.query import (
    MAX_LIMIT,
    QueryError,
    TableQuery,
    json_value,
    parse_sort,
)
from smartseoul.opendata.search import FACETS, catalogue_search
from smartseoul.opendata.serializers import (
    ckan_type,
    group_dict,
    organization_dict,
    package_dict,
    resource_dict,
)
from smartseoul.opendata.sql import SqlRefused, run_select

ROWS_MAX = 1000


class CkanError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


def validation_error(field: str, message: str) -> CkanError:
    return CkanError(409, {"__type": "Validation Error", field: [message]})


def not_found(message: str = "Not found") -> CkanError:
    return CkanError(404, {"__type": "Not Found Error", "message": message})


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _int(params: dict[str, Any], name: str, default: int, *, maximum: int | None = None) -> int:
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise validation_error(name, "Invalid integer") from None
    if number < 0:
        raise validation_error(name, "Must be a natural number")
    return min(number, maximum) if maximum is not None else number


def _bool(params: dict[str, Any], name: str, default: bool) -> bool:
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes", "on")


def _json_param(params: dict[str, Any], name: str, default: Any) -> Any:
    value = params.get(name, default)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise validation_error(name, "Cannot parse JSON") from None
    return value


def _list_param(params: dict[str, Any], name: str) -> list[str]:
    value = _json_param(params, name, [])
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise validation_error(name, "Give a list")
    return [str(item) for item in value]


# --- actions --------------------------------------------------------------------------------


def status_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    return {
        "site_title": "Smart Seoul Open Data Plaza",
        "site_description": "서울 열린데이터 광장",
        "site_url": _base(request),
        "ckan_version": "2.10.0",
        "error_emails_to": None,
        "locale_default": "ko",
        "extensions": ["datastore", "dcat"],
    }


def package_list(request: HttpRequest, params: dict[str, Any]) -> Any:
    limit = _int(params, "limit", 10_000)
    offset = _int(params, "offset", 0)
    names = Dataset.objects.order_by("name").values_list("name", flat=True)
    return list(names[offset : offset + limit])


def _facet_filters(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """Split ``field:value`` clauses out of a query string; returns (filters, other words)."""
    aliases = {
        "organization": "organization",
        "groups": "category",
        "tags": "tags",
        "res_format": "res_format",
        "category": "category",
    }
    filters: dict[str, list[str]] = {}
    words: list[str] = []
    lexer = io.StringIO(text)
    tokens: list[str] = []
    token = ""
    quoted = False
    for char in lexer.read():
        if char == '"':
            quoted = not quoted
        elif char.isspace() and not quoted:
            if token:
                tokens.append(token)
            token = ""
        else:
            token += char
    if token:
        tokens.append(token)
    for token in tokens:
        field, sep, value = token.lstrip("+").partition(":")
        if sep and field in aliases:
            filters.setdefault(aliases[field], []).append(value)
        elif sep and field in ("name", "id"):
            filters.setdefault(field, []).append(value)
        elif token not in ("*:*", "AND"):
            words.append(token)
    return filters, words


def package_search(request: HttpRequest, params: dict[str, Any]) -> Any:
    rows = _int(params, "rows", 10, maximum=ROWS_MAX)
    start = _int(params, "start", 0)
    q_filters, words = _facet_filters(str(params.get("q") or ""))
    fq_filters, _ignored = _facet_filters(str(params.get("fq") or ""))
    filters = {**q_filters}
    for field, values in fq_filters.items():
        filters.setdefault(field, []).extend(values)
    facet_fields = _list_param(params, "facet.field") if "facet.field" in params else list(FACETS)
    facet_fields = [{"groups": "category"}.get(f, f) for f in facet_fields]
    sort = str(params.get("sort") or "")
    name_filter = set(filters.pop("name", [])) | set(filters.pop("id", []))
    result = catalogue_search(
        q=" ".join(words),
        facet_filters=filters,
        sort="score desc" if sort.startswith("score") else sort,
        rows=rows if not name_filter else 100_000,
        start=start if not name_filter else 0,
        facet_fields=facet_fields,
    )
    found = queries.datasets_in_order(result.ids)
    if name_filter:
        found = [d for d in found if d.name in name_filter or str(d.pk) in name_filter]
        count = len(found)
        found = found[start : start + rows]
    else:
        count = result.count
    base = _base(request)
    facets = {("groups" if k == "category" else k): v for k, v in result.facets.items()}
    return {
        "count": count,
        "sort": sort or "score desc, metadata_modified desc",
        "results": [package_dict(dataset, base) for dataset in found],
        "facets": facets,
        "search_facets": {
            field: {
                "title": field,
                "items": [
                    {"name": name, "display_name": name, "count": n} for name, n in items.items()
                ],
            }
            for field, items in facets.items()
        },
    }


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not value:
        raise validation_error(name, "Missing value")
    return str(value)


def package_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    dataset = queries.dataset_find(_required(params, "id"))
    usage_count(dataset=dataset, kind="api_calls")
    return package_dict(dataset, _base(request))


def resource_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    resource = queries.resource_find(_required(params, "id"))
    return resource_dict(resource, _base(request))


def organization_list(request: HttpRequest, params: dict[str, Any]) -> Any:
    counts = dict(
        Dataset.objects.values("department__code")
        .annotate(n=Count("id"))
        .values_list("department__code", "n")
    )
    departments = Department.objects.order_by("code")
    if _bool(params, "all_fields", False):
        return [organization_dict(d, counts.get(d.code, 0)) for d in departments]
    return [d.code for d in departments]


def organization_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    department = Department.objects.filter(code=_required(params, "id")).first()
    if department is None:
        raise not_found()
    found = queries.datasets().filter(department=department).order_by("name")
    result = organization_dict(department, found.count())
    if _bool(params, "include_datasets", False):
        base = _base(request)
        result["packages"] = [package_dict(dataset, base) for dataset in found[:1000]]
    return result


def group_list(request: HttpRequest, params: dict[str, Any]) -> Any:
    counts = Counter(Dataset.objects.values_list("category", flat=True))
    if _bool(params, "all_fields", False):
        return [group_dict(c, counts.get(c, 0)) for c in Category.values]
    return list(Category.values)


def tag_list(request: HttpRequest, params: dict[str, Any]) -> Any:
    query = str(params.get("query") or "")
    tags: set[str] = set()
    for dataset_tags in Dataset.objects.values_list("tags", flat=True):
        tags.update(dataset_tags)
    return sorted(tag for tag in tags if query in tag)


def _records(fields: list[dict[str, str]], rows: list[tuple[Any, ...]], records_format: str) -> Any:
    # Dates, times, decimals and NaN are left as they are: orjson writes them (see _json).
    if records_format == "objects":
        names = [f["id"] for f in fields]
        return [dict(zip(names, row, strict=True)) for row in rows]
    if records_format == "lists":
        return rows
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if records_format == "tsv" else ",")
    for row in rows:
        writer.writerow(["" if v is None else json_value(v) for v in row])
    return buffer.getvalue()


def datastore_search(request: HttpRequest, params: dict[str, Any]) -> Any:
    resource_id = _required(params, "resource_id")
    try:
        version = queries.table_find(resource_id)
    except Http404:
        queries.resource_find(resource_id)  # an unknown resource is its own error
        raise not_found("Resource not found in the datastore") from None
    resource = version.resource
    records_format = str(params.get("records_format") or "objects")
    if records_format not in ("objects", "lists", "csv", "tsv"):
        raise validation_error("records_format", "Use objects, lists, csv or tsv")
    filters = _json_param(params, "filters", {}) or {}
    if not isinstance(filters, dict):
        raise validation_error("filters", "Give an object of column: value")
    q = _json_param(params, "q", None)
    fields = _list_param(params, "fields") or None
    sort_param = params.get("sort") or ""
    try:
        if isinstance(sort_param, list):
            sort_param = ",".join(str(s) for s in sort_param)
        sort = parse_sort(str(sort_param), version.column_names)
        query = TableQuery(
            filters=filters,
            q=q if isinstance(q, dict | str) else None,
            fields=fields,
            sort=sort,
            limit=_int(params, "limit", 100, maximum=MAX_LIMIT),
            offset=_int(params, "offset", 0),
            distinct=_bool(params, "distinct", False),
            include_total=_bool(params, "include_total", True),
            with_id=True,
        )
        from smartseoul.opendata.query import table_search

        result = table_search(version, query)
    except QueryError as exc:
        raise validation_error(exc.field, exc.message) from None
    usage_count(dataset=resource.dataset, kind="api_calls")
    fields_out = [
        {"id": f["id"], "type": "int" if f["id"] == ID else ckan_type(f["type"])}
        for f in result.fields
    ]
    body: dict[str, Any] = {
        "resource_id": str(resource.pk),
        "fields": fields_out,
        "records": _records(result.fields, result.records, records_format),
        "records_format": records_format,
        "limit": query.limit,
        "offset": query.offset,
        "filters": filters,
        "include_total": query.include_total,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={resource.pk}",
            "next": (
                f"/api/3/action/datastore_search?resource_id={resource.pk}"
                f"&offset={query.offset + query.limit}"
            ),
        },
    }
    if sort_param:
        body["sort"] = sort_param
    if q:
        body["q"] = q
    if result.total is not None:
        body["total"] = result.total
        body["total_was_estimated"] = False
    return body


def datastore_search_sql(request: HttpRequest, params: dict[str, Any]) -> Any:
    sql = _required(params, "sql")
    try:
        result = run_select(sql)
    except SqlRefused as exc:
        raise validation_error("query", str(exc)) from None
    fields = [{"id": f["id"], "type": ckan_type(f["type"])} for f in result.fields]
    body: dict[str, Any] = {
        "sql": sql,
        "fields": fields,
        "records": _records(result.fields, result.records, "objects"),
    }
    if result.truncated:
        body["records_truncated"] = True
    return body


ACTIONS: dict[str, Callable[[HttpRequest, dict[str, Any]], Any]] = {
    action.__name__: action
    for action in (
        status_show,
        package_list,
        package_search,
        package_show,
        resource_show,
        organization_list,
        organization_show,
        group_list,
        tag_list,
        datastore_search,
        datastore_search_sql,
    )
}


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST" and request.body:
        content_type = request.content_type or ""
        if "json" in content_type or request.body[:1] == b"{":
            try:
                body = json.loads(request.body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise CkanError(
                    400, {"__type": "Bad request", "message": "Bad request - JSON Error"}
                ) from None
            if not isinstance(body, dict):
                raise CkanError(
                    400,
                    {"__type": "Bad request", "message": "Bad request - Request data not a dict"},
                )
            return body
        return {key: request.POST.get(key) for key in request.POST}
    return {key: request.GET.get(key) for key in request.GET}


def _rate_limited(request: HttpRequest) -> int | None:
    """Seconds to wait, when this client (API key, else IP) is over the API's rate."""
    key = presented_api_key(request)
    if key is not None:
        bucket, rate = f"ckan:key:{key.prefix}", settings.API_RATE_KEY
    else:
        bucket, rate = f"ckan:ip:{request_context.client_ip()}", settings.API_RATE_ANONYMOUS
    verdict = hit(bucket, Rate.parse(rate))
    return None if verdict.allowed else verdict.retry_after


@csrf_exempt
def action_view(request: HttpRequest, name: str) -> HttpResponse:
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    if request.method not in ("GET", "POST"):
        return JsonResponse(
            {
                "help": help_url,
                "success": False,
                "error": {"__type": "Bad request", "message": "Use GET or POST"},
            },
            status=405,
        )
    limited = _rate_limited(request)
    if limited is not None:
        response = JsonResponse(
            {
                "help": help_url,
                "success": False,
                "error": {"__type": "Rate limit", "message": "Too many requests: slow down."},
            },
            status=429,
        )
        response["Retry-After"] = str(limited)
        return response
    action = ACTIONS.get(name)
    try:
        if action is None:
            raise CkanError(
                400,
                {
                    "__type": "Bad request",
                    "message": f"Bad request - Action name not known: {name}",
                },
            )
        params = _params(request)
        params.pop("callback", None)
        result = action(request, params)
    except CkanError as exc:
        return JsonResponse(
            {"help": help_url, "success": False, "error": exc.body},
            status=exc.status,
            json_dumps_params={"ensure_ascii": False},
        )
    except Http404 as exc:
        return JsonResponse(
            {
                "help": help_url,
                "success": False,
                "error": {"__type": "Not Found Error", "message": str(exc) or "Not found"},
            },
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    answer = HttpResponse(
        _json({"help": help_url, "success": True, "result": result}),
        content_type="application/json",
    )
    answer["Access-Control-Allow-Origin"] = "*"
    return answer


def _json_default(value: Any) -> Any:
    converted = json_value(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return converted


def _json(body: Any) -> bytes:
    """orjson: several times faster than ``json`` on thousands of records; it writes dates
    and times as ISO 8601 (as ``json_value`` does) and NaN/infinity as null."""
    try:
        return orjson.dumps(body, default=_json_default)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits: the standard library can
        return json.dumps(body, ensure_ascii=False, default=_json_default).encode()
