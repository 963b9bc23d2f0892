from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from smartseoul.lib import request_context
from smartseoul.web import metrics

access_log = logging.getLogger("smartseoul.access")


def client_ip(request: HttpRequest) -> str | None:
    # Behind a proxy, SecurityMiddleware does not rewrite REMOTE_ADDR; the operator's proxy
    # sets X-Forwarded-For and we trust its last hop only when told we sit behind TLS/proxy.
    from django.conf import settings

    if getattr(settings, "BEHIND_TLS", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request an id, binds its client IP for audit events, logs and counts it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        token = request_context.bind(request_context.RequestInfo(request_id, client_ip(request)))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match else "unmatched"
        metrics.REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        metrics.LATENCY.labels(route).observe(elapsed)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 2),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response
