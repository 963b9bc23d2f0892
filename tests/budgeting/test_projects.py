"""Proposals, support and review: who may, where, and what the public sees."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from smartseoul.budgeting.actions import (
    project_review,
    project_support,
    project_update_add,
)
from smartseoul.budgeting.models import Project, Round
from smartseoul.budgeting.phases import round_advance
from tests.budgeting.conftest import (
    JONGNO_POINT,
    MAPO_POINT,
    SONGPA_POINT,
    propose,
    resident,
    scope_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposing(budget_round, cityhall_official):
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    return budget_round


def test_citizens_propose_in_the_city_and_their_home_district_only(
    proposing, verified_citizen, mapo_citizen
) -> None:
    jongno = scope_of(proposing, "11110")
    project = propose(verified_citizen, jongno, JONGNO_POINT)
    assert project.status == Project.Status.PROPOSED
    assert project.neighbourhood_id == "11110124"  # 수송동, from the map point
    assert propose(verified_citizen, scope_of(proposing, None)).scope.district_id is None
    with pytest.raises(PermissionDenied, match="residents of"):
        propose(mapo_citizen, jongno, JONGNO_POINT)


def test_the_point_must_lie_in_the_scopes_district(proposing, verified_citizen) -> None:
    jongno = scope_of(proposing, "11110")
    with pytest.raises(ValidationError) as refused:
        propose(verified_citizen, jongno, SONGPA_POINT)
    assert "not in" in refused.value.message_dict["lat"][0]
    with pytest.raises(ValidationError, match="outside Seoul"):
        propose(verified_citizen, jongno, (35.1796, 129.0756))  # Busan
    with pytest.raises(ValidationError, match="Pick the project's place"):
        propose(verified_citizen, jongno)


def test_unverified_citizens_and_costs_over_the_budget_are_refused(
    proposing, verified_citizen
) -> None:
    unverified = resident("unverified@example.com", "11110", verified=False)
    with pytest.raises(PermissionDenied, match="identity-verified"):
        propose(unverified, scope_of(proposing, None))
    with pytest.raises(ValidationError) as refused:
        propose(verified_citizen, scope_of(proposing, "11110"), JONGNO_POINT, cost=51)
    assert "1 to 50" in refused.value.message_dict["estimated_cost"][0]


def test_support_counts_once_per_citizen_and_can_be_withdrawn(
    proposing, cityhall_official, verified_citizen, mapo_citizen
) -> None:
    city = scope_of(proposing, None)
    project = propose(verified_citizen, city)
    round_advance(actor=cityhall_official, round_=proposing, to=Round.Phase.SUPPORT)
    project_support(actor=verified_citizen, project=project)
    project_support(actor=verified_citizen, project=project)
    project_support(actor=mapo_citizen, project=project)
    project.refresh_from_db()
    assert project.support_count == 2
    project_support(actor=mapo_citizen, project=project, support=False)
    project.refresh_from_db()
    assert project.support_count == 1


def test_officials_review_their_own_area_with_a_public_reason_for_rejection(
    proposing, cityhall_official, official, verified_citizen, mapo_citizen
) -> None:
    jongno = propose(verified_citizen, scope_of(proposing, "11110"), JONGNO_POINT)
    mapo = propose(mapo_citizen, scope_of(proposing, "11440"), MAPO_POINT)
    city = propose(verified_citizen, scope_of(proposing, None), title="시청 앞 공공 와이파이")
    round_advance(actor=cityhall_official, round_=proposing, to=Round.Phase.SUPPORT)
    with pytest.raises(ValidationError, match="Review by officials"):
        project_review(actor=official, project=mapo, feasible=True)
    round_advance(actor=cityhall_official, round_=proposing, to=Round.Phase.REVIEW)
    # `official` works at the Mapo-gu office: Mapo's projects, not Jongno's or the city's.
    with pytest.raises(PermissionDenied, match=r"Jongno-gu|종로구"):
        project_review(actor=official, project=jongno, feasible=True)
    with pytest.raises(PermissionDenied):
        project_review(actor=official, project=city, feasible=True)
    with pytest.raises(ValidationError) as refused:
        project_review(actor=official, project=mapo, feasible=False)
    assert "public reason" in refused.value.message_dict["reason"][0]
    project_review(
        actor=official, project=mapo, feasible=False, reason="사유지라 설치할 수 없습니다."
    )
    mapo.refresh_from_db()
    assert mapo.status == Project.Status.REJECTED
    assert mapo.rejection_reason == "사유지라 설치할 수 없습니다."
    assert mapo.updates.last().note == "사유지라 설치할 수 없습니다."
    # City hall reviews the city-wide scope, and may set the cost it found.
    project_review(actor=cityhall_official, project=city, feasible=True, reviewed_cost=12)
    city.refresh_from_db()
    assert (city.status, city.reviewed_cost, city.cost) == ("feasible", 12, 12)


def test_the_ballot_takes_feasible_projects_and_refuses_while_reviews_wait(
    proposing, cityhall_official, verified_citizen
) -> None:
    city_scope = scope_of(proposing, None)
    projects = [propose(verified_citizen, city_scope, title=f"사업 {n}") for n in range(3)]
    round_advance(actor=cityhall_official, round_=proposing, to=Round.Phase.SUPPORT)
    round_advance(actor=cityhall_official, round_=proposing, to=Round.Phase.REVIEW)
    with pytest.raises(ValidationError, match="3 projects still wait for review"):
        round_advance(actor=cityhall_official, round_=proposing, to=Round.Phase.BALLOTING)
    for project in projects:
        project_review(actor=cityhall_official, project=project, feasible=True)
    # The two districts have no feasible project: a ballot needs two.
    with pytest.raises(ValidationError, match="a ballot needs two"):
        round_advance(actor=cityhall_official, round_=proposing, to=Round.Phase.BALLOTING)


def _jpeg_with_orientation() -> io.BytesIO:
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to show"
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    buffer.seek(0)
    return buffer


def test_implementation_updates_only_for_funded_projects_in_that_phase(
    proposing, cityhall_official, verified_citizen
) -> None:
    project = propose(verified_citizen, scope_of(proposing, None))
    with pytest.raises(ValidationError, match="Implementation"):
        project_update_add(actor=cityhall_official, project=project, status="planning")
    Round.objects.filter(pk=proposing.pk).update(phase=Round.Phase.IMPLEMENTATION)
    project.round.phase = Round.Phase.IMPLEMENTATION
    with pytest.raises(ValidationError, match="Only funded projects"):
        project_update_add(actor=cityhall_official, project=project, status="planning")
    Project.objects.filter(pk=project.pk).update(status=Project.Status.SELECTED)
    project.status = Project.Status.SELECTED
    with pytest.raises(PermissionDenied):
        project_update_add(actor=verified_citizen, project=project, status="planning")
    update = project_update_add(
        actor=cityhall_official,
        project=project,
        status="in_progress",
        note="공사 시작",
        photos=[_jpeg_with_orientation()],
    )
    with Image.open(update.photos.get().image) as published:
        assert published.size == (20, 40)  # turned upright
        assert not published.getexif()  # no metadata left
    project.refresh_from_db()
    assert project.status == Project.Status.IN_PROGRESS
