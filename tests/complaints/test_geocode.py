"""Typed addresses: a street geocoder speaking the VWorld Geocoder API 2.0 (here a local
server answering in its format) places street addresses; district/neighbourhood names are
the fallback when it does not know the address or fails; points outside Seoul are refused."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from smartseoul.accounts.actions import api_key_issue
from smartseoul.accounts.models import User
from smartseoul.complaints.geocode import geocode
from smartseoul.complaints.models import Report

pytestmark = pytest.mark.django_db

CITY_HALL_ROAD = "서울 중구 세종대로 110"
BUSAN_ROAD = "부산 중구 중앙대로 120"

# What the registry knows, by (type, address): longitude, latitude, refined text.
ADDRESSES = {
    ("road", "서울 중구 세종대로 110"): (
        "126.978388",
        "37.566610",
        "서울특별시 중구 세종대로 110 (태평로1가)",
    ),
    ("parcel", "마포구 서교동 395-166"): (
        "126.913660",
        "37.549460",
        "서울특별시 마포구 서교동 395-166",
    ),
    ("road", "부산 중구 중앙대로 120"): ("129.036590", "35.106070", "부산광역시 중구 중앙대로 120"),
}


class VWorld:
    """``/req/address?service=address&request=getcoord`` on a local port."""

    def __init__(self) -> None:
        self.queries: list[dict[str, str]] = []
        self.broken = False
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                registry.queries.append(query)
                if registry.broken:
                    self.send_response(502)
                    self.end_headers()
                    return
                body = registry.answer(query)
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.end_headers()
                self.wfile.write(json.dumps(body, ensure_ascii=False).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/req/address"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, query: dict[str, str]) -> dict[str, Any]:
        service = {"name": "address", "version": "2.0", "operation": "getcoord", "time": "9(ms)"}
        if query.get("key") != "test-key":
            error = {"level": "1", "code": "INVALID_KEY", "text": "등록되지 않은 인증키입니다."}
            return {"response": {"service": service, "status": "ERROR", "error": error}}
        found = ADDRESSES.get((query["type"], query["address"]))
        if found is None:
            return {"response": {"service": service, "status": "NOT_FOUND"}}
        x, y, text = found
        return {
            "response": {
                "service": service,
                "status": "OK",
                "input": {"type": query["type"], "address": query["address"]},
                "refined": {"text": text, "structure": {"level1": text.split()[0]}},
                "result": {"crs": "EPSG:4326", "point": {"x": x, "y": y}},
            }
        }


@pytest.fixture
def vworld(settings: Any) -> Iterator[VWorld]:
    server = VWorld()
    settings.COMPLAINTS_GEOCODER = "smartseoul.complaints.geocode.VWorldGeocoder"
    settings.VWORLD_API_KEY = "test-key"
    settings.VWORLD_ADDRESS_URL = server.url
    yield server
    server.server.shutdown()


def test_street_and_lot_addresses_are_placed_by_the_street_geocoder(vworld: VWorld) -> None:
    city_hall = geocode("서울 중구 세종대로 110")
    assert city_hall is not None
    assert (city_hall.lat, city_hall.lon) == (37.56661, 126.978388)
    assert city_hall.label == "서울특별시 중구 세종대로 110 (태평로1가)"
    assert city_hall.precision == "address"
    assert vworld.queries[0]["crs"] == "epsg:4326"
    assert vworld.queries[0]["request"] == "getcoord"
    lot = geocode("마포구 서교동 395-166")  # not a road address: asked again as a lot
    assert lot is not None
    assert lot.precision == "address"
    assert [q["type"] for q in vworld.queries[1:]] == ["road", "parcel"]


def test_unknown_addresses_and_a_failing_service_fall_back_to_place_names(
    vworld: VWorld, settings: Any
) -> None:
    area = geocode("마포구 합정동 어딘가")
    assert area is not None
    assert area.precision == "neighbourhood"
    assert area.label == "마포구 합정동"
    vworld.broken = True  # the service fails: the district named in the address still routes
    fallback = geocode("서울 중구 세종대로 110")
    assert fallback is not None
    assert (fallback.label, fallback.precision) == ("중구", "district")
    assert geocode("세종대로 110") is None  # nothing to fall back on
    vworld.broken = False
    settings.VWORLD_API_KEY = "wrong-key"  # the service says ERROR: fall back as well
    district = geocode("강남구 테헤란로 152")
    assert district is not None
    assert district.precision == "district"


def test_the_address_search_refuses_a_point_outside_seoul(vworld: VWorld, client: Client) -> None:
    found = client.get("/api/complaints/geocode", {"address": "서울 중구 세종대로 110"})
    assert found.status_code == 200
    assert found.json()["precision"] == "address"
    busan = client.get("/api/complaints/geocode", {"address": "부산 중구 중앙대로 120"})
    assert busan.status_code == 400
    assert "서울 밖" in busan.json()["error"]["fields"]["address"]
    nothing = client.get("/api/complaints/geocode", {"address": "없는 주소 1"})
    assert nothing.status_code == 404


def test_open311_and_the_form_without_javascript_take_a_street_address(
    vworld: VWorld, client: Client, citizen: User, departments: None
) -> None:
    key = api_key_issue(user=citizen, name="open311")[1]
    posted = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "street-light",
            "address_string": "서울 중구 세종대로 110",
        },
    )
    assert posted.status_code == 201, posted.content
    report = Report.objects.get(public_id=posted.json()[0]["service_request_id"])
    assert report.district_id == "11140"  # 중구
    assert report.office is not None
    assert report.office.code == "gu-11140"
    refused = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "street-light",
            "address_string": "부산 중구 중앙대로 120",
        },
    )
    assert refused.status_code == 400
    assert "서울 밖" in refused.json()[0]["description"]
    # The no-JavaScript form: only the address typed, no point.
    client.force_login(citizen)
    sent = client.post(
        "/complaints/new/",
        {"category": "road-damage", "address": "마포구 서교동 395-166", "details": "포트홀"},
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    newest = Report.objects.order_by("-pk").first()
    assert newest is not None
    assert newest.district_id == "11440"
    assert newest.address == "마포구 서교동 395-166"
