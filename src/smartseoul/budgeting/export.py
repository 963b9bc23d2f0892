"""Pabulib export of a finished scope (docs/budgeting.md §3.2), and the files of a round.

One file per scope.  Project ids are our project numbers, in the ballot's order (which is
the rules' last tie-breaker, so a re-import gives the same result).  The VOTES section holds
every counted ballot of an open round under its ballot pseudonym (the one the public ledger
shows, never a user id) and every confirmed paper sheet; a secret round has no individual
ballots to publish, which META's comment says.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from smartseoul.budgeting.ballots import ballot_projects, scope_vote
from smartseoul.budgeting.models import Round, Scope
from smartseoul.budgeting.pabulib import Ballot, Instance, Project, dump
from smartseoul.voting.budget_rules import BudgetRule
from smartseoul.voting.models import Participation, Vote
from smartseoul.voting.paper import confirmed_sheets


class NotFinished(ValueError):
    """The scope has no counted result yet."""


def scope_instance(scope: Scope) -> Instance:
    round_ = scope.round
    vote = scope_vote(scope)
    if vote is None or scope.result is None or vote.results is None:
        raise NotFinished(f"{scope.name} has no counted result yet")
    question = vote.questions.get()
    rule = BudgetRule.from_json(question.budget)
    projects = ballot_projects(scope)
    result = scope.result
    outcomes = {entry["id"]: entry for entry in result["projects"]}
    secret = round_.privacy == Round.Privacy.SECRET
    comment = f"cost unit: {round_.cost_unit} KRW"
    if secret:
        comment += (
            "; secret ballots: only the totals were decrypted, so there is no VOTES section "
            "of individual ballots (see the election record)"
        )
    meta: dict[str, str] = {
        "description": f"{round_.title}, {scope.name}",
        "country": "South Korea",
        "unit": "Seoul",
    }
    if scope.district_id:
        meta["subunit"] = scope.name
    meta.update(
        {
            "instance": round_.edition or str(round_.year),
            "num_projects": str(len(projects)),
            "num_votes": str(0 if secret else vote.results["ballots"] + _paper_count(vote)),
            "budget": str(scope.amount),
            "currency": "KRW",
            "comment": comment,
            "vote_type": "approval",
            "rule": result["rule"],
        }
    )
    if scope.ballot_rule == Scope.BallotRule.KNAPSACK:
        meta["min_sum_cost"] = str(rule.low)
        meta["max_sum_cost"] = str(rule.high)
    else:
        meta["min_length"] = str(rule.low)
        meta["max_length"] = str(rule.high)
    rows: dict[str, Project] = {}
    for index, project in enumerate(projects):
        outcome = outcomes[str(index)]
        fields = {
            "name": project.title,
            "category": project.theme,
            "votes": str(outcome["votes"]),
            "selected": "1" if outcome["funded"] else "0",
        }
        if project.lat is not None and project.lng is not None:
            fields["latitude"] = f"{project.lat:.6f}"
            fields["longitude"] = f"{project.lng:.6f}"
        cost = Fraction(rule.project_costs[index])
        rows[str(project.pk)] = Project(str(project.pk), cost, fields)
    ballots = [] if secret else _ballots(vote, [str(p.pk) for p in projects])
    return Instance(
        meta=meta,
        projects=rows,
        ballots=ballots,
        project_columns=(
            "project_id", "cost", "votes", "name", "category", "selected", "latitude", "longitude"
        ),
        vote_columns=("voter_id", "vote", "voting_method"),
    )  # fmt: skip


def _paper_count(vote: Vote) -> int:
    return int((vote.results or {}).get("paper", {}).get("ballots", 0))


def _ballots(vote: Vote, ids: list[str]) -> list[Ballot]:
    ballots = []
    counted = (
        Participation.objects.filter(vote=vote, ballot__isnull=False)
        .order_by("ballot_id")
        .values_list("ballot__pseudonym", "ballot__content", "ballot__weight")
    )
    for pseudonym, content, weight in counted:
        chosen = tuple(ids[i] for i in content["choices"][0])
        for copy in range(weight):
            voter = pseudonym if weight == 1 else f"{pseudonym}-{copy + 1}"
            ballots.append(Ballot(voter, chosen, None, {"voting_method": "internet"}))
    for number, sheet in enumerate(confirmed_sheets(vote), start=1):
        chosen = tuple(ids[i] for i in sheet[0])
        ballots.append(Ballot(f"paper-{number}", chosen, None, {"voting_method": "paper"}))
    return ballots


def round_export(round_: Round, folder: Path) -> list[Path]:
    """Write one ``.pb`` file per finished scope of ``round_`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for scope in round_.scopes.select_related("district", "neighbourhood", "round"):
        if scope.result is None:
            continue
        path = folder / export_name(scope)
        dump(scope_instance(scope), path)
        written.append(path)
    return written


def export_name(scope: Scope) -> str:
    area = scope.district_id or "city"
    if scope.neighbourhood_id:
        area = scope.neighbourhood_id
    return f"South-Korea_Seoul_{scope.round.year}_round{scope.round_id}_{area}.pb"
