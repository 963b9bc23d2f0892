"""Seoul Open API: envelope, 1-based inclusive paging, positional filters, codes, XML, xls."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook

from smartseoul.accounts.models import User
from smartseoul.opendata.actions import openapi_key_issue, openapi_key_revoke
from smartseoul.opendata.models import Resource
from smartseoul.opendata.queries import usage_totals


@pytest.fixture
def key(citizen: User) -> str:
    return openapi_key_issue(user=citizen, purpose="미세먼지 알림 앱")[1]


def test_json_page_is_one_based_and_inclusive(
    client: Client, key: str, air_resource: Resource
) -> None:
    body = client.get(f"/openapi/{key}/json/DistrictAirQuality/2/3/").json()
    service = body["DistrictAirQuality"]
    assert service["list_total_count"] == 4
    assert service["RESULT"] == {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다"}
    assert [row["자치구"] for row in service["row"]] == ["중구", "마포구"]
    assert service["row"][0]["측정일"] == "2026-11-01"
    assert usage_totals(air_resource.dataset)["api_calls"] == 1


def test_positional_parameter_filters_the_declared_column(
    client: Client, key: str, air_resource: Resource
) -> None:
    body = client.get(f"/openapi/{key}/json/DistrictAirQuality/1/5/마포구").json()
    rows = body["DistrictAirQuality"]["row"]
    assert [row["자치구"] for row in rows] == ["마포구"]
    empty = client.get(f"/openapi/{key}/json/DistrictAirQuality/1/5/강서구").json()
    assert empty == {"RESULT": {"CODE": "INFO-200", "MESSAGE": "해당하는 데이터가 없습니다."}}


RESULT_CODES = [
    ("{key}/json/DistrictAirQuality/1/1001", "ERROR-336"),
    ("{key}/json/DistrictAirQuality/5/2", "ERROR-334"),
    ("{key}/json/DistrictAirQuality/a/2", "ERROR-333"),
    ("{key}/json/DistrictAirQuality/0/2", "ERROR-331"),
    ("{key}/json/NoSuchService/1/5", "ERROR-310"),
    ("{key}/csv/DistrictAirQuality/1/5", "ERROR-301"),
    ("{key}/json/DistrictAirQuality/1", "ERROR-300"),
    ("0123456789abcdef0123456789abcdef01234567/json/DistrictAirQuality/1/5", "INFO-100"),
    ("sample/json/DistrictAirQuality/1/6", "ERROR-335"),
    ("{key}/json/DistrictAirQuality/10/20", "INFO-200"),
]


def test_result_codes(client: Client, key: str, air_resource: Resource) -> None:
    for path, code in RESULT_CODES:
        response = client.get("/openapi/" + path.format(key=key))
        assert response.status_code == 200
        assert response.json()["RESULT"]["CODE"] == code, path


def test_sample_key_and_revoked_key(client: Client, citizen: User, air_resource: Resource) -> None:
    sample = client.get("/openapi/sample/json/DistrictAirQuality/1/5/").json()
    assert len(sample["DistrictAirQuality"]["row"]) == 4
    key, secret = openapi_key_issue(user=citizen, purpose="test")
    openapi_key_revoke(actor=citizen, key=key)
    revoked = client.get(f"/openapi/{secret}/json/DistrictAirQuality/1/5/").json()
    assert revoked["RESULT"]["CODE"] == "INFO-100"


def test_xml_envelope_and_error(client: Client, key: str, air_resource: Resource) -> None:
    response = client.get(f"/openapi/{key}/xml/DistrictAirQuality/1/2/")
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's answer
    assert root.tag == "DistrictAirQuality"
    assert root.findtext("list_total_count") == "4"
    assert root.findtext("RESULT/CODE") == "INFO-000"
    rows = root.findall("row")
    assert len(rows) == 2
    assert rows[0].findtext("자치구") == "종로구"
    # "미세먼지(PM10)" is not a valid XML name; its element keeps the readable part.
    assert rows[0].findtext("미세먼지_PM10_") == "41"
    error = ET.fromstring(client.get(f"/openapi/{key}/xml/Nope/1/5/").content)  # noqa: S314
    assert error.tag == "RESULT"
    assert error.findtext("CODE") == "ERROR-310"


def test_xls_is_a_workbook(client: Client, key: str, air_resource: Resource) -> None:
    response = client.get(f"/openapi/{key}/xls/DistrictAirQuality/1/5/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["A1"].value == "자치구"
    assert sheet.max_row == 5


@override_settings(OPENDATA_KEY_DAILY_QUOTA=2)
def test_daily_quota(client: Client, citizen: User, air_resource: Resource) -> None:
    secret = openapi_key_issue(user=citizen, purpose="quota")[1]
    url = f"/openapi/{secret}/json/DistrictAirQuality/1/1/"
    codes = [client.get(url).json() for _ in range(3)]
    assert "DistrictAirQuality" in codes[1]
    assert codes[2]["RESULT"]["CODE"] == "ERROR-337"


@override_settings(OPENDATA_KEY_RATE="2/m")
def test_per_minute_rate(client: Client, citizen: User, air_resource: Resource) -> None:
    secret = openapi_key_issue(user=citizen, purpose="rate")[1]
    url = f"/openapi/{secret}/json/DistrictAirQuality/1/1/"
    answers = [client.get(url) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["RESULT"]["CODE"] == "ERROR-338"
    assert int(answers[2]["Retry-After"]) > 0
