"""Citizens request Open API keys on their page and submit apps; publishers moderate apps."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from smartseoul.accounts.models import User
from smartseoul.opendata.models import Dataset, GalleryApp, OpenApiKey, Resource
from tests.conftest import totp_activate


def test_citizen_requests_a_key_and_uses_it(
    citizen_client: Client, citizen: User, air_resource: Resource
) -> None:
    # The way there: the citizen's own page links to the key page.
    assert 'href="/data/keys/"' in citizen_client.get("/accounts/profile/").content.decode()
    page = citizen_client.post("/data/keys/", {"purpose": "대기질 알림 앱"}).content.decode()
    start = page.index('id="new-key">') + len('id="new-key">')
    secret = page[start : start + 40]
    assert OpenApiKey.objects.get(user=citizen).hint == secret[:6]
    answer = Client().get(f"/openapi/{secret}/json/DistrictAirQuality/1/1/").json()
    assert answer["DistrictAirQuality"]["RESULT"]["CODE"] == "INFO-000"
    # The page never shows the whole key again.
    assert secret not in citizen_client.get("/data/keys/").content.decode()


def test_gallery_submission_is_shown_only_after_approval(
    citizen_client: Client, publisher: User, air_dataset: Dataset
) -> None:
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(image, format="JPEG")
    response = citizen_client.post(
        "/data/apps/submit/",
        {
            "name": "숨쉬는 서울",
            "url": "https://breathe.example.com",
            "description": "동네 미세먼지 알림",
            "datasets": [str(air_dataset.pk)],
            "screenshot": SimpleUploadedFile("s.jpg", image.getvalue(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    app = GalleryApp.objects.get()
    assert app.screenshot.name.endswith(".png")
    assert (
        "숨쉬는 서울" not in Client().get("/data/dataset/air-quality-by-district/").content.decode()
    )
    reviewer = Client()
    totp_activate(publisher)
    reviewer.force_login(publisher)
    reviewer.post("/data/apps/review/", {"app": app.pk, "decision": "approve"})
    assert "숨쉬는 서울" in Client().get("/data/dataset/air-quality-by-district/").content.decode()
    assert "숨쉬는 서울" in Client().get("/data/apps/").content.decode()
