from __future__ import annotations

import pytest
from django.test import Client

from smartseoul.accounts.models import User
from smartseoul.voting.actions import ballot_cast
from smartseoul.voting.models import Vote

pytestmark = pytest.mark.django_db


def test_a_citizen_votes_and_gets_a_tracker(open_poll: Vote, citizen_client: Client) -> None:
    page = citizen_client.get(f"/voting/{open_poll.public_id}/")
    assert page.status_code == 200
    assert "국악" in page.content.decode()
    response = citizen_client.post(f"/voting/{open_poll.public_id}/", {"q0": "1"})
    assert response.status_code == 302
    receipt = citizen_client.get(response["Location"]).content.decode()
    tracker = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert tracker in receipt
    check = Client().get("/voting/track/", {"tracker": tracker}).content.decode()
    assert "inclusion proof checks out" in check or "포함 증명" in check


def test_an_ineligible_visitor_sees_why(open_poll: Vote) -> None:
    page = Client().get(f"/voting/{open_poll.public_id}/").content.decode()
    assert '<form method="post" class="card ballot"' not in page
    assert "/accounts/login/" in page


def test_results_stay_hidden_until_published(open_poll: Vote, citizen: User) -> None:
    ballot_cast(vote=open_poll, voter=citizen, choices=[[0]])
    assert Client().get(f"/api/voting/votes/{open_poll.public_id}/results").status_code == 404


def test_the_api_casts_with_an_api_key(open_poll: Vote, citizen: User) -> None:
    from smartseoul.accounts.actions import api_key_issue

    _, secret = api_key_issue(user=citizen, name="phone")
    listed = Client().get("/api/voting/votes", HTTP_X_API_KEY=secret).json()
    assert listed[0]["can_vote"] is True
    cast = Client().post(
        f"/api/voting/votes/{open_poll.public_id}/ballots",
        {"choices": [[2]]},
        content_type="application/json",
        HTTP_X_API_KEY=secret,
    )
    assert cast.status_code == 201
    tracker = cast.json()["tracker"]
    looked_up = Client().get(f"/api/voting/trackers/{tracker}").json()
    assert looked_up["counted"] is True
    assert looked_up["inclusion_verified"] is True


def test_the_api_names_a_bad_choice(open_poll: Vote, citizen_client: Client) -> None:
    response = citizen_client.post(
        f"/api/voting/votes/{open_poll.public_id}/ballots",
        {"choices": [[9]]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"choices.1": "Options are numbered 0 to 2."}


def test_openings_are_announced_in_a_feed(cityhall_official: User) -> None:
    from tests.voting.conftest import policy_poll

    opened = policy_poll(cityhall_official, title="열린 투표")
    policy_poll(cityhall_official, opens_in=5, title="아직 안 열린 투표")
    feed = Client().get("/voting/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "열린 투표" in body
    assert f"/voting/{opened.public_id}/" in body
    assert "아직 안 열린 투표" not in body
