from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from smartseoul.api import api

# The admin's own login form would skip allauth's TOTP step; send it through allauth instead.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Smart Seoul"

urlpatterns = [
    path("", include("smartseoul.web.urls")),
    path("accounts/", include("smartseoul.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("voting/", include("smartseoul.voting.urls")),
    path("budget/", include("smartseoul.budgeting.urls")),
    # These apps mount standard interfaces at fixed places (/open311/v2/, /api/3/action/,
    # /openapi/ …), so they own their prefixes; they come before /api/ for CKAN's /api/3/.
    path("", include("smartseoul.complaints.urls")),
    path("", include("smartseoul.opendata.urls")),
    path("", include("smartseoul.urbandata.urls")),
    path("api/", api.urls),
    path("ledger/", include("smartseoul.ledger.urls")),
    path("admin/", admin.site.urls),
]
