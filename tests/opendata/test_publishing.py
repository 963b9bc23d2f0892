"""Publishers create and update datasets through pages and the JSON API; all of it audited."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smartseoul.accounts.actions import api_key_issue
from smartseoul.accounts.models import User
from smartseoul.audit.models import AuditEvent
from smartseoul.opendata.actions import dataset_update
from smartseoul.opendata.models import Dataset, ResourceVersion
from smartseoul.opendata.query import TableQuery, table_search
from tests.conftest import totp_activate


def _signed_in(user: User) -> Client:
    client = Client()
    totp_activate(user)
    client.force_login(user)
    return client


def test_publisher_creates_a_dataset_and_uploads_a_file_through_pages(
    publisher: User, django_capture_on_commit_callbacks: object
) -> None:
    client = _signed_in(publisher)
    response = client.post(
        "/data/publish/",
        {
            "name": "mapo-parking",
            "title_ko": "마포구 거주자 우선 주차구역",
            "category": "transport",
            "tags": "주차, 마포구",
            "licence": "KOGL-1",
            "frequency": "monthly",
        },
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get(name="mapo-parking")
    assert dataset.tags == ["주차", "마포구"]
    upload = SimpleUploadedFile("p.csv", "구역,면수\nA,10\nB,x\n".encode("cp949"))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            "/data/dataset/mapo-parking/resources/new/",
            {"name": "주차구역", "format": "csv", "file": upload},
        )
    assert response.status_code == 302
    version = ResourceVersion.objects.get(resource__dataset=dataset)
    assert version.status == ResourceVersion.Status.READY
    assert version.encoding == "cp949"
    status = client.get(f"/data/resource/{version.resource_id}/v1/status/").content.decode()
    assert "2" in status
    assert AuditEvent.objects.filter(action="opendata.dataset_create").count() == 1
    assert AuditEvent.objects.filter(action="opendata.resource_create").count() == 1


def test_citizens_and_other_departments_cannot_publish(
    citizen: User, air_dataset: Dataset, official: User
) -> None:
    citizen_client = Client()
    citizen_client.force_login(citizen)
    assert citizen_client.get("/data/publish/").status_code == 403
    with pytest.raises(PermissionDenied):
        dataset_update(actor=citizen, dataset=air_dataset, title_ko="바꿈")
    with pytest.raises(PermissionDenied):
        dataset_update(actor=official, dataset=air_dataset, title_ko="바꿈")


def test_json_api_creates_updates_and_uploads_with_an_api_key(
    publisher: User, django_capture_on_commit_callbacks: object
) -> None:
    totp_activate(publisher)
    _key, secret = api_key_issue(user=publisher, name="etl")
    client = Client(headers={"X-API-Key": secret})
    created = client.post(
        "/api/opendata/datasets",
        json.dumps({"name": "mapo-trees", "title_ko": "마포구 가로수", "category": "environment"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["department"] == "gu-11440"
    bad = client.post(
        "/api/opendata/datasets",
        json.dumps({"name": "x y", "title_ko": "", "category": "nope"}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) >= {"name"}
    patched = client.patch(
        "/api/opendata/datasets/mapo-trees",
        json.dumps({"title_en": "Street trees in Mapo", "tags": ["가로수"]}),
        content_type="application/json",
    )
    assert patched.json()["title_en"] == "Street trees in Mapo"
    resource = client.post(
        "/api/opendata/datasets/mapo-trees/resources",
        json.dumps({"name": "가로수 목록", "format": "csv", "service_name": "MapoTrees"}),
        content_type="application/json",
    ).json()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        uploaded = client.post(
            f"/api/opendata/resources/{resource['id']}/versions",
            {"file": SimpleUploadedFile("t.csv", "수종,그루\n은행나무,120\n".encode())},
        )
    assert uploaded.status_code == 202
    status = client.get(f"/api/opendata/resources/{resource['id']}/versions/1").json()
    assert status["status"] == "ready"
    assert status["columns"] == [
        {"name": "수종", "type": "VARCHAR"},
        {"name": "그루", "type": "BIGINT"},
    ]
    anonymous = Client().post(
        "/api/opendata/datasets", json.dumps({}), content_type="application/json"
    )
    assert anonymous.status_code == 401


def test_columns_kept_as_text_stay_text(
    publisher: User, django_capture_on_commit_callbacks: object
) -> None:
    # Type inference reads a district code (11440) or a time written as digits
    # (202611221400) as a number; the publisher names such columns when adding the resource.
    client = _signed_in(publisher)
    client.post(
        "/data/publish/",
        {
            "name": "post-offices",
            "title_ko": "우체국",
            "category": "administration",
            "licence": "KOGL-1",
            "frequency": "monthly",
        },
    )
    upload = SimpleUploadedFile(
        "post.csv",
        "자치구코드,측정시각,창구\n11440,202611221400,4\n11110,202611221500,2\n".encode(),
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            "/data/dataset/post-offices/resources/new/",
            {
                "name": "우체국",
                "format": "csv",
                "file": upload,
                "text_columns": "자치구코드, 측정시각",
            },
        )
    assert response.status_code == 302
    version = ResourceVersion.objects.get(resource__dataset__name="post-offices")
    assert version.status == ResourceVersion.Status.READY
    types = {column["name"]: column["type"] for column in version.schema}
    assert types == {"자치구코드": "VARCHAR", "측정시각": "VARCHAR", "창구": "BIGINT"}
    result = table_search(version, TableQuery(sort=[("_id", False)]))
    assert [list(row) for row in result.records] == [
        ["11440", "202611221400", 4],
        ["11110", "202611221500", 2],
    ]
    # A later version without one of the columns still loads.
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(
            f"/data/resource/{version.resource_id}/upload/",
            {"file": SimpleUploadedFile("post.csv", "자치구코드,창구\n11440,5\n".encode())},
        )
    newer = ResourceVersion.objects.get(resource=version.resource, number=2)
    assert newer.status == ResourceVersion.Status.READY
    assert list(table_search(newer, TableQuery()).records[0]) == ["11440", 5]
