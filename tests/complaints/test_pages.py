"""The pages: public map/list and timeline, the report form without JavaScript, the
officials' queue with bulk actions, handling forms, statistics CSV, feeds and the map API."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from smartseoul.accounts.models import User
from smartseoul.complaints import queries
from smartseoul.complaints.models import Report
from tests.complaints.conftest import COEX, HAPJEONG, submit

pytestmark = pytest.mark.django_db


def test_the_report_form_works_without_javascript(
    citizen_client: Client, departments: None
) -> None:
    assert citizen_client.get("/complaints/new/").status_code == 200
    response = citizen_client.post(
        "/complaints/new/",
        {
            "category": "road-damage",
            "lat": HAPJEONG[0],
            "lon": HAPJEONG[1],
            "details": "보도블록 파손",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == f"/complaints/r/{report.public_id}/?sent=1"
    page = citizen_client.get(response["Location"]).content.decode()
    assert "보도블록 파손" in page
    assert report.public_id in page


def test_the_form_explains_a_point_outside_seoul(citizen_client: Client) -> None:
    response = citizen_client.post(
        "/complaints/new/", {"category": "road-damage", "lat": 35.18, "lon": 129.07}
    )
    assert response.status_code == 200
    assert "outside Seoul" in response.content.decode() or "서울" in response.content.decode()
    assert not Report.objects.exists()


def test_public_list_and_feeds(client: Client, citizen: User) -> None:
    report = submit(citizen, category="street-light")
    assert report.public_id in client.get("/complaints/").content.decode()
    listed = client.get("/complaints/?category=road-damage").content.decode()
    assert report.public_id not in listed
    for url in (
        "/complaints/feed.atom",
        f"/complaints/feed/district/{report.district_id}.atom",
        "/complaints/feed/category/street-light.atom",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert f"urn:smartseoul:complaint:{report.public_id}" in response.content.decode()
    other = client.get("/complaints/feed/category/noise.atom").content.decode()
    assert report.public_id not in other
    assert client.get("/complaints/feed/district/99999.atom").status_code == 404


def test_the_map_gives_pins_then_clusters(
    client: Client, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        submit(citizen)
    submit(citizen, point=COEX)
    bbox = "37.4,126.8,37.7,127.2"
    pins = client.get("/api/complaints/map", {"bbox": bbox}).json()
    assert len(pins["pins"]) == 4
    assert pins["clusters"] == []
    monkeypatch.setattr(queries, "MAP_PIN_LIMIT", 2)
    clustered = client.get("/api/complaints/map", {"bbox": bbox}).json()
    assert clustered["pins"] == []
    assert sorted(c["count"] for c in clustered["clusters"]) == [1, 3]
    assert client.get("/api/complaints/map", {"bbox": "a,b"}).status_code == 400


def test_queue_bulk_and_handling(citizen: User, mapo_client: Client, mapo_colleague: User) -> None:
    first, second = submit(citizen), submit(citizen)
    page = mapo_client.get("/complaints/office/")
    assert page.status_code == 200
    assert first.public_id in page.content.decode()
    assert mapo_client.get("/complaints/office/?view=map").status_code == 200
    response = mapo_client.post(
        "/complaints/office/bulk/",
        {"report": [first.public_id, second.public_id], "operation": "in_progress",
         "public_note": "현장 확인 중"},
    )  # fmt: skip
    assert response.status_code == 302
    assert set(Report.objects.values_list("status", flat=True)) == {"in_progress"}

    handle = f"/complaints/office/r/{first.public_id}/"
    assert mapo_client.get(handle).status_code == 200
    mapo_client.post(handle, {"operation": "assign", "assignee": mapo_colleague.pk})
    mapo_client.post(handle, {"operation": "redact", "public_details": "가려진 내용"})
    mapo_client.post(
        handle, {"operation": "status", "status": "resolved", "public_note": "보수 완료"}
    )
    first.refresh_from_db()
    assert first.assignee == mapo_colleague
    assert first.public_details == "가려진 내용"
    assert first.status == "resolved"
    public = Client().get(f"/complaints/r/{first.public_id}/").content.decode()
    assert "가려진 내용" in public
    assert "보수 완료" in public


def test_statistics_csv(citizen: User, mapo_client: Client) -> None:
    submit(citizen)
    submit(citizen, category="noise")
    assert mapo_client.get("/complaints/office/stats/").status_code == 200
    response = mapo_client.get("/complaints/office/stats/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    districts = [r for r in rows if r["group"] == "district"]
    assert districts == [
        {"group": "district", "code": "11440", "name_ko": "마포구", "name_en": "Mapo-gu",
         "total": "2", "closed": "0", "overdue": "0", "mean_days_to_answer": ""},
    ]  # fmt: skip
    assert {r["code"] for r in rows if r["group"] == "category"} == {"road-damage", "noise"}


def test_wide_viewports_cluster_from_the_summary_grid(
    client: Client, citizen: User, official: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smartseoul.complaints.actions import report_status_change
    from smartseoul.complaints.mapcells import cells_rebuild
    from smartseoul.complaints.models import MapCell

    reports = [submit(citizen) for _ in range(3)] + [submit(citizen, point=COEX)]
    report_status_change(actor=official, report=reports[0], status="resolved", public_note="완료")
    monkeypatch.setattr(queries, "MAP_PIN_LIMIT", 2)
    seoul = {"bbox": "37.4,126.8,37.7,127.2"}
    kept = client.get("/api/complaints/map", seoul).json()["clusters"]
    assert sorted(c["count"] for c in kept) == [1, 3]
    open_only = client.get("/api/complaints/map", {**seoul, "status": "open"}).json()
    assert sorted(c["count"] for c in open_only["clusters"]) == [1, 2]
    # A rebuild from the reports gives the same counts as the actions kept.
    fields = ("level", "cell_y", "cell_x", "is_open", "count")
    before = sorted(MapCell.objects.filter(count__gt=0).values_list(*fields))
    cells_rebuild()
    after = sorted(MapCell.objects.values_list(*fields))
    assert before == after


def test_an_official_blacks_out_part_of_a_photo(
    citizen: User, mapo_client: Client, media_root: object
) -> None:
    from PIL import Image

    from smartseoul.complaints.tasks import media_process_many
    from tests.complaints.conftest import photo_upload

    report = submit(citizen, uploads=[photo_upload()])
    media = report.media.get()
    media_process_many.call([media.pk])
    response = mapo_client.post(
        f"/complaints/office/r/{report.public_id}/",
        {"operation": "photo", "photo": media.pk, "x": 0, "y": 0, "width": 50, "height": 50},
    )
    assert response.status_code == 302
    media.refresh_from_db()
    assert media.redactions == [[0.0, 0.0, 0.5, 0.5]]
    with media.file.open("rb") as stored, Image.open(stored) as image:
        assert image.getpixel((2, 2)) == (0, 0, 0)  # blacked out
        assert image.getpixel((image.width - 3, image.height - 3)) != (0, 0, 0)
    assert Client().get(f"/complaints/media/{media.pk}/full/").status_code == 200


def test_a_response_template_fills_the_public_note(citizen: User, mapo_client: Client) -> None:
    from smartseoul.complaints.models import ResponseTemplate

    template = ResponseTemplate.objects.create(
        title="조치 완료", body="조치하였습니다. 감사합니다.", status="resolved"
    )
    report = submit(citizen)
    mapo_client.post(
        f"/complaints/office/r/{report.public_id}/",
        {"operation": "status", "status": "resolved", "template": template.pk},
    )
    report.refresh_from_db()
    assert report.status == "resolved"
    assert report.events.get(kind="status").public_note == "조치하였습니다. 감사합니다."
