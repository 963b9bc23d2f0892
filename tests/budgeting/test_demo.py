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


def test_every_demo_page_renders_for_the_public_a_citizen_and_an_official(
    departments: None,
) -> None:
    from django.test import Client

    from tests.conftest import totp_activate

    _demo_people()
    budgeting_demo_load()
    citizen = Client()
    citizen.force_login(User.objects.get(email=f"citizen@{DEMO_DOMAIN}"))
    official_user = User.objects.get(email=f"official.cityhall@{DEMO_DOMAIN}")
    totp_activate(official_user)
    official = Client()
    official.force_login(official_user)
    for client in (Client(), citizen, official):
        assert client.get("/budget/").status_code == 200
        for round_ in Round.objects.all():
            for path in ("", "projects/", "projects/?theme=safety&status=completed"):
                assert client.get(f"/budget/{round_.pk}/{path}").status_code == 200, path
            for project in round_.projects.all():
                url = f"/budget/{round_.pk}/projects/{project.pk}/"
                assert client.get(url).status_code == 200, url
    done = Round.objects.get(year=2025)
    page = official.get(
        f"/budget/{done.pk}/projects/{done.projects.filter(status='planning').first().pk}/"
    )
    assert 'name="photos"' in page.content.decode()  # officials post implementation updates
    ballot = citizen.get(f"/budget/{Round.objects.get(year=2026).pk}/ballot/").content.decode()
    assert ballot.count('class="card scope-ballot"') == 2  # the city and Jongno-gu
    assert official.get("/budget/review/").status_code == 200
    assert official.get(f"/budget/{done.pk}/scopes/").status_code == 200
    assert official.get("/budget/new/").status_code == 200
    assert official.get("/budget/simulate/").status_code == 200
    photo = UpdatePhoto.objects.first()
    assert Client().get(f"/budget/photos/{photo.pk}.jpg")["Content-Type"] == "image/jpeg"
