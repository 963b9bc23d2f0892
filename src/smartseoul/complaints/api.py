"""/api/complaints/: the JSON API behind the app's own pages and mobile clients.

Open311 GeoReport v2 (for existing clients) is in ``open311.py``; both call the same
actions and queries, so a report is the same report whichever door it came through.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.files import UploadedFile

from smartseoul.api import (
    anonymous,
    api_key_auth,
    csrf_check,
    identified_if_possible,
    presented_api_key,
    signed_in,
)
from smartseoul.complaints import actions, notifications, queries
from smartseoul.complaints.actions import outside_seoul_message
from smartseoul.complaints.geocode import geocode
from smartseoul.complaints.media import MAX_PHOTO_BYTES, photo_gps
from smartseoul.complaints.models import DETAILS_MAX_CHARS, Report
from smartseoul.complaints.presenters import public_report
from smartseoul.places.lookup import lookup

router = Router(tags=["complaints"], auth=identified_if_possible)

# Posts open to anyone (anonymous reports, a photo's position): a browser session is still
# recognised and CSRF-checked in ``_session_write``; a phone app without cookies needs no
# token.  (ninja's session auth would refuse an anonymous post without a CSRF token.)
open_post = [api_key_auth, anonymous]


def _session_write(request: HttpRequest) -> None:
    """A browser session's write must carry the CSRF token; API-key clients need none."""
    if presented_api_key(request) is None and request.user.is_authenticated:
        csrf_check(request)


class CategoryOut(Schema):
    code: str
    name: str
    description: str
    processing_days: int
    anonymous_allowed: bool


class MediaOut(Schema):
    kind: str
    url: str
    thumbnail_url: str


class TimelineOut(Schema):
    kind: str
    status: str
    note: str
    at: datetime


class ReportOut(Schema):
    id: str
    category: str
    category_name: str
    status: str
    status_name: str
    lat: float
    lon: float
    district: str
    district_name: str
    neighbourhood: str | None
    neighbourhood_name: str | None
    details: str
    received_at: datetime
    updated_at: datetime
    due_date: date
    closed_at: datetime | None
    duplicate_of: str | None
    url: str
    media: list[MediaOut]


class ReportDetailOut(ReportOut):
    timeline: list[TimelineOut]


class ReportPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ReportOut]


class ListFilters(Schema):
    category: str = ""
    district: str = ""
    status: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class MapFilters(Schema):
    bbox: str = Field(..., description="south,west,north,east in WGS84 degrees")
    category: str = ""
    status: str = ""


class Pin(Schema):
    public_id: str
    lat: float
    lon: float
    status: str
    category__code: str


class Cluster(Schema):
    lat: float
    lon: float
    count: int


class MapOut(Schema):
    pins: list[Pin]
    clusters: list[Cluster]


class SimilarOut(Schema):
    report: ReportOut
    distance_metres: float


class PointOut(Schema):
    lat: float | None
    lon: float | None
    label: str = ""
    precision: str = ""


class SubmitIn(Schema):
    category: str
    lat: float
    lon: float
    details: str = Field("", max_length=DETAILS_MAX_CHARS)
    address: str = Field("", max_length=300)
    anonymous: bool = False


class SubmitOut(Schema):
    id: str
    status: str
    due_date: date
    district_name: str
    url: str


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=1000)


@router.get("/categories", response=list[CategoryOut])
def category_list(request: HttpRequest) -> Any:
    return list(queries.categories_active())


@router.get("/reports", response=ReportPage)
def report_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    reports = queries.public_reports(
        category=filters.category, district=filters.district, status=filters.status
    ).prefetch_related("media")
    start = (filters.page - 1) * filters.page_size
    page = reports.order_by("-received_at", "-pk")[start : start + filters.page_size]
    return {
        "count": reports.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [public_report(r) for r in page],
    }


@router.get("/map", response=MapOut)
def report_map(request: HttpRequest, filters: Query[MapFilters]) -> Any:
    try:
        south, west, north, east = (float(v) for v in filters.bbox.split(","))
    except ValueError as exc:
        raise HttpError(400, "bbox must be four numbers: south,west,north,east") from exc
    if south > north or west > east:
        raise HttpError(400, "bbox must be south,west,north,east with south ≤ north")
    answer = queries.public_map(
        south=south, west=west, north=north, east=east,
        category=filters.category, status=filters.status,
    )  # fmt: skip
    return {"pins": answer.pins, "clusters": answer.clusters}


@router.get("/reports/{public_id}", response=ReportDetailOut)
def report_detail(request: HttpRequest, public_id: str) -> Any:
    return public_report(queries.report_get_public(public_id), with_timeline=True)


@router.get("/similar", response=list[SimilarOut])
def similar(request: HttpRequest, category: str, lat: float, lon: float) -> Any:
    """Open reports of the same category within 50 m: follow one instead of sending again."""
    found = queries.similar_open(queries.category_get(category), lat, lon)
    return [{"report": public_report(r), "distance_metres": round(d, 1)} for r, d in found]


@router.post("/photo-location", response=PointOut, auth=open_post)
def photo_location(request: HttpRequest, photo: File[UploadedFile]) -> Any:
    """The position recorded in a photo's EXIF, offered as the report's location.

    The photo is read and forgotten here; nothing is stored."""
    _session_write(request)
    if (photo.size or 0) > MAX_PHOTO_BYTES:
        raise HttpError(400, "The photo is larger than 10 MB.")
    point = photo_gps(photo)
    return {"lat": point[0], "lon": point[1]} if point else {"lat": None, "lon": None}


@router.get("/geocode", response=PointOut)
def address_lookup(request: HttpRequest, address: str) -> Any:
    """A typed address → a point: the configured street geocoder (VWorld, when set up), else
    a neighbourhood or district name placed at the area's centre (``precision`` says which).
    A point outside Seoul is refused, as when sending a report."""
    found = geocode(address)
    if found is None:
        raise HttpError(404, "No Seoul address, neighbourhood or district found in the address.")
    if lookup(found.lat, found.lon) is None:
        raise DjangoValidationError({"address": outside_seoul_message()})
    return {"lat": found.lat, "lon": found.lon, "label": found.label, "precision": found.precision}


@router.post("/reports", response={201: SubmitOut}, auth=open_post)
def report_submit(
    request: HttpRequest,
    data: Form[SubmitIn],
    media: File[list[UploadedFile]] | None = None,
) -> Any:
    _session_write(request)
    user = request.user if request.user.is_authenticated else None
    try:
        report = actions.report_submit(
            reporter=user,
            category=queries.category_get(data.category),
            lat=data.lat,
            lon=data.lon,
            details=data.details,
            address=data.address,
            anonymous=data.anonymous,
            # Read from the request: the declared parameter documents the field in OpenAPI.
            uploads=request.FILES.getlist("media"),
            source=Report.Source.WEB if presented_api_key(request) is None else Report.Source.API,
        )
    except PermissionDenied as exc:
        if user is None:
            raise AuthenticationError() from exc
        raise
    return Status(
        201,
        {
            "id": report.public_id,
            "status": report.status,
            "due_date": report.due_date,
            "district_name": report.district.name,
            "url": reverse("complaints:detail", kwargs={"public_id": report.public_id}),
        },
    )


@router.post("/reports/{public_id}/follow", auth=signed_in, response={204: None})
def follow(request: HttpRequest, public_id: str) -> Any:
    _session_write(request)
    actions.report_follow(user=request.user, report=queries.report_get_public(public_id))  # type: ignore[arg-type]
    return Status(204, None)


@router.delete("/reports/{public_id}/follow", auth=signed_in, response={204: None})
def unfollow(request: HttpRequest, public_id: str) -> Any:
    _session_write(request)
    actions.report_unfollow(user=request.user, report=queries.report_get_public(public_id))  # type: ignore[arg-type]
    return Status(204, None)


@router.post("/reports/{public_id}/rating", auth=signed_in, response={201: None})
def rate(request: HttpRequest, public_id: str, data: RatingIn) -> Any:
    _session_write(request)
    actions.report_rate(
        user=request.user,  # type: ignore[arg-type]
        report=queries.report_get_public(public_id),
        stars=data.stars,
        comment=data.comment,
    )
    return Status(201, None)


class ChannelOut(Schema):
    name: str
    label: str
    reaches_you: bool


class NotificationsOut(Schema):
    channel: str | None = Field(..., description="The channel notices go through now")
    channels: list[ChannelOut]


class NotificationsIn(Schema):
    channel: str


def _notifications(user: Any) -> dict[str, Any]:
    current = notifications.channel_for(user, queries.notification_channel_of(user))
    return {
        "channel": current.name if current else None,
        "channels": [
            {
                "name": channel.name,
                "label": str(getattr(channel, "label", channel.name)),
                "reaches_you": notifications.reaches(channel, user),
            }
            for channel in notifications.channels()
        ],
    }


@router.get("/notifications", auth=signed_in, response=NotificationsOut)
def notifications_get(request: HttpRequest) -> Any:
    """How the caller hears about reports they follow, and the channels they may choose."""
    return _notifications(request.user)


@router.put("/notifications", auth=signed_in, response=NotificationsOut)
def notifications_set(request: HttpRequest, data: NotificationsIn) -> Any:
    _session_write(request)
    actions.notification_preference_set(user=request.user, channel=data.channel)  # type: ignore[arg-type]
    return _notifications(request.user)


# The officials' endpoints (queue, handling, redaction, bulk, statistics) are in api_office.
from smartseoul.complaints.api_office import router as _office_router  # noqa: E402

router.add_router("", _office_router)
