from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from smartseoul.accounts.models import User
from smartseoul.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def sign_up(client: Client, email: str = "seoyeon@example.com") -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "email": email,
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
            "name": "이서연",
            "district": "11680",
        },
    )
    assert response.status_code == 302, response.content.decode()


def test_sign_up_needs_a_verified_email_before_sign_in() -> None:
    client = Client()
    sign_up(client)
    user = User.objects.get(email="seoyeon@example.com")
    assert user.citizen_profile.name == "이서연"
    assert user.citizen_profile.district_id == "11680"
    assert list(user.groups.values_list("name", flat=True)) == ["citizen"]
    assert AuditEvent.objects.filter(action="citizen_profile.created", actor=user).exists()

    # Signing in before verifying sends the verification again instead of letting them in.
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "seoyeon@example.com", "password": "a-long-enough-pass"}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session

    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_form_names_the_bad_field() -> None:
    response = Client().post(
        "/accounts/signup/",
        {"email": "not-an-email", "password1": "x", "password2": "y", "name": ""},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"email", "name", "password1", "password2"} <= set(form.errors) or {
        "email",
        "name",
    } <= set(form.errors)


def test_password_reset_sends_a_link(citizen: User) -> None:
    response = Client().post("/accounts/password/reset/", {"email": citizen.email})
    assert response.status_code == 302
    assert mail.outbox
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
