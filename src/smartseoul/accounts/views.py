from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartseoul.accounts.actions import api_key_revoke, citizen_profile_save
from smartseoul.accounts.forms import ApiKeyForm, CitizenProfileForm
from smartseoul.accounts.queries import api_keys_of, user_roles
from smartseoul.accounts.roles import ROLE_LABELS


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    citizen = getattr(user, "citizen_profile", None)
    form = CitizenProfileForm(request.POST or None, instance=citizen)
    if request.method == "POST" and form.is_valid():
        citizen_profile_save(user=user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    roles = [ROLE_LABELS[role] for role in sorted(user_roles(user))]  # type: ignore[arg-type]
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "roles": roles, "official": getattr(user, "official_profile", None)},
    )


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        new_secret = form.save(request.user)  # type: ignore[arg-type]
        form = ApiKeyForm()
    return render(
        request,
        "accounts/api_keys.html",
        {"form": form, "keys": api_keys_of(request.user), "new_secret": new_secret},  # type: ignore[arg-type]
    )


@login_required
@require_POST
def api_key_revoke_view(request: HttpRequest, prefix: str) -> HttpResponse:
    key = get_object_or_404(api_keys_of(request.user), prefix=prefix)  # type: ignore[arg-type]
    api_key_revoke(actor=request.user, key=key)  # type: ignore[arg-type]
    messages.success(request, _("The key “%(name)s” was revoked.") % {"name": key.name})
    return redirect("accounts:api_keys")
