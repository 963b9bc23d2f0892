"""The officials' console (and a verified citizen's own polls): write, schedule, moderate,
count and publish votes.  Permissions are checked by the actions, not here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartseoul.voting import actions, queries
from smartseoul.voting.console_forms import RollUploadForm, VoteForm
from smartseoul.voting.models import Option, Vote
from smartseoul.voting.option_images import option_image_set
from smartseoul.voting.paper import (
    batches_of,
    may_enter_paper,
    paper_batch_enter,
    parse_sheets,
)
from smartseoul.voting.roll import roll_import


@login_required
def console(request: HttpRequest) -> HttpResponse:
    administrator = queries.may_administer(request.user)
    votes = queries.votes_managed_by(request.user)
    return render(
        request,
        "voting/console.html",
        {
            "votes": votes,
            "administrator": administrator,
            "pending": queries.pending_moderation() if administrator else [],
        },
    )


@login_required
def vote_new(request: HttpRequest) -> HttpResponse:
    administrator = queries.may_administer(request.user)
    form = VoteForm(request.POST or None, administrator=administrator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.vote_create(
                actor=request.user,
                kind=data["kind"],
                privacy=data["privacy"],
                title=data["title"],
                description=data["description"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                questions=data["questions"],
                eligibility=actions.EligibilitySpec(
                    require_verified=data["require_verified"],
                    districts=list(data["districts"]),
                    min_age=data["min_age"],
                    max_age=data["max_age"],
                ),
                allow_revote=data["allow_revote"],
                results_live=data["results_live"],
                # Community elections vote by household codes from their voter roll.
                uses_roll=data["kind"] == Vote.Kind.COMMUNITY,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The vote was saved as a draft."))
            return redirect("voting:console")
    return render(request, "voting/vote_form.html", {"form": form})


def _transition(
    request: HttpRequest, public_id: str, change: Callable[[Vote], Any], done: str
) -> HttpResponse:
    vote = queries.vote_get(request.user, public_id)
    try:
        change(vote)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("voting:console")


@login_required
@require_POST
def vote_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    user = request.user
    note = request.POST.get("note", "")
    changes: dict[str, tuple[Callable[[Vote], Any], str]] = {
        "schedule": (lambda v: actions.vote_schedule(actor=user, vote=v), _("Scheduled.")),
        "submit": (lambda v: actions.vote_submit(actor=user, vote=v), _("Sent to moderation.")),
        "approve": (
            lambda v: actions.vote_moderate(actor=user, vote=v, approve=True, note=note),
            _("Approved and scheduled."),
        ),
        "reject": (
            lambda v: actions.vote_moderate(actor=user, vote=v, approve=False, note=note),
            _("Rejected."),
        ),
        "tally": (
            lambda v: actions.vote_tally(actor=user, vote=v),
            _("Counted. (A secret ballot is summed in the background: look again in a minute.)"),
        ),
        "publish": (lambda v: actions.vote_publish(actor=user, vote=v), _("Results published.")),
        "cancel": (lambda v: actions.vote_cancel(actor=user, vote=v, reason=note), _("Cancelled.")),
    }
    if action not in changes:
        messages.error(request, _("Unknown action."))
        return redirect("voting:console")
    change, done = changes[action]
    return _transition(request, public_id, change, done)


@login_required
def roll(request: HttpRequest, public_id: str) -> HttpResponse:
    """Upload a community election's households; show their codes once, to print or hand out."""
    vote = queries.vote_get(request.user, public_id)
    form = RollUploadForm(request.POST or None, request.FILES or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = roll_import(actor=request.user, vote=vote, households=form.households())
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "voting/roll.html",
        {"vote": vote, "form": form, "issued": issued, "households": vote.roll.count()},
    )


@login_required
def option_images(request: HttpRequest, public_id: str) -> HttpResponse:
    """A draft's options, each with its picture and a form to change it."""
    vote = queries.vote_get(request.user, public_id)
    if request.method == "POST":
        option = Option.objects.filter(
            question__vote=vote, pk=request.POST.get("option") or 0
        ).first()
        if option is None:
            messages.error(request, _("Choose one of this vote's options."))
        else:
            try:
                option_image_set(
                    actor=request.user, option=option, upload=request.FILES.get("image")
                )
                messages.success(request, _("Saved."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except PermissionDenied as exc:
                messages.error(request, str(exc))
        return redirect("voting:option_images", public_id=vote.public_id)
    questions = vote.questions.prefetch_related("options")
    return render(request, "voting/option_images.html", {"vote": vote, "questions": questions})


@login_required
def paper(request: HttpRequest, public_id: str) -> HttpResponse:
    """Type in a batch of paper ballots; a second official types the same sheets again."""
    vote = queries.vote_get(request.user, public_id)
    if not may_enter_paper(request.user):
        raise PermissionDenied(_("Only officials enter paper ballots."))
    questions = list(vote.questions.prefetch_related("options"))
    label, text = request.POST.get("label", ""), request.POST.get("sheets", "")
    if request.method == "POST":
        try:
            outcome = paper_batch_enter(
                actor=request.user,
                vote=vote,
                label=label,
                sheets=parse_sheets(text, len(questions)),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if outcome.differing_sheets:
                sheets = ", ".join(str(n) for n in outcome.differing_sheets)
                messages.error(
                    request,
                    _(
                        "This entry differs from the other official's on sheet(s) %(sheets)s. "
                        "Check the paper and enter the batch again."
                    )
                    % {"sheets": sheets},
                )
            elif outcome.batch.status == outcome.batch.Status.CONFIRMED:
                messages.success(request, _("Both entries agree: the batch is confirmed."))
            else:
                messages.success(request, _("Saved. A second official now enters the same sheets."))
            return redirect("voting:paper", public_id=vote.public_id)
    return render(
        request,
        "voting/paper.html",
        {
            "vote": vote,
            "questions": questions,
            "batches": batches_of(vote),
            "label": label,
            "sheets": text,
        },
    )
