"""Cast ballots reach the public `votes` ledger in batches, in the order they were cast."""

from __future__ import annotations

import json

import pytest

from smartseoul.accounts.models import User
from smartseoul.audit.models import AuditEvent
from smartseoul.ledger.merkle import leaf_hash
from smartseoul.ledger.queries import entries_range, log_get
from smartseoul.voting.actions import ballot_cast, vote_sync_status, vote_tally
from smartseoul.voting.models import Ballot, Vote
from smartseoul.voting.queries import tracker_check
from smartseoul.voting.sequencer import ballots_sequence
from tests.voting.conftest import policy_poll

pytestmark = pytest.mark.django_db


def _voters(count: int) -> list[User]:
    from smartseoul.accounts.actions import citizen_profile_save
    from smartseoul.places.models import District

    district = District.objects.get(code="11110")
    voters = []
    for n in range(count):
        user = User.objects.create_user(f"voter{n}@example.com", "pw-unused-here")
        citizen_profile_save(user=user, name=f"투표자{n}", district=district)
        voters.append(user)
    return voters


def test_waiting_ballots_are_appended_together_in_cast_order(
    open_poll: Vote, cityhall_official: User
) -> None:
    first, second, third = _voters(3)
    ballot_cast(vote=open_poll, voter=first, choices=[[0]])
    ballot_cast(vote=open_poll, voter=second, choices=[[1]])
    ballot_cast(vote=open_poll, voter=first, choices=[[2]])  # replaces the first one
    ballot_cast(vote=open_poll, voter=third, choices=[[1]])
    appends_before = AuditEvent.objects.filter(action="ledger.entries_appended").count()

    assert ballots_sequence() == 4
    assert ballots_sequence() == 0  # nothing is appended twice

    assert AuditEvent.objects.filter(action="ledger.entries_appended").count() == (
        appends_before + 1
    )
    ballots = list(Ballot.objects.order_by("id"))
    indexes = [ballot.ledger_index for ballot in ballots]
    assert indexes == sorted(indexes)
    assert len(set(indexes)) == 4
    entries = dict(entries_range(log_get("votes"), indexes[0], indexes[-1] + 1))
    for ballot in ballots:
        assert leaf_hash(entries[ballot.ledger_index]).hex() == ballot.tracker
        assert ballot.ledger_entry is None  # the ledger holds the only copy now
    replacing = json.loads(entries[ballots[2].ledger_index])
    assert replacing["replaces"] == ballots[0].tracker


def test_a_tracker_looked_up_right_after_casting_is_found(open_poll: Vote, citizen: User) -> None:
    ballot = ballot_cast(vote=open_poll, voter=citizen, choices=[[0]])
    check = tracker_check(ballot.tracker)
    assert check is not None
    assert not check.pending
    ballot.refresh_from_db()
    assert ballot.ledger_index is not None


def test_counting_brings_every_waiting_ballot_into_the_ledger(cityhall_official: User) -> None:
    import datetime

    from django.utils import timezone

    vote = policy_poll(cityhall_official)
    voters = _voters(3)
    for n, voter in enumerate(voters):
        ballot_cast(vote=vote, voter=voter, choices=[[n]])
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    vote.refresh_from_db()
    vote_sync_status(vote)

    vote_tally(actor=cityhall_official, vote=vote)

    assert not Ballot.objects.filter(vote=vote, ledger_index__isnull=True).exists()
    assert Vote.objects.get(pk=vote.pk).results["ballots"] == 3
