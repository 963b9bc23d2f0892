"""Officials record documents and used-car inspections; anyone checks them at /ledger/verify."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import rfc8785
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smartseoul.accounts.actions import official_create
from smartseoul.accounts.models import Department, User
from smartseoul.accounts.roles import Role
from smartseoul.ledger import actions
from smartseoul.ledger.models import Entry, Record
from smartseoul.web import services
from tests.conftest import PASSWORD, totp_activate

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(departments: None) -> User:
    user = official_create(
        actor=None,
        email="inspector@seoul.example.go.kr",
        password=PASSWORD,
        name="김도윤",
        department=Department.objects.get(code="transportation"),
        roles=[Role.RECORDS_OFFICER],
    )
    totp_activate(user)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_inspection_is_logged_as_canonical_json(inspector: User) -> None:
    record = actions.vehicle_inspection_record(
        actor=inspector,
        vehicle_number="12가 3456",
        inspection_date=datetime.date(2026, 3, 2),
        mileage_km=84210,
        findings="엔진 양호",
        inspector="김도윤",
        place="장안평 중고차시장",
    )
    data = bytes(record.entry.data)
    document = {
        "type": "vehicle_inspection",
        "version": 1,
        "vehicle_number": "12가3456",
        "inspection_date": "2026-03-02",
        "mileage_km": 84210,
        "findings": "엔진 양호",
        "inspector": "김도윤",
        "place": "장안평 중고차시장",
        "recorded_at": data.decode().split('"recorded_at":"')[1].split('"')[0],
    }
    assert data == rfc8785.dumps(document)
    assert record.entry.log.name == "records"
    assert record.lookup == "12가3456"


def test_only_officials_with_the_records_role_may_record(
    citizen: User, cityhall_official: User, official: User, inspector: User
) -> None:
    for user in (citizen, cityhall_official):
        with pytest.raises(PermissionDenied):
            actions.document_record(actor=user, title="x", sha256="a" * 64)
    # Department managers hold the permission too.
    totp_activate(official)
    assert actions.document_record(actor=official, title="x", sha256="a" * 64).kind == "document"
    totp_activate(cityhall_official)
    assert signed_in(cityhall_official).get("/ledger/record").status_code == 403
    assert Client().get("/ledger/record").status_code == 302  # to sign-in


def test_recording_an_inspection_through_the_page(inspector: User) -> None:
    client = signed_in(inspector)
    assert client.get("/ledger/record").status_code == 200
    response = client.post(
        "/ledger/record",
        {
            "kind": "vehicle_inspection",
            "car-vehicle_number": "34나5678",
            "car-inspection_date": "2026-03-03",
            "car-mileage_km": "152034",
            "car-findings": "하부 부식 경미",
            "car-inspector": "이하늘",
            "car-place": "장안평 중고차시장",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/ledger/verify?q=34")
    page = client.get(response["Location"]).content.decode()
    assert "Recorded, and the inclusion proof checks out." in page or "포함 증명" in page
    assert "하부 부식 경미" in page


def test_bad_input_is_refused_with_the_field_named(inspector: User) -> None:
    client = signed_in(inspector)
    response = client.post(
        "/ledger/record",
        {
            "kind": "vehicle_inspection",
            "car-vehicle_number": "ABC",
            "car-inspection_date": "2999-01-01",
            "car-mileage_km": "-5",
            "car-findings": "",
            "car-inspector": "이하늘",
        },
    )
    assert response.status_code == 200
    form = response.context["vehicle_form"]
    assert set(form.errors) == {"vehicle_number", "inspection_date", "mileage_km", "findings"}
    assert not Entry.objects.exists()


def test_recording_a_document_by_file(inspector: User) -> None:
    content = "2026 장안평 점검 결과".encode()
    response = signed_in(inspector).post(
        "/ledger/record",
        {
            "kind": "document",
            "doc-title": "점검 결과 공개",
            "doc-file": SimpleUploadedFile("report.txt", content),
        },
    )
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.lookup == hashlib.sha256(content).hexdigest()


def test_anyone_can_check_a_vehicle_a_file_or_a_hash(client: Client, inspector: User) -> None:
    actions.vehicle_inspection_record(
        actor=inspector,
        vehicle_number="123다4567",
        inspection_date=datetime.date(2026, 3, 5),
        mileage_km=23877,
        findings="무사고",
        inspector="김도윤",
    )
    content = b"minutes of the council meeting"
    digest = hashlib.sha256(content).hexdigest()
    document = actions.document_record(actor=inspector, title="Council minutes", sha256=digest)

    page = client.get("/ledger/verify", {"q": "123다 4567"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    results = page.context["results"]
    assert len(results) == 1
    assert results[0].verified
    assert results[0].document["mileage_km"] == 23877
    assert b"ledger-proofs" in page.content  # data for the in-browser re-check

    upload = client.post("/ledger/verify", {"file": SimpleUploadedFile("m.txt", content)})
    assert upload["Location"] == f"/ledger/verify?q={digest}"
    by_file = client.get(upload["Location"]).context["results"]
    assert [r.record for r in by_file] == [document]
    leaf = bytes(document.entry.leaf_hash).hex()
    assert [r.record for r in client.get("/ledger/verify", {"q": leaf}).context["results"]] == [
        document
    ]

    nothing = client.get("/ledger/verify", {"q": "99가9999"})
    assert nothing.context["results"] == []
    assert b'data-testid="no-record"' in nothing.content


def test_the_home_page_lists_the_public_ledger(client: Client) -> None:
    assert "ledger" in {service.slug for service in services.registered()}
    assert b'href="/ledger/verify"' in client.get("/").content
