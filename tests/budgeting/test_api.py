"""/api/budget/: read rounds, scopes and projects; propose and support with an API key."""

from __future__ import annotations

import pytest
from django.test import Client

from smartseoul.accounts.actions import api_key_issue
from smartseoul.budgeting.models import Round
from smartseoul.budgeting.phases import round_advance
from tests.budgeting.conftest import JONGNO_POINT, scope_of

pytestmark = pytest.mark.django_db


def test_read_and_write_through_the_api(budget_round, cityhall_official, verified_citizen) -> None:
    client = Client()
    assert client.get("/api/budget/rounds").json() == []  # drafts are not public
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    rounds = client.get("/api/budget/rounds").json()
    assert [r["id"] for r in rounds] == [budget_round.pk]
    assert rounds[0]["phase"] == "proposals"
    scopes = client.get(f"/api/budget/rounds/{budget_round.pk}/scopes").json()
    assert [s["district"] for s in scopes] == [None, "11110", "11440"]
    assert scopes[2]["ballot_rule"] == "approval"
    assert scopes[2]["max_projects"] == 2
    _key, secret = api_key_issue(user=verified_citizen, name="app")
    headers = {"HTTP_X_API_KEY": secret}
    url = f"/api/budget/rounds/{budget_round.pk}/projects"
    payload = {
        "scope": scope_of(budget_round, "11110").pk,
        "title": "종로 자전거 보관대",
        "description": "지하철역 앞",
        "theme": "transport",
        "estimated_cost": 5,
        "lat": JONGNO_POINT[0],
        "lng": JONGNO_POINT[1],
    }
    created = client.post(url, payload, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["status"] == "proposed"
    assert project["supports"] == 0
    wrong = client.post(
        url,
        {**payload, "lat": 37.5133, "lng": 127.1001},
        content_type="application/json",
        **headers,
    )
    assert wrong.status_code == 400
    assert "lat" in wrong.json()["error"]["fields"]
    anonymous = client.post(url, payload, content_type="application/json")
    assert anonymous.status_code == 401
    early = client.post(f"{url}/{project['id']}/support", **headers)
    assert early.status_code == 400
    assert "지지 모집" in early.json()["error"]["message"]
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
    supported = client.post(f"{url}/{project['id']}/support", **headers)
    assert supported.json()["supports"] == 1
    listed = client.get(f"{url}?theme=transport").json()
    assert [p["id"] for p in listed] == [project["id"]]
    assert client.delete(f"{url}/{project['id']}/support", **headers).json()["supports"] == 0
