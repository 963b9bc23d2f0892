"""/api/complaints/: the officials' endpoints — the same work as the workspace pages
(``office.py``), through the same actions and queries and so the same permissions: an
official reaches only the reports of their own office or department (404 otherwise) unless
granted ``complaints.handle_all_reports``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from smartseoul.api import signed_in
from smartseoul.complaints import actions, media_actions, queries
from smartseoul.complaints.api import ReportOut, _session_write
from smartseoul.complaints.models import DETAILS_MAX_CHARS, Media, Report
from smartseoul.complaints.presenters import public_report
from smartseoul.complaints.redaction import box_from_percent

router = Router(tags=["complaints: officials"], auth=signed_in)

BULK_MAX = 200


def _official(request: HttpRequest) -> Any:
    if not queries.is_official(request.user):
        raise PermissionDenied("Only officials handle reports.")
    return request.user


class QueueFiltersIn(Schema):
    status: str = "open"
    category: str = ""
    district: str = ""
    assignee: str = ""
    due: str = ""
    search: str = ""


class QueueOut(Schema):
    id: str
    category: str
    status: str
    district: str
    due_date: date
    received_at: datetime
    assignee: str | None


class StatusIn(Schema):
    status: str
    public_note: str = Field(..., max_length=4000)
    duplicate_of: str | None = None


class AssignIn(Schema):
    assignee_email: str


class TransferIn(Schema):
    to_department: str = Field(..., description="Department code, e.g. gu-11680 or transportation")
    reason: str = Field(..., max_length=1000)


class ExtendIn(Schema):
    working_days: int = Field(..., ge=1, le=30)
    reason: str = Field(..., max_length=1000)


class RedactIn(Schema):
    public_details: str = Field(..., max_length=DETAILS_MAX_CHARS)


class BoxIn(Schema):
    """A region of the photo in percent of its width and height, from the top left."""

    x: float = Field(..., ge=0, le=100)
    y: float = Field(..., ge=0, le=100)
    width: float = Field(..., gt=0, le=100)
    height: float = Field(..., gt=0, le=100)


class PhotoRedactIn(Schema):
    boxes: list[BoxIn] = Field(..., min_length=1, max_length=20)


class BulkIn(Schema):
    reports: list[str] = Field(..., min_length=1, max_length=BULK_MAX)
    operation: Literal["assign_me", "in_progress", "resolved", "rejected"]
    public_note: str = Field("", max_length=4000)


class HandledMediaOut(Schema):
    id: int
    kind: str
    state: str
    redactions: list[list[float]]


class HandledOut(ReportOut):
    office: str | None
    department: str | None
    assignee: str | None
    original_details: str
    handled_media: list[HandledMediaOut]


class BulkOut(Schema):
    updated: int
    results: list[HandledOut]


class StatisticsRow(Schema):
    code: str
    name_ko: str
    name_en: str
    total: int
    closed: int
    overdue: int
    mean_days_to_answer: float | None


class StatisticsOut(Schema):
    district: list[StatisticsRow]
    category: list[StatisticsRow]


def _handled(report: Report) -> dict[str, Any]:
    return {
        **public_report(report),
        "office": report.office.code if report.office else None,
        "department": report.department.code if report.department else None,
        "assignee": report.assignee.email if report.assignee else None,
        "original_details": report.details,
        "handled_media": [
            {"id": m.pk, "kind": m.kind, "state": m.state, "redactions": m.redactions}
            for m in report.media.order_by("pk")
        ],
    }


@router.get("/queue", response=list[QueueOut])
def official_queue(request: HttpRequest, filters: Query[QueueFiltersIn]) -> Any:
    user = _official(request)
    return [
        {
            "id": r.public_id,
            "category": r.category.code,
            "status": r.status,
            "district": r.district_id,
            "due_date": r.due_date,
            "received_at": r.received_at,
            "assignee": r.assignee.display_name if r.assignee else None,
        }
        for r in queries.queue(user, queries.QueueFilters(**filters.dict()))[:200]
    ]


@router.get("/statistics", response=StatisticsOut)
def statistics(request: HttpRequest) -> Any:
    """Per district and category: reports, closed, overdue, mean days to an answer — over
    the reports the caller handles (the workspace's statistics page, which also exports CSV)."""
    return queries.statistics(queries.reports_handled_by(_official(request)))


@router.post("/bulk", response=BulkOut)
def bulk(request: HttpRequest, data: BulkIn) -> Any:
    """One operation on several reports of the caller's queue, all or nothing."""
    _session_write(request)
    user = _official(request)
    wanted = list(dict.fromkeys(data.reports))
    reports = list(queries.reports_handled_by(user).filter(public_id__in=wanted))
    missing = sorted(set(wanted) - {r.public_id for r in reports})
    if missing:
        raise ValidationError({"reports": f"Not in your queue: {', '.join(missing)}."})
    if data.operation == "assign_me":
        done = actions.reports_bulk(actor=user, reports=reports, operation="assign", assignee=user)
    else:
        if not data.public_note.strip():
            raise ValidationError({"public_note": "Write a note for the citizens."})
        done = actions.reports_bulk(
            actor=user, reports=reports, operation="status",
            status=data.operation, public_note=data.public_note.strip(),
        )  # fmt: skip
    return {"updated": len(done), "results": [_handled(r) for r in done]}


@router.get("/reports/{public_id}/handling", response=HandledOut)
def handling(request: HttpRequest, public_id: str) -> Any:
    """A report as its officials see it: the original text, assignee and media ids."""
    return _handled(queries.report_get_handled(_official(request), public_id))


@router.post("/reports/{public_id}/status", response=ReportOut)
def status_change(request: HttpRequest, public_id: str, data: StatusIn) -> Any:
    _session_write(request)
    report = queries.report_get_handled(request.user, public_id)
    original = queries.report_get_public(data.duplicate_of) if data.duplicate_of else None
    report = actions.report_status_change(
        actor=request.user,  # type: ignore[arg-type]
        report=report,
        status=data.status,
        public_note=data.public_note,
        duplicate_of=original,
    )
    return public_report(report)


@router.post("/reports/{public_id}/assign", response=HandledOut)
def assign(request: HttpRequest, public_id: str, data: AssignIn) -> Any:
    _session_write(request)
    report = queries.report_get_handled(request.user, public_id)
    assignee = queries.colleagues(report).filter(email__iexact=data.assignee_email).first()
    if assignee is None:
        raise HttpError(400, "assignee_email is not an official of the report's office.")
    report = actions.report_assign(actor=request.user, report=report, assignee=assignee)  # type: ignore[arg-type]
    return _handled(report)


@router.post("/reports/{public_id}/transfer", response=HandledOut)
def transfer(request: HttpRequest, public_id: str, data: TransferIn) -> Any:
    from smartseoul.accounts.models import Department

    _session_write(request)
    report = queries.report_get_handled(request.user, public_id)
    department = Department.objects.filter(code=data.to_department).first()
    if department is None:
        raise HttpError(400, f"No department {data.to_department!r}.")
    report = actions.report_transfer(
        actor=request.user,  # type: ignore[arg-type]
        report=report,
        to_department=department,
        reason=data.reason,
    )
    return _handled(report)


@router.post("/reports/{public_id}/extend", response=HandledOut)
def extend(request: HttpRequest, public_id: str, data: ExtendIn) -> Any:
    _session_write(request)
    report = queries.report_get_handled(request.user, public_id)
    report = actions.report_extend(
        actor=request.user,  # type: ignore[arg-type]
        report=report,
        working_days=data.working_days,
        reason=data.reason,
    )
    return _handled(report)


@router.post("/reports/{public_id}/redact", response=HandledOut)
def redact(request: HttpRequest, public_id: str, data: RedactIn) -> Any:
    """Replace the published text; the original stays for the officials."""
    _session_write(request)
    report = queries.report_get_handled(_official(request), public_id)
    report = actions.report_redact(
        actor=request.user,  # type: ignore[arg-type]
        report=report,
        public_details=data.public_details,
    )
    return _handled(report)


@router.post("/reports/{public_id}/media/{media_id}/redact", response=HandledOut)
def redact_photo(request: HttpRequest, public_id: str, media_id: int, data: PhotoRedactIn) -> Any:
    """Black out regions of a processed photo (and its thumbnail); not reversible."""
    _session_write(request)
    report = queries.report_get_handled(_official(request), public_id)
    media = report.media.filter(pk=media_id).first()
    if media is None:
        raise HttpError(404, f"No photo {media_id} on report {public_id}.")
    if media.kind != Media.Kind.PHOTO or media.state != Media.State.READY:
        raise HttpError(409, "Only processed photos can be redacted; this one is not ready.")
    boxes = [box_from_percent(b.x, b.y, b.width, b.height) for b in data.boxes]
    media_actions.media_redact(actor=request.user, media=media, boxes=boxes)  # type: ignore[arg-type]
    return _handled(report)
