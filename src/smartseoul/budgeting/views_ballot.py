"""The phone ballot: one page with the voter's budgets (city-wide and their home district),
projects grouped by theme, a running total against each budget, and one cast per scope vote.

Open rounds also work without JavaScript (a plain form; mVoting checks every choice against
the scope's rule).  Secret rounds encrypt in the browser with mVoting's ballot-crypto.js and
prove the budget with budget-proof.js (ballot.js), then post to mVoting's JSON API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartseoul.budgeting import queries
from smartseoul.budgeting.ballots import ballot_projects, scope_vote
from smartseoul.budgeting.models import Project, Round, Scope, Theme
from smartseoul.voting import queries as voting_queries
from smartseoul.voting.actions import ballot_cast, vote_sync_status
from smartseoul.voting.ballot_context import browser_context
from smartseoul.voting.budget_rules import BudgetRule
from smartseoul.voting.eligibility import user_eligibility
from smartseoul.voting.models import Ballot, Vote


@dataclass
class ScopeBallot:
    scope: Scope
    vote: Vote
    rule: BudgetRule
    projects: list[tuple[int, Project, int]]  # (option number, project, its weight)
    groups: list[tuple[str, list[tuple[int, Project, int]]]] = field(default_factory=list)
    my_ballot: Ballot | None = None
    can_vote: bool = True
    why_not: str = ""
    chosen: set[int] = field(default_factory=set)
    error: str = ""

    @property
    def knapsack(self) -> bool:
        return self.scope.ballot_rule == Scope.BallotRule.KNAPSACK


def _ballots(request: HttpRequest, round_: Round) -> list[ScopeBallot]:
    found = []
    for scope in queries.scopes_of_voter(request.user, round_):
        vote = scope_vote(scope)
        if vote is None:
            continue
        vote_sync_status(vote)
        question = vote.questions.get()
        rule = BudgetRule.from_json(question.budget)
        numbered = [
            (number, project, rule.weights[number])
            for number, project in enumerate(ballot_projects(scope))
        ]
        themes = dict(Theme.choices)
        groups: dict[str, list[tuple[int, Project, int]]] = {}
        for row in numbered:
            groups.setdefault(str(themes.get(row[1].theme, row[1].theme)), []).append(row)
        eligibility = user_eligibility(vote, request.user)
        item = ScopeBallot(scope, vote, rule, numbered, sorted(groups.items()))
        item.my_ballot = voting_queries.my_ballot(vote, request.user)
        item.can_vote = eligibility.allowed and vote.status == Vote.Status.OPEN
        item.why_not = (
            str(eligibility.reason)
            if not eligibility.allowed
            else ""
            if vote.status == Vote.Status.OPEN
            else _("This ballot is %(status)s.") % {"status": vote.get_status_display()}
        )
        if item.my_ballot is not None and "choices" in item.my_ballot.content:
            item.chosen = set(item.my_ballot.content["choices"][0])
        found.append(item)
    return found


def _chosen(request: HttpRequest, item: ScopeBallot) -> list[int] | None:
    raw = request.POST.getlist(f"s{item.scope.pk}")
    if any(not value.isdigit() or int(value) >= len(item.projects) for value in raw):
        return None
    return sorted({int(value) for value in raw})


@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    items = _ballots(request, round_)
    secret = round_.privacy == Round.Privacy.SECRET
    problem = ""
    if request.method == "POST":
        if secret:
            problem = _("Secret ballots are encrypted in your browser; enable JavaScript.")
        else:
            cast = _cast_open(request, items)
            if cast is not None:
                return render(
                    request, "budgeting/ballot_done.html", {"round": round_, "cast": cast}
                )
    context: dict[str, Any] = {
        "round": round_,
        "items": items,
        "problem": problem,
        "secret": secret,
        "open_phase": round_.phase == Round.Phase.BALLOTING,
    }
    if secret:
        context["election_data"] = {
            "scopes": [
                {
                    **browser_context(item.vote),
                    "vote": str(item.vote.public_id),
                    "scope": item.scope.pk,
                    "rule": {
                        "weights": list(item.rule.weights),
                        "low": item.rule.low,
                        "high": item.rule.high,
                    },
                    "cast_url": f"/api/voting/votes/{item.vote.public_id}/encrypted-ballots",
                }
                for item in items
                if item.can_vote and item.vote.public_key
            ],
        }
    response = render(request, "budgeting/ballot.html", context)
    if secret:
        # libsodium.js compiles WebAssembly, as on mVoting's secret-ballot page.
        response._csp_update = {"script-src": ["'wasm-unsafe-eval'"]}  # type: ignore[attr-defined]
    return response


def _cast_open(request: HttpRequest, items: list[ScopeBallot]) -> list[tuple[Scope, Ballot]] | None:
    """Check every scope's choices first, then cast one ballot per scope with choices (an
    empty scope is not voted in).  None, with the errors on the items, when any is wrong."""
    wanted: list[tuple[ScopeBallot, list[int]]] = []
    for item in items:
        chosen = _chosen(request, item)
        if chosen is None:
            item.error = _("Unknown project.")
            continue
        item.chosen = set(chosen)
        if not chosen:
            continue
        if not item.can_vote:
            item.error = item.why_not
            continue
        if problem := _rule_problem(item, chosen):
            item.error = problem
            continue
        wanted.append((item, chosen))
    if any(item.error for item in items):
        return None
    if not wanted:
        for item in items:
            item.error = _("Choose projects in at least one budget.")
        return None
    cast = []
    for item, chosen in wanted:
        try:
            cast.append(
                (item.scope, ballot_cast(vote=item.vote, voter=request.user, choices=[chosen]))
            )
        except (ValidationError, PermissionDenied) as exc:
            item.error = " ".join(getattr(exc, "messages", [str(exc)]))
            return None
    return cast


def _rule_problem(item: ScopeBallot, chosen: list[int]) -> str:
    rule = item.rule
    total = sum(rule.weights[i] for i in chosen)
    if item.knapsack:
        if total > rule.high:
            return _("The chosen projects cost %(total)s, over the budget of %(budget)s.") % {
                "total": f"{total:,}",
                "budget": f"{rule.high:,}",
            }
        if total < rule.low:
            return _(
                "The chosen projects cost %(total)s; use at least %(minimum)s of the budget."
            ) % {"total": f"{total:,}", "minimum": f"{rule.low:,}"}
        return ""
    if total > rule.high:
        return _("Choose at most %(k)s projects.") % {"k": rule.high}
    if total < rule.low:
        return _("Choose at least %(k)s projects.") % {"k": rule.low}
    return ""


def vote_ballot(request: HttpRequest, public_id: str) -> HttpResponse:
    """A budget vote's own page in mVoting sends voters here: to the round's phone ballot
    while it runs, to its results afterwards (the vote alone shows no budget bar)."""
    scope = Scope.objects.filter(vote_public_id=public_id).first()
    if scope is None:
        raise Http404("No budget round has this vote.")
    round_ = queries.round_get(request.user, scope.round_id)
    if round_.phase == Round.Phase.BALLOTING:
        return redirect("budgeting:ballot", pk=round_.pk)
    return redirect("budgeting:results", pk=round_.pk)
