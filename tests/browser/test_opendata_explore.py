"""A citizen on a phone finds a dataset by a Korean word, then opens its chart and its map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from smartseoul.accounts.models import Department
from smartseoul.opendata.actions import (
    dataset_create,
    resource_create,
    resource_version_add,
    resource_version_load,
)
from tests.opendata.conftest import AIR_QUALITY_CSV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_by_korean_word_then_chart_and_map(
    page: Page, departments: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPENDATA_ROOT = tmp_path / "opendata"
    dataset = dataset_create(
        actor=None,
        name="air-quality-by-district",
        department=Department.objects.get(code="climate-environment"),
        title_ko="자치구별 대기오염 측정 정보",
        description_ko="서울시 자치구별 미세먼지 농도입니다.",
        category="environment",
        tags=["대기질"],
    )
    resource = resource_create(actor=None, dataset=dataset, name="측정값", format="csv")
    version = resource_version_add(
        actor=None,
        resource=resource,
        upload=ContentFile(AIR_QUALITY_CSV.encode("euc-kr")),
        filename="air.csv",
    )
    resource_version_load(version_id=version.pk)

    page.goto("/")
    page.locator('[data-service="opendata"]').click()
    page.get_by_label("데이터 검색").fill("초미세먼지")
    page.get_by_role("button", name="검색").click()
    page.get_by_role("link", name="자치구별 대기오염 측정 정보").click()
    expect(page.get_by_role("heading", name="자치구별 대기오염 측정 정보")).to_be_visible()

    page.get_by_role("link", name="차트", exact=True).first.click()
    page.get_by_label("묶을 열 (x)").select_option("등급")
    page.get_by_label("집계").select_option("avg")
    page.get_by_label("값 열 (y)").select_option("미세먼지(PM10)")
    page.get_by_role("button", name="그리기").click()
    chart = page.locator("#od-chart")
    expect(chart).to_be_visible()
    # The chart is an SVG image: it must actually load and have a size. (Polled from here:
    # the page's CSP forbids the string evaluation wait_for_function uses.)
    for _ in range(100):
        if chart.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the chart image did not load")
    expect(page.locator(".od-chart table tr", has_text="보통")).to_contain_text("46.5")

    page.get_by_role("link", name="지도", exact=True).click()
    expect(page.locator("#map-basis")).to_contain_text("자치구")
    expect(page.locator("#od-map-count")).to_have_text("4")
    expect(page.locator("#od-map path.leaflet-interactive").first).to_be_attached()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
