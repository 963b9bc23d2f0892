"""A budget round with a city-wide budget and two districts' (Jongno, Mapo), and residents."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone, translation

from smartseoul.accounts.actions import citizen_profile_save, email_mark_verified
from smartseoul.accounts.models import User
from smartseoul.budgeting.actions import project_propose, round_create, scope_add
from smartseoul.budgeting.models import Project, Round, Scope
from smartseoul.places.models import District

JONGNO_POINT = (37.5735, 126.9790)
MAPO_POINT = (37.5563, 126.9084)
SONGPA_POINT = (37.5133, 127.1001)


def resident(email: str, district: str, *, verified: bool = True) -> User:
    user = User.objects.create_user(email, "pw-for-tests-only")
    email_mark_verified(user)
    profile = citizen_profile_save(
        user=user, name=email.split("@")[0], district=District.objects.get(code=district)
    )
    profile.verified = verified
    profile.save(update_fields=["verified"])
    return User.objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Actions called directly speak English here (pages follow the request: Korean)."""
    with translation.override("en"):
        yield


@pytest.fixture
def verified_citizen(citizen: User) -> User:
    """The shared citizen persona (Jongno-gu), identity-verified."""
    profile = citizen.citizen_profile
    profile.verified = True
    profile.save(update_fields=["verified"])
    return User.objects.get(pk=citizen.pk)


@pytest.fixture
def mapo_citizen(db: None) -> User:
    return resident("seoyeon@example.com", "11440")


def make_round(actor: User, **overrides: object) -> Round:
    now = timezone.now()
    day = datetime.timedelta(days=1)
    values: dict[str, object] = {
        "title": "서울시 참여예산 2027",
        "year": 2027,
        "proposals_end": now + day,
        "support_end": now + 2 * day,
        "review_end": now + 3 * day,
        "ballot_opens": now + 4 * day,
        "ballot_closes": now + 5 * day,
        **overrides,
    }
    return round_create(actor=actor, **values)  # type: ignore[arg-type]


@pytest.fixture
def budget_round(cityhall_official: User) -> Round:
    """Draft round: city-wide knapsack 100 units (≥ 70 %), Jongno knapsack 50, Mapo at most 2."""
    round_ = make_round(cityhall_official)
    scope_add(actor=cityhall_official, round_=round_, amount=100, min_share_percent=70)
    scope_add(
        actor=cityhall_official,
        round_=round_,
        amount=50,
        district=District.objects.get(code="11110"),
    )
    scope_add(
        actor=cityhall_official,
        round_=round_,
        amount=60,
        district=District.objects.get(code="11440"),
        ballot_rule=Scope.BallotRule.APPROVAL,
        max_projects=2,
    )
    return round_


def scope_of(round_: Round, district: str | None) -> Scope:
    return round_.scopes.get(district_id=district)


def propose(
    actor: User,
    scope: Scope,
    point: tuple[float, float] | None = None,
    cost: int = 10,
    title: str = "골목 가로등",
) -> Project:
    """A citizen's proposal with the details no test looks at filled in."""
    return project_propose(
        actor=actor,
        scope=scope,
        title=title,
        description="어두운 골목에 LED 가로등을 설치합니다.",
        theme="safety",
        estimated_cost=cost,
        lat=point[0] if point else None,
        lng=point[1] if point else None,
    )
