"""Open311 GeoReport v2 at /open311/v2/ (https://wiki.open311.org/GeoReport_v2), JSON and XML.

Plain Django views rather than the JSON API's router: the spec fixes its own error body
(``[{"code", "description"}]``), form-encoded posts and an XML twin of every answer.
Extensions: ``page``/``page_size``, ``updated_after`` and ``extensions=true`` (adds
``extended_attributes`` and the public ``notes`` history to each request).
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from smartseoul.complaints import actions, queries
from smartseoul.complaints.geocode import geocode
from smartseoul.complaints.models import Category, Report
from smartseoul.complaints.presenters import media_urls
from smartseoul.lib.ratelimit import Rate, hit

DEFAULT_DAYS = 90
MAX_RESULTS = 1000
_OPEN = {s.value for s in Report.OPEN_STATUSES}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _answer(fmt: str, data: Any, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = _to_xml(root, item, data)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    return response


def _to_xml(root: str, item: str, data: Any) -> ET.Element:
    element = ET.Element(root)
    for entry in data if isinstance(data, list) else [data]:
        _fill(ET.SubElement(element, item) if isinstance(data, list) else element, entry)
    return element


# A list inside an element is written as repeated children with these names.
_LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "media": "media_item",
    "keywords": "keyword",
}


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            sub = ET.SubElement(element, key)
            if isinstance(child, list):
                for entry in child:
                    _fill(ET.SubElement(sub, _LIST_ITEMS.get(key, "item")), entry)
            else:
                _fill(sub, child)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def _errors(fmt: str, status: int, description: str) -> HttpResponse:
    return _answer(
        fmt, [{"code": status, "description": description}], "errors", "error", status=status
    )


class Open311RateLimitedError(Open311Error):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, f"Too many requests: retry after {retry_after} s.")
        self.retry_after = retry_after


def _throttle_read(request: HttpRequest) -> None:
    """Reads are limited like the JSON API's: per API key (``api_key`` in the query, at the
    key rate) or else per client address (at the anonymous rate), in the same buckets — a
    client cannot double its allowance by switching doors.  Posts are limited per key in
    ``_post_request`` once the key is known."""
    from smartseoul.accounts.actions import api_key_authenticate
    from smartseoul.api import ClientRateThrottle

    secret = request.GET.get("api_key", "")
    key = api_key_authenticate(secret) if secret else None
    if key is not None:
        verdict = hit(f"key:{key.prefix}", Rate.parse(settings.API_RATE_KEY))
    else:
        address = ClientRateThrottle().get_ident(request)
        verdict = hit(f"ip:{address}", Rate.parse(settings.API_RATE_ANONYMOUS))
    if not verdict.allowed:
        raise Open311RateLimitedError(verdict.retry_after)


def _open311(view: Any) -> Any:
    """Answer the spec's error list (in the requested format) for any refusal."""

    def wrapper(request: HttpRequest, fmt: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if request.method != "POST":
                _throttle_read(request)
            response: HttpResponse = view(request, fmt, *args, **kwargs)
            return response
        except Open311RateLimitedError as exc:
            refusal = _errors(fmt, exc.status, exc.description)
            refusal["Retry-After"] = str(exc.retry_after)
            return refusal
        except Open311Error as exc:
            return _errors(fmt, exc.status, exc.description)
        except PermissionDenied as exc:
            return _errors(fmt, 403, str(exc) or "Forbidden.")
        except ValidationError as exc:
            messages = (
                [
                    f"{k}: {' '.join(str(m) for e in v for m in e.messages)}"
                    for k, v in exc.error_dict.items()
                ]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            return _errors(fmt, 400, "; ".join(messages))

    wrapper.__name__ = view.__name__
    return wrapper


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- discovery and services ------------------------------------------------------------------


@require_GET
@_open311
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("complaints:open311_root"))
    data = {
        "changeset": "2026-11-22T00:00:00+09:00",
        "contact": "Seoul Metropolitan Government, Smart Complaint Report (dial 120)",
        "key_service": request.build_absolute_uri(reverse("accounts:api_keys")),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rstrip("/"),
                "changeset": "2026-11-22T00:00:00+09:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _answer(fmt, data, "discovery", "discovery")


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.code.replace("-", ","),
        "group": "street" if category.code != "other" else "other",
    }


@require_GET
@_open311
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return _answer(fmt, [_service(c) for c in queries.categories_active()], "services", "service")


@require_GET
@_open311
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise Open311Error(404, f"No service with service_code {code}.")
    attributes = [
        {
            "variable": True,
            "code": attribute["code"],
            "datatype": attribute["datatype"],
            "required": bool(attribute.get("required")),
            "datatype_description": attribute.get("datatype_description", ""),
            "order": attribute.get("order", index + 1),
            "description": attribute.get("description", ""),
            **({"values": attribute["values"]} if attribute.get("values") else {}),
        }
        for index, attribute in enumerate(category.attributes)
    ]
    data = {"service_code": category.code, "attributes": attributes}
    return _answer(fmt, data, "service_definition", "service_definition")


# --- requests --------------------------------------------------------------------------------


@csrf_exempt  # API-key authenticated, form-encoded by third-party clients; no cookies used
@require_http_methods(["GET", "POST"])
@_open311
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    return _get_requests(request, fmt)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    from smartseoul.accounts.actions import api_key_authenticate

    form = request.POST
    key = api_key_authenticate(form.get("api_key", "")) if form.get("api_key") else None
    if key is None:
        raise Open311Error(403, "api_key is missing or not valid.")
    verdict = hit(f"key:{key.prefix}", Rate.parse(settings.API_RATE_KEY))
    if not verdict.allowed:  # the same per-key limit as the JSON API
        raise Open311RateLimitedError(verdict.retry_after)
    code = form.get("service_code", "")
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise Open311Error(404 if code else 400, f"service_code {code!r} not found.")
    lat, lon, address = _location(form)
    attributes = _attributes(category, form)
    media_url = form.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError as exc:
            raise Open311Error(400, "media_url must be an http(s) URL.") from exc
    email = form.get("email", "").strip()
    contact = {
        name: form[name].strip()[:200]
        for name in ("email", "first_name", "last_name", "phone", "device_id", "account_id")
        if form.get(name, "").strip()
    }
    report = actions.report_submit(
        reporter=None,
        category=category,
        lat=lat,
        lon=lon,
        details=form.get("description", ""),
        address=address,
        anonymous=not email,
        attributes=attributes,
        media_url=media_url,
        contact=contact,
        source=Report.Source.OPEN311,
        vouched=bool(email),
    )
    data = [
        {
            "service_request_id": report.public_id,
            "token": str(report.token),
            "service_notice": f"Due by {report.due_date.isoformat()} (working days, KST).",
            "account_id": contact.get("account_id", ""),
        }
    ]
    return _answer(fmt, data, "service_requests", "request", status=201)


def _location(form: Any) -> tuple[float, float, str]:
    address = form.get("address_string", "").strip()
    if form.get("lat") and form.get("long"):
        try:
            return float(form["lat"]), float(form["long"]), address
        except ValueError as exc:
            raise Open311Error(400, "lat and long must be decimal degrees.") from exc
    if address:
        found = geocode(address)
        if found is None:
            raise Open311Error(
                400,
                "address_string names no Seoul address, neighbourhood or district; "
                "send lat and long.",
            )
        return found.lat, found.lon, address
    raise Open311Error(400, "Send lat and long, or address_string.")


def _attributes(category: Category, form: Any) -> dict[str, str]:
    answers = {
        key[len("attribute[") : -1]: value
        for key, value in form.items()
        if key.startswith("attribute[") and key.endswith("]")
    }
    known = {a["code"]: a for a in category.attributes}
    for code in answers:
        if code not in known:
            raise Open311Error(400, f"attribute[{code}] is not an attribute of this service.")
    for code, attribute in known.items():
        value = answers.get(code, "").strip()
        if attribute.get("required") and not value:
            raise Open311Error(400, f"attribute[{code}] is required.")
        allowed = {v["key"] for v in attribute.get("values", [])}
        if value and allowed and value not in allowed:
            raise Open311Error(400, f"attribute[{code}] must be one of {sorted(allowed)}.")
    return {code: value.strip()[:200] for code, value in answers.items() if value.strip()}


def _moment(value: str, name: str) -> datetime.datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        moment = datetime.datetime.combine(day, datetime.time()) if day else None
    if moment is None:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2026-11-22T09:00:00+09:00.")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _number(value: str, name: str, default: int, maximum: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {maximum}.")
    return int(value)


def _get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    reports: QuerySet[Report] = (
        Report.objects.select_related("category", "office", "department", "district")
        .defer("district__boundary")
        .prefetch_related("media")
    )
    ids = [i for i in params.get("service_request_id", "").split(",") if i]
    if ids:
        reports = reports.filter(public_id__in=ids)  # the spec: other filters are then ignored
    else:
        codes = [c for c in params.get("service_code", "").split(",") if c]
        if codes:
            reports = reports.filter(category__code__in=codes)
        statuses = {s for s in params.get("status", "").split(",") if s}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or open,closed.")
        if statuses == {"open"}:
            reports = reports.filter(status__in=Report.OPEN_STATUSES)
        elif statuses == {"closed"}:
            reports = reports.filter(status__in=Report.CLOSED_STATUSES)
        start = _moment(params["start_date"], "start_date") if params.get("start_date") else None
        end = _moment(params["end_date"], "end_date") if params.get("end_date") else None
        if start is None and end is None and not params.get("updated_after"):
            start = timezone.now() - datetime.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            reports = reports.filter(received_at__gte=start)
        if end is not None:
            reports = reports.filter(received_at__lte=end)
        if params.get("updated_after"):
            after = _moment(params["updated_after"], "updated_after")
            reports = reports.filter(updated_at__gt=after)
    page = _number(params.get("page", ""), "page", 1, 1_000_000)
    page_size = _number(params.get("page_size", ""), "page_size", MAX_RESULTS, MAX_RESULTS)
    offset = (page - 1) * page_size
    chosen = list(reports.order_by("-received_at", "-pk")[offset : offset + page_size])
    extended = params.get("extensions", "").lower() == "true"
    data = [service_request(r, request, extended=extended) for r in chosen]
    return _answer(fmt, data, "service_requests", "request")


def service_request(report: Report, request: HttpRequest, *, extended: bool) -> dict[str, Any]:
    events = list(queries.public_timeline(report))
    notes = [e for e in events if e.public_note]
    photos = media_urls(report)
    media_url = request.build_absolute_uri(photos[0]["url"]) if photos else report.media_url or None
    agency = report.office or report.department
    data: dict[str, Any] = {
        "service_request_id": report.public_id,
        "status": "open" if report.status in _OPEN else "closed",
        "status_notes": notes[-1].public_note if notes else None,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.public_details,
        "agency_responsible": agency.name_ko if agency else None,
        "service_notice": None,
        "requested_datetime": _iso(report.received_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(
            timezone.make_aware(datetime.datetime.combine(report.due_date, datetime.time(18)))
        ),
        "address": report.address or report.district.name_ko,
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        "media_url": media_url,
    }
    if extended:
        data["extended_attributes"] = {
            "detailed_status": report.status.upper(),
            "district_code": report.district_id,
            "neighbourhood_code": report.neighbourhood_id,
            "duplicate_of": report.duplicate_of.public_id if report.duplicate_of else None,
            "attributes": report.attributes,
            "media": [request.build_absolute_uri(m["url"]) for m in photos],
        }
        data["notes"] = [
            {
                "datetime": _iso(e.created_at),
                "type": e.kind,
                "status": e.status or None,
                "summary": e.public_note,
            }
            for e in events
        ]
    return data


@require_GET
@_open311
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    report = Report.objects.filter(public_id=request_id).first()
    if report is None:
        raise Open311Error(404, f"No service request {request_id}.")
    extended = request.GET.get("extensions", "").lower() == "true"
    return _answer(
        fmt, [service_request(report, request, extended=extended)], "service_requests", "request"
    )


@require_GET
@_open311
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    import uuid

    try:
        report = Report.objects.filter(token=uuid.UUID(token)).first()
    except ValueError:
        report = None
    if report is None:
        raise Open311Error(404, f"No service request for token {token}.")
    data = [{"service_request_id": report.public_id, "token": str(report.token)}]
    return _answer(fmt, data, "service_requests", "request")
