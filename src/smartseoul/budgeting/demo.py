"""Demo: three participatory-budgeting rounds, so that every phase and project status can be
seen — last year's round being implemented (results, funded projects with progress and a
photo), this year's round at its ballot (the demo citizen lives in Jongno-gu and votes in
the city-wide budget and Jongno's), and next year's collecting support for proposals.

Everything goes through the actions, as an administrator and the officials would do it.
The demo citizens are not identity-verified, so the demo rounds do not ask for it.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.utils import timezone
from PIL import Image, ImageDraw

from smartseoul.budgeting.actions import (
    project_propose,
    project_review,
    project_support,
    project_update_add,
    round_create,
    scope_add,
)
from smartseoul.budgeting.ballots import scope_vote as _scope_vote
from smartseoul.budgeting.models import Project, Round
from smartseoul.budgeting.phases import round_advance

TITLES = {
    "done": "2025 서울시민 참여예산",
    "ballot": "2026 서울시민 참여예산",
    "next": "2027 서울시민 참여예산",
}
# (scope: None = city-wide or a district code, title, description, theme, cost, lat, lng)
# fmt: off
PROJECTS: list[tuple[str | None, str, str, str, int, float | None, float | None]] = [
    (None, "지능형 CCTV 확충", "어두운 골목과 공원 입구에 지능형 CCTV를 설치합니다.", "safety", 900, None, None),  # noqa: E501
    (None, "공공 와이파이 확대", "버스정류장과 전통시장에 무료 와이파이를 설치합니다.", "digital", 700, None, None),  # noqa: E501
    (None, "한강 자전거길 연결", "끊긴 한강 자전거길 세 구간을 잇습니다.", "transport", 1200, None, None),  # noqa: E501
    (None, "이주민 직업훈련", "이주민을 위한 한국어·직업훈련 과정을 엽니다.", "economy", 500, None, None),  # noqa: E501
    (None, "어린이 기후 학교", "초등학생 기후 교육 프로그램을 운영합니다.", "education", 400, None, None),  # noqa: E501
    (None, "시청 앞 스케이트장 상설화", "겨울 스케이트장을 1년 내내 운영합니다.", "culture", 1500, None, None),  # noqa: E501
    ("11110", "청운동 골목 LED 가로등", "어두운 골목에 LED 가로등을 답니다.", "safety", 60, 37.585, 126.9686),  # noqa: E501
    ("11110", "수송공원 그늘막과 벤치", "그늘막과 벤치를 놓습니다.", "environment", 40, 37.5735, 126.979),  # noqa: E501
    ("11110", "종로 전통시장 자전거 보관대", "시장 앞 자전거 보관대.", "transport", 30, 37.5701, 126.9996),  # noqa: E501
    ("11110", "혜화동 청소년 공부방", "빈 공간을 공부방으로 꾸밉니다.", "education", 80, 37.5862, 127.0018),  # noqa: E501
    ("11440", "망원동 공유 텃밭", "빈터에 주민 공유 텃밭을 만듭니다.", "environment", 50, 37.5563, 126.9084),  # noqa: E501
    ("11440", "경의선숲길 야간 조명", "보행로 바닥 조명을 설치합니다.", "safety", 90, 37.5502, 126.9215),  # noqa: E501
    ("11440", "서교동 어르신 쉼터", "경로당을 고쳐 쉼터로 씁니다.", "welfare", 70, 37.553, 126.919),
    ("11440", "합정역 자전거 수리소", "무료 자전거 수리소를 엽니다.", "transport", 40, 37.5496, 126.9139),  # noqa: E501
]
# fmt: on


def scope_vote(scope: Any) -> Any:
    vote = _scope_vote(scope)
    if vote is None:
        raise RuntimeError(f"{scope} has no vote")
    return vote


def _users() -> dict[str, Any]:
    from smartseoul.accounts.actions import official_create
    from smartseoul.accounts.models import Department, User
    from smartseoul.accounts.roles import Role
    from smartseoul.web.demo import DEMO_DOMAIN, DEMO_PASSWORD

    def get(local: str) -> Any:
        return User.objects.get(email=f"{local}@{DEMO_DOMAIN}")

    jongno_email = f"official.jongno@{DEMO_DOMAIN}"
    jongno = User.objects.filter(email=jongno_email).first() or official_create(
        actor=None,
        email=jongno_email,
        password=DEMO_PASSWORD,
        name="윤서준",
        department=Department.objects.get(code="gu-11110"),
        position="주무관 (기획예산과)",
        roles=[Role.DEPARTMENT_MANAGER],
    )
    return {
        "admin": get("official.cityhall"),
        "mapo_office": get("official.mapo"),
        "jongno_office": User.objects.get(pk=jongno.pk),
        "citizens": list(
            User.objects.filter(
                email__endswith=f"@{DEMO_DOMAIN}", citizen_profile__isnull=False
            ).select_related("citizen_profile")
        ),
    }


def _new_round(
    admin: Any,
    key: str,
    year: int,
    days: int,
    closes: datetime.datetime | None = None,
    **options: Any,
) -> Round:
    """A round whose ballot opens ``days`` from now (negative: in the past)."""
    base = timezone.now() + datetime.timedelta(days=days)
    week = datetime.timedelta(days=7)
    round_ = round_create(
        actor=admin,
        title=TITLES[key],
        year=year,
        description="시민이 제안하고 시민이 결정하는 서울시 참여예산입니다. 비용 단위는 100만 원.",
        proposals_end=base - 3 * week,
        support_end=base - 2 * week,
        review_end=base - week,
        ballot_opens=base,
        ballot_closes=closes or base + week,
        require_verified=False,
        **options,
    )
    scope_add(actor=admin, round_=round_, amount=3000, min_share_percent=70)
    from smartseoul.places.models import District

    scope_add(
        actor=admin,
        round_=round_,
        amount=120,
        district=District.objects.get(code="11110"),
        ballot_rule="approval",
        max_projects=2,
    )
    scope_add(
        actor=admin,
        round_=round_,
        amount=160,
        district=District.objects.get(code="11440"),
        min_share_percent=50,
    )
    round_advance(actor=admin, round_=round_, to=Round.Phase.PROPOSALS)
    return round_


def _author(users: dict[str, Any], district: str | None) -> Any:
    for citizen in users["citizens"]:
        if district is None or citizen.citizen_profile.district_id == district:
            return citizen
    return users["citizens"][0]


def _propose_all(round_: Round, users: dict[str, Any]) -> list[Project]:
    scopes = {scope.district_id: scope for scope in round_.scopes.all()}
    return [
        project_propose(
            actor=_author(users, district),
            scope=scopes[district],
            title=title,
            description=text,
            theme=theme,
            estimated_cost=cost,
            lat=lat,
            lng=lng,
        )
        for district, title, text, theme, cost, lat, lng in PROJECTS
    ]


def _support_and_review(round_: Round, users: dict[str, Any], projects: list[Project]) -> None:
    round_advance(actor=users["admin"], round_=round_, to=Round.Phase.SUPPORT)
    for number, project in enumerate(projects):
        for citizen in users["citizens"][: 1 + number % 4]:
            if project.scope.district_id in (None, citizen.citizen_profile.district_id):
                project_support(actor=citizen, project=project)
    round_advance(actor=users["admin"], round_=round_, to=Round.Phase.REVIEW)
    reviewers = {
        None: users["admin"],
        "11110": users["jongno_office"],
        "11440": users["mapo_office"],
    }
    for project in projects:
        reviewer = reviewers[project.scope.district_id]
        if project.title.startswith("시청 앞 스케이트장"):
            project_review(
                actor=reviewer,
                project=project,
                feasible=False,
                reason="서울광장은 연중 행사 일정이 잡혀 있어 상설 시설을 둘 수 없습니다.",
            )
        elif project.title.startswith("혜화동"):
            project_review(
                actor=reviewer,
                project=project,
                feasible=False,
                reason="같은 건물에 구립 청소년 공부방이 이미 계획되어 있습니다.",
            )
        else:
            project_review(
                actor=reviewer,
                project=project,
                feasible=True,
                reviewed_cost=project.estimated_cost + (10 if project.estimated_cost >= 500 else 0),
            )


def _cast(round_: Round, users: dict[str, Any], *, skip_main_citizen: bool) -> None:
    from smartseoul.voting.actions import ballot_cast
    from smartseoul.voting.budget_rules import BudgetRule

    for scope in round_.scopes.all():
        vote = scope_vote(scope)
        rule = BudgetRule.from_json(vote.questions.get().budget)
        for number, citizen in enumerate(users["citizens"]):
            if skip_main_citizen and citizen.email.startswith("citizen@"):
                continue  # the demo's own citizen still has this ballot to cast
            if scope.district_id not in (None, citizen.citizen_profile.district_id):
                continue
            chosen = _pick(rule, number)
            if chosen:
                ballot_cast(vote=vote, voter=citizen, choices=[chosen])


def _pick(rule: Any, seed: int) -> list[int]:
    """A valid ballot: projects from a voter-dependent starting point while they fit."""
    count = len(rule.weights)
    chosen: list[int] = []
    total = 0
    for step in range(count):
        index = (seed + step) % count
        if total + rule.weights[index] <= rule.high:
            chosen.append(index)
            total += rule.weights[index]
    return sorted(chosen) if total >= rule.low else []


def _photo() -> io.BytesIO:
    image = Image.new("RGB", (800, 600), (180, 200, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(90, 90, 90))
    for x in range(60, 800, 160):
        draw.rectangle((x, 200, x + 16, 420), fill=(60, 60, 60))
        draw.ellipse((x - 20, 170, x + 36, 215), fill=(255, 230, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def _finished_round(users: dict[str, Any]) -> None:
    from smartseoul.voting.actions import vote_sync_status

    admin = users["admin"]
    closes = timezone.now() + datetime.timedelta(hours=1)
    round_ = _new_round(admin, "done", 2025, -30, closes, winner_rule="equalshares/add1")
    projects = _propose_all(round_, users)
    _support_and_review(round_, users, projects)
    round_advance(actor=admin, round_=round_, to=Round.Phase.BALLOTING)
    _cast(round_, users, skip_main_citizen=False)
    # The demo has no hour to wait: each vote is closed as its closing time would close it.
    for scope in round_.scopes.all():
        vote = scope_vote(scope)
        vote_sync_status(vote, now=vote.closes_at + datetime.timedelta(seconds=1))
    round_advance(actor=admin, round_=round_, to=Round.Phase.TALLIED)
    round_advance(actor=admin, round_=round_, to=Round.Phase.RESULTS)
    round_advance(actor=admin, round_=round_, to=Round.Phase.IMPLEMENTATION)
    planned = list(round_.projects.filter(status=Project.Status.PLANNING).order_by("id"))
    today = timezone.localdate()
    for number, project in enumerate(planned):
        office = users["mapo_office"] if project.scope.district_id == "11440" else admin
        if number % 3 >= 1:
            project_update_add(
                actor=office,
                project=project,
                status=Project.Status.IN_PROGRESS,
                note="설계를 마치고 공사를 시작했습니다.",
                date=today - datetime.timedelta(days=20),
            )
        if number % 3 == 2:
            project_update_add(
                actor=office,
                project=project,
                status=Project.Status.COMPLETED,
                note="공사를 마치고 시민에게 개방했습니다.",
                date=today - datetime.timedelta(days=3),
                photos=[_photo()],
            )


def _ballot_round(users: dict[str, Any]) -> None:
    admin = users["admin"]
    round_ = _new_round(admin, "ballot", 2026, -1, ballot_top_n=3)
    projects = _propose_all(round_, users)
    _support_and_review(round_, users, projects)
    round_advance(actor=admin, round_=round_, to=Round.Phase.BALLOTING)
    _cast(round_, users, skip_main_citizen=True)


def _proposal_round(users: dict[str, Any]) -> None:
    round_ = _new_round(users["admin"], "next", 2027, 60)
    projects = _propose_all(round_, users)[:8]
    round_advance(actor=users["admin"], round_=round_, to=Round.Phase.SUPPORT)
    for project in projects[:4]:
        for citizen in users["citizens"]:
            if project.scope.district_id in (None, citizen.citizen_profile.district_id):
                project_support(actor=citizen, project=project)


def budgeting_demo_load() -> None:
    if Round.objects.filter(title__in=TITLES.values()).exists():
        return
    users = _users()
    _finished_round(users)
    _ballot_round(users)
    _proposal_round(users)
