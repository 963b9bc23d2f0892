"""The demo's rounds show every phase that matters and every project status, and load once."""

from __future__ import annotations

import pytest

from smartseoul.accounts.actions import (
    citizen_profile_save,
    email_mark_verified,
    official_create,
)
from smartseoul.accounts.models import Department, User
from smartseoul.accounts.roles import Role
from smartseoul.budgeting.demo import budgeting_demo_load
from smartseoul.budgeting.models import Project, Round, UpdatePhoto
from smartseoul.places.models import District
from smartseoul.web.demo import DEMO_CITIZENS, DEMO_DOMAIN

pytestmark = pytest.mark.django_db


def _demo_people() -> None:
    for local, name, district, _neighbourhood, year in DEMO_CITIZENS:
        user = User.objects.create_user(f"{local}@{DEMO_DOMAIN}", "x")
        email_mark_verified(user)
        citizen_profile_save(
            user=user, name=name, district=District.objects.get(code=district), birth_year=year
        )
    for local, department, roles in (
        ("official.mapo", "gu-11440", [Role.DEPARTMENT_MANAGER]),
        ("official.cityhall", "digital-city", [Role.ELECTION_ADMINISTRATOR]),
    ):
        official_create(
            actor=None,
            email=f"{local}@{DEMO_DOMAIN}",
            password="x-long-enough",
            name=local,
            department=Department.objects.get(code=department),
            roles=roles,
        )


def test_demo_rounds_cover_the_phases_and_statuses(departments: None, client) -> None:
    _demo_people()
    budgeting_demo_load()
    phases = dict(Round.objects.values_list("year", "phase"))
    assert phases == {2025: "implementation", 2026: "balloting", 2027: "support"}
    statuses = set(Project.objects.values_list("status", flat=True))
    assert statuses >= {
        "proposed", "rejected", "on_ballot", "not_on_ballot", "not_selected",
        "planning", "in_progress", "completed",
    }  # fmt: skip
    assert UpdatePhoto.objects.exists()
    done = Round.objects.get(year=2025)
    assert client.get(f"/budget/{done.pk}/results/").status_code == 200
    count = Project.objects.count()
    budgeting_demo_load()
    assert Project.objects.count() == count
