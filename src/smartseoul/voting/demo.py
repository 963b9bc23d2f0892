"""Demo polls: two open city policy polls, one citizen poll, one published result, and a
secret-ballot election (demo_secret.py)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from smartseoul.voting.actions import (
    EligibilitySpec,
    QuestionSpec,
    ballot_cast,
    vote_create,
    vote_publish,
    vote_schedule,
    vote_tally,
)
from smartseoul.voting.models import Vote

DEMO_TITLES = {
    "music": "지하철 환승 구간에 어떤 음악이 흐르면 좋을까요?",
    "mapo": "마포구 경의선숲길 야간 조명, 어떻게 바꿀까요?",
    "bike": "따릉이 대여소를 더 늘려야 할 곳은? (결과 공개)",
}


def voting_demo_load() -> None:
    from smartseoul.accounts.models import User
    from smartseoul.places.models import District
    from smartseoul.voting.demo_secret import secret_demo_load

    official = User.objects.get(email="official.cityhall@demo.smartseoul.example")
    secret_demo_load(official)
    if Vote.objects.filter(title__in=DEMO_TITLES.values()).exists():
        return
    now = timezone.now()
    music = vote_create(
        actor=official,
        kind=Vote.Kind.POLICY,
        title=DEMO_TITLES["music"],
        description=(
            "서울교통공사는 환승 음악을 시민 의견으로 정합니다. 한 곡의 장르를 골라 주세요."
        ),
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=13),
        results_live=True,
        questions=[
            QuestionSpec(
                "어떤 음악이 좋을까요?", ["국악 (얼씨구야)", "클래식", "재즈", "K-팝 연주곡"]
            )
        ],
    )
    vote_schedule(actor=official, vote=music)
    mapo = vote_create(
        actor=official,
        kind=Vote.Kind.POLICY,
        title=DEMO_TITLES["mapo"],
        opens_at=now - datetime.timedelta(hours=3),
        closes_at=now + datetime.timedelta(days=6),
        eligibility=EligibilitySpec(districts=[District.objects.get(code="11440")]),
        questions=[
            QuestionSpec(
                "바라는 것을 두 가지까지 고르세요",
                ["더 밝게", "눈부심 줄이기", "에너지 절약형 LED", "보행로 바닥 조명"],
                1,
                2,
            )
        ],
    )
    vote_schedule(actor=official, vote=mapo)
    bike = vote_create(
        actor=official,
        kind=Vote.Kind.POLICY,
        title=DEMO_TITLES["bike"],
        opens_at=now - datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(minutes=5),
        questions=[QuestionSpec("어디에?", ["대학가", "지하철역 주변", "한강공원", "주거 단지"])],
    )
    vote_schedule(actor=official, vote=bike)
    voters = User.objects.filter(
        email__endswith="@demo.smartseoul.example", citizen_profile__isnull=False
    )
    for number, voter in enumerate(voters):
        ballot_cast(vote=bike, voter=voter, choices=[[number % 3]])
        ballot_cast(vote=music, voter=voter, choices=[[number % 4]])
    Vote.objects.filter(pk=bike.pk).update(closes_at=now - datetime.timedelta(minutes=1))
    bike.refresh_from_db()
    vote_tally(actor=official, vote=bike)
    vote_publish(actor=official, vote=bike)
