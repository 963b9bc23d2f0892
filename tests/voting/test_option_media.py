"""Options carry a description and a picture, set by the vote's author while it is a draft."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from smartseoul.accounts.models import User
from smartseoul.voting.actions import vote_schedule
from smartseoul.voting.models import Option, Vote
from tests.voting.test_console import official_client

pytestmark = pytest.mark.django_db


def _draft(client: Client) -> Vote:
    response = client.post(
        "/voting/console/new/",
        {
            "title": "우리 동네 예산 사업",
            "kind": "policy",
            "privacy": "open",
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2099-01-01T09:00",
            "questions": "어떤 사업을 먼저?\n자전거 도로 | 한강 따라 12km\n공공 와이파이",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Vote.objects.get(title="우리 동네 예산 사업")


def _photo_with_gps() -> bytes:
    picture = Image.new("RGB", (3000, 2000), (40, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0)}  # GPS: where the photographer stood
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_an_option_shows_its_description_and_picture(
    cityhall_official: User, citizen: User, settings: object, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    client = official_client(cityhall_official)
    vote = _draft(client)
    lanes = Option.objects.get(question__vote=vote, label="자전거 도로")
    assert lanes.description == "한강 따라 12km"

    upload = SimpleUploadedFile("lanes.jpg", _photo_with_gps(), content_type="image/jpeg")
    client.post(f"/voting/console/{vote.public_id}/options/", {"option": lanes.pk, "image": upload})
    lanes.refresh_from_db()
    with Image.open(lanes.image.path) as stored:
        assert max(stored.size) == 1200  # made small enough to send to phones
        assert not stored.getexif()  # no GPS, no camera: the EXIF is gone

    vote_schedule(actor=cityhall_official, vote=vote)
    voter = Client()
    voter.force_login(citizen)
    page = voter.get(f"/voting/{vote.public_id}/").content.decode()
    assert "한강 따라 12km" in page
    assert lanes.image.url in page
    [listed] = [v for v in voter.get("/api/voting/votes").json() if v["id"] == str(vote.public_id)]
    api_lanes = listed["questions"][0]["options"][0]
    assert api_lanes["description"] == "한강 따라 12km"
    assert api_lanes["image"] == f"http://testserver{lanes.image.url}"


def test_pictures_are_checked_and_frozen_with_the_vote(
    cityhall_official: User, settings: object, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    client = official_client(cityhall_official)
    vote = _draft(client)
    wifi = Option.objects.get(question__vote=vote, label="공공 와이파이")
    url = f"/voting/console/{vote.public_id}/options/"

    not_an_image = SimpleUploadedFile("notes.jpg", b"%PDF-1.7 not a picture")
    page = client.post(url, {"option": wifi.pk, "image": not_an_image}, follow=True)
    assert "이미지 파일이 아닙니다" in page.content.decode()

    vote_schedule(actor=cityhall_official, vote=vote)
    upload = SimpleUploadedFile("wifi.jpg", _photo_with_gps(), content_type="image/jpeg")
    page = client.post(url, {"option": wifi.pk, "image": upload}, follow=True)
    assert "초안" in page.content.decode()
    wifi.refresh_from_db()
    assert not wifi.image


def test_a_sideways_phone_photo_is_published_upright(
    cityhall_official: User, settings: object, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    client = official_client(cityhall_official)
    vote = _draft(client)
    wifi = Option.objects.get(question__vote=vote, label="공공 와이파이")
    # Stored 300 wide and 200 high, with EXIF saying "turn 90° to view": a portrait photo.
    picture = Image.new("RGB", (300, 200), (200, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    upload = SimpleUploadedFile("portrait.jpg", out.getvalue(), content_type="image/jpeg")
    client.post(f"/voting/console/{vote.public_id}/options/", {"option": wifi.pk, "image": upload})
    wifi.refresh_from_db()
    with Image.open(wifi.image.path) as stored:
        assert stored.size == (200, 300)  # upright, as the phone showed it
        assert not stored.getexif()
