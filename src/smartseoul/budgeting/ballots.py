"""The ballot of a round: one mVoting vote per scope, opened, counted and published through
mVoting's own actions only.

Each scope's vote has one budget question whose options are the scope's ballot projects in
their fixed public order (by project id); its rule (``voting.budget_rules.BudgetRule``) is
the scope's: knapsack (weights = reviewed costs, between the minimum share and the budget)
or "at most k" (weights 1).  mVoting checks open ballots against the rule, secret ballots'
zero-knowledge budget proofs, counts paper batches, and computes the winners at the count;
this module copies the outcome back onto the projects.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.budgeting.actions import phase_required, status_change
from smartseoul.budgeting.models import Project, Round, Scope
from smartseoul.budgeting.permissions import may_administer
from smartseoul.voting.actions import (
    EligibilitySpec,
    QuestionSpec,
    vote_create,
    vote_publish,
    vote_schedule,
    vote_sync_status,
    vote_tally,
)
from smartseoul.voting.budget_rules import BudgetRule
from smartseoul.voting.crypto.budget import minimum_for_share
from smartseoul.voting.models import Vote
from smartseoul.voting.trustees import trustees_appoint


def scope_vote(scope: Scope) -> Vote | None:
    if scope.vote_public_id is None:
        return None
    return Vote.objects.filter(public_id=scope.vote_public_id).first()


def ballot_projects(scope: Scope) -> list[Project]:
    """The scope's ballot in option order (option i is the i-th project)."""
    if scope.ballot is None:
        return []
    by_id = {p.pk: p for p in scope.projects.filter(pk__in=scope.ballot)}
    return [by_id[pk] for pk in scope.ballot]


def scope_rule(round_: Round, scope: Scope, projects: list[Project]) -> BudgetRule:
    costs = [project.cost for project in projects]
    if scope.ballot_rule == Scope.BallotRule.KNAPSACK:
        minimum = minimum_for_share(scope.amount, scope.min_share_percent)
        if minimum > sum(costs):
            raise ValidationError(
                {
                    "phase": _(
                        "%(area)s: all its ballot projects together cost %(total)s, less than "
                        "the minimum share of %(minimum)s; no ballot could be valid."
                    )
                    % {"area": scope.name, "total": f"{sum(costs):,}", "minimum": f"{minimum:,}"}
                }
            )
        return BudgetRule.knapsack(costs, scope.amount, minimum, round_.winner_rule)
    return BudgetRule.at_most(
        int(scope.max_projects or 1), costs, scope.amount, scope.min_projects, round_.winner_rule
    )


def _labels(projects: list[Project]) -> list[str]:
    """Option labels: titles, with the project number where two titles are the same."""
    titles = [p.title for p in projects]
    return [f"{p.title} (#{p.pk})" if titles.count(p.title) > 1 else p.title for p in projects]


def round_open_ballot(*, actor: Any, round_: Round) -> list[Vote]:
    """One budget vote per scope (called by the move to balloting).  Open rounds' votes are
    scheduled at once; secret rounds' get the round's trustees, and are scheduled by
    ``round_schedule_ballots`` once the trustees have made each election key."""
    votes = []
    for scope in round_.scopes.select_related("district", "neighbourhood"):
        projects = list(scope.projects.filter(status=Project.Status.ON_BALLOT).order_by("id"))
        rule = scope_rule(round_, scope, projects)
        knapsack = scope.ballot_rule == Scope.BallotRule.KNAPSACK
        with translation.override(settings.LANGUAGE_CODE):
            name = scope.name
        question = QuestionSpec(
            text=name,
            options=_labels(projects),
            # A knapsack ballot may choose any number of projects: its budget proof bounds
            # the total (the minimum share included), and a question open to any number
            # needs no count proof (docs/election-crypto.md), 15 ms less per ballot.
            min_choices=0 if knapsack else scope.min_projects,
            max_choices=len(projects) if knapsack else min(rule.high, len(projects)),
            descriptions=[p.description[:2000] for p in projects],
            budget=rule,
        )
        eligibility = EligibilitySpec(
            require_verified=round_.require_verified,
            districts=[scope.district] if scope.district and not scope.neighbourhood else [],
            neighbourhoods=[scope.neighbourhood] if scope.neighbourhood else [],
        )
        vote = vote_create(
            actor=actor,
            kind=Vote.Kind.BUDGET,
            privacy=round_.privacy,
            title=f"{round_.title} · {name}"[:200],
            description=round_.description,
            opens_at=round_.ballot_opens,
            closes_at=round_.ballot_closes,
            questions=[question],
            eligibility=eligibility,
        )
        if round_.privacy == Round.Privacy.SECRET:
            trustees = list(round_.trustees.order_by("pk"))
            if not trustees or not round_.trustee_threshold:
                raise ValidationError(
                    {"phase": _("A secret round needs its trustees and their threshold first.")}
                )
            trustees_appoint(
                actor=actor, vote=vote, users=trustees, threshold=round_.trustee_threshold
            )
        else:
            vote_schedule(actor=actor, vote=vote)
        scope.vote_public_id = vote.public_id
        scope.ballot = [p.pk for p in projects]
        scope.save(update_fields=["vote_public_id", "ballot"])
        votes.append(vote)
    return votes


@transaction.atomic
def round_schedule_ballots(*, actor: Any, round_: Round) -> None:
    """Secret rounds: schedule every scope's vote once its trustees made its key."""
    if not may_administer(actor):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only election administrators run budget rounds."))
    phase_required(round_, Round.Phase.BALLOTING)
    for scope in round_.scopes.all():
        vote = scope_vote(scope)
        if vote is not None and vote.status == Vote.Status.DRAFT:
            vote_schedule(actor=actor, vote=vote)
    audit_record(actor=actor, action="budget.ballots_scheduled", target=round_)


def round_count(*, actor: Any, round_: Round) -> None:
    """The move to "tallied": every scope's vote closed and counted, the winners copied.

    Open votes are counted here; secret votes are counted in the voting console and
    decrypted by their trustees first (which takes the trustees' time, not ours).
    """
    problems: list[str] = []
    counted: list[tuple[Scope, Vote]] = []
    for scope in round_.scopes.select_related("district", "neighbourhood"):
        vote = scope_vote(scope)
        if vote is None:
            problems.append(_("%(area)s has no vote.") % {"area": scope.name})
            continue
        vote_sync_status(vote)
        if vote.status in (Vote.Status.DRAFT, Vote.Status.SCHEDULED, Vote.Status.OPEN):
            problems.append(
                _("%(area)s: the ballot is still %(status)s.")
                % {"area": scope.name, "status": vote.get_status_display()}
            )
            continue
        if vote.status == Vote.Status.CLOSED and vote.privacy == Vote.Privacy.OPEN:
            vote_tally(actor=actor, vote=vote)
        if vote.status not in (Vote.Status.TALLIED, Vote.Status.PUBLISHED):
            problems.append(
                _(
                    "%(area)s: the secret ballots are not decrypted yet; ask for the count in "
                    "the voting console and wait for the trustees."
                )
                % {"area": scope.name}
            )
            continue
        counted.append((scope, vote))
    if problems:
        raise ValidationError({"phase": " ".join(problems)})
    for scope, vote in counted:
        _copy_result(scope, vote)


def _copy_result(scope: Scope, vote: Vote) -> None:
    question = (vote.results or {})["questions"][0]
    scope.result = question["budget"]
    scope.save(update_fields=["result"])
    for project, option in zip(ballot_projects(scope), question["options"], strict=True):
        Project.objects.filter(pk=project.pk).update(votes=option["votes"])


def round_publish(*, actor: Any, round_: Round) -> None:
    """The move to "results": publish every scope's vote; funded projects become selected."""
    for scope in round_.scopes.all():
        vote = scope_vote(scope)
        if vote is not None and vote.status == Vote.Status.TALLIED:
            vote_publish(actor=actor, vote=vote)
        funded = set((scope.result or {}).get("funded", []))
        for index, project in enumerate(ballot_projects(scope)):
            selected = str(index) in funded
            status_change(
                project=project,
                status=Project.Status.SELECTED if selected else Project.Status.NOT_SELECTED,
                actor=actor,
            )
