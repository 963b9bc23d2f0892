"""The public city dashboard on a phone updates by itself when a sensor report arrives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.models import Sensor
from smartseoul.urbandata.payloads import Incoming
from tests.urbandata.conftest import _fresh_sensor_cache, sdot_model, sensors  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_updates_live_when_a_report_arrives(
    page: Page,
    sensors: dict[str, Sensor],  # noqa: F811
) -> None:
    page.goto("/city/")
    mapo = page.locator('#district-table tr[data-code="11440"]')
    expect(mapo.locator('[data-field="pm10"]')).to_have_text("–")
    expect(page.locator("#live-status")).to_have_text("● 실시간")

    reports_store(
        incoming=[
            Incoming(
                "SDOT-MAPO-1", timezone.now() - timedelta(minutes=1), {"pm10": 172.0, "pm25": 40.0}
            )
        ],
        rejected=[],
        source="mqtt",
    )

    # No reload: the stream brings the new hour's average and the grade.
    expect(mapo.locator('[data-field="pm10"]')).to_have_text("172")
    expect(mapo.locator('[data-field="grade"]')).to_have_text("매우나쁨")
    expect(page.locator("path.district-shape.grade-very_bad")).to_have_count(1)

    # Leave the page and let the server's stream notice (its next keep-alive fails) while
    # this test's database is still open to it.
    page.goto("about:blank")
    page.wait_for_timeout(2500)
