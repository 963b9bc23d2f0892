"""Open Data Plaza fixtures: a publisher, a dataset, and loading files the way the worker does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from smartseoul.accounts.actions import official_create
from smartseoul.accounts.models import Department, User
from smartseoul.accounts.roles import Role
from smartseoul.opendata.actions import dataset_create, resource_create, resource_version_add
from smartseoul.opendata.models import Dataset, Resource, ResourceVersion
from tests.conftest import PASSWORD

# A small EUC-KR file with Korean headers, one bad row (line 5 has too many columns).
AIR_QUALITY_CSV = (
    "자치구,측정일,미세먼지(PM10),초미세먼지(PM2.5),등급\n"
    "종로구,2026-11-01,41,20,보통\n"
    "중구,2026-11-01,35,18,좋음\n"
    "마포구,2026-11-01,52,27,보통\n"
    "강남구,2026-11-01,60,31,나쁨,초과\n"
    "송파구,2026-11-01,28,12,좋음\n"
)


@pytest.fixture(autouse=True)
def _isolated_files(tmp_path: Path) -> Iterator[None]:
    """Uploads and Parquet files go to this test's own folder; tasks run at once."""
    with override_settings(
        MEDIA_ROOT=tmp_path / "media",
        OPENDATA_ROOT=tmp_path / "opendata",
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    ):
        yield


@pytest.fixture
def publisher(departments: None) -> User:
    """A Mapo-gu office data publisher."""
    return official_create(
        actor=None,
        email="publisher@mapo.example.go.kr",
        password=PASSWORD,
        name="오세훈",
        department=Department.objects.get(code="gu-11440"),
        roles=[Role.DATA_PUBLISHER],
    )


@pytest.fixture
def air_dataset(publisher: User) -> Dataset:
    return dataset_create(
        actor=publisher,
        name="air-quality-by-district",
        department=publisher.official_profile.department,
        title_ko="자치구별 대기오염 측정 정보",
        title_en="Air quality by district",
        description_ko="서울시 자치구별 미세먼지 농도를 매일 측정한 정보입니다.",
        category="environment",
        tags=["미세먼지", "대기질"],
    )


Loader = Callable[..., ResourceVersion]


@pytest.fixture
def load(publisher: User, django_capture_on_commit_callbacks: Any) -> Loader:
    """Upload ``content`` as a new version of a resource and run its load (as the worker)."""

    def upload(resource: Resource, content: bytes, filename: str = "data.csv") -> ResourceVersion:
        with django_capture_on_commit_callbacks(execute=True):
            version = resource_version_add(
                actor=publisher, resource=resource, upload=ContentFile(content), filename=filename
            )
        version.refresh_from_db()
        return version

    return upload


@pytest.fixture
def air_resource(air_dataset: Dataset, publisher: User, load: Loader) -> Resource:
    resource = resource_create(
        actor=publisher,
        dataset=air_dataset,
        name="대기오염 측정값",
        format="csv",
        service_name="DistrictAirQuality",
        service_filters=["자치구"],
    )
    load(resource, AIR_QUALITY_CSV.encode("euc-kr"))
    return resource
