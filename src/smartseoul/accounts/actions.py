"""Every write to accounts: atomic, audited, and the only way views, API and CLI change them."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from smartseoul.accounts.models import ApiKey, CitizenProfile, Department, OfficialProfile, User
from smartseoul.accounts.roles import ROLE_PERMISSIONS, Role
from smartseoul.audit.actions import audit_record
from smartseoul.places.models import District, Neighbourhood

API_KEY_PREFIX = "ssk"


def roles_sync(*, using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions roles.py lists."""
    with transaction.atomic(using=using):
        for role, labels in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.using(using).get_or_create(name=role.value)
            wanted = []
            for label in labels:
                app_label, codename = label.split(".", 1)
                wanted.append(
                    Permission.objects.using(using).get(
                        content_type__app_label=app_label, codename=codename
                    )
                )
            group.permissions.set(wanted)


def _role_group(role: Role) -> Group:
    return Group.objects.get(name=role.value)


@transaction.atomic
def citizen_profile_save(
    *,
    user: User,
    name: str,
    district: District | None = None,
    neighbourhood: Neighbourhood | None = None,
    birth_year: int | None = None,
    phone: str = "",
) -> CitizenProfile:
    """Create or update a citizen's profile and make sure they hold the citizen role."""
    profile = CitizenProfile.objects.filter(user=user).first() or CitizenProfile(user=user)
    profile.name = name.strip()
    profile.district = district or (neighbourhood.district if neighbourhood else None)
    profile.neighbourhood = neighbourhood
    profile.birth_year = birth_year
    profile.phone = phone.strip()
    profile.full_clean()
    created = profile.pk is None
    profile.save()
    user.citizen_profile = profile  # callers holding this user see the new profile at once
    user.groups.add(_role_group(Role.CITIZEN))
    audit_record(
        actor=user,
        action="citizen_profile.created" if created else "citizen_profile.updated",
        target=profile,
        details={"district": profile.district_id, "neighbourhood": profile.neighbourhood_id},
    )
    return profile


@transaction.atomic
def official_create(
    *,
    actor: User | None,
    email: str,
    password: str | None,
    name: str,
    department: Department,
    position: str = "",
    roles: list[Role] | None = None,
) -> User:
    """Create an official's account.  Officials get admin-site access (what they can do there
    is limited by their roles) and must set up two-factor authentication at first sign-in."""
    if actor is not None and not actor.has_perm("accounts.manage_roles"):
        raise PermissionDenied("Only a system administrator can create official accounts.")
    user = User.objects.create_user(email, password, is_staff=True)
    email_mark_verified(user)
    OfficialProfile.objects.create(user=user, name=name, department=department, position=position)
    granted = sorted({Role.OFFICIAL, *(roles or [])})
    user.groups.add(*[_role_group(role) for role in granted])
    audit_record(
        actor=actor,
        action="official.created",
        target=user,
        details={"department": department.code, "roles": [str(role) for role in granted]},
    )
    return user


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: Role) -> None:
    if actor is not None and not actor.has_perm("accounts.manage_roles"):
        raise PermissionDenied("Only a system administrator can grant roles.")
    if (
        role is not Role.CITIZEN
        and not hasattr(user, "official_profile")
        and role
        not in (
            Role.ELECTION_TRUSTEE,
            Role.SYSTEM_ADMINISTRATOR,
        )
    ):
        raise ValidationError(f"The {role} role is only for officials.")
    user.groups.add(_role_group(role))
    if role is Role.SYSTEM_ADMINISTRATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit_record(actor=actor, action="role.granted", target=user, details={"role": str(role)})


@transaction.atomic
def role_revoke(*, actor: User | None, user: User, role: Role) -> None:
    if actor is not None and not actor.has_perm("accounts.manage_roles"):
        raise PermissionDenied("Only a system administrator can revoke roles.")
    user.groups.remove(_role_group(role))
    audit_record(actor=actor, action="role.revoked", target=user, details={"role": str(role)})


def email_mark_verified(user: User) -> None:
    """Record the account's e-mail as verified (accounts created by the city, demo data)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@transaction.atomic
def api_key_issue(*, user: User, name: str) -> tuple[ApiKey, str]:
    """Issue a key; the plaintext is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the key a name, such as the app that will use it."})
    if len(name) > 100:
        raise ValidationError({"name": "A key name has at most 100 characters."})
    prefix = secrets.token_hex(6)
    secret = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash_key(secret))
    audit_record(actor=user, action="api_key.issued", target=key, details={"name": name})
    return key, secret


@transaction.atomic
def api_key_revoke(*, actor: User, key: ApiKey) -> ApiKey:
    if key.user_id != actor.pk and not actor.has_perm("accounts.change_apikey"):
        raise PermissionDenied("You can only revoke your own API keys.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_key.revoked", target=key, details={})
    return key


def _key_touch(pk: int, now: datetime.datetime) -> None:
    """Note when a key was last used.  A timestamp lost in a crash harms no one, so on
    PostgreSQL this commit does not wait for the disk (most keyed requests make it)."""
    # Only as a transaction of its own: SET LOCAL inside a caller's transaction would make
    # the caller's commit asynchronous too.
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        ApiKey.objects.filter(pk=pk).update(last_used_at=now)


def api_key_authenticate(secret: str) -> ApiKey | None:
    """The active key matching a presented secret, or None.  Constant-time comparison."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    # The citizen profile comes along: nearly every keyed request (casting, reporting) asks.
    key = (
        ApiKey.objects.select_related("user", "user__citizen_profile", "user__official_profile")
        .filter(prefix=parts[1])
        .first()
    )
    if key is None or not secrets.compare_digest(key.key_hash, _hash_key(secret)):
        return None
    if not key.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a hot key must not turn every read into a write.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        _key_touch(key.pk, now)
        key.last_used_at = now
    return key
