"""Officials and administrators cannot get in with a password alone."""

from __future__ import annotations

import pytest
from django.test import Client

from smartseoul.accounts.models import User
from tests.conftest import PASSWORD, totp_activate, totp_code

pytestmark = pytest.mark.django_db


def password_login(client: Client, user: User) -> str:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return str(response["Location"])


def test_official_without_totp_is_held_at_the_setup_page(official: User) -> None:
    client = Client()
    password_login(client, official)
    for path in ("/", "/accounts/profile/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    # Setting TOTP up first asks for the password again, then shows the QR code.
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup["Location"].startswith("/accounts/reauthenticate/")
    client.post(setup["Location"], {"password": PASSWORD})
    assert b"authenticator_secret" in client.get("/accounts/2fa/totp/activate/").content
    api = client.get("/api/accounts/me")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "mfa_required"


def test_official_with_totp_must_enter_the_code(official: User) -> None:
    secret = totp_activate(official)
    client = Client()
    assert password_login(client, official) == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/profile/").status_code == 302  # still anonymous

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(official.pk)
    assert client.get("/accounts/profile/").status_code == 200


def test_citizens_do_not_need_totp(citizen: User) -> None:
    client = Client()
    assert password_login(client, citizen) == "/"
    assert client.get("/accounts/profile/").status_code == 200


def test_the_admin_login_goes_through_the_totp_step(admin_user: User) -> None:
    totp_activate(admin_user)
    client = Client()
    response = client.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (302, 200)
    assert client.get("/admin/").status_code == 302


def test_an_official_cannot_switch_totp_off(official: User) -> None:
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    totp_activate(official)
    authenticator = Authenticator.objects.get(user=official, type=Authenticator.Type.TOTP)
    assert get_adapter().can_delete_authenticator(authenticator) is False
