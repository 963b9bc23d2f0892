"""Alert lifecycle writes: open → acknowledged → resolved, with assignee, action and history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartseoul.accounts.models import Department, User
from smartseoul.audit.actions import audit_record
from smartseoul.urbandata.models import Alert, AlertEvent, AlertRule, Sensor


def may_handle_alert(user: Any, alert: Alert) -> bool:
    """Sensor operators handle every alert; a district office's officials handle theirs."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_perm("accounts.operate_sensors"):
        return True
    profile = getattr(user, "official_profile", None)
    return (
        profile is not None
        and user.has_perm("accounts.access_official_portal")
        and alert.department_id is not None
        and profile.department_id == alert.department_id
    )


def alert_open(
    *, rule: AlertRule, district: str, subject: str, value: float, now: datetime
) -> Alert:
    with transaction.atomic():
        department = Department.objects.filter(district_id=district).first()
        alert = Alert.objects.create(
            rule=rule,
            district_id=district,
            subject=subject,
            sensor=Sensor.objects.filter(serial=subject).first() if subject else None,
            department=department,
            severity=rule.severity,
            opened_at=now,
            value=value,
            message=f"{rule.kind} {rule.severity}: {value:.1f} (threshold {rule.threshold:g})",
        )
        AlertEvent.objects.create(alert=alert, at=now, event="opened", note=alert.message)
        audit_record(
            actor=None,
            action="urbandata.alert_open",
            target=alert,
            details={"rule": rule.pk, "district": district, "subject": subject, "value": value},
        )
        if not subject:
            # District-wide alerts are e-mailed; one sensor's silence is shown on the
            # dashboard and API only (a network outage would otherwise send thousands).
            transaction.on_commit(lambda: _notify_department(alert.pk))
    return alert


def _notify_department(alert_id: int) -> None:
    """E-mail the district office's officials (queued: sent by the worker)."""
    alert = Alert.objects.select_related("rule", "district", "department").get(pk=alert_id)
    if alert.department is None:
        return
    recipients = list(
        User.objects.filter(
            official_profile__department=alert.department, is_active=True
        ).values_list("email", flat=True)
    )
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Sensor alert] %(kind)s %(severity)s in %(district)s") % {
            "kind": alert.rule.get_kind_display(),
            "severity": alert.get_severity_display(),
            "district": alert.district.name,
        }
        body = _(
            "%(kind)s (%(severity)s) in %(district)s since %(opened)s: measured %(value).1f, "
            "threshold %(threshold)g.\n\nAcknowledge and record the action taken on the city "
            "dashboard: %(url)s"
        ) % {
            "kind": alert.rule.get_kind_display(),
            "severity": alert.get_severity_display(),
            "district": alert.district.name,
            "opened": timezone.localtime(alert.opened_at).strftime("%Y-%m-%d %H:%M"),
            "value": alert.value,
            "threshold": alert.rule.threshold,
            "url": f"{settings.SITE_URL}/city/alerts/{alert.pk}/",
        }
    send_mail(subject, body, None, recipients)


def alert_resolve_automatically(*, alert: Alert, value: float, now: datetime) -> Alert:
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        alert.status = Alert.Status.RESOLVED
        alert.resolved_at = now
        alert.save(update_fields=["status", "resolved_at"])
        AlertEvent.objects.create(
            alert=alert, at=now, event="resolved", note=f"condition ended: {value:.1f}"
        )
        audit_record(
            actor=None, action="urbandata.alert_resolve", target=alert, details={"value": value}
        )
    return alert


def _handled(actor: Any, alert: Alert) -> Alert:
    if not may_handle_alert(actor, alert):
        raise PermissionDenied(_("You may not handle this alert."))
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.status == Alert.Status.RESOLVED:
        raise ValidationError({"status": _("This alert is already resolved.")})
    return locked


def alert_acknowledge(*, actor: User, alert: Alert, note: str = "") -> Alert:
    with transaction.atomic():
        alert = _handled(actor, alert)
        if alert.status == Alert.Status.OPEN:
            alert.status = Alert.Status.ACKNOWLEDGED
            if alert.assignee_id is None:
                alert.assignee = actor
            alert.save(update_fields=["status", "assignee"])
        AlertEvent.objects.create(
            alert=alert, at=timezone.now(), actor=actor, event="acknowledged", note=note
        )
        audit_record(actor=actor, action="urbandata.alert_acknowledge", target=alert)
    return alert


def alert_assign(*, actor: User, alert: Alert, assignee: User) -> Alert:
    with transaction.atomic():
        alert = _handled(actor, alert)
        if not may_handle_alert(assignee, alert):
            raise ValidationError({"assignee": _("That person may not handle this alert.")})
        alert.assignee = assignee
        alert.save(update_fields=["assignee"])
        AlertEvent.objects.create(
            alert=alert, at=timezone.now(), actor=actor, event="assigned", note=assignee.email
        )
        audit_record(
            actor=actor,
            action="urbandata.alert_assign",
            target=alert,
            details={"assignee": assignee.pk},
        )
    return alert


def alert_record_action(*, actor: User, alert: Alert, action_taken: str) -> Alert:
    """Link the alert to what was done (e.g. "heating wires on 마포대로 switched on")."""
    action_taken = action_taken.strip()
    if not action_taken:
        raise ValidationError({"action_taken": _("Describe the action taken.")})
    with transaction.atomic():
        alert = _handled(actor, alert)
        alert.action_taken = "\n".join(filter(None, [alert.action_taken, action_taken]))
        alert.save(update_fields=["action_taken"])
        AlertEvent.objects.create(
            alert=alert, at=timezone.now(), actor=actor, event="action", note=action_taken
        )
        audit_record(
            actor=actor,
            action="urbandata.alert_record_action",
            target=alert,
            details={"action_taken": action_taken},
        )
    return alert


def alert_resolve(*, actor: User, alert: Alert, note: str = "") -> Alert:
    with transaction.atomic():
        alert = _handled(actor, alert)
        alert.status = Alert.Status.RESOLVED
        alert.resolved_at = timezone.now()
        alert.save(update_fields=["status", "resolved_at"])
        AlertEvent.objects.create(
            alert=alert, at=alert.resolved_at, actor=actor, event="resolved", note=note
        )
        audit_record(actor=actor, action="urbandata.alert_resolve", target=alert)
    return alert
