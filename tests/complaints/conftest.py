"""Fixtures of the complaints tests: officials of two offices, photos with EXIF, a helper
that sends a report through the real action."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from smartseoul.accounts.actions import official_create
from smartseoul.accounts.models import Department, User
from smartseoul.accounts.roles import Role
from smartseoul.complaints.actions import report_submit
from smartseoul.complaints.models import Category, Report
from tests.conftest import PASSWORD, totp_activate

# Known points and the district (SIG code) they lie in.
HAPJEONG = (37.549_46, 126.913_66)  # 합정역, 마포구
CITY_HALL = (37.566_53, 126.977_94)  # 서울시청, 중구
COEX = (37.512_60, 127.058_80)  # 코엑스, 강남구
BUSAN = (35.179_6, 129.075_6)  # 부산시청: outside Seoul


def photo_bytes(gps: tuple[float, float] | None = None, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG with a camera make and, optionally, a GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps is not None:
        lat, lon = gps
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info.update({1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (float(degrees), float(minutes), seconds)


def photo_upload(
    name: str = "photo.jpg", gps: tuple[float, float] | None = None
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(gps), content_type="image/jpeg")


@pytest.fixture
def media_root(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def submit(
    reporter: User | None,
    category: str = "road-damage",
    point: tuple[float, float] = HAPJEONG,
    **kwargs: Any,
) -> Report:
    return report_submit(
        reporter=reporter,
        category=Category.objects.get(code=category),
        lat=point[0],
        lon=point[1],
        details=kwargs.pop("details", "포트홀이 있습니다."),
        **kwargs,
    )


def logged_in(user: User) -> Client:
    totp_activate(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mapo_official(official: User) -> User:
    """The shared persona: Mapo-gu office, department manager."""
    return official


@pytest.fixture
def mapo_colleague(departments: None) -> User:
    return official_create(
        actor=None,
        email="seojun@mapo.example.go.kr",
        password=PASSWORD,
        name="오서준",
        department=Department.objects.get(code="gu-11440"),
        roles=[Role.OFFICIAL],
    )


@pytest.fixture
def gangnam_official(departments: None) -> User:
    return official_create(
        actor=None,
        email="yuna@gangnam.example.go.kr",
        password=PASSWORD,
        name="윤유나",
        department=Department.objects.get(code="gu-11680"),
        roles=[Role.OFFICIAL],
    )


@pytest.fixture
def mapo_client(mapo_official: User) -> Client:
    return logged_in(mapo_official)
