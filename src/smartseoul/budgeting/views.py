"""Public and citizen pages: rounds, projects with their map, proposing, supporting, and a
project's page with its history and photos."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartseoul.budgeting import actions, queries
from smartseoul.budgeting.administration import BEFORE_BALLOT
from smartseoul.budgeting.forms import ProposalForm, ReviewForm, UpdateForm
from smartseoul.budgeting.models import PHASES, Project, Round, Theme, UpdatePhoto
from smartseoul.budgeting.permissions import citizen_verdict, may_administer
from smartseoul.budgeting.phases import next_phase


def form_errors(form: object, exc: ValidationError) -> None:
    """Put an action's errors on the form's fields (or on top when the form has no such field)."""
    fields = getattr(form, "fields", {})
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in fields else None, error.messages)  # type: ignore[attr-defined]
    else:
        form.add_error(None, exc.messages)  # type: ignore[attr-defined]


@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "budgeting/rounds.html",
        {
            "rounds": queries.rounds_visible(request.user),
            "may_administer": may_administer(request.user),
        },
    )


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    verdict = citizen_verdict(request.user, round_)
    following = next_phase(round_)
    return render(
        request,
        "budgeting/round.html",
        {
            "round": round_,
            "scopes": queries.scopes_of(round_),
            "phases": [(p, Round.Phase(p).label, i) for i, p in enumerate(PHASES)],
            "phase_index": round_.phase_index,
            "verdict": verdict,
            "my_scopes": queries.scopes_of_voter(request.user, round_),
            "may_administer": may_administer(request.user),
            "next_phase": following,
            "next_phase_label": Round.Phase(following).label if following else "",
            "editable": round_.phase in BEFORE_BALLOT,
        },
    )


@require_GET
def project_list(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    filters = queries.ProjectFilters.from_query(request.GET)
    projects = queries.projects_of(round_, filters)
    return render(
        request,
        "budgeting/projects.html",
        {
            "round": round_,
            "projects": projects,
            "scopes": queries.scopes_of(round_),
            "themes": Theme.choices,
            "statuses": Project.Status.choices,
            "filters": filters,
            "points": queries.map_points(projects),
            "tile_url": settings.MAP_TILE_URL,
            "supported": queries.supported_ids(request.user, round_),
            "can_support": round_.phase == Round.Phase.SUPPORT,
        },
    )


@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    scopes = queries.scopes_of_voter(request.user, round_)
    form = ProposalForm(request.POST or None, scopes=scopes)
    verdict = citizen_verdict(request.user, round_)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = actions.project_propose(
                actor=request.user,
                scope=data["scope"],
                title=data["title"],
                description=data["description"],
                theme=data["theme"],
                estimated_cost=data["estimated_cost"],
                lat=data["lat"],
                lng=data["lng"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your proposal was published."))
            return redirect("budgeting:project", pk=round_.pk, project=project.pk)
    return render(
        request,
        "budgeting/propose.html",
        {
            "round": round_,
            "form": form,
            "verdict": verdict,
            "open": round_.phase == Round.Phase.PROPOSALS,
            "scopes": scopes,
            "tile_url": settings.MAP_TILE_URL,
        },
    )


@require_POST
def support(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    item = queries.project_get(round_, project)
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    wanted = request.POST.get("support", "1") != "0"
    try:
        actions.project_support(actor=request.user, project=item, support=wanted)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request, _("You support this project.") if wanted else _("Your support was withdrawn.")
        )
    back = request.POST.get("next", "")
    if back.startswith("/budget/"):
        return redirect(back)
    return redirect("budgeting:project", pk=round_.pk, project=item.pk)


@require_GET
def project_detail(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    item = queries.project_get(round_, project)
    reviewer = queries.may_review_project(request.user, item)
    return render(
        request,
        "budgeting/project.html",
        {
            "round": round_,
            "project": item,
            "history": queries.project_history(item),
            "supported": item.pk in queries.supported_ids(request.user, round_),
            "can_support": round_.phase == Round.Phase.SUPPORT
            and item.status == Project.Status.PROPOSED,
            "review_form": ReviewForm(initial={"reviewed_cost": item.cost})
            if reviewer and round_.phase == Round.Phase.REVIEW
            else None,
            "update_form": UpdateForm()
            if (reviewer or may_administer(request.user))
            and round_.phase == Round.Phase.IMPLEMENTATION
            and item.status in (Project.Status.SELECTED, *actions.IMPLEMENTATION_STATUSES)
            else None,
            "tile_url": settings.MAP_TILE_URL,
        },
    )


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    picture = get_object_or_404(UpdatePhoto, pk=pk)
    if not picture.image:
        raise Http404("No such photo.")
    response = FileResponse(picture.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    return response
