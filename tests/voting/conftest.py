from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from smartseoul.accounts.models import User
from smartseoul.voting.actions import QuestionSpec, vote_create, vote_schedule
from smartseoul.voting.models import Vote


def policy_poll(actor: User, *, opens_in: float = -1, hours: float = 24, **kwargs: object) -> Vote:
    """A scheduled city policy poll, open from ``opens_in`` hours from now."""
    now = timezone.now()
    vote = vote_create(
        actor=actor,
        kind=Vote.Kind.POLICY,
        title=kwargs.pop("title", "지하철 환승 음악, 무엇이 좋을까요?"),  # type: ignore[arg-type]
        opens_at=now + datetime.timedelta(hours=opens_in),
        closes_at=now + datetime.timedelta(hours=opens_in + hours),
        questions=kwargs.pop(  # type: ignore[arg-type]
            "questions", [QuestionSpec("어떤 음악?", ["국악", "클래식", "재즈"])]
        ),
        **kwargs,  # type: ignore[arg-type]
    )
    return vote_schedule(actor=actor, vote=vote)


@pytest.fixture
def open_poll(cityhall_official: User) -> Vote:
    return policy_poll(cityhall_official)
