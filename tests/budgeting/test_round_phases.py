"""A round's phases: one step at a time, by administrators, each refused move saying why."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from smartseoul.audit.models import AuditEvent
from smartseoul.budgeting.actions import project_propose, project_support, scope_add
from smartseoul.budgeting.models import Round
from smartseoul.budgeting.phases import round_advance
from tests.budgeting.conftest import JONGNO_POINT, make_round, scope_of

pytestmark = pytest.mark.django_db


def test_secret_rounds_are_greedy_only_and_say_why(cityhall_official) -> None:
    with pytest.raises(ValidationError) as refused:
        make_round(cityhall_official, privacy="secret", winner_rule="equalshares/add1")
    message = refused.value.message_dict["winner_rule"][0]
    assert "greedy" in message
    assert "secret ballot never reveals" in message
    assert make_round(cityhall_official, privacy="secret", winner_rule="greedy").pk


def test_dates_must_follow_each_other(cityhall_official) -> None:
    round_ = make_round(cityhall_official)
    with pytest.raises(ValidationError, match="follow each other"):
        make_round(cityhall_official, review_end=round_.proposals_end)


def test_only_administrators_create_rounds_and_move_phases(
    budget_round, official, verified_citizen
) -> None:
    with pytest.raises(PermissionDenied, match="election administrators"):
        make_round(verified_citizen)
    with pytest.raises(PermissionDenied, match="election administrators"):
        round_advance(actor=official, round_=budget_round, to=Round.Phase.PROPOSALS)


def test_phases_move_one_step_at_a_time_and_are_audited(budget_round, cityhall_official) -> None:
    with pytest.raises(ValidationError) as refused:
        round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.REVIEW)
    assert "one phase at a time" in refused.value.messages[0]
    assert "Proposals" in refused.value.messages[0]
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    budget_round.refresh_from_db()
    assert budget_round.phase == Round.Phase.PROPOSALS
    event = AuditEvent.objects.get(action="budget.phase_changed")
    assert event.details == {"from": "draft", "to": "proposals"}
    assert event.actor == cityhall_official


def test_a_round_without_budgets_cannot_open(cityhall_official) -> None:
    round_ = make_round(cityhall_official)
    with pytest.raises(ValidationError, match="at least one budget"):
        round_advance(actor=cityhall_official, round_=round_, to=Round.Phase.PROPOSALS)


def test_actions_refuse_the_wrong_phase_naming_it(
    budget_round, cityhall_official, verified_citizen
) -> None:
    city = scope_of(budget_round, None)
    with pytest.raises(ValidationError) as refused:
        project_propose(
            actor=verified_citizen,
            scope=city,
            title="t",
            description="d",
            theme="safety",
            estimated_cost=10,
        )
    assert "Being prepared" in refused.value.messages[0]
    assert "Proposals" in refused.value.messages[0]
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    project = project_propose(
        actor=verified_citizen,
        scope=scope_of(budget_round, "11110"),
        title="청운동 골목 가로등",
        description="어두운 골목에 LED 가로등을 설치합니다.",
        theme="safety",
        estimated_cost=10,
        lat=JONGNO_POINT[0],
        lng=JONGNO_POINT[1],
    )
    with pytest.raises(ValidationError, match="Support collection"):
        project_support(actor=verified_citizen, project=project)
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
    with pytest.raises(ValidationError, match="Being prepared, Proposals"):
        scope_add(actor=cityhall_official, round_=budget_round, amount=5)


def test_support_needs_a_proposal_to_open(budget_round, cityhall_official) -> None:
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    with pytest.raises(ValidationError, match="Nobody has proposed"):
        round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
