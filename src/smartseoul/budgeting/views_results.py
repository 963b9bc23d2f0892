"""Results per scope (funded projects on a map, every project's votes and why it won or
lost), the Pabulib download of a scope, and the administrators' simulation page."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartseoul.budgeting import queries
from smartseoul.budgeting.export import export_name, scope_instance
from smartseoul.budgeting.forms import SimulateForm
from smartseoul.budgeting.models import Round
from smartseoul.budgeting.pabulib import PabulibError, dumps, loads
from smartseoul.budgeting.permissions import may_administer
from smartseoul.budgeting.presenters import reason_text, scope_result
from smartseoul.budgeting.simulate import simulate

RESULT_PHASES = (Round.Phase.RESULTS, Round.Phase.IMPLEMENTATION)
MAX_UPLOAD = 20 * 1024 * 1024


def _results_visible(user: Any, round_: Round) -> bool:
    if round_.phase in RESULT_PHASES:
        return True
    return round_.phase == Round.Phase.TALLIED and may_administer(user)


@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    if not _results_visible(request.user, round_):
        raise Http404("The results of this round are not public yet.")
    scopes = [r for r in (scope_result(s) for s in queries.scopes_of(round_)) if r is not None]
    return render(
        request,
        "budgeting/results.html",
        {
            "round": round_,
            "results": scopes,
            "points": [point for r in scopes for point in r.points],
            "tile_url": settings.MAP_TILE_URL,
        },
    )


@require_GET
def export(request: HttpRequest, pk: int, scope: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    if not _results_visible(request.user, round_):
        raise Http404("The results of this round are not public yet.")
    item = queries.scope_get(round_, scope)
    if item.result is None:
        raise Http404("This scope has no result yet.")
    response = HttpResponse(dumps(scope_instance(item)), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_name(item)}"'
    return response


COMPARED_RULES = ("greedy", "equalshares/add1")


@require_http_methods(["GET", "POST"])
@login_required
def simulate_page(request: HttpRequest) -> HttpResponse:
    """An administrator uploads a Pabulib file and sees greedy and Equal Shares side by side."""
    if not may_administer(request.user):
        raise PermissionDenied(_("Only election administrators run budget rounds."))
    form = SimulateForm(request.POST or None, request.FILES or None)
    table: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD:
                raise PabulibError(_("The file is larger than 20 MB."))
            instance = loads(upload.read().decode("utf-8-sig"))
            outcomes = {rule: simulate(instance, rule) for rule in COMPARED_RULES}
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        except (PabulibError, ValueError) as exc:
            form.add_error("file", str(exc))
        else:
            summary = {
                "description": instance.meta.get("description", ""),
                "budget": instance.budget,
                "voters": len(instance.ballots),
                "published": instance.selected(),
                "spent": {rule: outcomes[rule].spent for rule in COMPARED_RULES},
            }
            for pid, project in instance.projects.items():
                greedy, shares = (outcomes[rule].outcomes[pid] for rule in COMPARED_RULES)
                table.append(
                    {
                        "id": pid,
                        "name": project.name,
                        "cost": project.cost,
                        "votes": greedy.votes,
                        "greedy": greedy.funded,
                        "greedy_reason": reason_text(greedy.reason.to_json()),
                        "shares": shares.funded,
                        "shares_reason": reason_text(shares.reason.to_json()),
                        "published": project.selected,
                    }
                )
            table.sort(key=lambda row: (not row["greedy"], not row["shares"], -row["votes"]))
    return render(
        request,
        "budgeting/simulate.html",
        {"form": form, "table": table, "summary": summary, "fraction": Fraction},
    )
