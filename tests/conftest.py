"""Shared personas: a citizen, a district-office official, a city-hall official, an admin."""

from __future__ import annotations

import pytest
from django.test import Client

from smartseoul.accounts.actions import (
    citizen_profile_save,
    email_mark_verified,
    official_create,
    role_grant,
)
from smartseoul.accounts.models import Department, User
from smartseoul.accounts.roles import Role
from smartseoul.places.models import District
from smartseoul.web.demo import departments_load
from tests.processes import migrated_sqlite, processes, sqlite_copy  # noqa: F401 - fixtures

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def departments(db: None) -> None:
    departments_load()


@pytest.fixture
def citizen(db: None) -> User:
    user = User.objects.create_user("minjun@example.com", PASSWORD)
    email_mark_verified(user)
    citizen_profile_save(user=user, name="김민준", district=District.objects.get(code="11110"))
    return user


@pytest.fixture
def official(departments: None) -> User:
    """A district-office official with department-manager rights and TOTP set up."""
    user = official_create(
        actor=None,
        email="daeun@mapo.example.go.kr",
        password=PASSWORD,
        name="정다은",
        department=Department.objects.get(code="gu-11440"),
        position="주무관",
        roles=[Role.DEPARTMENT_MANAGER],
    )
    return user


@pytest.fixture
def cityhall_official(departments: None) -> User:
    return official_create(
        actor=None,
        email="jihun@seoul.example.go.kr",
        password=PASSWORD,
        name="한지훈",
        department=Department.objects.get(code="digital-city"),
        roles=[Role.ELECTION_ADMINISTRATOR, Role.DATA_PUBLISHER],
    )


@pytest.fixture
def admin_user(db: None) -> User:
    user = User.objects.create_superuser("admin@example.com", PASSWORD)
    email_mark_verified(user)
    role_grant(actor=None, user=user, role=Role.SYSTEM_ADMINISTRATOR)
    return user


def totp_activate(user: User) -> str:
    """Give the user a TOTP authenticator; returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def citizen_client(citizen: User) -> Client:
    client = Client()
    client.force_login(citizen)
    return client
