"""An official on a desktop drags a box over part of a report's photo; the published photo
is blacked out there and nowhere else."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from smartseoul.accounts.models import User
from smartseoul.complaints.models import Media
from smartseoul.complaints.tasks import media_process_many
from smartseoul.web.demo import departments_load
from tests.browser.test_accounts_flow import sign_in
from tests.complaints.conftest import submit
from tests.conftest import PASSWORD, totp_activate, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHOTO_SIZE = (800, 600)
COLOUR = (230, 190, 60)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", PHOTO_SIZE, COLOUR).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def _dark(pixel: tuple[int, ...]) -> bool:
    return max(pixel[:3]) < 40


def test_an_official_draws_a_box_and_the_published_photo_is_blacked_out_there(
    page: Page, citizen: User, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smartseoul.accounts.actions import official_create
    from smartseoul.accounts.models import Department
    from smartseoul.accounts.roles import Role

    settings.MEDIA_ROOT = tmp_path / "media"
    departments_load()
    official = official_create(
        actor=None,
        email="daeun@mapo.example.go.kr",
        password=PASSWORD,
        name="정다은",
        department=Department.objects.get(code="gu-11440"),
        roles=[Role.OFFICIAL],
    )
    report = submit(
        citizen, uploads=[SimpleUploadedFile("car.jpg", _photo(), content_type="image/jpeg")]
    )
    media = Media.objects.get(report=report)
    media_process_many.call([media.pk])

    secret = totp_activate(official)
    page.set_viewport_size(DESKTOP)
    sign_in(page, official.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.get_by_label("코드").fill(totp_code(secret))
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("link", name="정다은")).to_be_visible()

    page.goto(f"/complaints/office/r/{report.public_id}/")
    photo = page.locator(".redact-stage img")
    expect(photo).to_be_visible()
    page.wait_for_function(
        "document.querySelector('.redact-stage img').naturalWidth > 0"
    )  # loaded and laid out at its real proportions
    photo.scroll_into_view_if_needed()
    shown = photo.bounding_box()
    assert shown is not None

    # Drag from 20 %, 30 % to 60 %, 70 % of the photo as shown.
    def at(fx: float, fy: float) -> tuple[float, float]:
        return shown["x"] + shown["width"] * fx, shown["y"] + shown["height"] * fy

    page.mouse.move(*at(0.2, 0.3))
    page.mouse.down()
    page.mouse.move(*at(0.4, 0.5), steps=5)
    page.mouse.move(*at(0.6, 0.7), steps=5)
    page.mouse.up()
    expect(page.locator(".redact-box")).to_be_visible()
    drawn = [
        float(page.get_by_label(label).input_value())
        for label in ("왼쪽(%)", "위쪽(%)", "너비(%)", "높이(%)")
    ]
    assert drawn == pytest.approx([20, 30, 40, 40], abs=1)
    page.get_by_role("button", name="가리기").click()
    expect(page.get_by_text("저장했습니다.")).to_be_visible()

    # What the public gets now: blacked out inside the box, the photo elsewhere.
    published = page.request.get(f"/complaints/media/{media.pk}/full/")
    assert published.ok
    with Image.open(io.BytesIO(published.body())) as image:
        width, height = image.size
        inside = [(0.25, 0.35), (0.4, 0.5), (0.55, 0.65)]
        outside = [(0.1, 0.1), (0.15, 0.5), (0.4, 0.2), (0.7, 0.5), (0.4, 0.8), (0.9, 0.9)]
        for fx, fy in inside:
            assert _dark(image.getpixel((int(width * fx), int(height * fy)))), (fx, fy)
        for fx, fy in outside:
            assert not _dark(image.getpixel((int(width * fx), int(height * fy)))), (fx, fy)
    media.refresh_from_db()
    assert len(media.redactions) == 1
