"""Every write of the complaints app: atomic, audited, side effects after commit."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.accounts.models import Department, User
from smartseoul.audit.actions import audit_record
from smartseoul.complaints import mapcells, notifications, queries
from smartseoul.complaints.media import check_uploads
from smartseoul.complaints.models import (
    DETAILS_MAX_CHARS,
    Category,
    Event,
    Follower,
    Media,
    NotificationPreference,
    Rating,
    Report,
)
from smartseoul.complaints.redaction import redact_text
from smartseoul.complaints.workdays import add_working_days
from smartseoul.places.lookup import lookup
from smartseoul.places.models import District

Status = Report.Status

# Which status may follow which (officials' changes; closing is final except for reopening).
_NEXT: dict[str, set[str]] = {
    Status.RECEIVED: {Status.ASSIGNED, Status.IN_PROGRESS, *Report.CLOSED_STATUSES},
    Status.ASSIGNED: {Status.IN_PROGRESS, *Report.CLOSED_STATUSES},
    Status.IN_PROGRESS: {*Report.CLOSED_STATUSES},
    Status.ANSWERED: {Status.IN_PROGRESS, Status.RESOLVED},
    Status.RESOLVED: {Status.IN_PROGRESS},
    Status.REJECTED: {Status.IN_PROGRESS},
    Status.DUPLICATE: set(),
}


def _place_or_refuse(lat: float, lon: float) -> Any:
    try:
        place = lookup(lat, lon)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"location": str(exc)}) from exc
    if place is None:
        raise ValidationError({"location": outside_seoul_message()})
    return place


def outside_seoul_message() -> str:
    return _(
        "This point is outside Seoul. Smart Complaint Report only takes reports "
        "within Seoul; please contact the local government of that place."
    )


def route(category: Category, district_code: str) -> tuple[Department | None, Department | None]:
    """The district office of the point, and the city-hall department of the category."""
    wanted = Q(kind=Department.Kind.DISTRICT_OFFICE, district_id=district_code)
    if category.department_code:
        wanted |= Q(code=category.department_code)
    office = department = None
    for found in Department.objects.filter(wanted):  # one query for both
        if found.kind == Department.Kind.DISTRICT_OFFICE and found.district_id == district_code:
            office = found
        else:
            department = found
    return office, department


@transaction.atomic
def report_submit(
    *,
    reporter: User | None,
    category: Category,
    lat: float,
    lon: float,
    details: str,
    address: str = "",
    anonymous: bool = False,
    uploads: list[UploadedFile[Any]] | None = None,
    attributes: dict[str, str] | None = None,
    media_url: str = "",
    contact: dict[str, str] | None = None,
    source: str = Report.Source.WEB,
    vouched: bool = False,
) -> Report:
    """Accept a citizen's report: checked, routed, deadline set, photos queued.

    ``vouched``: an API-key client (Open311) has identified the person by e-mail, which
    stands in for a signed-in reporter in categories that refuse anonymous reports."""
    if not category.active:
        raise ValidationError({"category": _("This category no longer takes reports.")})
    signed_in = reporter is not None and reporter.is_authenticated
    if not signed_in and not vouched and not category.anonymous_allowed:
        raise PermissionDenied(_("Sign in to report in this category."))
    if anonymous and not category.anonymous_allowed:
        raise ValidationError({"anonymous": _("This category does not take anonymous reports.")})
    details = (details or "").strip()
    if len(details) > DETAILS_MAX_CHARS:
        raise ValidationError(
            {"details": _("Write at most %(max)d characters.") % {"max": DETAILS_MAX_CHARS}}
        )
    place = _place_or_refuse(lat, lon)
    checked = check_uploads(list(uploads or []))
    office, department = route(category, place.district_code)
    now = timezone.now()
    report = Report.objects.create(
        category=category,
        lat=lat,
        lon=lon,
        address=address[:300],
        district_id=place.district_code,
        neighbourhood_id=place.neighbourhood_code,
        details=details,
        public_details=redact_text(details),
        attributes=attributes or {},
        media_url=media_url,
        reporter=reporter if signed_in else None,
        anonymous=anonymous or not signed_in,
        contact=contact or {},
        source=source,
        office=office,
        department=department,
        due_date=add_working_days(timezone.localdate(now), category.processing_days),
        received_at=now,
        updated_at=now,
    )
    for item in checked:
        # A fresh name: the storage does not probe for a free one when every phone sends
        # "image.jpg", and a file name never carries anything personal.
        suffix = os.path.splitext(item.upload.name or "")[1].lower()
        if not re.fullmatch(r"\.[a-z0-9]{1,5}", suffix):
            suffix = ""
        item.upload.name = uuid.uuid4().hex + suffix
    media = Media.objects.bulk_create(
        [
            Media(
                report=report,
                kind=item.kind,
                incoming=item.upload,
                content_type=item.content_type,
                size=item.size,
                duration_seconds=item.duration_seconds,
            )
            for item in checked
        ]
    )
    Event.objects.create(report=report, kind=Event.Kind.RECEIVED, status=Status.RECEIVED)
    if signed_in and reporter is not None:
        Follower.objects.create(report=report, user=reporter)
    audit_record(
        actor=reporter,
        action="complaints.report_submit",
        target=report,
        details={
            "public_id": report.public_id,
            "category": category.code,
            "district": place.district_code,
            "media": len(media),
            "source": source,
        },
    )
    if media:
        from smartseoul.complaints.tasks import media_process_many

        # Queued in the report's own transaction (the task backend is the database): the
        # worker sees the task exactly when it sees the report, a crash cannot keep one
        # without the other, and the request pays for one commit instead of two.
        media_process_many.enqueue([item.pk for item in media])
    # Last, just before the commit: the upsert locks the map cell's row, which every report
    # in the same place (and, for the city-wide grid, in the same few kilometres) waits for.
    mapcells.cell_count(report, Status.RECEIVED, 1)
    # The names come from the place index: the answer needs no query to read them back.
    report.district = District(
        code=place.district_code, name_ko=place.district_name_ko, name_en=place.district_name_en
    )
    return report


@transaction.atomic
def report_follow(*, user: User, report: Report) -> bool:
    """Follow a report (e.g. instead of sending a duplicate); True if newly followed."""
    _, created = Follower.objects.get_or_create(report=report, user=user)
    if created:
        audit_record(actor=user, action="complaints.report_follow", target=report)
    return created


@transaction.atomic
def notification_preference_set(*, user: User, channel: str) -> NotificationPreference:
    """Choose how to hear about followed reports: one of the channels in use that can reach
    the person (a mobile number in the profile for text messages and KakaoTalk)."""
    known = {c.name: c for c in notifications.channels()}
    if channel not in known:
        raise ValidationError(
            {"channel": _("Choose one of: %(names)s.") % {"names": ", ".join(known)}}
        )
    if not notifications.reaches(known[channel], user):
        raise ValidationError(
            {"channel": _("Add your mobile phone number to your profile to get messages there.")}
        )
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"channel": channel, "updated_at": timezone.now()}
    )
    audit_record(
        actor=user,
        action="complaints.notification_preference_set",
        target=preference,
        details={"channel": channel},
    )
    return preference


@transaction.atomic
def report_unfollow(*, user: User, report: Report) -> None:
    deleted, _unused = Follower.objects.filter(report=report, user=user).delete()
    if deleted:
        audit_record(actor=user, action="complaints.report_unfollow", target=report)


def require_handler(actor: User | None, report: Report) -> None:
    """``actor`` None is the system itself (demo loader, CLI), which may handle any report."""
    if actor is not None and not queries.may_handle(actor, report):
        raise PermissionDenied(_("This report is not in your office's or department's queue."))


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


def _notify_followers(report: Report, note: str) -> None:
    recipients = [f.user for f in report.followers.select_related("user")]
    # An Open311 client's reporter has no account, only the e-mail address or the phone
    # number it sent: e-mail when there is one, else a text message.
    contact_email = str((report.contact or {}).get("email", "")).strip()
    contact_phone = str((report.contact or {}).get("phone", "")).strip()
    if contact_email and any(u.email.lower() == contact_email.lower() for u in recipients):
        contact_email = contact_phone = ""
    if not recipients and not contact_email and not contact_phone:
        return
    subject, body = notifications.status_notice_text(report, note)

    def send() -> None:
        notifications.notify_people(
            report=report, recipients=recipients, subject=subject, body=body
        )
        if contact_email:
            notifications.notify_address(
                report=report, email=contact_email, subject=subject, body=body
            )
        elif contact_phone:
            notifications.notify_number(
                report=report, phone=contact_phone, subject=subject, body=body
            )

    transaction.on_commit(send)


@transaction.atomic
def report_assign(*, actor: User, report: Report, assignee: User, note: str = "") -> Report:
    report = _locked(report)
    require_handler(actor, report)
    if not queries.colleagues(report).filter(pk=assignee.pk).exists():
        raise ValidationError(
            {"assignee": _("Assign to an official of the report's office or department.")}
        )
    report.assignee = assignee
    if report.status == Status.RECEIVED:
        report.status = Status.ASSIGNED
        mapcells.status_moved(report, Status.RECEIVED, Status.ASSIGNED)
    report.updated_at = timezone.now()
    report.save(update_fields=["assignee", "status", "updated_at"])
    Event.objects.create(
        report=report, kind=Event.Kind.ASSIGNED, status=report.status, actor=actor,
        internal_note=note,
    )  # fmt: skip
    audit_record(
        actor=actor,
        action="complaints.report_assign",
        target=report,
        details={"assignee": assignee.pk},
    )
    return report


@transaction.atomic
def report_transfer(
    *, actor: User, report: Report, to_department: Department, reason: str
) -> Report:
    """Hand a report to another district office or city-hall department, with a reason."""
    report = _locked(report)
    require_handler(actor, report)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is transferred.")})
    if to_department.kind == Department.Kind.DISTRICT_OFFICE:
        previous, report.office = report.office, to_department
    else:
        previous, report.department = report.department, to_department
    if previous == to_department:
        raise ValidationError({"to_department": _("The report is already there.")})
    report.assignee = None
    if report.status == Status.ASSIGNED:
        report.status = Status.RECEIVED
        mapcells.status_moved(report, Status.ASSIGNED, Status.RECEIVED)
    report.updated_at = timezone.now()
    report.save(update_fields=["office", "department", "assignee", "status", "updated_at"])
    Event.objects.create(
        report=report,
        kind=Event.Kind.TRANSFERRED,
        status=report.status,
        actor=actor,
        from_department=previous,
        to_department=to_department,
        public_note=_("Transferred to %(department)s.") % {"department": to_department.name_ko},
        internal_note=reason.strip(),
    )
    audit_record(
        actor=actor,
        action="complaints.report_transfer",
        target=report,
        details={"from": previous.code if previous else None, "to": to_department.code},
    )
    return report


@transaction.atomic
def report_status_change(
    *,
    actor: User | None,
    report: Report,
    status: str,
    public_note: str,
    duplicate_of: Report | None = None,
) -> Report:
    """Move a report on, with the public note the citizen reads; duplicates are merged."""
    report = _locked(report)
    require_handler(actor, report)
    if status not in _NEXT.get(report.status, set()):
        raise ValidationError(
            {
                "status": _("A report that is %(old)s cannot become %(new)s.")
                % {"old": report.get_status_display(), "new": Status(status).label}
            }
        )
    public_note = public_note.strip()
    if not public_note:
        raise ValidationError({"public_note": _("Write a note for the citizen.")})
    if status == Status.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == report.pk:
            raise ValidationError({"duplicate_of": _("Name the report this one duplicates.")})
        if duplicate_of.status == Status.DUPLICATE:
            raise ValidationError(
                {"duplicate_of": _("Merge into the original report, not into a duplicate.")}
            )
        _merge_followers(report, duplicate_of)
        report.duplicate_of = duplicate_of
        Event.objects.create(
            report=duplicate_of,
            kind=Event.Kind.MERGED,
            status=duplicate_of.status,
            actor=actor,
            public_note=_("Report %(id)s was merged into this one.") % {"id": report.public_id},
        )
    mapcells.status_moved(report, report.status, status)
    report.status = status
    now = timezone.now()
    report.updated_at = now
    report.closed_at = now if status in Report.CLOSED_STATUSES else None
    report.save(update_fields=["status", "updated_at", "closed_at", "duplicate_of"])
    Event.objects.create(
        report=report, kind=Event.Kind.STATUS, status=status, actor=actor, public_note=public_note
    )
    audit_record(
        actor=actor,
        action="complaints.report_status_change",
        target=report,
        details={
            "status": status,
            "duplicate_of": duplicate_of.public_id if duplicate_of else None,
        },
    )
    _notify_followers(report, public_note)
    return report


def _merge_followers(duplicate: Report, original: Report) -> None:
    followed = set(original.followers.values_list("user_id", flat=True))
    Follower.objects.bulk_create(
        [
            Follower(report=original, user_id=f.user_id)
            for f in duplicate.followers.all()
            if f.user_id not in followed
        ]
    )


@transaction.atomic
def report_extend(*, actor: User, report: Report, working_days: int, reason: str) -> Report:
    report = _locked(report)
    require_handler(actor, report)
    if not 1 <= working_days <= 30:
        raise ValidationError({"working_days": _("Extend by 1 to 30 working days.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why more time is needed.")})
    if not report.is_open:
        raise ValidationError({"status": _("Only open reports can be extended.")})
    old = report.due_date
    report.due_date = add_working_days(old, working_days)
    report.escalated_at = None
    report.updated_at = timezone.now()
    report.save(update_fields=["due_date", "escalated_at", "updated_at"])
    note = _("Deadline extended to %(date)s: %(reason)s") % {
        "date": report.due_date.isoformat(),
        "reason": reason.strip(),
    }
    Event.objects.create(
        report=report, kind=Event.Kind.EXTENDED, status=report.status, actor=actor,
        public_note=note, old_due_date=old, new_due_date=report.due_date,
    )  # fmt: skip
    audit_record(
        actor=actor,
        action="complaints.report_extend",
        target=report,
        details={"from": old.isoformat(), "to": report.due_date.isoformat()},
    )
    _notify_followers(report, note)
    return report


@transaction.atomic
def report_rate(*, user: User, report: Report, stars: int, comment: str = "") -> Rating:
    """The reporter rates the answer of a closed report, once."""
    if report.reporter_id != user.pk:
        raise PermissionDenied(_("Only the person who sent the report can rate the answer."))
    if report.status not in (Status.ANSWERED, Status.RESOLVED, Status.REJECTED):
        raise ValidationError({"stars": _("Rate the answer once the report is closed.")})
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Give 1 to 5 stars.")})
    if len(comment) > 1000:
        raise ValidationError({"comment": _("Write at most 1,000 characters.")})
    if Rating.objects.filter(report=report).exists():
        raise ValidationError({"stars": _("This answer was already rated.")})
    rating = Rating.objects.create(report=report, stars=stars, comment=comment.strip())
    Event.objects.create(report=report, kind=Event.Kind.RATED, status=report.status)
    audit_record(
        actor=user, action="complaints.report_rate", target=report, details={"stars": stars}
    )
    return rating


@transaction.atomic
def report_redact(*, actor: User, report: Report, public_details: str) -> Report:
    """Replace the published text (the original stays for the officials)."""
    report = _locked(report)
    require_handler(actor, report)
    if len(public_details) > DETAILS_MAX_CHARS:
        raise ValidationError({"public_details": _("The text is too long.")})
    report.public_details = public_details.strip()
    report.save(update_fields=["public_details"])
    Event.objects.create(report=report, kind=Event.Kind.REDACTED, actor=actor)
    audit_record(actor=actor, action="complaints.report_redact", target=report)
    return report


def reports_bulk(
    *, actor: User, reports: list[Report], operation: str, **arguments: Any
) -> list[Report]:
    """Apply one operation to several reports, all or nothing."""
    operations: dict[str, Callable[..., Report]] = {
        "assign": report_assign,
        "status": report_status_change,
        "transfer": report_transfer,
        "extend": report_extend,
    }
    if operation not in operations:
        raise ValidationError({"operation": _("Unknown bulk operation.")})
    with transaction.atomic():
        return [operations[operation](actor=actor, report=r, **arguments) for r in reports]
