"""The trustees' JSON API: who may call it, and errors in the API's one shape."""

from __future__ import annotations

import pytest
from django.test import Client

from smartseoul.accounts.actions import api_key_issue
from smartseoul.accounts.models import User
from smartseoul.voting import trustee_device as device
from smartseoul.voting.trustees import ceremony_of
from tests.conftest import totp_activate
from tests.voting.secret import secret_draft, trustee_user

pytestmark = pytest.mark.django_db


def key_client(user: User) -> Client:
    return Client(headers={"X-API-Key": api_key_issue(user=user, name="cli")[1]})


def test_appoint_then_publish_a_transport_key(cityhall_official: User) -> None:
    trustees = [trustee_user(f"api{i}@example.org") for i in (1, 2)]
    vote = secret_draft(cityhall_official)
    base = f"/api/voting/trustee/votes/{vote.public_id}"
    totp_activate(cityhall_official)  # an official's key works once their TOTP is set up
    admin = key_client(cityhall_official)
    answer = admin.post(
        base + "/trustees",
        {"trustees": ["api1@example.org", "API2@example.org"], "threshold": 2},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["ceremony"]["trustees"] == 2
    missing = admin.post(
        base + "/trustees",
        {"trustees": ["nobody@example.org"], "threshold": 1},
        content_type="application/json",
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"]["trustees"]

    first = key_client(trustees[0])
    vote.refresh_from_db()
    state = device.new_state(
        server="-", vote=str(vote.public_id), index=1, ceremony=ceremony_of(vote)
    )
    good = first.post(base + "/transport-key", device.init(state), content_type="application/json")
    assert good.status_code == 200, good.content
    assert good.json()["me"] == 1
    assert good.json()["trustees"][0]["transport_key"]["public"] == state["transport_key"]["public"]

    second = key_client(trustees[1])
    wrong = second.post(
        base + "/transport-key", device.init(state), content_type="application/json"
    )
    assert wrong.status_code == 400
    assert "does not verify" in wrong.json()["error"]["message"]
    assert second.get(base + "/sealed-shares").json() == []
    early = second.post(
        base + "/dealing",
        {"dealing": {"dealer": 2, "commitments": [], "proofs": []}, "sealed_shares": []},
        content_type="application/json",
    )
    assert early.status_code == 400

    outsider = key_client(trustee_user("outsider@example.org"))
    assert outsider.get(base).status_code == 403
    assert Client().get(base).status_code == 401
    assert (
        admin.get("/api/voting/trustee/votes/00000000-0000-0000-0000-000000000000").status_code
        == 404
    )
