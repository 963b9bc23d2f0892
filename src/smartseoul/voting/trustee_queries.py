"""Reads for trustees: a vote's key ceremony as its trustees and administrators see it.

A trustee sees the public state of every trustee of its vote (transport keys, dealings,
who confirmed or decrypted) and only the sealed shares addressed to itself.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from smartseoul.voting.models import Trustee, Vote
from smartseoul.voting.permissions import may_administer


def vote_for_trustee(user: Any, public_id: UUID | str) -> Vote:
    """The vote, if ``user`` is one of its trustees or an election administrator."""
    vote = Vote.objects.filter(public_id=public_id).first()
    if vote is None:
        raise Http404(_("No such vote."))
    if not (may_administer(user) or vote.trustees.filter(user=user).exists()):
        raise PermissionDenied(_("You are not a trustee of this vote."))
    return vote


def ceremony_view(vote: Vote, user: Any) -> dict[str, Any]:
    trustees = list(vote.trustees.all())
    me = next((t for t in trustees if t.user_id == user.pk), None)
    return {
        "vote": vote.public_id,
        "title": vote.title,
        "status": vote.status,
        "ceremony": (
            {
                "ceremony_hash": vote.ceremony_hash,
                "trustees": len(trustees),
                "threshold": vote.threshold,
                "document": vote.ceremony,
            }
            if vote.ceremony_hash
            else None
        ),
        "me": me.index if me else None,
        "trustees": [
            {
                "index": t.index,
                "transport_key": t.transport_key,
                "dealing": t.dealing,
                "confirmed": t.confirmed_at is not None,
                "decrypted": t.decryption is not None,
            }
            for t in trustees
        ],
        "public_key": vote.public_key or None,
        "election_hash": vote.election_hash or None,
        "encrypted_tally": vote.encrypted_tally,
    }


def sealed_shares_for(vote: Vote, user: Any) -> list[dict[str, Any]]:
    """Every share sealed to ``user``'s trustee index, one per other dealer that has dealt."""
    me = Trustee.objects.filter(vote=vote, user=user).first()
    if me is None:
        raise PermissionDenied(_("You are not a trustee of this vote."))
    return [
        share
        for dealer in vote.trustees.exclude(pk=me.pk).filter(sealed_shares__isnull=False)
        for share in dealer.sealed_shares or []
        if share["recipient"] == me.index
    ]
