"""Sending a report: routing by place and category, refusals, photos without EXIF."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from smartseoul.accounts.models import User
from smartseoul.complaints.models import DETAILS_MAX_CHARS, Media, Report
from smartseoul.complaints.tasks import media_process_many
from smartseoul.complaints.workdays import add_working_days
from tests.complaints.conftest import BUSAN, CITY_HALL, COEX, HAPJEONG, photo_upload, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("point", "office"),
    [(HAPJEONG, "gu-11440"), (CITY_HALL, "gu-11140"), (COEX, "gu-11680")],
)
def test_a_point_goes_to_its_district_office(
    citizen: User, departments: None, point: tuple[float, float], office: str
) -> None:
    report = submit(citizen, point=point)
    assert report.office is not None
    assert report.office.code == office
    assert report.district_id == office[3:]
    assert report.neighbourhood_id is not None
    assert report.neighbourhood_id.startswith(office[3:])


def test_the_category_decides_the_department_and_the_deadline(
    citizen: User, departments: None
) -> None:
    report = submit(citizen, category="illegal-dumping")
    assert report.department is not None
    assert report.department.code == "climate-environment"
    assert report.due_date == add_working_days(timezone.localdate(report.received_at), 7)
    assert report.status == Report.Status.RECEIVED
    assert report.followers.filter(user=citizen).exists()


def test_a_point_outside_seoul_is_refused_with_a_clear_message(citizen_client: Client) -> None:
    response = citizen_client.post(
        "/api/complaints/reports",
        {"category": "road-damage", "lat": BUSAN[0], "lon": BUSAN[1], "details": "x"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "location" in error["fields"]
    assert "outside Seoul" in error["message"] or "서울" in error["message"]
    assert not Report.objects.exists()


def test_anonymous_reports_only_where_the_category_allows(db: None) -> None:
    client = Client()
    refused = client.post(
        "/api/complaints/reports",
        {"category": "illegal-parking", "lat": HAPJEONG[0], "lon": HAPJEONG[1]},
    )
    assert refused.status_code == 401
    accepted = client.post(
        "/api/complaints/reports",
        {"category": "street-light", "lat": HAPJEONG[0], "lon": HAPJEONG[1], "details": "꺼짐"},
    )
    assert accepted.status_code == 201
    report = Report.objects.get(public_id=accepted.json()["id"])
    assert report.anonymous
    assert report.reporter is None


def test_details_are_limited_to_4000_characters(citizen: User) -> None:
    with pytest.raises(ValidationError) as caught:
        submit(citizen, details="가" * (DETAILS_MAX_CHARS + 1))
    assert "details" in caught.value.message_dict


def test_anonymous_flag_is_refused_where_names_are_required(citizen: User) -> None:
    with pytest.raises(ValidationError):
        submit(citizen, category="noise", anonymous=True)
    with pytest.raises(PermissionDenied):
        submit(None, category="noise")


@translation.override("en")
def test_at_most_three_photos_or_one_video(citizen: User, media_root: Any) -> None:
    with pytest.raises(ValidationError, match="three photos"):
        submit(citizen, uploads=[photo_upload(f"{i}.jpg") for i in range(4)])
    video = SimpleUploadedFile("v.mp4", b"\x00" * 100, content_type="video/mp4")
    with pytest.raises(ValidationError, match="not both"):
        submit(citizen, uploads=[photo_upload(), video])
    not_a_photo = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not a photo"):
        submit(citizen, uploads=[not_a_photo])
    broken_video = SimpleUploadedFile("v.mp4", b"\x00" * 100, content_type="video/mp4")
    with pytest.raises(ValidationError, match="could not be read"):
        submit(citizen, uploads=[broken_video])
    assert not Report.objects.exists()


def test_the_photo_gps_is_offered_and_the_published_photo_has_no_exif(
    citizen_client: Client, media_root: Any
) -> None:
    offered = citizen_client.post(
        "/api/complaints/photo-location", {"photo": photo_upload(gps=HAPJEONG)}
    )
    assert offered.status_code == 200
    assert offered.json()["lat"] == pytest.approx(HAPJEONG[0], abs=1e-4)
    assert offered.json()["lon"] == pytest.approx(HAPJEONG[1], abs=1e-4)

    sent = citizen_client.post(
        "/api/complaints/reports",
        {
            "category": "road-damage",
            "lat": HAPJEONG[0],
            "lon": HAPJEONG[1],
            "details": "사진 첨부",
            "media": [photo_upload("a.jpg", gps=HAPJEONG), photo_upload("b.jpg", gps=HAPJEONG)],
        },
    )
    assert sent.status_code == 201, sent.content
    media = list(Media.objects.filter(report__public_id=sent.json()["id"]))
    assert [m.state for m in media] == [Media.State.PENDING] * 2
    # Not served while the upload (still carrying its EXIF) waits for the worker.
    assert citizen_client.get(f"/complaints/media/{media[0].pk}/full/").status_code == 404

    media_process_many.call([item.pk for item in media])
    item = Media.objects.get(pk=media[0].pk)
    assert item.state == Media.State.READY
    assert not item.incoming
    served = citizen_client.get(f"/complaints/media/{item.pk}/full/")
    assert served.status_code == 200
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    thumb = citizen_client.get(f"/complaints/media/{item.pk}/thumb/")
    assert thumb.status_code == 200
    detail = citizen_client.get(f"/api/complaints/reports/{sent.json()['id']}").json()
    assert len(detail["media"]) == 2


def test_phone_apps_post_without_cookies_but_sessions_need_the_csrf_token(
    citizen: User, departments: None
) -> None:
    form = {"category": "street-light", "lat": HAPJEONG[0], "lon": HAPJEONG[1], "details": "x"}
    app = Client(enforce_csrf_checks=True)
    assert app.post("/api/complaints/reports", form).status_code == 201
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    refused = browser.post("/api/complaints/reports", form)
    assert refused.status_code == 403
    assert Report.objects.count() == 1


def _video(tmp_path: Any, seconds: int) -> SimpleUploadedFile:
    """A real, tiny MP4 made by ffmpeg (with a title in its metadata)."""
    import shutil
    import subprocess

    path = tmp_path / f"clip{seconds}.mp4"
    subprocess.run(
        [
            shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-y",
            # Long clips at 1 frame/s and thumbnail size: only their length matters.
            "-f", "lavfi",
            "-i", f"testsrc=size={'32x24:rate=1' if seconds > 10 else '160x120:rate=5'}"
            f":duration={seconds}",
            "-metadata", "title=secret place", "-pix_fmt", "yuv420p", str(path),
        ],
        check=True,
    )  # fmt: skip
    return SimpleUploadedFile("clip.mp4", path.read_bytes(), content_type="video/mp4")


@translation.override("en")
def test_a_video_is_checked_and_made_web_friendly(
    citizen: User, media_root: Any, tmp_path: Any
) -> None:
    import subprocess

    with pytest.raises(ValidationError, match="longer than 60 seconds"):
        submit(citizen, uploads=[_video(tmp_path, 61)])
    report = submit(citizen, uploads=[_video(tmp_path, 2)])
    media = report.media.get()
    assert media.kind == "video"
    assert media.duration_seconds == pytest.approx(2, abs=0.3)
    media_process_many.call([media.pk])
    media.refresh_from_db()
    assert media.state == Media.State.READY
    assert media.content_type == "video/mp4"
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags:stream=codec_name",
         "-of", "json", media.file.path],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    assert '"h264"' in probe.stdout
    assert "secret place" not in probe.stdout
    assert media.thumbnail.name.endswith(".jpg")
