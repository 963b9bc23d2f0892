"""The trustees' JSON API at /api/voting/trustee/ (what `smartseoul trustee …` talks to).

Every call needs the trustee's API key (``X-API-Key``) or session.  The server only relays
public values and sealed shares; the JSON shapes are those of docs/election-crypto.md §8–9.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from smartseoul.api import signed_in
from smartseoul.voting import trustees as actions
from smartseoul.voting.trustee_queries import ceremony_view, sealed_shares_for, vote_for_trustee

router = Router(tags=["voting: trustees"], auth=signed_in)


class ProofJson(Schema):
    c: str
    v: str


class TransportKeyJson(Schema):
    public: str
    proof: ProofJson


class DealingJson(Schema):
    dealer: int
    commitments: list[str]
    proofs: list[ProofJson]


class SealedShareJson(Schema):
    dealer: int
    recipient: int
    ephemeral: str
    body: str
    tag: str


class DealingIn(Schema):
    dealing: DealingJson
    sealed_shares: list[SealedShareJson]


class DecryptionShareJson(Schema):
    trustee: int
    factors: list[str]
    proofs: list[ProofJson]


class CiphertextJson(Schema):
    alpha: str
    beta: str


class CeremonyOut(Schema):
    ceremony_hash: str
    trustees: int
    threshold: int
    document: dict[str, Any]


class TrusteeOut(Schema):
    index: int
    transport_key: TransportKeyJson | None
    dealing: DealingJson | None
    confirmed: bool
    decrypted: bool


class CeremonyStateOut(Schema):
    vote: UUID
    title: str
    status: str
    ceremony: CeremonyOut | None
    me: int | None
    trustees: list[TrusteeOut]
    public_key: str | None
    election_hash: str | None
    encrypted_tally: list[list[CiphertextJson]] | None


class AppointIn(Schema):
    trustees: list[str]
    threshold: int


def _state(request: HttpRequest, vote_id: UUID) -> dict[str, Any]:
    return ceremony_view(vote_for_trustee(request.user, vote_id), request.user)


@router.get("/votes/{vote_id}", response=CeremonyStateOut, summary="A vote's key ceremony")
def ceremony_show(request: HttpRequest, vote_id: UUID) -> dict[str, Any]:
    """Everything public about the ceremony and, after the close, the encrypted tally."""
    return _state(request, vote_id)


@router.post(
    "/votes/{vote_id}/trustees",
    response=CeremonyStateOut,
    summary="Appoint the trustees (election administrators)",
)
def trustees_appoint(request: HttpRequest, vote_id: UUID, payload: AppointIn) -> dict[str, Any]:
    """`trustees`: the trustees' account e-mails, in index order; `threshold`: k."""
    from smartseoul.accounts.models import User

    vote = vote_for_trustee(request.user, vote_id)
    users = []
    for email in payload.trustees:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise ValidationError(
                {"trustees": _("No account has the e-mail %(email)s.") % {"email": email}}
            )
        users.append(user)
    actions.trustees_appoint(
        actor=request.user, vote=vote, users=users, threshold=payload.threshold
    )
    return _state(request, vote_id)


@router.post(
    "/votes/{vote_id}/transport-key",
    response=CeremonyStateOut,
    summary="Step 1: publish my transport key",
)
def transport_key_submit(
    request: HttpRequest, vote_id: UUID, payload: TransportKeyJson
) -> dict[str, Any]:
    vote = vote_for_trustee(request.user, vote_id)
    actions.trustee_transport_key_submit(
        actor=request.user, vote=vote, transport_key=payload.model_dump()
    )
    return _state(request, vote_id)


@router.post(
    "/votes/{vote_id}/dealing",
    response=CeremonyStateOut,
    summary="Step 2: publish my dealing and the shares sealed to the others",
)
def dealing_submit(request: HttpRequest, vote_id: UUID, payload: DealingIn) -> dict[str, Any]:
    vote = vote_for_trustee(request.user, vote_id)
    body = payload.model_dump()
    actions.trustee_dealing_submit(
        actor=request.user,
        vote=vote,
        dealing=body["dealing"],
        sealed_shares=body["sealed_shares"],
    )
    return _state(request, vote_id)


@router.get(
    "/votes/{vote_id}/sealed-shares",
    response=list[SealedShareJson],
    summary="The shares sealed to me",
)
def sealed_shares_show(request: HttpRequest, vote_id: UUID) -> list[dict[str, Any]]:
    return sealed_shares_for(vote_for_trustee(request.user, vote_id), request.user)


@router.post(
    "/votes/{vote_id}/confirm",
    response=CeremonyStateOut,
    summary="Step 3: I checked my shares; the last confirmation fixes the election key",
)
def confirm(request: HttpRequest, vote_id: UUID) -> dict[str, Any]:
    vote = vote_for_trustee(request.user, vote_id)
    actions.trustee_confirm(actor=request.user, vote=vote)
    return _state(request, vote_id)


@router.post(
    "/votes/{vote_id}/decryption",
    response=CeremonyStateOut,
    summary="After the count: my partial decryption of the tally, with proofs",
)
def decryption_submit(
    request: HttpRequest, vote_id: UUID, payload: DecryptionShareJson
) -> dict[str, Any]:
    vote = vote_for_trustee(request.user, vote_id)
    actions.trustee_decryption_submit(actor=request.user, vote=vote, share=payload.model_dump())
    return _state(request, vote_id)
