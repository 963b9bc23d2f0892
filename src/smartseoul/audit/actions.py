from __future__ import annotations

from typing import Any

from django.db import models

from smartseoul.audit.models import AuditEvent
from smartseoul.lib import request_context


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event; call it inside the write action's own transaction.

    ``actor`` is a user or None for the system (CLI, background task, anonymous visitor).
    The client IP and request id come from the current request, when there is one.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user is not None else "system",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        details=details or {},
        ip=request_context.client_ip(),
        request_id=request_context.request_id() or "",
    )
