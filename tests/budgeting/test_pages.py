"""The budget pages: browse with filters and map data, propose, support, review, history."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from smartseoul.budgeting.actions import project_propose, project_review
from smartseoul.budgeting.models import Project, Round
from smartseoul.budgeting.phases import round_advance
from tests.budgeting.conftest import JONGNO_POINT, scope_of
from tests.conftest import totp_activate

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_draft_rounds_are_hidden_from_the_public(budget_round, client) -> None:
    assert client.get("/budget/").status_code == 200
    assert budget_round.title not in client.get("/budget/").content.decode()
    assert client.get(f"/budget/{budget_round.pk}/").status_code == 404


def test_propose_with_a_map_point_then_browse_filter_and_support(
    budget_round, cityhall_official, verified_citizen
) -> None:
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    citizen = _client(verified_citizen)
    page = citizen.get(f"/budget/{budget_round.pk}/propose/").content.decode()
    assert "pick-map" in page
    assert "종로구" in page
    assert "마포구" not in page
    jongno = scope_of(budget_round, "11110")
    refused = citizen.post(
        f"/budget/{budget_round.pk}/propose/",
        {
            "scope": jongno.pk,
            "title": "수송동 쉼터",
            "description": "벤치와 그늘막",
            "theme": "environment",
            "estimated_cost": 8,
            "lat": 37.5133,
            "lng": 127.1001,
        },
    )
    assert "이 위치는 종로구에 있지 않습니다" in refused.content.decode()
    assert not Project.objects.exists()
    response = citizen.post(
        f"/budget/{budget_round.pk}/propose/",
        {
            "scope": jongno.pk,
            "title": "수송동 쉼터",
            "description": "벤치와 그늘막",
            "theme": "environment",
            "estimated_cost": 8,
            "lat": JONGNO_POINT[0],
            "lng": JONGNO_POINT[1],
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/budget/{budget_round.pk}/projects/{project.pk}/"
    listing = Client().get(f"/budget/{budget_round.pk}/projects/?theme=environment")
    text = listing.content.decode()
    assert "수송동 쉼터" in text
    points = json.loads(text.split('id="project-points" type="application/json">')[1].split("<")[0])
    assert points[0]["id"] == project.pk
    assert points[0]["lat"] == JONGNO_POINT[0]
    assert (
        "수송동 쉼터"
        not in Client().get(f"/budget/{budget_round.pk}/projects/?theme=safety").content.decode()
    )
    # Public pages never name the author.
    assert verified_citizen.citizen_profile.name not in text
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
    citizen.post(f"/budget/{budget_round.pk}/projects/{project.pk}/support/")
    project.refresh_from_db()
    assert project.support_count == 1
    detail = citizen.get(f"/budget/{budget_round.pk}/projects/{project.pk}/").content.decode()
    assert "지지 철회" in detail


def test_review_queue_and_a_rejection_reason_on_the_public_page(
    budget_round, cityhall_official, official, mapo_citizen
) -> None:
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    project = project_propose(
        actor=mapo_citizen,
        scope=scope_of(budget_round, "11440"),
        title="망원동 공유 텃밭",
        description="빈터에 텃밭",
        theme="environment",
        estimated_cost=20,
        lat=37.5563,
        lng=126.9084,
    )
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.REVIEW)
    totp_activate(official)
    office = _client(official)
    assert "망원동 공유 텃밭" in office.get("/budget/review/").content.decode()
    assert (
        "망원동 공유 텃밭" not in _client(cityhall_official).get("/budget/review/").content.decode()
    )
    office.post(
        f"/budget/{budget_round.pk}/projects/{project.pk}/review/",
        {"decision": "rejected", "reason": "국유지 사용 허가가 나지 않습니다."},
    )
    public = Client().get(f"/budget/{budget_round.pk}/projects/{project.pk}/").content.decode()
    assert "국유지 사용 허가가 나지 않습니다." in public
    assert 'id="rejection-reason"' in public


def test_administrators_see_the_phase_button_and_a_refusal_explains_itself(
    budget_round, cityhall_official
) -> None:
    totp_activate(cityhall_official)
    admin = _client(cityhall_official)
    page = admin.get(f"/budget/{budget_round.pk}/").content.decode()
    assert 'name="to" value="proposals"' in page
    admin.post(f"/budget/{budget_round.pk}/phase/", {"to": "proposals"})
    admin.post(f"/budget/{budget_round.pk}/phase/", {"to": "support"}, follow=False)
    page = admin.get(f"/budget/{budget_round.pk}/").content.decode()
    assert "아직 아무도 사업을 제안하지 않았습니다." in page
    budget_round.refresh_from_db()
    assert budget_round.phase == Round.Phase.PROPOSALS


def test_secret_round_form_refuses_equal_shares_with_the_reason(cityhall_official) -> None:
    totp_activate(cityhall_official)
    admin = _client(cityhall_official)
    response = admin.post(
        "/budget/new/",
        {
            "title": "비밀 라운드",
            "year": 2027,
            "cost_unit": 1000000,
            "privacy": "secret",
            "winner_rule": "equalshares/add1",
            "proposals_end": "2030-01-01T00:00",
            "support_end": "2030-01-02T00:00",
            "review_end": "2030-01-03T00:00",
            "ballot_opens": "2030-01-04T00:00",
            "ballot_closes": "2030-01-05T00:00",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "비밀투표는 이를 절대 드러내지 않습니다" in text
    assert not Round.objects.exists()


def test_history_shows_each_status_change(
    budget_round, cityhall_official, verified_citizen
) -> None:
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    project = project_propose(
        actor=verified_citizen,
        scope=scope_of(budget_round, None),
        title="공공 와이파이",
        description="광장에 와이파이",
        theme="digital",
        estimated_cost=30,
    )
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.REVIEW)
    project_review(actor=cityhall_official, project=project, feasible=True, reviewed_cost=25)
    page = Client().get(f"/budget/{budget_round.pk}/projects/{project.pk}/").content.decode()
    timeline = page.split('class="timeline"')[1]
    assert timeline.index("제안됨") < timeline.index("실현 가능")


def test_administrators_name_a_secret_rounds_trustees_on_its_budgets_page(
    cityhall_official,
) -> None:
    from tests.budgeting.conftest import make_round
    from tests.voting.secret import trustee_user

    secret = make_round(cityhall_official, privacy="secret")
    trustees = [trustee_user(f"t{n}@example.com") for n in range(3)]
    totp_activate(cityhall_official)
    admin = _client(cityhall_official)
    page = admin.get(f"/budget/{secret.pk}/scopes/").content.decode()
    assert "t0@example.com" in page
    admin.post(
        f"/budget/{secret.pk}/scopes/",
        {"form": "trustees", "trustees": [t.pk for t in trustees], "threshold": 2},
    )
    secret.refresh_from_db()
    assert set(secret.trustees.all()) == set(trustees)
    assert secret.trustee_threshold == 2
    refused = admin.post(
        f"/budget/{secret.pk}/scopes/",
        {"form": "trustees", "trustees": [trustees[0].pk], "threshold": 2},
        follow=True,
    )
    assert "함께 복호화할 인원은" in refused.content.decode()
