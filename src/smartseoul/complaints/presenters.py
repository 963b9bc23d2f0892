"""The public shape of a report, shared by the JSON API, Open311, feeds and pages.

Built field by field from what may be published: never the reporter, the contact data, the
original (unredacted) details, internal notes or the assigned official's name."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from smartseoul.complaints.models import Media, Report
from smartseoul.complaints.queries import public_timeline


def media_urls(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "kind": m.kind,
            "url": reverse("complaints:media", kwargs={"pk": m.pk, "variant": "full"}),
            "thumbnail_url": reverse("complaints:media", kwargs={"pk": m.pk, "variant": "thumb"}),
        }
        for m in report.media.all()
        if m.state == Media.State.READY
    ]


def timeline(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "kind": event.kind,
            "status": event.status,
            "note": event.public_note,
            "at": event.created_at,
        }
        for event in public_timeline(report)
    ]


def public_report(report: Report, *, with_timeline: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": report.public_id,
        "category": report.category.code,
        "category_name": report.category.name,
        "status": report.status,
        "status_name": report.get_status_display(),
        "lat": report.lat,
        "lon": report.lon,
        "district": report.district_id,
        "district_name": report.district.name,
        "neighbourhood": report.neighbourhood_id,
        "neighbourhood_name": report.neighbourhood.name if report.neighbourhood else None,
        "details": report.public_details,
        "received_at": report.received_at,
        "updated_at": report.updated_at,
        "due_date": report.due_date,
        "closed_at": report.closed_at,
        "duplicate_of": report.duplicate_of.public_id if report.duplicate_of else None,
        "url": reverse("complaints:detail", kwargs={"public_id": report.public_id}),
        "media": media_urls(report),
    }
    if with_timeline:
        data["timeline"] = timeline(report)
    return data
