"""Results as people read them: each project's outcome with a translated reason.

A result (``budgeting.rules.Result.to_json()``) names projects by option number and carries
a reason code with exact parameters (docs/budgeting.md §2.3); the sentence is built here in
the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smartseoul.budgeting.ballots import ballot_projects, scope_vote
from smartseoul.budgeting.explain import format_amount
from smartseoul.budgeting.models import Project, Scope


def reason_text(reason: dict[str, Any]) -> str:
    params = reason.get("params", {})
    shown = {
        name: value if name == "round" else format_amount(Fraction(value))
        for name, value in params.items()
    }
    votes = int(Fraction(params.get("votes", "0")))
    code = reason["code"]
    if code == "funded":
        return (
            ngettext(
                "Funded with %(votes)s vote; %(left_after)s left after it.",
                "Funded with %(votes)s votes; %(left_after)s left after it.",
                votes,
            )
            % shown
        )
    if code == "did_not_fit":
        return _("Did not fit: %(left)s left, it costs %(cost)s (%(votes)s votes).") % shown
    if code == "no_votes":
        return _("Nobody voted for it.")
    if code == "after_stop":
        return (
            _(
                "Not reached: the rule stops at the first project that does not fit "
                "(%(votes)s votes)."
            )
            % shown
        )
    if code == "free":
        return _("Costs nothing; funded with %(votes)s votes.") % shown
    if code == "mes_funded":
        return (
            _(
                "Funded in round %(round)s of Equal Shares: its %(votes)s supporters paid at most "
                "%(price_per_voter)s each."
            )
            % shown
        )
    if code == "mes_unaffordable":
        return (
            _(
                "Its %(votes)s supporters had %(supporters_money)s left of their equal shares; it "
                "costs %(cost)s."
            )
            % shown
        )
    if code == "greedy_fill":
        return (
            _("Funded with %(votes)s votes from the money Equal Shares left; %(left_after)s left.")
            % shown
        )
    return str(code)


@dataclass(frozen=True)
class Row:
    project: Project
    votes: int
    cost: int
    funded: bool
    reason: str


@dataclass(frozen=True)
class ScopeResult:
    scope: Scope
    rows: list[Row]
    spent: Fraction
    ballots: int
    paper: int
    vote_public_id: Any
    points: list[dict[str, Any]]

    @property
    def funded(self) -> list[Row]:
        return [row for row in self.rows if row.funded]


def scope_result(scope: Scope) -> ScopeResult | None:
    if scope.result is None:
        return None
    outcomes = {entry["id"]: entry for entry in scope.result["projects"]}
    rows = []
    for index, project in enumerate(ballot_projects(scope)):
        outcome = outcomes[str(index)]
        rows.append(
            Row(
                project,
                int(outcome["votes"]),
                int(Fraction(outcome["cost"])),
                bool(outcome["funded"]),
                reason_text(outcome["reason"]),
            )
        )
    # Funded first, in the order the rule chose them; then the rest by votes.
    order = {pid: n for n, pid in enumerate(scope.result["funded"])}
    index_of = {row.project.pk: n for n, row in enumerate(rows)}
    rows.sort(
        key=lambda row: (
            order.get(str(index_of[row.project.pk]), len(order)),
            -row.votes,
            row.project.pk,
        )
    )
    vote = scope_vote(scope)
    results = (vote.results if vote else None) or {}
    return ScopeResult(
        scope=scope,
        rows=rows,
        spent=Fraction(scope.result["spent"]),
        ballots=int(results.get("ballots", 0)),
        paper=int(results.get("paper", {}).get("ballots", 0)),
        vote_public_id=scope.vote_public_id,
        points=[
            {
                "id": row.project.pk,
                "title": row.project.title,
                "lat": row.project.lat,
                "lng": row.project.lng,
                "status": "selected",
                "status_label": row.reason,
                "cost": row.cost,
            }
            for row in rows
            if row.funded and row.project.lat is not None
        ],
    )
