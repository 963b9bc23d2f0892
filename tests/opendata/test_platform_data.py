"""The platform's own complaint statistics published as an open dataset."""

from __future__ import annotations

from typing import Any

from django.test import Client

from smartseoul.accounts.models import User
from smartseoul.opendata.platform import platform_datasets_refresh
from tests.complaints.conftest import submit


def test_complaint_statistics_become_a_dataset(
    citizen: User, departments: None, client: Client, settings: Any
) -> None:
    assert platform_datasets_refresh() == []  # nothing reported yet: nothing published
    submit(citizen)
    submit(citizen)
    (version,) = platform_datasets_refresh()
    assert version.status == "ready"
    answer = client.get("/openapi/sample/json/SmartComplaintStats/1/5/").json()
    (row,) = answer["SmartComplaintStats"]["row"]
    assert row["자치구"] == "마포구"
    assert row["접수건수"] == 2
    (again,) = platform_datasets_refresh()
    assert again.number == 2


def test_the_hourly_refresh_publishes_only_the_hourly_datasets(
    citizen: User, departments: None
) -> None:
    import datetime

    submit(citizen)
    # Complaint statistics are daily; the hourly job (air quality) leaves them alone.
    assert platform_datasets_refresh(every=datetime.timedelta(hours=1)) == []
    (version,) = platform_datasets_refresh(every=datetime.timedelta(days=1))
    assert version.resource.service_name == "SmartComplaintStats"
