"""The CKAN envelope over plain HTTP: GET parameters, records formats, errors and codes."""

from __future__ import annotations

import json

from django.test import Client, override_settings

from smartseoul.opendata.models import Resource


def test_get_and_post_return_the_same_envelope(client: Client, air_resource: Resource) -> None:
    by_get = client.get("/api/3/action/package_show", {"id": "air-quality-by-district"}).json()
    by_post = client.post(
        "/api/action/package_show",
        json.dumps({"id": "air-quality-by-district"}),
        content_type="application/json",
    ).json()
    assert by_get["success"] is True
    assert by_get["help"].endswith("help_show?name=package_show")
    assert by_get["result"]["name"] == by_post["result"]["name"] == "air-quality-by-district"


def test_datastore_search_records_formats_distinct_and_q(
    client: Client, air_resource: Resource
) -> None:
    url = "/api/3/action/datastore_search"
    base = {"resource_id": str(air_resource.pk)}
    lists = client.get(
        url, {**base, "records_format": "lists", "fields": "자치구,등급", "sort": "자치구"}
    ).json()["result"]
    assert lists["records"][0] == ["마포구", "보통"]
    csv_text = client.get(
        url, {**base, "records_format": "csv", "fields": "자치구", "sort": "자치구", "limit": 2}
    ).json()["result"]["records"]
    assert csv_text.splitlines() == ["마포구", "송파구"]
    distinct = client.get(
        url, {**base, "fields": "등급", "distinct": "true", "sort": "등급"}
    ).json()["result"]
    assert [r["등급"] for r in distinct["records"]] == ["보통", "좋음"]
    assert distinct["total"] == 2
    searched = client.get(url, {**base, "q": "마포"}).json()["result"]
    assert searched["total"] == 1
    by_column = client.get(url, {**base, "q": json.dumps({"등급": "좋"})}).json()["result"]
    assert by_column["total"] == 2
    listed = client.get(
        url,
        {**base, "filters": json.dumps({"자치구": ["중구", "종로구"]}), "include_total": "false"},
    ).json()["result"]
    assert "total" not in listed
    assert len(listed["records"]) == 2


def test_errors_have_ckan_types_and_status_codes(client: Client, air_resource: Resource) -> None:
    unknown = client.get("/api/3/action/package_explode")
    assert unknown.status_code == 400
    assert unknown.json()["success"] is False
    missing = client.get(
        "/api/3/action/resource_show", {"id": "00000000-0000-0000-0000-000000000000"}
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["__type"] == "Not Found Error"
    bad = client.get(
        "/api/3/action/datastore_search", {"resource_id": str(air_resource.pk), "limit": "many"}
    )
    assert bad.status_code == 409
    assert bad.json()["error"] == {"__type": "Validation Error", "limit": ["Invalid integer"]}
    broken = client.post(
        "/api/3/action/package_search", "{not json", content_type="application/json"
    )
    assert broken.status_code == 400


def test_package_search_caps_rows_and_pages(client: Client, air_resource: Resource) -> None:
    answer = client.get("/api/3/action/package_search", {"rows": 5000, "start": 1}).json()
    assert answer["result"]["count"] == 1
    assert answer["result"]["results"] == []


@override_settings(API_RATE_ANONYMOUS="2/m")
def test_anonymous_callers_are_rate_limited(client: Client, air_resource: Resource) -> None:
    answers = [client.get("/api/3/action/status_show") for _ in range(3)]
    assert answers[-1].status_code == 429
    assert answers[-1].json()["success"] is False
    assert int(answers[-1]["Retry-After"]) >= 1
