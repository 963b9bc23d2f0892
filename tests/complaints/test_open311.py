"""Open311 GeoReport v2: every answer checked against the spec's schemas, in JSON and XML."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from smartseoul.accounts.actions import api_key_issue
from smartseoul.accounts.models import User
from smartseoul.complaints.actions import report_status_change
from smartseoul.complaints.models import Report
from tests.complaints.conftest import BUSAN, HAPJEONG, submit
from tests.complaints.schema import assert_valid

pytestmark = pytest.mark.django_db


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's answer in a test


@pytest.fixture
def api_key(citizen: User) -> str:
    return api_key_issue(user=citizen, name="open311 client")[1]


def test_discovery_and_services(client: Client) -> None:
    assert_valid(client.get("/open311/v2/discovery.json").json(), "discovery")
    services = client.get("/open311/v2/services.json").json()
    assert_valid(services, "services")
    assert {"illegal-parking", "road-damage", "street-light"} <= {
        s["service_code"] for s in services
    }
    xml = _xml(client.get("/open311/v2/services.xml").content)
    assert xml.tag == "services"
    assert len(xml.findall("service")) == len(services)
    assert xml.find("service/service_code") is not None


def test_a_service_definition_lists_its_attributes(client: Client) -> None:
    definition = client.get("/open311/v2/services/road-damage.json").json()
    assert_valid(definition, "service_definition")
    assert definition["attributes"][0]["code"] == "hazard_size"
    xml = _xml(client.get("/open311/v2/services/road-damage.xml").content)
    assert xml.tag == "service_definition"
    assert xml.findtext("attributes/attribute/values/value/key") == "small"
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404
    assert_valid(missing.json(), "errors")


def test_post_a_request_with_an_api_key(client: Client, api_key: str, departments: None) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "road-damage",
            "lat": HAPJEONG[0],
            "long": HAPJEONG[1],
            "description": "포트홀. 연락처 010-2222-3333",
            "attribute[hazard_size]": "large",
            "email": "reporter@example.com",
            "first_name": "Jiwoo",
            "media_url": "https://example.com/photo.jpg",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert_valid(body, "post_response")
    report = Report.objects.get(public_id=body[0]["service_request_id"])
    assert report.source == Report.Source.OPEN311
    assert report.office is not None
    assert report.office.code == "gu-11440"
    assert report.attributes == {"hazard_size": "large"}
    assert report.contact["email"] == "reporter@example.com"
    token = client.get(f"/open311/v2/tokens/{body[0]['token']}.json").json()
    assert_valid(token, "tokens")
    assert token[0]["service_request_id"] == report.public_id
    # The same report, from the web API too; the phone number is masked in public.
    public = client.get(f"/api/complaints/reports/{report.public_id}").json()
    assert "010-2222-3333" not in public["details"]


def test_post_refusals_use_the_spec_error_format(client: Client, api_key: str) -> None:
    cases = [
        ({"service_code": "road-damage", "lat": "37.5", "long": "127"}, 403),  # no api_key
        ({"api_key": "wrong", "service_code": "road-damage", "lat": "37.5", "long": "127"}, 403),
        ({"api_key": api_key, "service_code": "nope", "lat": "37.5", "long": "127"}, 404),
        ({"api_key": api_key, "service_code": "road-damage"}, 400),  # no location
        ({"api_key": api_key, "service_code": "road-damage", "lat": BUSAN[0],
          "long": BUSAN[1]}, 400),
        ({"api_key": api_key, "service_code": "road-damage", "lat": "x", "long": "127"}, 400),
        (
            {"api_key": api_key, "service_code": "road-damage", "lat": HAPJEONG[0],
             "long": HAPJEONG[1], "attribute[hazard_size]": "huge"},
            400,
        ),
        ({"api_key": api_key, "service_code": "road-damage", "address_string": "Nowhere"}, 400),
    ]  # fmt: skip
    for form, status in cases:
        response = client.post("/open311/v2/requests.json", form)
        assert response.status_code == status, (form, response.content)
        assert_valid(response.json(), "errors")
        assert response.json()[0]["code"] == status
    xml = client.post("/open311/v2/requests.xml", {"service_code": "road-damage"})
    assert _xml(xml.content).findtext("error/code") == "403"
    assert not Report.objects.exists()


def test_an_address_string_is_placed_by_its_neighbourhood(
    client: Client, api_key: str, departments: None
) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "street-light",
            "address_string": "서울 마포구 합정동 123",
        },
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(public_id=response.json()[0]["service_request_id"])
    assert report.neighbourhood is not None
    assert report.neighbourhood.name_ko == "합정동"


def test_get_requests_filters_pages_and_extensions(
    client: Client, citizen: User, official: User
) -> None:
    old = submit(citizen)
    Report.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=120)
    )
    parking = submit(citizen, category="illegal-parking")
    light = submit(citizen, category="street-light")
    report_status_change(
        actor=official, report=light, status=Report.Status.RESOLVED, public_note="교체 완료"
    )

    default = client.get("/open311/v2/requests.json").json()
    assert_valid(default, "service_requests")
    assert {r["service_request_id"] for r in default} == {parking.public_id, light.public_id}

    closed = client.get("/open311/v2/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [light.public_id]
    assert closed[0]["status_notes"] == "교체 완료"
    by_code = client.get("/open311/v2/requests.json?service_code=illegal-parking").json()
    assert [r["service_request_id"] for r in by_code] == [parking.public_id]
    since = (timezone.now() - datetime.timedelta(days=200)).isoformat()
    assert len(client.get("/open311/v2/requests.json", {"start_date": since}).json()) == 3
    by_id = client.get(f"/open311/v2/requests.json?service_request_id={old.public_id}").json()
    assert [r["service_request_id"] for r in by_id] == [old.public_id]

    first = client.get("/open311/v2/requests.json?page_size=1&page=1").json()
    second = client.get("/open311/v2/requests.json?page_size=1&page=2").json()
    assert len(first) == len(second) == 1
    assert first[0]["service_request_id"] != second[0]["service_request_id"]
    after = client.get("/open311/v2/requests.json", {"updated_after": timezone.now().isoformat()})
    assert after.json() == []

    extended = client.get(f"/open311/v2/requests/{light.public_id}.json?extensions=true").json()
    assert_valid(extended, "service_requests")
    assert extended[0]["extended_attributes"]["detailed_status"] == "RESOLVED"
    assert [n["summary"] for n in extended[0]["notes"]][-1] == "교체 완료"

    xml = _xml(client.get(f"/open311/v2/requests/{light.public_id}.xml").content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/status") == "closed"

    for bad in ("status=pending", "start_date=yesterday", "page_size=5000"):
        response = client.get(f"/open311/v2/requests.json?{bad}")
        assert response.status_code == 400, bad
        assert_valid(response.json(), "errors")
    assert client.get("/open311/v2/requests/R000.json").status_code == 404
    assert client.get("/open311/v2/tokens/not-a-token.json").status_code == 404


def test_the_spec_example_request_shape_is_answered(client: Client, citizen: User) -> None:
    """The spec's GET service_requests example: the same keys, in the same types."""
    submit(citizen)
    example_keys = {
        "service_request_id", "status", "status_notes", "service_name", "service_code",
        "description", "agency_responsible", "service_notice", "requested_datetime",
        "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
        "long", "media_url",
    }  # fmt: skip
    answer = client.get("/open311/v2/requests.json").json()
    assert set(answer[0]) == example_keys


def test_posts_are_limited_per_api_key(
    client: Client, api_key: str, settings: object, departments: None
) -> None:
    settings.API_RATE_KEY = "2/m"  # type: ignore[attr-defined]
    form = {"api_key": api_key, "service_code": "street-light", "lat": HAPJEONG[0],
            "long": HAPJEONG[1]}  # fmt: skip
    answers = [client.post("/open311/v2/requests.json", form).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
    assert_valid(client.post("/open311/v2/requests.json", form).json(), "errors")


def test_reads_are_limited_per_address_and_per_api_key(
    client: Client, api_key: str, settings: object, departments: None
) -> None:
    settings.API_RATE_ANONYMOUS = "2/m"  # type: ignore[attr-defined]
    settings.API_RATE_KEY = "3/m"  # type: ignore[attr-defined]
    answers = [client.get("/open311/v2/requests.json").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    refused = client.get("/open311/v2/services.xml")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert _xml(refused.content).findtext("error/code") == "429"
    refused_json = client.get("/open311/v2/discovery.json")
    assert_valid(refused_json.json(), "errors")
    assert "retry after" in refused_json.json()[0]["description"]
    # Another address still gets its own allowance; a key has its own, larger one.
    assert client.get("/open311/v2/requests.json", REMOTE_ADDR="10.0.0.9").status_code == 200
    keyed = [
        client.get(f"/open311/v2/requests.json?api_key={api_key}").status_code for _ in range(4)
    ]
    assert keyed == [200, 200, 200, 429]
