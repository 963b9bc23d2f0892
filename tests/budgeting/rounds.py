"""A round brought to its ballot: a city-wide budget (100, knapsack) and Jongno's (30, at
most 2 projects), seven Jongno residents, reviewed projects and one public rejection."""

from __future__ import annotations

import datetime

from django.utils import timezone

from smartseoul.accounts.actions import official_create
from smartseoul.accounts.models import Department
from smartseoul.accounts.roles import Role
from smartseoul.budgeting.actions import (
    project_propose,
    project_review,
    round_trustees_set,
    scope_add,
)
from smartseoul.budgeting.models import Round
from smartseoul.budgeting.phases import round_advance
from smartseoul.places.models import District
from tests.budgeting.conftest import JONGNO_POINT, make_round, resident

# City-wide (budget 100, knapsack): A and B (50 each) for the majority, C (50) for the rest.
CITY = [("A 공공 와이파이", 50), ("B 스마트 가로등", 50), ("C 이주민 직업훈련", 50)]
# Jongno (budget 30, at most 2 projects).
JONGNO = [("E 골목 벤치", 10), ("F 자전거 보관대", 20), ("G 쉼터", 15)]


def jongno_official():
    return official_create(
        actor=None,
        email="reviewer@jongno.example.go.kr",
        password="pw-for-tests-only",
        name="종로 검토관",
        department=Department.objects.get(code="gu-11110"),
        roles=[Role.DEPARTMENT_MANAGER],
    )


def round_at_ballot(
    admin,
    rule: str = "greedy",
    *,
    min_share: int = 0,
    city_projects=CITY,
    privacy: str = "open",
    trustees=(),
):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    round_ = make_round(
        admin,
        winner_rule=rule,
        privacy=privacy,
        proposals_end=now - 4 * hour,
        support_end=now - 3 * hour,
        review_end=now - 2 * hour,
        ballot_opens=now - hour,
        ballot_closes=now + 24 * hour,
    )
    city = scope_add(actor=admin, round_=round_, amount=100, min_share_percent=min_share)
    jongno = scope_add(
        actor=admin,
        round_=round_,
        amount=30,
        district=District.objects.get(code="11110"),
        ballot_rule="approval",
        max_projects=2,
    )
    voters = [resident(f"voter{n}@example.com", "11110") for n in range(7)]
    round_advance(actor=admin, round_=round_, to=Round.Phase.PROPOSALS)
    projects = {}
    for title, cost in city_projects:
        projects[title[0]] = project_propose(
            actor=voters[0], scope=city, title=title, description="…", theme="digital",
            estimated_cost=cost,
        )  # fmt: skip
    for title, cost in JONGNO:
        projects[title[0]] = project_propose(
            actor=voters[1], scope=jongno, title=title, description="…", theme="environment",
            estimated_cost=cost, lat=JONGNO_POINT[0], lng=JONGNO_POINT[1],
        )  # fmt: skip
    rejected = project_propose(
        actor=voters[2], scope=city, title="X 사유지 공원", description="…", theme="environment",
        estimated_cost=40,
    )  # fmt: skip
    round_advance(actor=admin, round_=round_, to=Round.Phase.SUPPORT)
    round_advance(actor=admin, round_=round_, to=Round.Phase.REVIEW)
    reviewer = jongno_official()
    for project in projects.values():
        project_review(
            actor=admin if project.scope_id == city.pk else reviewer, project=project, feasible=True
        )
    project_review(actor=admin, project=rejected, feasible=False, reason="사유지입니다.")
    if trustees:
        round_trustees_set(actor=admin, round_=round_, users=list(trustees), threshold=2)
    round_advance(actor=admin, round_=round_, to=Round.Phase.BALLOTING)
    return round_, city, jongno, voters, projects, reviewer
