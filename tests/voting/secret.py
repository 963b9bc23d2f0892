"""Helpers for secret-ballot tests: trustees, their ceremony run in-process, ballots."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from smartseoul.accounts.actions import email_mark_verified, role_grant
from smartseoul.accounts.models import User
from smartseoul.accounts.roles import Role
from smartseoul.voting import trustee_device as device
from smartseoul.voting.actions import QuestionSpec, vote_create, vote_sync_status, vote_tally
from smartseoul.voting.ballot_context import election_context
from smartseoul.voting.counting import encrypted_count_finish
from smartseoul.voting.crypto import encrypt_ballot
from smartseoul.voting.models import Vote
from smartseoul.voting.tally import tally_from_json
from smartseoul.voting.trustee_queries import ceremony_view, sealed_shares_for
from smartseoul.voting.trustees import (
    ceremony_of,
    trustee_confirm,
    trustee_dealing_submit,
    trustee_decryption_submit,
    trustee_transport_key_submit,
    trustees_appoint,
)
from tests.conftest import totp_activate

QUESTIONS = [
    QuestionSpec("위원장은 누구로?", ["김하늘", "이바다", "박산"]),
    QuestionSpec("두 가지까지 고르세요", ["놀이터", "주차장", "도서관", "정원"], 1, 2),
]


def trustee_user(email: str) -> User:
    user = User.objects.create_user(email, "correct-horse-battery-staple")
    email_mark_verified(user)
    role_grant(actor=None, user=user, role=Role.ELECTION_TRUSTEE)
    totp_activate(user)  # trustees, like officials, work with two-factor authentication
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached per instance


def secret_draft(actor: User, *, hours: float = 24, **kwargs: Any) -> Vote:
    now = timezone.now()
    return vote_create(
        actor=actor,
        kind=Vote.Kind.POLICY,
        privacy=Vote.Privacy.SECRET,
        title=kwargs.pop("title", "주민자치회 위원장 선거"),
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(hours=hours),
        questions=kwargs.pop("questions", QUESTIONS),
        **kwargs,
    )


def run_ceremony(
    actor: User, vote: Vote, trustees: Sequence[User], threshold: int
) -> dict[int, device.State]:
    """Appoint the trustees and play every trustee's part; returns their key states."""
    trustees_appoint(actor=actor, vote=vote, users=trustees, threshold=threshold)
    ceremony = ceremony_of(vote)
    states = {
        i: device.new_state(server="test", vote=str(vote.public_id), index=i, ceremony=ceremony)
        for i in range(1, len(trustees) + 1)
    }
    for i, user in enumerate(trustees, start=1):
        trustee_transport_key_submit(actor=user, vote=vote, transport_key=device.init(states[i]))
    keys = {t["index"]: t["transport_key"] for t in ceremony_view(vote, trustees[0])["trustees"]}
    for i, user in enumerate(trustees, start=1):
        dealing, sealed = device.deal_shares(states[i], keys)
        trustee_dealing_submit(actor=user, vote=vote, dealing=dealing, sealed_shares=sealed)
    dealings = [t["dealing"] for t in ceremony_view(vote, trustees[0])["trustees"]]
    for i, user in enumerate(trustees, start=1):
        device.confirm(states[i], dealings, sealed_shares_for(vote, user))
        trustee_confirm(actor=user, vote=vote)
    vote.refresh_from_db()
    return states


def encrypted(vote: Vote, selections: Sequence[Sequence[int]]) -> dict[str, Any]:
    ballot, _secrets = encrypt_ballot(election_context(vote), selections)
    return ballot.to_json()


def close(vote: Vote) -> None:
    """Close the vote as its closing time would, leaving the manifest (its times) alone."""
    vote_sync_status(vote, now=vote.closes_at + datetime.timedelta(seconds=1))


def close_and_count(vote: Vote) -> None:
    """Close, ask for the count, and do what the background worker then does."""
    close(vote)
    vote_tally(actor=vote.created_by, vote=vote)
    encrypted_count_finish(vote=vote, actor=vote.created_by)
    vote.refresh_from_db()


def decrypt_by(vote: Vote, states: dict[int, device.State], users: dict[int, User]) -> None:
    ciphertexts = tally_from_json(vote.encrypted_tally or [])
    for index, user in users.items():
        share = device.decrypt(states[index], bytes.fromhex(vote.election_hash), ciphertexts)
        trustee_decryption_submit(actor=user, vote=vote, share=share)


def votes_of(vote: Vote) -> list[list[int]]:
    return [[o["votes"] for o in q["options"]] for q in (vote.results or {})["questions"]]
