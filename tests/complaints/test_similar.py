"""Before sending, similar open reports within 50 m in the same category are suggested."""

from __future__ import annotations

import pytest
from django.test import Client

from smartseoul.accounts.models import User
from smartseoul.complaints.actions import report_status_change
from smartseoul.complaints.models import Report
from tests.complaints.conftest import HAPJEONG, submit

pytestmark = pytest.mark.django_db

# About 30 m and 80 m north of HAPJEONG (1° of latitude ≈ 111 km).
NEAR = (HAPJEONG[0] + 0.000_27, HAPJEONG[1])
FAR = (HAPJEONG[0] + 0.000_72, HAPJEONG[1])


def _similar(client: Client, category: str = "road-damage") -> list[dict[str, object]]:
    response = client.get(
        "/api/complaints/similar", {"category": category, "lat": HAPJEONG[0], "lon": HAPJEONG[1]}
    )
    assert response.status_code == 200
    return response.json()


def test_only_open_reports_of_the_same_category_within_50_metres(
    citizen: User, official: User
) -> None:
    near = submit(citizen, point=NEAR)
    submit(citizen, point=FAR)
    submit(citizen, point=NEAR, category="street-light")
    closed = submit(citizen, point=HAPJEONG)
    report_status_change(
        actor=official, report=closed, status=Report.Status.RESOLVED, public_note="완료"
    )
    found = _similar(Client())
    assert [item["report"]["id"] for item in found] == [near.public_id]  # type: ignore[index]
    assert 25 < found[0]["distance_metres"] < 35  # type: ignore[operator]


def test_following_instead_of_sending(citizen: User, admin_user: User) -> None:
    report = submit(citizen, point=NEAR)
    client = Client()
    client.force_login(admin_user)
    from tests.conftest import totp_activate

    totp_activate(admin_user)
    response = client.post(f"/api/complaints/reports/{report.public_id}/follow")
    assert response.status_code == 204
    assert report.followers.filter(user=admin_user).exists()
    assert Client().post(f"/api/complaints/reports/{report.public_id}/follow").status_code == 401
