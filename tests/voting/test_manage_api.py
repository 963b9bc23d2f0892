"""Running votes through /api/voting/manage/, as the console does: write, schedule, moderate,
count and publish, and fill a voter roll."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from smartseoul.accounts.actions import api_key_issue
from smartseoul.accounts.models import User
from smartseoul.voting.models import Option, Vote
from tests.conftest import totp_activate

pytestmark = pytest.mark.django_db

MANAGE = "/api/voting/manage"


def keyed(user: User) -> dict[str, str]:
    _, secret = api_key_issue(user=user, name="script")
    return {"HTTP_X_API_KEY": secret}


def post(path: str, body: Any, key: dict[str, str]) -> Any:
    return Client().post(path, body, content_type="application/json", **key)


def poll(**overrides: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "kind": "policy",
        "title": "따릉이 대여소 어디에 더?",
        "opens_at": (now - datetime.timedelta(minutes=5)).isoformat(),
        "closes_at": (now + datetime.timedelta(days=7)).isoformat(),
        "questions": [
            {
                "text": "어디에?",
                "options": [
                    {"label": "지하철역 앞", "description": "출구 50m 안"},
                    {"label": "공원 입구"},
                ],
            }
        ],
        "eligibility": {"districts": ["11440"]},
        **overrides,
    }


def test_an_administrator_runs_a_poll_from_start_to_results(
    cityhall_official: User, official: User
) -> None:
    totp_activate(cityhall_official)
    admin = keyed(cityhall_official)
    created = post(f"{MANAGE}/votes", poll(), admin)
    assert created.status_code == 201, created.content
    vote_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert Option.objects.get(label="지하철역 앞").description == "출구 50m 안"

    assert post(f"{MANAGE}/votes/{vote_id}/schedule", {}, admin).json()["status"] == "open"
    vote = Vote.objects.get(public_id=vote_id)
    assert [d.code for d in vote.districts.all()] == ["11440"]
    listed = Client().get(f"{MANAGE}/votes", **admin).json()
    assert vote_id in [v["id"] for v in listed]

    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    assert post(f"{MANAGE}/votes/{vote_id}/tally", {}, admin).json()["status"] == "tallied"
    published = post(f"{MANAGE}/votes/{vote_id}/publish", {}, admin)
    assert published.json()["status"] == "published"
    assert Client().get(f"/api/voting/votes/{vote_id}/results").status_code == 200


def test_a_citizen_poll_is_moderated(cityhall_official: User, citizen: User) -> None:
    citizen.citizen_profile.verified = True
    citizen.citizen_profile.save()
    mine = keyed(citizen)
    created = post(f"{MANAGE}/votes", poll(kind="citizen", eligibility={}), mine)
    assert created.status_code == 201, created.content
    vote_id = created.json()["id"]
    refused = post(f"{MANAGE}/votes/{vote_id}/schedule", {}, mine)
    assert refused.status_code == 400, refused.content
    assert "moderation" in refused.json()["error"]["message"]
    assert post(f"{MANAGE}/votes/{vote_id}/submit", {}, mine).json()["status"] == "pending"

    totp_activate(cityhall_official)
    admin = keyed(cityhall_official)
    waiting = Client().get(f"{MANAGE}/moderation", **admin).json()
    assert [v["id"] for v in waiting] == [vote_id]
    rejected = post(f"{MANAGE}/votes/{vote_id}/reject", {"note": "광고성 설문입니다"}, admin)
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["moderation_note"] == "광고성 설문입니다"


def test_bad_requests_say_what_is_wrong(cityhall_official: User) -> None:
    totp_activate(cityhall_official)
    admin = keyed(cityhall_official)
    unknown_area = post(f"{MANAGE}/votes", poll(eligibility={"districts": ["99999"]}), admin)
    assert unknown_area.status_code == 400
    assert "99999" in unknown_area.json()["error"]["message"] + str(
        unknown_area.json()["error"]["fields"]
    )
    one_option = poll()
    one_option["questions"][0]["options"] = [{"label": "하나뿐"}]
    too_few = post(f"{MANAGE}/votes", one_option, admin)
    assert too_few.status_code == 400
    assert "options" in str(too_few.json()["error"]["fields"])
    assert not Vote.objects.exists()


def test_an_official_without_two_factor_cannot_manage(cityhall_official: User) -> None:
    response = post(f"{MANAGE}/votes", poll(), keyed(cityhall_official))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"
    assert not Vote.objects.exists()


def test_households_get_their_codes_once(cityhall_official: User) -> None:
    totp_activate(cityhall_official)
    admin = keyed(cityhall_official)
    election = poll(kind="community", uses_roll=True, eligibility={}, title="101동 대표 선거")
    vote_id = post(f"{MANAGE}/votes", election, admin).json()["id"]
    households = [{"household": "101-1201"}, {"household": "101-1202", "weight": 2}]
    issued = post(f"{MANAGE}/votes/{vote_id}/roll", households, admin)
    assert issued.status_code == 201, issued.content
    codes = issued.json()
    assert [c["household"] for c in codes] == ["101-1201", "101-1202"]
    assert all(len(c["code"]) >= 16 for c in codes)
    again = post(f"{MANAGE}/votes/{vote_id}/roll", [{"household": "101-1201"}], admin)
    assert again.status_code == 400
    assert "101-1201" in str(again.json()["error"])
