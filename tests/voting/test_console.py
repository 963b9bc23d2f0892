from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from smartseoul.accounts.models import User
from smartseoul.voting.console_forms import parse_questions
from smartseoul.voting.models import Vote
from tests.conftest import totp_activate

pytestmark = pytest.mark.django_db


def official_client(user: User) -> Client:
    totp_activate(user)
    client = Client()
    client.force_login(user)
    return client


def test_the_question_syntax() -> None:
    specs = parse_questions("어떤 음악? \n- 국악\n- 재즈\n\n두 가지까지 (1-2)\n가\n나\n다")
    assert [(s.text, list(s.options), s.min_choices, s.max_choices) for s in specs] == [
        ("어떤 음악?", ["국악", "재즈"], 1, 1),
        ("두 가지까지", ["가", "나", "다"], 1, 2),
    ]


def test_an_official_writes_schedules_and_publishes(cityhall_official: User, citizen: User) -> None:
    client = official_client(cityhall_official)
    response = client.post(
        "/voting/console/new/",
        {
            "title": "한강 야간 축제",
            "kind": "policy",
            "privacy": "open",
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2099-01-01T09:00",
            "questions": "열면 좋을 때는?\n봄\n가을",
            "allow_revote": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    vote = Vote.objects.get(title="한강 야간 축제")
    assert vote.status == Vote.Status.DRAFT
    client.post(f"/voting/console/{vote.public_id}/schedule/")
    vote.refresh_from_db()
    assert vote.status == Vote.Status.SCHEDULED
    assert Client().get("/voting/").content.decode().count("한강 야간 축제") == 1


def test_a_plain_citizen_cannot_schedule_or_publish(
    open_poll: Vote, citizen_client: Client
) -> None:
    response = citizen_client.post(
        f"/voting/console/{open_poll.public_id}/cancel/", {"note": "no"}, follow=True
    )
    assert "You may not cancel this vote." in response.content.decode()
    open_poll.refresh_from_db()
    assert open_poll.status == Vote.Status.OPEN
    assert open_poll.cancel_reason == ""


def test_the_form_names_bad_fields(cityhall_official: User) -> None:
    client = official_client(cityhall_official)
    response = client.post(
        "/voting/console/new/",
        {
            "title": "x",
            "kind": "policy",
            "privacy": "secret",
            "opens_at": "2026-01-02T09:00",
            "closes_at": "2026-01-01T09:00",
            "questions": "Q\nonly one",
            "results_live": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "questions" in errors


def test_the_console_shows_a_secret_votes_progress(cityhall_official: User) -> None:
    from smartseoul.voting.trustees import trustees_appoint
    from tests.voting.secret import secret_draft, trustee_user

    vote = secret_draft(cityhall_official)
    trustees = [trustee_user(f"trustee{n}@example.com") for n in range(3)]
    trustees_appoint(actor=cityhall_official, vote=vote, users=trustees, threshold=2)
    client = official_client(cityhall_official)
    with translation.override("en"):
        page = client.get("/voting/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Key ceremony: 0 of 3 trustees confirmed" in page
