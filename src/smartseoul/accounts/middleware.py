from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from smartseoul.accounts.queries import user_has_totp, user_requires_mfa

# Paths an official without TOTP may still reach: the set-up itself (allauth asks for the
# password again first), signing out, the language switch, static files and operations.
_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/metrics",
)


class RequireOfficialMFAMiddleware:
    """Officials and administrators cannot use the platform until they have set up TOTP.

    allauth then asks for the TOTP code at every sign-in, so a password alone never gets an
    official in.  This is enforced here, for every request, not only in templates.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and user_requires_mfa(user)  # type: ignore[arg-type]
            and not user_has_totp(user)  # type: ignore[arg-type]
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "status": 403,
                            "code": "mfa_required",
                            "message": "Set up two-factor authentication before using this account.",  # noqa: E501
                        }
                    },
                    status=403,
                )
            messages.warning(
                request,
                _("Officials must set up two-factor authentication (TOTP) before continuing."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
