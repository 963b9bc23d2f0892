from __future__ import annotations

import pytest
from django.test import Client

from smartseoul.accounts.actions import role_grant
from smartseoul.accounts.models import User
from smartseoul.accounts.roles import Role
from smartseoul.audit.models import AuditEvent
from tests.conftest import totp_activate

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    totp_activate(user)
    client = Client()
    client.force_login(user)
    return client


def test_a_write_records_who_did_it_from_which_address(
    citizen_client: Client, citizen: User
) -> None:
    citizen_client.post(
        "/accounts/profile/", {"name": "김민준", "district": "11440"}, REMOTE_ADDR="203.0.113.9"
    )
    event = AuditEvent.objects.filter(action="citizen_profile.updated").get()
    assert event.actor == citizen
    assert event.ip == "203.0.113.9"
    assert event.details["district"] == "11440"
    assert event.object_type == "accounts.citizenprofile"
    assert len(event.request_id) == 32


def test_department_managers_browse_the_trail_in_the_admin(official: User) -> None:
    client = signed_in(official)
    page = client.get("/admin/audit/auditevent/")
    assert page.status_code == 200
    assert "official.created" in page.content.decode()
    # Read-only: no add form, no edits.
    assert client.get("/admin/audit/auditevent/add/").status_code == 403


def test_officials_without_the_role_cannot_see_it(cityhall_official: User) -> None:
    client = signed_in(cityhall_official)
    assert client.get("/admin/audit/auditevent/").status_code == 403


def test_only_system_administrators_grant_roles(official: User, citizen: User) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        role_grant(actor=official, user=citizen, role=Role.ELECTION_TRUSTEE)
    assert not AuditEvent.objects.filter(action="role.granted", actor=official).exists()
