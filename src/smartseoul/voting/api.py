"""mVoting's JSON API at /api/voting/ for the app's pages and mobile clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.errors import AuthenticationError

from smartseoul.api import csrf_check, identified_if_possible, presented_api_key
from smartseoul.voting import queries
from smartseoul.voting.actions import ballot_cast
from smartseoul.voting.ballot_context import browser_context
from smartseoul.voting.eligibility import voter_eligibility
from smartseoul.voting.models import Vote

router = Router(tags=["voting"], auth=identified_if_possible)


class OptionOut(Schema):
    index: int
    label: str
    description: str
    image: str | None  # absolute URL of the option's picture


class QuestionOut(Schema):
    text: str
    min_choices: int
    max_choices: int
    options: list[OptionOut]


class VoteOut(Schema):
    id: UUID
    kind: str
    privacy: str
    status: str
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    allow_revote: bool
    districts: list[str]
    manifest_hash: str
    questions: list[QuestionOut]
    can_vote: bool
    why_not: str


class BallotIn(Schema):
    choices: list[list[int]]


class BallotOut(Schema):
    tracker: str
    ledger_index: int | None
    cast_at: datetime
    counted: bool


class EncryptedBallotIn(Schema):
    ballot: dict[str, Any]
    # Budget questions only: {"<question number>": proof} (docs/budgeting.md §4).
    budget_proofs: dict[str, Any] | None = None


class ElectionContextOut(Schema):
    manifest: dict[str, Any]
    public_key: str


class TrackerOut(Schema):
    vote: UUID
    tracker: str
    cast_at: datetime
    ledger_index: int | None
    counted: bool
    checkpoint_size: int | None
    inclusion_verified: bool
    problem: str


def _voter(request: HttpRequest, vote: Vote) -> Any:
    """The caster: an API-key or session user, or a voter-roll household of this session.

    Households have no account, so these endpoints cannot demand one; a browser session must
    then carry the CSRF token like any form post.
    """
    if presented_api_key(request) is None:
        csrf_check(request)
    voter = queries.voter_of(request, vote)
    if voter is None or (not vote.uses_roll and not voter.is_authenticated):
        raise AuthenticationError()
    return voter


def _vote_out(vote: Vote, request: HttpRequest) -> dict[str, Any]:
    eligibility = voter_eligibility(vote, queries.voter_of(request, vote))
    return {
        "id": vote.public_id,
        "kind": vote.kind,
        "privacy": vote.privacy,
        "status": vote.status,
        "title": vote.title,
        "description": vote.description,
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "allow_revote": vote.allow_revote,
        "districts": [d.code for d in vote.districts.all()],
        "manifest_hash": vote.manifest_hash,
        "questions": [
            {
                "text": q.text,
                "min_choices": q.min_choices,
                "max_choices": q.max_choices,
                "options": [
                    {
                        "index": i,
                        "label": o.label,
                        "description": o.description,
                        "image": request.build_absolute_uri(o.image.url) if o.image else None,
                    }
                    for i, o in enumerate(q.options.all())
                ],
            }
            for q in vote.questions.prefetch_related("options")
        ],
        "can_vote": eligibility.allowed and vote.status == Vote.Status.OPEN,
        "why_not": str(eligibility.reason),
    }


@router.get("/votes", response=list[VoteOut], summary="Open and upcoming votes, mine first")
def votes_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_vote_out(vote, request) for vote in queries.votes_open_near(request.user)]


@router.get("/votes/{vote_id}", response=VoteOut, summary="One vote with its questions")
def vote_show(request: HttpRequest, vote_id: UUID) -> dict[str, Any]:
    return _vote_out(queries.vote_get(request.user, vote_id), request)


@router.post(
    "/votes/{vote_id}/ballots",
    response={201: BallotOut},
    summary="Cast (or replace) my ballot in an open poll",
)
def ballot_create(request: HttpRequest, vote_id: UUID, payload: BallotIn) -> dict[str, Any]:
    """`choices` has one list per question with the chosen options' indexes."""
    vote = queries.vote_get(request.user, vote_id)
    ballot = ballot_cast(vote=vote, voter=_voter(request, vote), choices=payload.choices)
    return {
        "tracker": ballot.tracker,
        "ledger_index": ballot.ledger_index,
        "cast_at": ballot.cast_at,
        "counted": True,
    }


@router.get(
    "/votes/{vote_id}/context",
    response=ElectionContextOut,
    summary="What a client needs to encrypt a secret ballot",
)
def vote_context(request: HttpRequest, vote_id: UUID) -> dict[str, Any]:
    """The crypto manifest and the election public key; see docs/election-crypto.md."""
    vote = queries.vote_get(request.user, vote_id)
    if vote.privacy != Vote.Privacy.SECRET or not vote.public_key:
        raise Http404("This vote has no election key: it is not a secret ballot, or not ready.")
    return browser_context(vote)


@router.post(
    "/votes/{vote_id}/encrypted-ballots",
    response={201: BallotOut},
    summary="Cast (or replace) my encrypted ballot in a secret vote",
)
def encrypted_ballot_create(
    request: HttpRequest, vote_id: UUID, payload: EncryptedBallotIn
) -> dict[str, Any]:
    """The server checks every proof before accepting; the answer carries the tracker."""
    from smartseoul.voting.actions import ballot_cast_encrypted

    vote = queries.vote_get(request.user, vote_id)
    ballot = ballot_cast_encrypted(
        vote=vote,
        voter=_voter(request, vote),
        ballot_json=payload.ballot,
        budget_proofs=payload.budget_proofs,
    )
    return {
        "tracker": ballot.tracker,
        "ledger_index": ballot.ledger_index,
        "cast_at": ballot.cast_at,
        "counted": True,
    }


@router.get("/votes/{vote_id}/results", summary="Results, once they may be shown")
def vote_results(request: HttpRequest, vote_id: UUID) -> dict[str, Any]:
    vote = queries.vote_get(request.user, vote_id)
    results = queries.results_for(vote, request.user)
    if results is None:
        raise Http404("The results of this vote are not public yet.")
    return {"vote": str(vote.public_id), "final": vote.status == Vote.Status.PUBLISHED, **results}


@router.get(
    "/votes/{vote_id}/record",
    summary="The election record, once the results are public (docs/election-record.md)",
)
def vote_record(request: HttpRequest, vote_id: UUID) -> HttpResponse:
    """Everything `smartseoul verify-election` needs to re-check the result."""
    from smartseoul.voting.record_views import record_response, visible_vote

    return record_response(visible_vote(request.user, vote_id), attachment=False)


@router.get("/trackers/{tracker}", response=TrackerOut, summary="Look up a ballot tracker")
def tracker_show(request: HttpRequest, tracker: str) -> dict[str, Any]:
    check = queries.tracker_check(tracker)
    if check is None:
        raise Http404("No ballot has this tracker.")
    return {
        "vote": check.ballot.vote.public_id,
        "tracker": check.ballot.tracker,
        "cast_at": check.ballot.cast_at,
        "ledger_index": check.ballot.ledger_index,
        "counted": check.counted,
        "checkpoint_size": check.checkpoint_size,
        "inclusion_verified": check.verified,
        "problem": check.problem,
    }
