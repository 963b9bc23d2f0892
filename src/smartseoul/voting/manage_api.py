"""Running votes through the API (/api/voting/manage/): what the officials' console does.

The actions check every permission (administrators run policy polls and elections and
moderate; identity-verified citizens write their own polls); these handlers only translate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema

from smartseoul.api import csrf_check, presented_api_key, signed_in
from smartseoul.places.models import District, Neighbourhood
from smartseoul.voting import actions, queries
from smartseoul.voting.actions import vote_sync_status
from smartseoul.voting.paper import paper_batch_enter
from smartseoul.voting.roll import Household, roll_import

router = Router(tags=["voting: running votes"], auth=signed_in)


class OptionIn(Schema):
    label: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)


class QuestionIn(Schema):
    text: str = Field(min_length=1, max_length=500)
    options: list[OptionIn] = Field(min_length=2, max_length=actions.MAX_OPTIONS)
    min_choices: int = 1
    max_choices: int = 1


class EligibilityIn(Schema):
    require_verified: bool = False
    districts: list[str] = Field(default_factory=list, description="district codes, e.g. 11440")
    neighbourhoods: list[str] = Field(default_factory=list, description="legal-dong codes")
    min_age: int | None = None
    max_age: int | None = None


class VoteIn(Schema):
    kind: Literal["policy", "citizen", "community"]
    privacy: Literal["open", "secret"] = "open"
    title: str
    description: str = ""
    opens_at: datetime
    closes_at: datetime
    questions: list[QuestionIn] = Field(min_length=1, max_length=actions.MAX_QUESTIONS)
    eligibility: EligibilityIn = Field(default_factory=EligibilityIn)
    allow_revote: bool = True
    results_live: bool = False
    uses_roll: bool = False


class ManagedVoteOut(Schema):
    id: UUID
    kind: str
    privacy: str
    status: str
    title: str
    opens_at: datetime
    closes_at: datetime
    moderation_note: str
    cancel_reason: str


class ChangeIn(Schema):
    note: str = Field("", max_length=2000, description="moderation note or cancellation reason")


class HouseholdIn(Schema):
    household: str = Field(min_length=1, max_length=100)
    weight: int = Field(1, ge=1, le=1000)
    contact: str = Field("", max_length=200, description="e-mail address the code is sent to")


class CredentialOut(Schema):
    household: str
    code: str


def _managed_out(vote: Any) -> dict[str, Any]:
    vote = vote_sync_status(vote)  # a scheduled vote past its opening time is open
    return {
        "id": vote.public_id,
        "kind": vote.kind,
        "privacy": vote.privacy,
        "status": vote.status,
        "title": vote.title,
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "moderation_note": vote.moderation_note,
        "cancel_reason": vote.cancel_reason,
    }


def _writing(request: HttpRequest) -> None:
    if presented_api_key(request) is None:
        csrf_check(request)


def _areas(eligibility: EligibilityIn) -> actions.EligibilitySpec:
    districts = list(District.objects.filter(code__in=eligibility.districts))
    neighbourhoods = list(Neighbourhood.objects.filter(code__in=eligibility.neighbourhoods))
    unknown = (set(eligibility.districts) - {d.code for d in districts}) | (
        set(eligibility.neighbourhoods) - {n.code for n in neighbourhoods}
    )
    if unknown:
        raise ValidationError({"eligibility": f"Unknown area codes: {', '.join(sorted(unknown))}"})
    return actions.EligibilitySpec(
        require_verified=eligibility.require_verified,
        districts=districts,
        neighbourhoods=neighbourhoods,
        min_age=eligibility.min_age,
        max_age=eligibility.max_age,
    )


@router.get("/votes", response=list[ManagedVoteOut], summary="The votes I run")
def managed_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_managed_out(vote) for vote in queries.votes_managed_by(request.user)]


@router.get(
    "/moderation",
    response=list[ManagedVoteOut],
    summary="Citizen polls waiting for moderation (administrators)",
)
def moderation_list(request: HttpRequest) -> list[dict[str, Any]]:
    if not queries.may_administer(request.user):
        return []
    return [_managed_out(vote) for vote in queries.pending_moderation()]


@router.post("/votes", response={201: ManagedVoteOut}, summary="Write a vote (a draft)")
def managed_create(request: HttpRequest, payload: VoteIn) -> dict[str, Any]:
    _writing(request)
    vote = actions.vote_create(
        actor=request.user,
        kind=payload.kind,
        privacy=payload.privacy,
        title=payload.title,
        description=payload.description,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        questions=[
            actions.QuestionSpec(
                q.text,
                [o.label for o in q.options],
                q.min_choices,
                q.max_choices,
                [o.description for o in q.options],
            )
            for q in payload.questions
        ],
        eligibility=_areas(payload.eligibility),
        allow_revote=payload.allow_revote,
        results_live=payload.results_live,
        uses_roll=payload.uses_roll,
    )
    return _managed_out(vote)


@router.post(
    "/votes/{vote_id}/roll",
    response={201: list[CredentialOut]},
    summary="Add households to a community election's voter roll; their codes, shown once",
)
def managed_roll(
    request: HttpRequest, vote_id: UUID, payload: list[HouseholdIn]
) -> list[dict[str, str]]:
    _writing(request)
    vote = queries.vote_get(request.user, vote_id)
    issued = roll_import(
        actor=request.user,
        vote=vote,
        households=[Household(h.household, h.weight, h.contact) for h in payload],
    )
    return [{"household": i.entry.label, "code": i.credential} for i in issued]


class PaperBatchIn(Schema):
    label: str = Field(min_length=1, max_length=200, description="polling place and box")
    sheets: list[list[list[int]]] = Field(
        description="per sheet, per question, the chosen option numbers (from 0)"
    )


class PaperBatchOut(Schema):
    label: str
    status: str = Field(description="waiting, mismatch or confirmed")
    differing_sheets: list[int] = Field(
        description="sheets (from 1) where this entry differs from the other official's"
    )
    entries: int


@router.post(
    "/votes/{vote_id}/paper-batches",
    response={201: PaperBatchOut},
    summary="Enter a batch of paper ballots (counted once two officials entered it alike)",
)
def paper_batch_create(
    request: HttpRequest, vote_id: UUID, payload: PaperBatchIn
) -> dict[str, Any]:
    _writing(request)
    vote = queries.vote_get(request.user, vote_id)
    outcome = paper_batch_enter(
        actor=request.user, vote=vote, label=payload.label, sheets=payload.sheets
    )
    return {
        "label": outcome.batch.label,
        "status": outcome.batch.status,
        "differing_sheets": list(outcome.differing_sheets),
        "entries": outcome.batch.entries.count(),
    }


# After /roll and /paper-batches, which this pattern would otherwise swallow.
Change = Literal["schedule", "submit", "approve", "reject", "cancel", "tally", "publish"]


@router.post(
    "/votes/{vote_id}/{change}",
    response=ManagedVoteOut,
    summary="Move a vote on: schedule, submit, approve, reject, cancel, tally, publish",
)
def managed_change(
    request: HttpRequest, vote_id: UUID, change: Change, payload: ChangeIn | None = None
) -> dict[str, Any]:
    """`note` is the moderation note (reject/approve) or the public cancellation reason."""
    _writing(request)
    user, note = request.user, payload.note if payload else ""
    vote = queries.vote_get(user, vote_id)
    run = {
        "schedule": lambda: actions.vote_schedule(actor=user, vote=vote),
        "submit": lambda: actions.vote_submit(actor=user, vote=vote),
        "approve": lambda: actions.vote_moderate(actor=user, vote=vote, approve=True, note=note),
        "reject": lambda: actions.vote_moderate(actor=user, vote=vote, approve=False, note=note),
        "cancel": lambda: actions.vote_cancel(actor=user, vote=vote, reason=note),
        "tally": lambda: actions.vote_tally(actor=user, vote=vote),
        "publish": lambda: actions.vote_publish(actor=user, vote=vote),
    }[change]
    return _managed_out(run())
