"""The worker's schedule: each job once per interval, however many workers look."""

from __future__ import annotations

import datetime

import pytest

from smartseoul.web import periodic

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    runs = {"tick": 0}

    def tick() -> None:
        runs["tick"] += 1

    def broken() -> None:
        raise RuntimeError("the mail server is down")

    monkeypatch.setattr(periodic, "_jobs", {})
    periodic.register(periodic.Job("test.broken", HOUR, broken))
    periodic.register(periodic.Job("test.tick", HOUR, tick))
    return runs


def test_a_job_runs_once_per_interval_across_workers(jobs: dict[str, int]) -> None:
    hour = 500_000 * 3600.0
    assert periodic.run_due(now=hour + 10) == ["test.tick"]
    # A second worker a minute later, in the same hour: already done.
    assert periodic.run_due(now=hour + 70) == []
    assert periodic.run_due(now=hour + 3600 + 5) == ["test.tick"]
    assert jobs["tick"] == 2  # the broken job never stopped it


def test_every_service_schedules_its_upkeep() -> None:
    names = {job.name for job in periodic.registered()}
    assert {
        "complaints.escalate",
        "opendata.platform_refresh.86400s",  # complaint statistics, daily
        "opendata.platform_refresh.3600s",  # RealtimeCityAir, hourly
        "urbandata.archive_and_prune",
    } <= names
