from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_is_korean_by_default_and_english_on_request() -> None:
    client = Client()
    korean = client.get("/")
    assert korean.status_code == 200
    assert '<html lang="ko">' in korean.content.decode()
    assert "스마트 서울" in korean.content.decode()

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert "Sign up" in english


def test_pages_send_security_headers() -> None:
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_healthz_checks_the_database() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_metrics_count_requests() -> None:
    client = Client()
    client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert 'smartseoul_http_requests_total{method="GET",route="healthz",status="200"}' in body


def test_api_docs_and_schema_are_served() -> None:
    client = Client()
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/places/lookup" in schema["paths"]
    assert "/api/accounts/me" in schema["paths"]


def test_unknown_api_paths_use_the_error_shape() -> None:
    response = Client().get("/api/accounts/me")
    assert response.status_code == 401
    assert set(response.json()["error"]) >= {"status", "code", "message"}


def test_static_assets_are_served_without_collectstatic() -> None:
    response = Client().get("/static/vendor/htmx-2.0.11/htmx.min.js")
    assert response.status_code == 200
