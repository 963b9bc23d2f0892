from __future__ import annotations

import pytest

from smartseoul.accounts.models import User
from smartseoul.complaints.demo import complaints_demo_load
from smartseoul.complaints.models import Report
from smartseoul.web.demo import DEMO_DOMAIN

pytestmark = pytest.mark.django_db


def test_the_demo_has_reports_across_districts_and_statuses_and_loads_once(
    departments: None,
) -> None:
    User.objects.create_user(f"citizen@{DEMO_DOMAIN}", "x")
    complaints_demo_load()
    count = Report.objects.count()
    assert count >= 30
    assert Report.objects.values("district").distinct().count() >= 15
    assert Report.objects.values("status").distinct().count() >= 3
    assert Report.objects.filter(office__isnull=True).count() == 0
    complaints_demo_load()
    assert Report.objects.count() == count
