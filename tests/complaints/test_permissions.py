"""Who sees what: a district official sees only their office's queue unless granted more;
the public never sees a reporter's name, phone or e-mail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from smartseoul.accounts.actions import citizen_profile_save
from smartseoul.accounts.models import User
from smartseoul.complaints.actions import report_status_change
from smartseoul.complaints.models import Report
from tests.complaints.conftest import COEX, HAPJEONG, logged_in, submit

pytestmark = pytest.mark.django_db


def _queue_ids(client: Client) -> set[str]:
    response = client.get("/api/complaints/queue?status=all")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()}


def test_a_district_official_sees_only_their_office(
    citizen: User, mapo_client: Client, gangnam_official: User
) -> None:
    mapo = submit(citizen, point=HAPJEONG)
    gangnam = submit(citizen, point=COEX)
    assert _queue_ids(mapo_client) == {mapo.public_id}
    assert mapo_client.get(f"/complaints/office/r/{gangnam.public_id}/").status_code == 404
    page = mapo_client.get("/complaints/office/")
    assert mapo.public_id in page.content.decode()
    assert gangnam.public_id not in page.content.decode()
    assert _queue_ids(logged_in(gangnam_official)) == {gangnam.public_id}


def test_a_granted_official_sees_every_office(citizen: User, gangnam_official: User) -> None:
    reports = {submit(citizen, point=HAPJEONG).public_id, submit(citizen, point=COEX).public_id}
    gangnam_official.user_permissions.add(Permission.objects.get(codename="handle_all_reports"))
    assert _queue_ids(logged_in(User.objects.get(pk=gangnam_official.pk))) == reports


def test_the_city_hall_department_sees_its_categories(
    citizen: User, cityhall_official: User
) -> None:
    # The city-hall official of the test personas is in the Digital City Bureau: no category.
    submit(citizen)
    assert _queue_ids(logged_in(cityhall_official)) == set()


def test_citizens_have_no_queue(citizen_client: Client) -> None:
    assert citizen_client.get("/api/complaints/queue").status_code == 403
    assert citizen_client.get("/complaints/office/").status_code == 403


def test_public_views_leak_no_personal_data(
    citizen: User, mapo_official: User, departments: None
) -> None:
    citizen_profile_save(user=citizen, name="김민준", phone="010-1234-5678")
    report = submit(
        citizen,
        details="제 번호는 010-9876-5432, 메일은 minjun@example.com 입니다. 900101-1234567",
    )
    report_status_change(
        actor=mapo_official, report=report, status=Report.Status.IN_PROGRESS, public_note="확인 중"
    )
    anonymous = Client()
    pages = [
        anonymous.get(f"/complaints/r/{report.public_id}/"),
        anonymous.get("/complaints/"),
        anonymous.get("/api/complaints/reports"),
        anonymous.get(f"/api/complaints/reports/{report.public_id}"),
        anonymous.get("/complaints/feed.atom"),
        anonymous.get(f"/complaints/feed/district/{report.district_id}.atom"),
        anonymous.get("/open311/v2/requests.json?extensions=true"),
        anonymous.get(f"/open311/v2/requests/{report.public_id}.xml?extensions=true"),
    ]
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        body = response.content.decode()
        for secret in (
            "김민준", "minjun", "010-1234-5678", "010-9876-5432", "900101-1234567",
            "정다은", "daeun",
        ):  # fmt: skip
            assert secret not in body, (response.request["PATH_INFO"], secret)
    assert "확인 중" in anonymous.get(f"/complaints/r/{report.public_id}/").content.decode()


def test_the_officials_api_assigns_transfers_and_extends_within_the_own_office(
    citizen: User, mapo_client: Client, mapo_colleague: User, gangnam_official: User
) -> None:
    report = submit(citizen)
    base = f"/api/complaints/reports/{report.public_id}"
    assigned = mapo_client.post(
        f"{base}/assign", {"assignee_email": mapo_colleague.email}, content_type="application/json"
    )
    assert assigned.json()["assignee"] == mapo_colleague.email
    refused = mapo_client.post(
        f"{base}/assign",
        {"assignee_email": gangnam_official.email},
        content_type="application/json",
    )
    assert refused.status_code == 400
    extended = mapo_client.post(
        f"{base}/extend",
        {"working_days": 2, "reason": "부품 대기"},
        content_type="application/json",
    )
    assert extended.status_code == 200
    moved = mapo_client.post(
        f"{base}/transfer",
        {"to_department": "gu-11680", "reason": "강남구 관할"},
        content_type="application/json",
    )
    assert moved.json()["office"] == "gu-11680"
    # Now it is Gangnam's: Mapo gets a 404, Gangnam sees it.
    again = mapo_client.post(
        f"{base}/extend", {"working_days": 1, "reason": "x"}, content_type="application/json"
    )
    assert again.status_code == 404
    gangnam_client = logged_in(gangnam_official)
    assert _queue_ids(gangnam_client) == {report.public_id}
    status = gangnam_client.post(
        f"{base}/status",
        {"status": "in_progress", "public_note": "확인 중"},
        content_type="application/json",
    )
    assert status.json()["status"] == "in_progress"
