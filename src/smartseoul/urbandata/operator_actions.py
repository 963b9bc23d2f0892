"""Sensor operators' writes: alert rules and per-sensor API keys (sensor models are saved
by ``actions.sensor_model_save``).  Each is atomic and audited; each checks that the actor
operates sensors (``actor=None`` is the system itself: demo data, migrations)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.places.models import District
from smartseoul.urbandata.models import AlertRule, Sensor, SensorKey
from smartseoul.urbandata.queries import may_operate_sensors

# A sensor key looks like ``ssk_<12 hex>_<43 url-safe>``; account keys have another prefix,
# so the two kinds never collide.
SENSOR_KEY_PREFIX = "ssk"
# Largest sensible duration per unit: 30 days of hours, 14 days, a day of minutes.
MAX_DURATION = {"hours": 720, "days": 14, "minutes": 1440}
DURATION_UNIT = {
    AlertRule.Kind.PM10: "hours",
    AlertRule.Kind.PM25: "hours",
    AlertRule.Kind.NOISE: "hours",
    AlertRule.Kind.COLD_WAVE: "days",
    AlertRule.Kind.COLD_WAVE_DROP: "days",
    AlertRule.Kind.HEAT_WAVE: "days",
    AlertRule.Kind.OFFLINE: "minutes",
}


def _require_operator(actor: Any | None) -> None:
    if actor is not None and not may_operate_sensors(actor):
        raise PermissionDenied(_("Only sensor operators may do this."))


def alert_rule_save(
    *,
    actor: Any | None,
    kind: str,
    severity: str,
    threshold: float,
    duration: int,
    district: str | None = None,
    active: bool = True,
    rule: AlertRule | None = None,
) -> AlertRule:
    """Create a rule, or change ``rule``: for every district or one, with its threshold
    and how long the condition must last (hours, days or minutes by kind)."""
    _require_operator(actor)
    if kind not in AlertRule.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of rule.")})
    if severity not in AlertRule.Severity.values:
        raise ValidationError({"severity": _("Severity is advisory or warning.")})
    unit = DURATION_UNIT[AlertRule.Kind(kind)]
    if not 1 <= duration <= MAX_DURATION[unit]:
        raise ValidationError(
            {
                "duration": _("Duration must be between 1 and %(n)d %(unit)s.")
                % {"n": MAX_DURATION[unit], "unit": unit}
            }
        )
    if kind == AlertRule.Kind.COLD_WAVE_DROP and threshold <= 0:
        raise ValidationError({"threshold": _("The fall in temperature must be above 0 °C.")})
    if kind in (AlertRule.Kind.PM10, AlertRule.Kind.PM25, AlertRule.Kind.NOISE) and threshold <= 0:
        raise ValidationError({"threshold": _("The threshold must be above 0.")})
    if district and not District.objects.filter(code=district).exists():
        raise ValidationError({"district": _("Unknown district %(d)s.") % {"d": district}})
    with transaction.atomic():
        created = rule is None
        if rule is None:
            rule = AlertRule(kind=kind)
        elif rule.kind != kind:
            # An alert's history refers to its rule: a rule keeps its kind for life.
            raise ValidationError({"kind": _("A rule's kind cannot change; add a new rule.")})
        before = {
            "severity": rule.severity,
            "threshold": rule.threshold,
            "duration": rule.duration,
            "district": rule.district_id,
            "active": rule.active,
        }
        rule.severity = severity
        rule.threshold = threshold
        rule.duration = duration
        rule.district_id = district or None
        rule.active = active
        rule.save()
        audit_record(
            actor=actor,
            action="urbandata.alert_rule_create" if created else "urbandata.alert_rule_update",
            target=rule,
            details={
                "kind": kind,
                "severity": severity,
                "threshold": threshold,
                "duration": duration,
                "district": district or None,
                "active": active,
                **({} if created else {"before": before}),
            },
        )
    return rule


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def sensor_key_issue(*, actor: Any | None, sensor: Sensor) -> tuple[SensorKey, str]:
    """A new key for one sensor; the plaintext is returned once and never stored."""
    _require_operator(actor)
    if sensor.retired_at is not None:
        raise ValidationError({"sensor": _("A retired sensor gets no new key.")})
    prefix = secrets.token_hex(6)
    secret = f"{SENSOR_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = SensorKey.objects.create(
            sensor=sensor,
            prefix=prefix,
            key_hash=_hash(secret),
            created_at=timezone.now(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="urbandata.sensor_key_issue",
            target=key,
            details={"sensor": sensor.serial, "prefix": prefix},
        )
    return key, secret


def sensor_key_revoke(*, actor: Any | None, key: SensorKey) -> SensorKey:
    _require_operator(actor)
    with transaction.atomic():
        key = SensorKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="urbandata.sensor_key_revoke",
                target=key,
                details={"sensor_id": key.sensor_id, "prefix": key.prefix},
            )
    return key


def sensor_key_authenticate(secret: str) -> SensorKey | None:
    """The active key matching a presented secret (constant-time comparison), or None."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != SENSOR_KEY_PREFIX:
        return None
    key = SensorKey.objects.select_related("sensor").filter(prefix=parts[1]).first()
    if key is None or not secrets.compare_digest(key.key_hash, _hash(secret)):
        return None
    if key.revoked_at is not None or key.sensor.retired_at is not None:
        return None
    return key
