"""A citizen reports a pothole on a phone: category, consented GPS, a photo whose position is
offered, details, similar reports shown, send; the published photo carries no EXIF."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from smartseoul.accounts.models import User
from smartseoul.complaints.models import Media, Report
from smartseoul.complaints.tasks import media_process
from smartseoul.web.demo import departments_load
from tests.browser.test_accounts_flow import sign_in
from tests.complaints.conftest import HAPJEONG, photo_bytes, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The photo was taken ~20 m from where the phone is when the report is written.
PHONE_AT = (37.5560, 126.9236)
PHOTO_AT = (HAPJEONG[0] + 0.000_18, HAPJEONG[1])


def test_report_a_pothole_with_a_photo_on_a_phone(
    page: Page, citizen: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    departments_load()
    earlier = submit(None, point=HAPJEONG, details="이미 접수된 포트홀")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": PHONE_AT[0], "longitude": PHONE_AT[1]})
    sign_in(page, citizen.email)

    page.goto("/complaints/new/")
    page.get_by_text("도로 파손(포트홀)").click()
    page.get_by_role("button", name="다음").click()

    # Location: nothing is read before the citizen agrees.
    use_gps = page.get_by_role("button", name="현재 위치 사용")
    expect(use_gps).to_be_disabled()
    page.get_by_label("이 신고에 현재 위치를 사용하는 데 동의합니다").check()
    use_gps.click()
    expect(page.get_by_label("위도")).to_have_value(f"{PHONE_AT[0]:.6f}")

    # A lost page keeps the draft on the device.
    page.reload()
    expect(page.get_by_label("위도")).to_have_value(f"{PHONE_AT[0]:.6f}")
    expect(page.get_by_text("보내지 않은 작성 내용을 되살렸습니다.")).to_be_visible()
    page.get_by_role("button", name="다음").click()

    # The photo's own position is offered, and taken.
    page.locator("#id_media").set_input_files(
        {"name": "pothole.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(PHOTO_AT)}
    )
    page.get_by_role("button", name="사진 위치 사용").click()
    expect(page.get_by_label("위도")).to_have_value(f"{PHOTO_AT[0]:.6f}")
    page.get_by_role("button", name="다음").click()

    page.get_by_label("불편 사항을 적어 주세요(4,000자 이내)").fill("합정역 앞 차도에 큰 포트홀")
    page.get_by_role("button", name="다음").click()

    # The report already made 20 m away is suggested, with "follow instead".
    similar = page.locator(".similar-report")
    expect(similar).to_have_count(1)
    expect(similar).to_contain_text(earlier.public_id)
    expect(similar.get_by_role("button", name="대신 관심 등록")).to_be_visible()
    page.get_by_role("button", name="신고 보내기").click()

    expect(page.get_by_text("합정역 앞 차도에 큰 포트홀")).to_be_visible()
    report = Report.objects.exclude(pk=earlier.pk).get()
    expect(page.locator("#report-id")).to_have_text(report.public_id)
    assert report.office is not None
    assert report.office.code == "gu-11440"
    assert report.reporter == citizen

    media = Media.objects.get(report=report)
    media_process.call(media.pk)
    media.refresh_from_db()
    with media.file.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as image:
        assert not image.getexif()  # no GPS, no camera make: nothing
    page.reload()
    expect(page.get_by_role("img", name="신고 사진")).to_be_visible()
    # The kept draft was cleared once the report was sent.
    assert page.evaluate("localStorage.getItem('complaints-draft')") is None
