"""Secret ballots end to end through the actions: a 2-of-3 key ceremony with no dealer,
encrypted ballots with re-votes, the homomorphic tally, decryption by any two trustees."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from smartseoul.accounts.actions import citizen_profile_save, email_mark_verified
from smartseoul.accounts.models import User
from smartseoul.audit.models import AuditEvent
from smartseoul.places.models import District
from smartseoul.voting import trustee_device as device
from smartseoul.voting.actions import ballot_cast, ballot_cast_encrypted, vote_schedule, vote_tally
from smartseoul.voting.models import Ballot, Vote
from smartseoul.voting.tally import tally_from_json
from smartseoul.voting.trustees import (
    trustee_confirm,
    trustee_decryption_submit,
    trustee_transport_key_submit,
    trustees_appoint,
)
from tests.voting.secret import (
    close,
    close_and_count,
    decrypt_by,
    encrypted,
    run_ceremony,
    secret_draft,
    trustee_user,
    votes_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The actions' messages are translated; these tests read the English ones."""
    with translation.override("en"):
        yield


@pytest.fixture
def trustees(db: None) -> list[User]:
    return [trustee_user(f"trustee{i}@example.org") for i in (1, 2, 3)]


@pytest.fixture
def voters(db: None) -> list[User]:
    jongno, mapo = District.objects.get(code="11110"), District.objects.get(code="11440")
    people = []
    for number in range(4):
        user = User.objects.create_user(f"voter{number}@example.org", "pw-pw-pw-pw")
        email_mark_verified(user)
        citizen_profile_save(user=user, name=f"시민{number}", district=jongno if number else mapo)
        people.append(user)
    return people


@pytest.fixture
def ready(cityhall_official: User, trustees: list[User]) -> tuple[Vote, dict[int, device.State]]:
    vote = secret_draft(cityhall_official)
    states = run_ceremony(cityhall_official, vote, trustees, threshold=2)
    vote_schedule(actor=cityhall_official, vote=vote)
    return vote, states


def test_the_trustees_make_the_key_together_and_then_the_vote_can_open(
    cityhall_official: User, trustees: list[User]
) -> None:
    vote = secret_draft(cityhall_official)
    with pytest.raises(ValidationError, match="election key"):
        vote_schedule(actor=cityhall_official, vote=vote)
    run_ceremony(cityhall_official, vote, trustees, threshold=2)
    assert len(vote.public_key) == 64
    assert len(vote.election_hash) == 64
    assert len(vote.manifest_hash) == 64
    vote_schedule(actor=cityhall_official, vote=vote)
    assert vote.status == Vote.Status.SCHEDULED


def test_ballots_are_counted_by_any_two_of_three_trustees(
    ready: tuple[Vote, dict[int, device.State]], trustees: list[User], voters: list[User]
) -> None:
    vote, states = ready
    choices = [
        [[1, 0, 0], [1, 1, 0, 0]],
        [[0, 1, 0], [0, 0, 1, 0]],
        [[0, 1, 0], [0, 0, 1, 1]],
        [[0, 0, 1], [1, 0, 0, 0]],
    ]
    for voter, selection in zip(voters, choices, strict=True):
        ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=encrypted(vote, selection))
    # The last voter changes their mind: only the new ballot counts.
    ballot_cast_encrypted(
        vote=vote, voter=voters[3], ballot_json=encrypted(vote, [[1, 0, 0], [0, 1, 0, 0]])
    )
    assert Ballot.objects.filter(vote=vote).count() == 5
    close_and_count(vote)
    assert vote.status == Vote.Status.CLOSED
    assert len(tally_from_json(vote.encrypted_tally)) == 7

    expected = [[2, 2, 0], [1, 2, 2, 1]]
    for pair in itertools.combinations((1, 2, 3), 2):
        # Each pair of trustees decrypts a fresh copy of the same tally.
        copy = Vote.objects.get(pk=vote.pk)
        for trustee in copy.trustees.all():
            trustee.decryption = None
            trustee.save()
        first, second = pair
        decrypt_by(copy, states, {first: trustees[first - 1]})
        assert copy.status == Vote.Status.CLOSED  # one share is not enough
        assert copy.results is None
        decrypt_by(copy, states, {second: trustees[second - 1]})
        assert copy.status == Vote.Status.TALLIED
        assert votes_of(copy) == expected
        assert copy.results["ballots"] == 4
        assert copy.results["turnout_by_district"] == {"11110": 3, "11440": 1}
        Vote.objects.filter(pk=vote.pk).update(status=Vote.Status.CLOSED, results=None)


def test_bad_ballots_are_refused(
    ready: tuple[Vote, dict[int, device.State]], cityhall_official: User, voters: list[User]
) -> None:
    vote, _states = ready
    good = encrypted(vote, [[1, 0, 0], [1, 0, 0, 0]])
    tampered = encrypted(vote, [[1, 0, 0], [1, 0, 0, 0]])
    option = tampered["questions"][0]["options"][0]
    option["proof"]["v"][0] = good["questions"][0]["options"][0]["proof"]["v"][0]
    with pytest.raises(ValidationError, match="question 0 option 0"):
        ballot_cast_encrypted(vote=vote, voter=voters[0], ballot_json=tampered)
    with pytest.raises(ValidationError):
        ballot_cast_encrypted(vote=vote, voter=voters[0], ballot_json={"questions": []})
    ballot_cast_encrypted(vote=vote, voter=voters[0], ballot_json=good)
    # Someone copies that ballot to repeat voter 0's choice.
    with pytest.raises(ValidationError, match="cast before"):
        ballot_cast_encrypted(vote=vote, voter=voters[1], ballot_json=good)
    # A ballot bound to another voter's pseudonym.
    bound = dict(encrypted(vote, [[1, 0, 0], [1, 0, 0, 0]]), binding="00" * 16)
    with pytest.raises(ValidationError):
        ballot_cast_encrypted(vote=vote, voter=voters[1], ballot_json=bound)
    with pytest.raises(ValidationError, match="encrypted"):
        ballot_cast(vote=vote, voter=voters[1], choices=[[0], [0]])
    other = secret_draft(cityhall_official, title="다른 선거")
    with pytest.raises(ValidationError):
        ballot_cast_encrypted(vote=other, voter=voters[1], ballot_json=good)


def test_a_ballot_bound_to_its_voter_is_accepted(
    ready: tuple[Vote, dict[int, device.State]], voters: list[User]
) -> None:
    from smartseoul.voting.actions import pseudonym
    from smartseoul.voting.ballot_context import election_context
    from smartseoul.voting.crypto import encrypt_ballot

    vote, _states = ready
    binding = bytes.fromhex(pseudonym(vote, f"user:{voters[0].pk}"))
    ballot, _ = encrypt_ballot(election_context(vote), [[0, 0, 1], [0, 0, 0, 1]], binding=binding)
    ballot_cast_encrypted(vote=vote, voter=voters[0], ballot_json=ballot.to_json())


def test_trustees_act_only_for_themselves(
    cityhall_official: User, trustees: list[User], citizen: User
) -> None:
    vote = secret_draft(cityhall_official)
    with pytest.raises(PermissionDenied):
        trustees_appoint(actor=trustees[0], vote=vote, users=trustees, threshold=2)
    with pytest.raises(ValidationError, match="trustee role"):
        trustees_appoint(actor=cityhall_official, vote=vote, users=[citizen], threshold=1)
    with pytest.raises(ValidationError, match="threshold"):
        trustees_appoint(actor=cityhall_official, vote=vote, users=trustees, threshold=4)
    trustees_appoint(actor=cityhall_official, vote=vote, users=trustees[:2], threshold=2)
    from smartseoul.voting.trustees import ceremony_of

    state = device.new_state(server="t", vote="v", index=1, ceremony=ceremony_of(vote))
    key = device.init(state)
    with pytest.raises(PermissionDenied, match="not a trustee"):
        trustee_transport_key_submit(actor=trustees[2], vote=vote, transport_key=key)
    with pytest.raises(ValidationError, match="does not verify"):  # trustee 1's key as 2's
        trustee_transport_key_submit(actor=trustees[1], vote=vote, transport_key=key)
    trustee_transport_key_submit(actor=trustees[0], vote=vote, transport_key=key)
    trustee_transport_key_submit(actor=trustees[0], vote=vote, transport_key=key)  # a retry
    other = device.init(device.new_state(server="t", vote="v", index=1, ceremony=ceremony_of(vote)))
    with pytest.raises(ValidationError, match="cannot be changed"):
        trustee_transport_key_submit(actor=trustees[0], vote=vote, transport_key=other)
    with pytest.raises(ValidationError, match="dealt"):
        trustee_confirm(actor=trustees[0], vote=vote)


def test_a_forged_decryption_share_is_refused(
    ready: tuple[Vote, dict[int, device.State]], trustees: list[User], voters: list[User]
) -> None:
    vote, states = ready
    ballot_cast_encrypted(
        vote=vote, voter=voters[0], ballot_json=encrypted(vote, [[1, 0, 0], [1, 0, 0, 0]])
    )
    close_and_count(vote)
    ciphertexts = tally_from_json(vote.encrypted_tally)
    election_hash = bytes.fromhex(vote.election_hash)
    # Trustee 2 sends trustee 1's share under its own name; then a share with a changed factor.
    stolen = device.decrypt(states[1], election_hash, ciphertexts)
    with pytest.raises(ValidationError):
        trustee_decryption_submit(actor=trustees[1], vote=vote, share=stolen)
    share = device.decrypt(states[2], election_hash, ciphertexts)
    share["factors"][0] = share["factors"][1]
    with pytest.raises(ValidationError, match="does not verify"):
        trustee_decryption_submit(actor=trustees[1], vote=vote, share=share)
    assert vote.status == Vote.Status.CLOSED


def test_appointing_again_restarts_the_ceremony(
    cityhall_official: User, trustees: list[User]
) -> None:
    vote = secret_draft(cityhall_official)
    trustees_appoint(actor=cityhall_official, vote=vote, users=trustees, threshold=2)
    first = vote.ceremony_hash
    trustees_appoint(actor=cityhall_official, vote=vote, users=trustees[1:], threshold=1)
    assert vote.ceremony_hash != first
    assert [t.index for t in vote.trustees.all()] == [1, 2]
    assert vote.trustees.get(index=1).user == trustees[1]


def test_retries_after_a_lost_answer_are_harmless(
    ready: tuple[Vote, dict[int, device.State]], trustees: list[User], voters: list[User]
) -> None:
    vote, states = ready
    trustee_confirm(actor=trustees[0], vote=vote)  # the key is complete already
    ballot_cast_encrypted(
        vote=vote, voter=voters[0], ballot_json=encrypted(vote, [[0, 1, 0], [0, 1, 0, 0]])
    )
    close_and_count(vote)
    ciphertexts = tally_from_json(vote.encrypted_tally)
    election_hash = bytes.fromhex(vote.election_hash)
    first = device.decrypt(states[1], election_hash, ciphertexts)
    trustee_decryption_submit(actor=trustees[0], vote=vote, share=first)
    again = device.decrypt(states[1], election_hash, ciphertexts)  # fresh proof randomness
    assert again != first
    trustee_decryption_submit(actor=trustees[0], vote=vote, share=again)
    assert vote.trustees.get(index=1).decryption == first


# The real worker closes its database connection when done, which would end a
# test-wrapping transaction: these rows are committed for real.
@pytest.mark.django_db(transaction=True)
def test_counting_runs_in_the_background_and_only_once(
    ready: tuple[Vote, dict[int, device.State]],
    voters: list[User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    vote, _states = ready
    ballot_cast_encrypted(
        vote=vote, voter=voters[0], ballot_json=encrypted(vote, [[1, 0, 0], [1, 0, 0, 0]])
    )
    close(vote)
    with django_capture_on_commit_callbacks(execute=True):
        vote_tally(actor=vote.created_by, vote=vote)
    vote.refresh_from_db()
    assert vote.encrypted_tally is None  # the administrator's request returned at once
    assert vote.counting_since is not None
    with pytest.raises(ValidationError, match="being counted"):
        vote_tally(actor=vote.created_by, vote=vote)

    call_command("db_worker", "--batch", "--no-startup-delay")  # what `smartseoul worker` runs

    vote.refresh_from_db()
    assert len(tally_from_json(vote.encrypted_tally)) == 7
    assert AuditEvent.objects.filter(action="vote.tally_encrypted", object_id=str(vote.pk)).exists()
