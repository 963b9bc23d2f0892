"""Moving a round through its phases, one step at a time, by an administrator (audited).

proposals → support collection → review → balloting → tallied → results → implementation.
Each move checks what the next phase needs and refuses with the reason; the moves into
balloting, tallied and results also open, count and publish the scopes' mVoting votes
(``ballots.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.budgeting.actions import status_change
from smartseoul.budgeting.models import PHASES, Project, Round, Scope
from smartseoul.budgeting.permissions import may_administer

# voting.actions.MAX_OPTIONS: a scope's ballot is one question of at most this many options.
MAX_BALLOT_PROJECTS = 50


def next_phase(round_: Round) -> str | None:
    index = PHASES.index(round_.phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


@transaction.atomic
def round_advance(*, actor: Any, round_: Round, to: str) -> Round:
    """Move ``round_`` to the phase ``to``, which must be the next one."""
    if not may_administer(actor):
        raise PermissionDenied(_("Only election administrators move a round's phases."))
    given, round_ = round_, Round.objects.select_for_update().get(pk=round_.pk)
    following = next_phase(round_)
    if to not in PHASES:
        raise ValidationError({"phase": _("There is no phase %(phase)r.") % {"phase": to}})
    if to != following:
        if following is None:
            message = _("The round is in its last phase.")
        else:
            message = _(
                "A round moves one phase at a time: after “%(phase)s” comes “%(next)s”."
            ) % {
                "phase": round_.get_phase_display(),
                "next": Round.Phase(following).label,
            }
        raise ValidationError({"phase": message})
    previous = round_.phase
    _ENTER[to](actor, round_)
    round_.phase = to
    round_.phase_changed_at = timezone.now()
    round_.save(update_fields=["phase", "phase_changed_at"])
    # The caller's instance (and the scopes and projects that hold it) sees the new phase.
    given.phase, given.phase_changed_at = round_.phase, round_.phase_changed_at
    audit_record(
        actor=actor,
        action="budget.phase_changed",
        target=round_,
        details={"from": previous, "to": to},
    )
    return round_


def _enter_proposals(actor: Any, round_: Round) -> None:
    if not round_.scopes.exists():
        raise ValidationError({"phase": _("Add at least one budget (scope) first.")})


def _enter_support(actor: Any, round_: Round) -> None:
    if not round_.projects.exists():
        raise ValidationError({"phase": _("Nobody has proposed a project yet.")})


def _enter_review(actor: Any, round_: Round) -> None:
    return None


def _enter_balloting(actor: Any, round_: Round) -> None:
    waiting = round_.projects.filter(status=Project.Status.PROPOSED).count()
    if waiting:
        raise ValidationError(
            {"phase": _("%(count)d projects still wait for review.") % {"count": waiting}}
        )
    for scope in round_.scopes.select_related("district", "neighbourhood"):
        _ballot_select(actor, round_, scope)
    from smartseoul.budgeting.ballots import round_open_ballot

    round_open_ballot(actor=actor, round_=round_)


def _ballot_select(actor: Any, round_: Round, scope: Scope) -> None:
    """Feasible projects go on the ballot: all of them, or the round's top N by support
    (ties to the earlier proposal); the others are told why they are not on it."""
    feasible = list(
        scope.projects.filter(status=Project.Status.FEASIBLE).order_by("-support_count", "id")
    )
    chosen = feasible[: round_.ballot_top_n] if round_.ballot_top_n else feasible
    if len(chosen) < 2:
        raise ValidationError(
            {
                "phase": _("%(area)s has %(count)d feasible projects; a ballot needs two.")
                % {"area": scope.name, "count": len(chosen)}
            }
        )
    if len(chosen) > MAX_BALLOT_PROJECTS:
        raise ValidationError(
            {
                "phase": _(
                    "%(area)s has %(count)d feasible projects; a ballot holds at most "
                    "%(limit)d: set the number of most supported projects per scope."
                )
                % {"area": scope.name, "count": len(chosen), "limit": MAX_BALLOT_PROJECTS}
            }
        )
    chosen_ids = {project.pk for project in chosen}
    for project in feasible:
        if project.pk in chosen_ids:
            status_change(project=project, status=Project.Status.ON_BALLOT, actor=actor)
        else:
            status_change(
                project=project,
                status=Project.Status.NOT_ON_BALLOT,
                actor=actor,
                note=_("Only the %(count)d most supported feasible projects go on the ballot.")
                % {"count": round_.ballot_top_n},
            )


def _enter_tallied(actor: Any, round_: Round) -> None:
    from smartseoul.budgeting.ballots import round_count

    round_count(actor=actor, round_=round_)


def _enter_results(actor: Any, round_: Round) -> None:
    from smartseoul.budgeting.ballots import round_publish

    round_publish(actor=actor, round_=round_)


def _enter_implementation(actor: Any, round_: Round) -> None:
    for project in round_.projects.filter(status=Project.Status.SELECTED):
        status_change(project=project, status=Project.Status.PLANNING, actor=actor)


_ENTER: dict[str, Callable[[Any, Round], None]] = {
    Round.Phase.PROPOSALS: _enter_proposals,
    Round.Phase.SUPPORT: _enter_support,
    Round.Phase.REVIEW: _enter_review,
    Round.Phase.BALLOTING: _enter_balloting,
    Round.Phase.TALLIED: _enter_tallied,
    Round.Phase.RESULTS: _enter_results,
    Round.Phase.IMPLEMENTATION: _enter_implementation,
}
