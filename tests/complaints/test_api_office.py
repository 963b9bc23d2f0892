"""The officials' JSON API does what the workspace pages do: redaction of text and photos,
bulk actions and statistics, with the same permissions and clear 4xx errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from PIL import Image

from smartseoul.accounts.actions import api_key_issue
from smartseoul.accounts.models import User
from smartseoul.complaints.models import Report
from smartseoul.complaints.tasks import media_process_many
from tests.complaints.conftest import COEX, HAPJEONG, logged_in, photo_upload, submit

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/api/complaints{path}", body, content_type=JSON, **headers)


def test_redacting_the_published_text_keeps_the_original_for_officials(
    citizen: User, mapo_client: Client
) -> None:
    report = submit(citizen, details="차량 12가3456 옆 포트홀, 김철수 씨 집 앞")
    answer = _post(
        mapo_client, f"/reports/{report.public_id}/redact", {"public_details": "포트홀 (가림)"}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["details"] == "포트홀 (가림)"
    assert "김철수" in answer.json()["original_details"]
    public = Client().get(f"/api/complaints/reports/{report.public_id}").json()
    assert public["details"] == "포트홀 (가림)"
    assert "김철수" not in str(public)
    too_long = _post(
        mapo_client, f"/reports/{report.public_id}/redact", {"public_details": "가" * 4001}
    )
    assert too_long.status_code == 400
    assert "public_details" in too_long.json()["error"]["message"]


def test_an_official_blacks_out_a_region_of_a_photo_through_the_api(
    citizen: User, mapo_client: Client, media_root: object
) -> None:
    report = submit(citizen, uploads=[photo_upload()])
    path = f"/reports/{report.public_id}"
    media_id = mapo_client.get(f"/api/complaints{path}/handling").json()["handled_media"][0]["id"]
    # Not processed yet: the worker has not published it.
    early = _post(mapo_client, f"{path}/media/{media_id}/redact", {"boxes": [_box(0, 0, 50, 50)]})
    assert early.status_code == 409
    media_process_many.call([media_id])
    answer = _post(
        mapo_client, f"{path}/media/{media_id}/redact", {"boxes": [_box(50, 50, 80, 80)]}
    )
    assert answer.status_code == 200, answer.content
    # Dragged past the edge: covers up to the edge.
    assert answer.json()["handled_media"][0]["redactions"] == [[0.5, 0.5, 0.5, 0.5]]
    full = Client().get(answer.json()["media"][0]["url"])
    with Image.open(_bytes(full)) as image:
        assert image.getpixel((image.width - 2, image.height - 2)) == (0, 0, 0)
        assert image.getpixel((2, 2)) != (0, 0, 0)
    bad = _post(mapo_client, f"{path}/media/{media_id}/redact", {"boxes": [_box(10, 10, 0, 5)]})
    assert bad.status_code == 400
    assert "boxes" in bad.json()["error"]["message"]
    missing = _post(mapo_client, f"{path}/media/999999/redact", {"boxes": [_box(0, 0, 5, 5)]})
    assert missing.status_code == 404


def test_bulk_actions_are_all_or_nothing_within_the_own_queue(
    citizen: User, mapo_official: User, mapo_client: Client
) -> None:
    mine = [submit(citizen), submit(citizen, point=(HAPJEONG[0] + 0.001, HAPJEONG[1]))]
    gangnam = submit(citizen, point=COEX)
    ids = [r.public_id for r in mine]
    assigned = _post(mapo_client, "/bulk", {"reports": ids, "operation": "assign_me"})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["updated"] == 2
    assert {r["assignee"] for r in assigned.json()["results"]} == {mapo_official.email}
    # A report of another office is named, and nothing is changed.
    refused = _post(
        mapo_client,
        "/bulk",
        {"reports": [*ids, gangnam.public_id], "operation": "resolved", "public_note": "조치"},
    )
    assert refused.status_code == 400
    assert gangnam.public_id in refused.json()["error"]["fields"]["reports"]
    assert set(Report.objects.filter(public_id__in=ids).values_list("status", flat=True)) == {
        "assigned"
    }
    no_note = _post(mapo_client, "/bulk", {"reports": ids, "operation": "resolved"})
    assert no_note.status_code == 400
    assert "public_note" in no_note.json()["error"]["fields"]
    unknown = _post(mapo_client, "/bulk", {"reports": ids, "operation": "delete"})
    assert unknown.status_code == 400
    assert "operation" in unknown.json()["error"]["message"]
    done = _post(
        mapo_client,
        "/bulk",
        {"reports": ids, "operation": "resolved", "public_note": "보수 완료했습니다."},
    )
    assert [r["status"] for r in done.json()["results"]] == ["resolved", "resolved"]
    timeline = Client().get(f"/api/complaints/reports/{ids[0]}").json()["timeline"]
    assert timeline[-1]["note"] == "보수 완료했습니다."


def test_statistics_cover_the_callers_reports_only(
    citizen: User, mapo_client: Client, gangnam_official: User
) -> None:
    submit(citizen)
    submit(citizen, category="street-light")
    submit(citizen, point=COEX)
    stats = mapo_client.get("/api/complaints/statistics").json()
    assert [(row["code"], row["total"]) for row in stats["district"]] == [("11440", 2)]
    assert {row["code"]: row["total"] for row in stats["category"]} == {
        "road-damage": 1,
        "street-light": 1,
    }
    gangnam = logged_in(gangnam_official).get("/api/complaints/statistics").json()
    assert [(row["code"], row["total"]) for row in gangnam["district"]] == [("11680", 1)]


def test_citizens_and_other_offices_are_refused(
    citizen: User, citizen_client: Client, gangnam_official: User
) -> None:
    report = submit(citizen)
    path = f"/reports/{report.public_id}"
    assert citizen_client.get("/api/complaints/statistics").status_code == 403
    refused = _post(
        citizen_client, "/bulk", {"reports": [report.public_id], "operation": "assign_me"}
    )
    assert refused.status_code == 403
    assert _post(citizen_client, f"{path}/redact", {"public_details": "x"}).status_code == 403
    assert Client().get("/api/complaints/statistics").status_code == 401
    gangnam = logged_in(gangnam_official)
    assert _post(gangnam, f"{path}/redact", {"public_details": "x"}).status_code == 404
    assert gangnam.get(f"/api/complaints{path}/handling").status_code == 404


def test_an_officials_api_key_works_once_totp_is_active(citizen: User, mapo_official: User) -> None:
    from tests.conftest import totp_activate

    totp_activate(mapo_official)
    secret = api_key_issue(user=mapo_official, name="office tool")[1]
    report = submit(citizen)
    answer = Client().post(
        "/api/complaints/bulk",
        {"reports": [report.public_id], "operation": "in_progress", "public_note": "확인 중"},
        content_type=JSON,
        HTTP_X_API_KEY=secret,
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["results"][0]["status"] == "in_progress"


def _box(x: float, y: float, width: float, height: float) -> dict[str, float]:
    return {"x": x, "y": y, "width": width, "height": height}


def _bytes(response: Any) -> Any:
    import io

    return io.BytesIO(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
