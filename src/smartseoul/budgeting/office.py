"""Officials' and administrators' pages: the review queue, reviews, implementation updates,
new and edited rounds and their budgets, and phase moves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartseoul.budgeting import actions, queries
from smartseoul.budgeting.administration import SETTING_UP, round_locked_fields
from smartseoul.budgeting.forms import (
    ReviewForm,
    RoundForm,
    ScopeForm,
    ScopeRuleForm,
    TrusteesForm,
    UpdateForm,
)
from smartseoul.budgeting.models import Round
from smartseoul.budgeting.permissions import may_administer, official_department
from smartseoul.budgeting.phases import round_advance
from smartseoul.budgeting.views import form_errors


def _refusal(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if official_department(request.user) is None:
        raise PermissionDenied(_("The review queue is for officials."))
    projects = queries.review_queue(request.user).filter(round__phase=Round.Phase.REVIEW)
    return render(request, "budgeting/review_queue.html", {"projects": projects})


@require_POST
@login_required
def review(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    item = queries.project_get(round_, project)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose feasible or not feasible."))
    else:
        try:
            actions.project_review(
                actor=request.user,
                project=item,
                feasible=form.cleaned_data["decision"] == "feasible",
                reviewed_cost=form.cleaned_data["reviewed_cost"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("The review was saved and published."))
    return redirect("budgeting:project", pk=round_.pk, project=item.pk)


@require_POST
@login_required
def update(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    item = queries.project_get(round_, project)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the status and the date."))
    else:
        try:
            actions.project_update_add(
                actor=request.user,
                project=item,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                date=form.cleaned_data["date"],
                photos=request.FILES.getlist("photos"),
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("The update was published."))
    return redirect("budgeting:project", pk=round_.pk, project=item.pk)


@require_http_methods(["GET", "POST"])
@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    _administrator_only(request)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = actions.round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("budgeting:scopes", pk=round_.pk)
    return render(request, "budgeting/round_form.html", {"form": form})


def _administrator_only(request: HttpRequest) -> None:
    if not may_administer(request.user):
        raise PermissionDenied(_("Only election administrators run budget rounds."))


@require_http_methods(["GET", "POST"])
@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's settings, prefilled; what its phase has fixed is shown but disabled."""
    _administrator_only(request)
    round_ = queries.round_get(request.user, pk)
    locked = round_locked_fields(round_)
    form = RoundForm.for_round(round_, request.POST or None, locked=locked)
    if request.method == "POST" and form.is_valid():
        # Only what the administrator changed: an untouched field is never refused for
        # being fixed by the phase.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            actions.round_update(actor=request.user, round_=round_, **changes)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The round's settings were saved."))
            return redirect("budgeting:round", pk=round_.pk)
    all_locked = all(field.disabled for field in form.fields.values())
    return render(
        request,
        "budgeting/round_form.html",
        {"form": form, "round": round_, "all_locked": all_locked},
    )


@require_http_methods(["GET", "POST"])
@login_required
def scope_edit(request: HttpRequest, pk: int, scope: int) -> HttpResponse:
    _administrator_only(request)
    round_ = queries.round_get(request.user, pk)
    item = queries.scope_get(round_, scope)
    form = ScopeRuleForm.for_scope(item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.scope_update(actor=request.user, scope=item, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The budget was saved."))
            return redirect("budgeting:scopes", pk=round_.pk)
    return render(
        request, "budgeting/scope_form.html", {"form": form, "round": round_, "scope": item}
    )


@require_POST
@login_required
def scope_remove(request: HttpRequest, pk: int, scope: int) -> HttpResponse:
    _administrator_only(request)
    round_ = queries.round_get(request.user, pk)
    item = queries.scope_get(round_, scope)
    try:
        actions.scope_remove(actor=request.user, scope=item)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The budget was removed."))
    return redirect("budgeting:scopes", pk=round_.pk)


@require_http_methods(["GET", "POST"])
@login_required
def scopes(request: HttpRequest, pk: int) -> HttpResponse:
    _administrator_only(request)
    round_ = queries.round_get(request.user, pk)
    trustees_post = request.method == "POST" and request.POST.get("form") == "trustees"
    form = ScopeForm(None if trustees_post else request.POST or None)
    trustees_form = TrusteesForm(
        request.POST if trustees_post else None,
        initial={
            "trustees": list(round_.trustees.all()),
            "threshold": round_.trustee_threshold or 2,
        },
    )
    if trustees_post and trustees_form.is_valid():
        try:
            actions.round_trustees_set(
                actor=request.user,
                round_=round_,
                users=list(trustees_form.cleaned_data["trustees"]),
                threshold=trustees_form.cleaned_data["threshold"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("The trustees were set."))
        return redirect("budgeting:scopes", pk=round_.pk)
    if request.method == "POST" and not trustees_post and form.is_valid():
        try:
            actions.scope_add(actor=request.user, round_=round_, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                form_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, _("The budget was added."))
            return redirect("budgeting:scopes", pk=round_.pk)
    return render(
        request,
        "budgeting/scopes.html",
        {
            "round": round_,
            "scopes": queries.scopes_of(round_),
            "form": form,
            "trustees_form": trustees_form,
            "budgets_editable": round_.phase in SETTING_UP,
        },
    )


@require_POST
@login_required
def phase(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.round_get(request.user, pk)
    try:
        round_advance(actor=request.user, round_=round_, to=request.POST.get("to", ""))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        round_.refresh_from_db()
        messages.success(
            request,
            _("The round is now in its “%(phase)s” phase.") % {"phase": round_.get_phase_display()},
        )
    return redirect("budgeting:round", pk=round_.pk)


@require_POST
@login_required
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Secret rounds: schedule the scope votes once their trustees made the keys."""
    from smartseoul.budgeting.ballots import round_schedule_ballots

    round_ = queries.round_get(request.user, pk)
    try:
        round_schedule_ballots(actor=request.user, round_=round_)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The budget votes are scheduled."))
    return redirect("budgeting:round", pk=round_.pk)
