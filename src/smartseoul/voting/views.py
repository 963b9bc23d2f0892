from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartseoul.places.models import District
from smartseoul.voting import queries
from smartseoul.voting.actions import ballot_cast
from smartseoul.voting.ballot_context import browser_context
from smartseoul.voting.eligibility import voter_eligibility
from smartseoul.voting.forms import BallotForm, HouseholdCodeForm, TrackerForm
from smartseoul.voting.models import Vote
from smartseoul.voting.roll import roll_entry_for


@require_GET
def vote_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "voting/list.html",
        {"open_votes": queries.votes_open_near(request.user), "finished": queries.votes_finished()},
    )


@require_http_methods(["GET", "POST"])
def vote_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    vote = queries.vote_get(request.user, public_id)
    if vote.kind == Vote.Kind.BUDGET:
        # A participatory-budget scope is voted on its round's page, with the budget bar
        # and (secret rounds) the budget proofs this page does not make.
        return redirect("budgeting:vote", public_id=vote.public_id)
    voter = queries.voter_of(request, vote)
    eligibility = voter_eligibility(vote, voter)
    form = BallotForm(vote, request.POST or None)
    if request.method == "POST":
        if vote.uses_roll and voter is None:
            return redirect("voting:household", public_id=vote.public_id)
        if not vote.uses_roll and not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if vote.privacy == Vote.Privacy.SECRET:
            form.add_error(
                None, _("Secret ballots are encrypted in your browser; enable JavaScript.")
            )
        elif form.is_valid():
            try:
                ballot = ballot_cast(vote=vote, voter=voter, choices=form.choices())
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your vote was recorded."))
                return redirect("voting:receipt", public_id=vote.public_id, tracker=ballot.tracker)
    secret = vote.privacy == Vote.Privacy.SECRET
    response = render(
        request,
        "voting/detail.html",
        {
            "vote": vote,
            "form": form,
            "eligibility": eligibility,
            "my_ballot": queries.my_ballot(vote, voter),
            "results": queries.results_for(vote, request.user),
            "turnout": queries.turnout(vote),
            "election_data": _election_data(vote, form) if secret and vote.public_key else None,
        },
    )
    if secret:
        # libsodium.js compiles WebAssembly; only the secret-ballot page needs to allow it.
        response._csp_update = {"script-src": ["'wasm-unsafe-eval'"]}  # type: ignore[attr-defined]
    return response


def _election_data(vote: Vote, form: BallotForm) -> dict[str, object]:
    """Everything cast.js needs, handed over as JSON (no inline script, so the CSP holds)."""
    return {
        **browser_context(vote),
        "cast_url": f"/api/voting/votes/{vote.public_id}/encrypted-ballots",
        "receipt_url": reverse("voting:receipt", args=[vote.public_id, "TRACKER"]),
        "labels": [
            {"question": q.text, "options": [o.label for o in q.options.all()]}
            for q in form.questions
        ],
        "text": {
            "loading": _("The encryption is still loading; try again in a moment."),
            "count": _("Question %(number)s: choose %(low)s to %(high)s options."),
            "sending": _("Casting your encrypted ballot…"),
            "failed": _("The ballot was not accepted."),
            "offline": _("No connection: your ballot was not cast. Try again."),
            "spoiled": _(
                "This encrypted ballot was opened for checking and can no longer be cast. "
                "Vote again to cast a fresh one."
            ),
            "unsupported": _("This browser cannot encrypt ballots."),
        },
    }


@require_GET
def receipt(request: HttpRequest, public_id: str, tracker: str) -> HttpResponse:
    vote = queries.vote_get(request.user, public_id)
    ballot = queries.my_ballot(vote, queries.voter_of(request, vote))
    if ballot is None or ballot.tracker != tracker:
        return redirect("voting:detail", public_id=vote.public_id)
    return render(
        request,
        "voting/receipt.html",
        {"vote": vote, "ballot": ballot, "fingerprint": queries.ballot_fingerprint(ballot)},
    )


@require_GET
def results(request: HttpRequest, public_id: str) -> HttpResponse:
    vote = queries.vote_get(request.user, public_id)
    result = queries.results_for(vote, request.user)
    names = {d.code: d.name for d in District.objects.all()}
    turnout_rows = []
    if result:
        turnout_rows = [
            (names.get(code, _("Unknown")), count)
            for code, count in result.get("turnout_by_district", {}).items()
        ]
    return render(
        request,
        "voting/results.html",
        {"vote": vote, "results": result, "turnout_rows": turnout_rows},
    )


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    form = TrackerForm(request.GET or None)
    check = None
    searched = False
    if form.is_valid():
        searched = True
        check = queries.tracker_check(form.cleaned_data["tracker"])
    fingerprint = queries.ballot_fingerprint(check.ballot) if check else None
    return render(
        request,
        "voting/track.html",
        {"form": form, "check": check, "searched": searched, "fingerprint": fingerprint},
    )


@require_http_methods(["GET", "POST"])
def household(request: HttpRequest, public_id: str) -> HttpResponse:
    """A household of a voter roll enters the code it received to vote without an account."""
    vote = queries.vote_get(request.user, public_id)
    form = HouseholdCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = roll_entry_for(vote, form.cleaned_data["code"])
        if entry is None:
            form.add_error("code", _("This code is not on this election's voter roll."))
        else:
            households = request.session.get(queries.HOUSEHOLD_SESSION_KEY, {})
            households[str(vote.public_id)] = entry.pk
            request.session[queries.HOUSEHOLD_SESSION_KEY] = households
            request.session.cycle_key()  # a new session id once the household is identified
            messages.success(request, _("Voting as %(household)s.") % {"household": entry.label})
            return redirect("voting:detail", public_id=vote.public_id)
    return render(request, "voting/household.html", {"vote": vote, "form": form})
