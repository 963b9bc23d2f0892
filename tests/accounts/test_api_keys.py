from __future__ import annotations

import pytest
from django.test import Client, override_settings

from smartseoul.accounts.actions import api_key_issue
from smartseoul.accounts.models import ApiKey, User
from smartseoul.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_key_identifies_its_owner_and_is_stored_hashed(citizen: User) -> None:
    key, secret = api_key_issue(user=citizen, name="bus-stop app")
    stored = ApiKey.objects.get(pk=key.pk)
    assert secret not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64

    response = Client().get("/api/accounts/me", HTTP_X_API_KEY=secret)
    assert response.status_code == 200
    assert response.json()["email"] == citizen.email
    assert response.json()["roles"] == ["citizen"]
    bearer = Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.status_code == 200


def test_a_wrong_or_revoked_key_is_refused(citizen_client: Client, citizen: User) -> None:
    created = citizen_client.post(
        "/api/accounts/keys", {"name": "dashboard"}, content_type="application/json"
    )
    assert created.status_code == 201
    secret, prefix = created.json()["key"], created.json()["prefix"]
    assert Client().get("/api/accounts/me", HTTP_X_API_KEY=secret).status_code == 200

    tampered = secret[:-3] + ("aaa" if not secret.endswith("aaa") else "bbb")
    refused = Client().get("/api/accounts/me", HTTP_X_API_KEY=tampered)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"

    assert citizen_client.delete(f"/api/accounts/keys/{prefix}").status_code == 200
    assert Client().get("/api/accounts/me", HTTP_X_API_KEY=secret).status_code == 401
    assert AuditEvent.objects.filter(action="api_key.revoked", actor=citizen).exists()


def test_nobody_revokes_someone_elses_key(citizen: User, admin_user: User) -> None:
    key, _ = api_key_issue(user=admin_user, name="ops")
    client = Client()
    client.force_login(citizen)
    response = client.delete(f"/api/accounts/keys/{key.prefix}")
    assert response.status_code == 404
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_an_empty_key_name_is_a_clear_400(citizen_client: Client) -> None:
    response = citizen_client.post(
        "/api/accounts/keys", {"name": "  "}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "name": "Give the key a name, such as the app that will use it."
    }


@override_settings(API_RATE_KEY="3/m")
def test_each_key_has_its_own_rate_limit(citizen: User) -> None:
    from django.core.cache import cache

    cache.clear()
    _, first = api_key_issue(user=citizen, name="one")
    _, second = api_key_issue(user=citizen, name="two")
    codes = [Client().get("/api/accounts/me", HTTP_X_API_KEY=first).status_code for _ in range(4)]
    assert codes[-1] == 429, codes
    limited = Client().get("/api/accounts/me", HTTP_X_API_KEY=first)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    assert Client().get("/api/accounts/me", HTTP_X_API_KEY=second).status_code == 200


def test_the_key_page_shows_a_new_key_once(citizen_client: Client) -> None:
    page = citizen_client.post("/accounts/api-keys/", {"name": "my app"})
    assert page.status_code == 200
    secret = page.context["new_secret"]
    assert secret.startswith("ssk_")
    again = citizen_client.get("/accounts/api-keys/")
    assert secret not in again.content.decode()
    assert "my app" in again.content.decode()
