"""Escalation: reports still open after their deadline are reported, once per deadline, to
the department managers of their office (run hourly by the worker's schedule)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.accounts.models import User
from smartseoul.audit.actions import audit_record
from smartseoul.complaints import notifications
from smartseoul.complaints.models import Event, Report


def reports_escalate_overdue(*, on: datetime.date | None = None) -> int:
    """Tell each overdue report's department managers, once per deadline; returns how many."""
    count = 0
    today = on or timezone.localdate()
    overdue = Report.objects.filter(
        status__in=Report.OPEN_STATUSES, due_date__lt=today, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(overdue[:1000]):
        if _escalate_one(pk):
            count += 1
    return count


@transaction.atomic
def _escalate_one(pk: int) -> bool:
    report = Report.objects.select_for_update().filter(pk=pk, escalated_at__isnull=True).first()
    if report is None:
        return False
    report.escalated_at = timezone.now()
    report.save(update_fields=["escalated_at"])
    managers = list(_managers_of(report))
    Event.objects.create(
        report=report,
        kind=Event.Kind.ESCALATED,
        status=report.status,
        internal_note=", ".join(m.email for m in managers),
    )
    audit_record(
        actor=None,
        action="complaints.report_escalate",
        target=report,
        details={"due_date": report.due_date.isoformat(), "managers": [m.pk for m in managers]},
    )
    if managers:
        subject = _("Overdue report %(id)s") % {"id": report.public_id}
        body = _("Report %(id)s (%(category)s) was due on %(date)s and is still open.") % {
            "id": report.public_id,
            "category": report.category.name_ko,
            "date": report.due_date.isoformat(),
        }
        transaction.on_commit(
            lambda: notifications.notify_people(
                report=report, recipients=managers, subject=subject, body=body
            )
        )
    return True


def _managers_of(report: Report) -> QuerySet[User]:
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(
        codename="manage_department", content_type__app_label="accounts"
    )
    department = report.office_id or report.department_id
    if department is None:
        return User.objects.none()
    return (
        User.objects.filter(official_profile__department_id=department, is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
    )
