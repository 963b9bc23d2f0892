"""Demo: a secret-ballot election, open, whose three trustees already made the key (2 of 3).

The trustees' key ceremony runs in-process here, exactly as `smartseoul trustee` would run it
on three machines; their key files go to ``var/voting-trustees/`` so that, after the close,
anyone trying the demo can decrypt with ``smartseoul trustee decrypt --key-file …``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from smartseoul.voting import trustee_device as device
from smartseoul.voting.actions import (
    QuestionSpec,
    ballot_cast_encrypted,
    vote_create,
    vote_schedule,
)
from smartseoul.voting.ballot_context import election_context
from smartseoul.voting.crypto import encrypt_ballot
from smartseoul.voting.models import Vote
from smartseoul.voting.trustee_cli import save_state
from smartseoul.voting.trustee_queries import ceremony_view, sealed_shares_for
from smartseoul.voting.trustees import (
    ceremony_of,
    trustee_confirm,
    trustee_dealing_submit,
    trustee_transport_key_submit,
    trustees_appoint,
)

ELECTION_TITLE = "서울시 청년정책 네트워크 운영위원 선거 (비밀투표)"
TRUSTEES = ["trustee.kim", "trustee.lee", "trustee.park"]
DEMO_SERVER = "http://127.0.0.1:8000"


def _trustee_accounts() -> list[Any]:
    from smartseoul.accounts.actions import email_mark_verified, role_grant
    from smartseoul.accounts.models import User
    from smartseoul.accounts.roles import Role
    from smartseoul.web.demo import DEMO_DOMAIN, DEMO_PASSWORD

    users = []
    for local in TRUSTEES:
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD)
            email_mark_verified(user)
            role_grant(actor=None, user=user, role=Role.ELECTION_TRUSTEE)
        users.append(User.objects.get(pk=user.pk))  # fresh: permissions are cached
    return users


def _ceremony(official: object, vote: Vote, trustees: list[object]) -> None:
    trustees_appoint(actor=official, vote=vote, users=trustees, threshold=2)
    ceremony = ceremony_of(vote)
    states = {
        i: device.new_state(
            server=DEMO_SERVER, vote=str(vote.public_id), index=i, ceremony=ceremony
        )
        for i in range(1, len(trustees) + 1)
    }
    for i, user in enumerate(trustees, start=1):
        trustee_transport_key_submit(actor=user, vote=vote, transport_key=device.init(states[i]))
    view = ceremony_view(vote, trustees[0])
    keys = {t["index"]: t["transport_key"] for t in view["trustees"]}
    for i, user in enumerate(trustees, start=1):
        dealing, sealed = device.deal_shares(states[i], keys)
        trustee_dealing_submit(actor=user, vote=vote, dealing=dealing, sealed_shares=sealed)
    dealings = [t["dealing"] for t in ceremony_view(vote, trustees[0])["trustees"]]
    folder = settings.VAR_DIR / "voting-trustees"
    for i, user in enumerate(trustees, start=1):
        device.confirm(states[i], dealings, sealed_shares_for(vote, user))
        save_state(folder / f"{TRUSTEES[i - 1]}.json", states[i])
        trustee_confirm(actor=user, vote=vote)
    vote.refresh_from_db()


def secret_demo_load(official: object) -> None:
    from smartseoul.accounts.models import User

    if Vote.objects.filter(title=ELECTION_TITLE).exists():
        return
    now = timezone.now()
    vote = vote_create(
        actor=official,
        kind=Vote.Kind.POLICY,
        privacy=Vote.Privacy.SECRET,
        title=ELECTION_TITLE,
        description=(
            "투표는 브라우저에서 암호화되어 아무도 누가 무엇을 골랐는지 알 수 없습니다. "
            "개표는 세 명의 관리위원 중 두 명이 함께해야 열 수 있고, 누구나 결과를 검증할 수 "
            "있습니다."
        ),
        opens_at=now - datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(days=5),
        questions=[
            QuestionSpec("운영위원장", ["한지민 (청년주거)", "오세훈 (일자리)", "정하늘 (문화)"]),
            QuestionSpec(
                "우선 과제 (두 가지까지)",
                ["청년 월세 지원", "창업 공간", "심야 버스", "문화 패스"],
                1,
                2,
            ),
        ],
    )
    _ceremony(official, vote, _trustee_accounts())
    vote_schedule(actor=official, vote=vote)
    context = election_context(vote)
    voters = User.objects.filter(
        email__endswith="@demo.smartseoul.example", citizen_profile__isnull=False
    ).exclude(email__startswith="citizen@")  # the main demo citizen still has a vote to cast
    for number, voter in enumerate(voters):
        first = [1 if i == number % 3 else 0 for i in range(3)]
        second = [1 if i in (number % 4, (number + 1) % 4) else 0 for i in range(4)]
        ballot, _ = encrypt_ballot(context, [first, second])
        ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot.to_json())
