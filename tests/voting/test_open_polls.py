from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from smartseoul.accounts.actions import citizen_profile_save
from smartseoul.accounts.models import User
from smartseoul.ledger.publisher import publish_changed
from smartseoul.ledger.queries import entries_range, log_get
from smartseoul.places.models import District
from smartseoul.voting.actions import (
    EligibilitySpec,
    QuestionSpec,
    ballot_cast,
    vote_create,
    vote_publish,
    vote_sync_status,
    vote_tally,
)
from smartseoul.voting.models import Ballot, Vote
from tests.voting.conftest import policy_poll

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The actions' messages are checked in English (the pages show them in Korean)."""
    with translation.override("en"):
        yield


def test_a_scheduled_poll_opens_and_closes_by_itself(cityhall_official: User) -> None:
    vote = policy_poll(cityhall_official, opens_in=1)
    assert vote.status == Vote.Status.SCHEDULED
    assert len(vote.manifest_hash) == 64
    now = timezone.now()
    assert vote_sync_status(vote, now=now).status == Vote.Status.SCHEDULED
    assert vote_sync_status(vote, now=now + datetime.timedelta(hours=2)).status == Vote.Status.OPEN
    later = now + datetime.timedelta(hours=30)
    assert vote_sync_status(vote, now=later).status == Vote.Status.CLOSED
    assert Vote.objects.get(pk=vote.pk).status == Vote.Status.CLOSED


def test_a_ballot_goes_into_the_public_ledger(open_poll: Vote, citizen: User) -> None:
    ballot = ballot_cast(vote=open_poll, voter=citizen, choices=[[1]])
    # Durable at once; in the ledger after the publisher's next round (about a second).
    assert ballot.ledger_index is None
    publish_changed()
    ballot.refresh_from_db()
    assert ballot.ledger_index is not None
    log = log_get("votes")
    [(_index, data)] = entries_range(log, ballot.ledger_index, ballot.ledger_index + 1)
    from smartseoul.ledger.merkle import leaf_hash

    assert leaf_hash(data).hex() == ballot.tracker
    document = json.loads(data)
    assert document["choices"] == [[1]]
    assert document["manifest"] == open_poll.manifest_hash
    # Who voted is not in the public record: only a per-vote pseudonym.
    assert set(document) == {
        "type",
        "vote",
        "manifest",
        "pseudonym",
        "weight",
        "cast_at",
        "replaces",
        "choices",
    }
    assert citizen.email.encode() not in data
    assert "김민준".encode() not in data


def test_re_voting_replaces_the_earlier_ballot(open_poll: Vote, citizen: User) -> None:
    first = ballot_cast(vote=open_poll, voter=citizen, choices=[[0]])
    second = ballot_cast(vote=open_poll, voter=citizen, choices=[[2]])
    first.refresh_from_db()
    assert first.replaced_at is not None
    assert second.replaced_at is None
    assert Ballot.objects.filter(vote=open_poll).count() == 2
    counts = _close_and_tally(open_poll)
    assert [o["votes"] for o in counts["questions"][0]["options"]] == [0, 0, 1]
    assert counts["ballots"] == 1


def test_re_voting_can_be_forbidden(cityhall_official: User, citizen: User) -> None:
    vote = policy_poll(cityhall_official, allow_revote=False)
    ballot_cast(vote=vote, voter=citizen, choices=[[0]])
    with pytest.raises(ValidationError, match="already voted"):
        ballot_cast(vote=vote, voter=citizen, choices=[[1]])


def test_choices_must_fit_the_question(cityhall_official: User, citizen: User) -> None:
    vote = policy_poll(
        cityhall_official,
        questions=[QuestionSpec("Pick two or three", ["a", "b", "c", "d"], 2, 3)],
    )
    for bad in ([[0]], [[0, 1, 2, 3]], [[0, 0]], [[7, 1]], []):
        with pytest.raises(ValidationError):
            ballot_cast(vote=vote, voter=citizen, choices=bad)
    ballot_cast(vote=vote, voter=citizen, choices=[[3, 0]])


def test_only_residents_of_the_chosen_districts_vote(
    cityhall_official: User, citizen: User
) -> None:
    mapo = District.objects.get(code="11440")
    vote = policy_poll(cityhall_official, eligibility=EligibilitySpec(districts=[mapo]))
    with pytest.raises(PermissionDenied, match="residents of other areas"):
        ballot_cast(vote=vote, voter=citizen, choices=[[0]])
    citizen_profile_save(user=citizen, name="김민준", district=mapo)
    ballot_cast(vote=vote, voter=citizen, choices=[[0]])


def test_age_limits_need_a_birth_year(cityhall_official: User, citizen: User) -> None:
    vote = policy_poll(cityhall_official, eligibility=EligibilitySpec(min_age=19, max_age=39))
    with pytest.raises(PermissionDenied, match="birth year"):
        ballot_cast(vote=vote, voter=citizen, choices=[[0]])
    year = timezone.localdate().year
    citizen_profile_save(user=citizen, name="김민준", birth_year=year - 50)
    with pytest.raises(PermissionDenied, match="39 or younger"):
        ballot_cast(vote=vote, voter=citizen, choices=[[0]])
    citizen_profile_save(user=citizen, name="김민준", birth_year=year - 25)
    ballot_cast(vote=vote, voter=citizen, choices=[[0]])


def test_no_ballot_before_the_opening(cityhall_official: User, citizen: User) -> None:
    vote = policy_poll(cityhall_official, opens_in=2)
    with pytest.raises(ValidationError, match="not open"):
        ballot_cast(vote=vote, voter=citizen, choices=[[0]])


def test_citizen_polls_need_a_verified_author_and_moderation(
    citizen: User, cityhall_official: User
) -> None:
    now = timezone.now()
    spec = {
        "kind": Vote.Kind.CITIZEN,
        "title": "시장이 된다면 가장 먼저 할 일은?",
        "opens_at": now,
        "closes_at": now + datetime.timedelta(days=7),
        "questions": [QuestionSpec("가장 먼저", ["교통", "주거", "환경"])],
    }
    with pytest.raises(PermissionDenied, match="identity-verified"):
        vote_create(actor=citizen, **spec)  # type: ignore[arg-type]
    citizen.citizen_profile.verified = True
    citizen.citizen_profile.save()
    from smartseoul.voting.actions import vote_moderate, vote_submit

    poll = vote_create(actor=citizen, **spec)  # type: ignore[arg-type]
    vote_submit(actor=citizen, vote=poll)
    with pytest.raises(PermissionDenied):
        vote_moderate(actor=citizen, vote=poll, approve=True)
    with pytest.raises(ValidationError, match="why"):
        vote_moderate(actor=cityhall_official, vote=poll, approve=False)
    vote_moderate(actor=cityhall_official, vote=poll, approve=True)
    assert poll.status == Vote.Status.SCHEDULED


def test_bad_definitions_name_the_problem(cityhall_official: User) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        vote_create(
            actor=cityhall_official,
            kind=Vote.Kind.POLICY,
            title=" ",
            opens_at=now,
            closes_at=now,
            questions=[QuestionSpec("Only one option", ["a"])],
        )
    assert set(caught.value.message_dict) == {"title", "closes_at", "questions.1"}


def test_publishing_follows_the_tally(
    open_poll: Vote, citizen: User, cityhall_official: User
) -> None:
    ballot_cast(vote=open_poll, voter=citizen, choices=[[0]])
    with pytest.raises(ValidationError):
        vote_publish(actor=cityhall_official, vote=open_poll)
    _close_and_tally(open_poll)
    vote_publish(actor=cityhall_official, vote=open_poll)
    assert open_poll.status == Vote.Status.PUBLISHED
    assert open_poll.results["turnout_by_district"] == {"11110": 1}


def _close_and_tally(vote: Vote) -> dict[str, object]:
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    vote.refresh_from_db()
    vote_tally(actor=vote.created_by, vote=vote)
    return vote.results  # type: ignore[return-value]
