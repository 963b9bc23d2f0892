from __future__ import annotations

from django.db.models import QuerySet

from smartseoul.accounts.models import ApiKey, Department, User
from smartseoul.accounts.roles import MFA_ROLES, Role


def user_roles(user: User) -> set[Role]:
    if not user.is_authenticated:
        return set()
    names = set(user.groups.values_list("name", flat=True))
    return {role for role in Role if role.value in names}


def user_requires_mfa(user: User) -> bool:
    """Officials, staff and administrators must use two-factor authentication."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff or hasattr(user, "official_profile"):
        return True
    return bool(user_roles(user) & MFA_ROLES)


def user_has_totp(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def api_keys_of(user: User) -> QuerySet[ApiKey]:
    """A user sees only their own keys."""
    return ApiKey.objects.filter(user=user).order_by("-created_at")


def departments() -> QuerySet[Department]:
    return Department.objects.select_related("district").all()
