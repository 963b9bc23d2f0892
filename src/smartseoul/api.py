"""The JSON API under /api/: one NinjaAPI, one router per app, one error shape.

Every error answers ``{"error": {"status", "code", "message", "fields"?}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, django_auth
from ninja.throttling import BaseThrottle

from smartseoul.lib.ratelimit import Rate, hit

log = logging.getLogger(__name__)


def presented_api_key(request: HttpRequest) -> Any | None:
    """The valid API key sent with this request (X-API-Key or Bearer), looked up once."""
    if not hasattr(request, "_smartseoul_api_key"):
        from smartseoul.accounts.actions import api_key_authenticate

        secret = request.headers.get("X-API-Key", "")
        authorization = request.headers.get("Authorization", "")
        if not secret and authorization.lower().startswith("bearer "):
            secret = authorization[7:].strip()
        request._smartseoul_api_key = api_key_authenticate(secret) if secret else None  # type: ignore[attr-defined]
    return request._smartseoul_api_key  # type: ignore[attr-defined]


class MfaRequiredError(PermissionDenied):
    """An official's account is used before its two-factor authentication is set up."""


class ApiKeyAuth(APIKeyHeader):
    """Authenticates a request by its API key; the key's user becomes ``request.user``."""

    param_name = "X-API-Key"
    openapi_description = "An API key issued on your account page; also accepted as a Bearer token."

    def __call__(self, request: HttpRequest) -> Any | None:
        from smartseoul.accounts.queries import user_has_totp, user_requires_mfa

        key = presented_api_key(request)
        if key is None:
            return None
        # The MFA middleware ran before the key named the user: hold an official's key to
        # the same rule as their session (a key issued before they became an official).
        if user_requires_mfa(key.user) and not user_has_totp(key.user):
            raise MfaRequiredError
        request.user = key.user
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        return presented_api_key(request)


class ClientRateThrottle(BaseThrottle):
    """Per device key (at the anonymous rate), per API key (at the key rate), otherwise per
    signed-in user or client IP."""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        key = presented_api_key(request)
        # A device's own key (a sensor's ``ssk_…``) names its bucket when it authenticates:
        # many devices behind one address must not share the address's allowance.
        device_bucket = getattr(request, "rate_bucket", None)
        if isinstance(device_bucket, str):
            bucket, rate = device_bucket, Rate.parse(settings.API_RATE_ANONYMOUS)
        elif key is not None:
            bucket, rate = f"key:{key.prefix}", Rate.parse(settings.API_RATE_KEY)
        elif request.user.is_authenticated:
            bucket, rate = f"user:{request.user.pk}", Rate.parse(settings.API_RATE_KEY)
        else:
            bucket = f"ip:{self.get_ident(request)}"
            rate = Rate.parse(settings.API_RATE_ANONYMOUS)
        verdict = hit(bucket, rate)
        self.retry_after = None if verdict.allowed else verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return float(self.retry_after) if self.retry_after is not None else None


def csrf_check(request: HttpRequest) -> None:
    """Refuse a cookie-authenticated write without the CSRF token (as Django's forms do)."""
    from django.middleware.csrf import CsrfViewMiddleware

    refusal = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {})
    if refusal is not None:
        raise PermissionDenied("CSRF check failed: send the X-CSRFToken header.")


def anonymous(request: HttpRequest) -> bool:
    """Last in an ``auth`` list: lets a request through with whatever identity it has."""
    return True


api_key_auth = ApiKeyAuth()
# Endpoints that need a signed-in caller accept either an API key or the browser session.
signed_in = [api_key_auth, django_auth]
# Public endpoints whose answer depends on who asks (e.g. "may I vote here?").
identified_if_possible = [api_key_auth, django_auth, anonymous]

api = NinjaAPI(
    title="Smart Seoul API",
    version="1",
    description=(
        "The city's JSON API. Public endpoints need no key; an API key (from your account page) "
        "raises your rate limit and identifies your app. Errors always have the shape "
        '`{"error": {"status", "code", "message", "fields"}}`.'
    ),
    docs_url="/docs",
    throttle=[ClientRateThrottle()],
    urls_namespace="api",
)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(ValidationError)
def _invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        location = [
            str(part)
            for part in error.get("loc", [])
            if part not in ("query", "body", "path", "form")
        ]
        fields[".".join(location) or "request"] = str(error.get("msg", "invalid"))
    message = "; ".join(f"{name}: {text}" for name, text in fields.items())
    return error_response(request, 400, "invalid_input", message, fields)


@api.exception_handler(DjangoValidationError)
def _invalid_value(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {
            name: " ".join(str(m) for m in errs[0].messages)
            for name, errs in exc.error_dict.items()
        }
    else:
        fields = {"request": " ".join(exc.messages)}
    message = "; ".join(f"{name}: {text}" for name, text in fields.items())
    return error_response(request, 400, "invalid_input", message, fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthenticated", "Send a valid API key (X-API-Key) or sign in."
    )


@api.exception_handler(MfaRequiredError)
def _mfa_required(request: HttpRequest, exc: MfaRequiredError) -> HttpResponse:
    return error_response(
        request,
        403,
        "mfa_required",
        "Set up two-factor authentication before using this account.",
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        429: "rate_limited",
    }
    message = str(exc)
    if exc.status_code == 429:
        message = "Too many requests: slow down and retry after the Retry-After seconds."
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), message)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("Unhandled API error on %s", request.path)
    return error_response(request, 500, "server_error", "Something went wrong on our side.")


def _register_routers() -> None:
    from smartseoul.accounts.api import router as accounts_router
    from smartseoul.budgeting.api import router as budgeting_router
    from smartseoul.complaints.api import router as complaints_router
    from smartseoul.opendata.api import router as opendata_router
    from smartseoul.places.api import router as places_router
    from smartseoul.urbandata.api import router as urbandata_router
    from smartseoul.voting.api import router as voting_router
    from smartseoul.voting.manage_api import router as voting_manage_router
    from smartseoul.voting.trustee_api import router as trustee_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/places", places_router)
    api.add_router("/voting", voting_router)
    api.add_router("/voting/trustee", trustee_router)
    api.add_router("/voting/manage", voting_manage_router)
    api.add_router("/budget", budgeting_router)
    api.add_router("/complaints", complaints_router)
    api.add_router("/opendata", opendata_router)
    api.add_router("/sensors", urbandata_router)


_register_routers()
