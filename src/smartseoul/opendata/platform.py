"""The platform's own data as datasets: complaint statistics and sensor air quality.

Read through the other apps' public queries; each refresh adds a new version (history is
kept), so run it on a schedule (``smartseoul manage opendata_platform_refresh``); the demo
runs it once.  A source with no rows yet is skipped.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from smartseoul.accounts.models import Department
from smartseoul.opendata.actions import (
    dataset_create,
    resource_create,
    resource_version_add,
    resource_version_load,
)
from smartseoul.opendata.models import Dataset, ResourceVersion


@dataclass(frozen=True)
class PlatformSet:
    name: str
    title_ko: str
    title_en: str
    description: str
    category: str
    department: str
    tags: list[str]
    service: str
    filters: list[str]
    rows: Callable[[], list[dict[str, Any]]]
    # How often the worker publishes a new version (apps.py schedules one job per interval).
    every: datetime.timedelta = datetime.timedelta(days=1)
    # Columns published as text, as the Seoul service they imitate has them.
    text_columns: tuple[str, ...] = ()


def _complaint_rows() -> list[dict[str, Any]]:
    from smartseoul.complaints.models import Report
    from smartseoul.complaints.queries import statistics

    return [
        {
            "자치구코드": row["code"],
            "자치구": row["name_ko"],
            "접수건수": row["total"],
            "처리건수": row["closed"],
            "기한초과": row["overdue"],
            "평균처리일수": row["mean_days_to_answer"],
        }
        for row in statistics(Report.objects.all())["district"]
        if row["code"]
    ]


def _air_rows() -> list[dict[str, Any]]:
    from smartseoul.urbandata.queries import district_air_quality_hourly

    end = timezone.now()
    return district_air_quality_hourly(start=end - datetime.timedelta(days=1), end=end)


PLATFORM_SETS = [
    PlatformSet(
        "smart-complaints-by-district",
        "스마트 불편신고 자치구별 처리 현황",
        "Smart complaint reports by district",
        "시민이 스마트 불편신고로 접수한 민원의 자치구별 접수·처리 건수와 평균 처리일수입니다.",
        "administration",
        "citizen-communication",
        ["민원", "불편신고", "처리현황"],
        "SmartComplaintStats",
        ["자치구"],
        _complaint_rows,
    ),
    PlatformSet(
        "realtime-city-air-sensors",
        "서울시 권역별 실시간 대기환경 (도시데이터 센서)",
        "Hourly air quality by district (city sensors)",
        "도시데이터 센서가 측정한 자치구별 시간 평균 미세먼지·초미세먼지입니다 (최근 24시간).",
        "environment",
        "climate-environment",
        ["미세먼지", "대기질", "센서", "실시간"],
        "RealtimeCityAir",
        ["MSRSTE_NM"],
        _air_rows,
        # Seoul's RealtimeCityAir is hourly: a day-old copy would not be "real time".
        every=datetime.timedelta(hours=1),
        # Seoul sends the measurement time as text ("202611221400"), not as a number.
        text_columns=("MSRDT",),
    ),
]
INTERVALS = sorted({spec.every for spec in PLATFORM_SETS})


def platform_datasets_refresh(*, every: datetime.timedelta | None = None) -> list[ResourceVersion]:
    """Publish a new version of each platform dataset that has rows (only those refreshed
    ``every`` so often, when given); returns the versions."""
    versions = []
    for spec in PLATFORM_SETS:
        if every is not None and spec.every != every:
            continue
        rows = spec.rows()
        if not rows:
            continue
        dataset = Dataset.objects.filter(name=spec.name).first()
        if dataset is None:
            department = Department.objects.filter(code=spec.department).first()
            if department is None:
                continue
            dataset = dataset_create(
                actor=None,
                name=spec.name,
                department=department,
                title_ko=spec.title_ko,
                title_en=spec.title_en,
                description_ko=spec.description,
                category=spec.category,
                tags=spec.tags,
                frequency="daily" if spec.every >= datetime.timedelta(days=1) else "realtime",
            )
        resource = dataset.resources.first() or resource_create(
            actor=None,
            dataset=dataset,
            name=spec.title_ko,
            format="csv",
            service_name=spec.service,
            service_filters=spec.filters,
            text_columns=spec.text_columns,
        )
        if resource.text_columns != list(spec.text_columns):
            # Published before the column types were fixed: the next version gets them.
            resource.text_columns = list(spec.text_columns)
            resource.save(update_fields=["text_columns"])
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        version = resource_version_add(
            actor=None,
            resource=resource,
            upload=ContentFile(buffer.getvalue().encode()),
            filename=f"{spec.name}.csv",
        )
        versions.append(resource_version_load(version_id=version.pk))
    return versions
