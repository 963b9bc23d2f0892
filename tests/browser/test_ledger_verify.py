"""A citizen on a phone checks a used car and a file at /ledger/verify; the browser itself
re-verifies the inclusion proof, and a chosen file is hashed locally, never uploaded."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from smartseoul.accounts.actions import official_create
from smartseoul.accounts.models import Department
from smartseoul.accounts.roles import Role
from smartseoul.ledger import actions
from smartseoul.web.demo import departments_load
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_check_a_vehicle_and_a_file(page: Page, tmp_path: Path) -> None:
    departments_load()
    inspector = official_create(
        actor=None,
        email="inspector@seoul.example.go.kr",
        password=PASSWORD,
        name="김도윤",
        department=Department.objects.get(code="transportation"),
        roles=[Role.RECORDS_OFFICER],
    )
    for day in (2, 9):
        actions.vehicle_inspection_record(
            actor=inspector,
            vehicle_number="12가3456",
            inspection_date=datetime.date(2026, 3, day),
            mileage_km=84_000 + day,
            findings="엔진·변속기 양호",
            inspector="김도윤",
        )
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 inspection report of 12ga3456")
    actions.document_record(
        actor=inspector,
        title="Inspection report",
        sha256=hashlib.sha256(report.read_bytes()).hexdigest(),
    )

    page.goto("/")
    page.locator('a[data-service="ledger"]').click()
    page.locator("#verify-q").fill("12가 3456")
    page.locator("#verify-form button").click()
    results = page.locator(".ledger-result")
    expect(results).to_have_count(2)
    checks = page.locator('.browser-check[data-verified="yes"]')
    expect(checks).to_have_count(2)
    expect(results.first).to_contain_text("84009")

    # The file is hashed in the browser and looked up by its hash.
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method))
    page.locator("#upload-form input[type=file]").set_input_files(str(report))
    page.locator("#upload-form button").click()
    # The vehicle's two results give way to the file's one (wait for it: the page reloads).
    expect(page.locator(".ledger-result")).to_have_count(1)
    expect(page.locator(".ledger-result")).to_contain_text("Inspection report")
    expect(page.locator('.browser-check[data-verified="yes"]')).to_have_count(1)
    assert "POST" not in requests

    page.locator("#verify-q").fill("99가9999")
    page.locator("#verify-form button").click()
    expect(page.get_by_test_id("no-record")).to_be_visible()
