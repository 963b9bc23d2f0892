"""A secret round: trustees appointed on every scope's vote, encrypted ballots that carry
budget proofs (an over-budget choice cannot be proven, a ballot without proofs is refused),
the trustees' decryption, greedy winners, and an export without individual ballots."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from smartseoul.budgeting.actions import round_trustees_set
from smartseoul.budgeting.ballots import round_schedule_ballots, scope_vote
from smartseoul.budgeting.export import scope_instance
from smartseoul.budgeting.models import Project, Round
from smartseoul.budgeting.phases import round_advance
from smartseoul.voting.actions import ballot_cast_encrypted, vote_sync_status, vote_tally
from smartseoul.voting.ballot_context import election_context
from smartseoul.voting.budget_rules import BudgetRule
from smartseoul.voting.counting import encrypted_count_finish
from smartseoul.voting.crypto import ProofError, encrypt_ballot
from smartseoul.voting.crypto.budget import prove_ballot_budgets
from smartseoul.voting.models import Vote
from smartseoul.voting.record import election_record
from tests.budgeting.conftest import make_round
from tests.budgeting.rounds import round_at_ballot
from tests.voting.secret import decrypt_by, run_ceremony, trustee_user
from tests.voting.test_record import check

pytestmark = pytest.mark.django_db


def _cast(vote: Vote, voter, selection: list[int]) -> None:
    context = election_context(vote)
    rule = BudgetRule.from_json(vote.questions.get().budget).crypto_rule()
    ballot, secrets = encrypt_ballot(context, [selection])
    proofs = prove_ballot_budgets(context, ballot, secrets, {0: rule})
    ballot_cast_encrypted(
        vote=vote,
        voter=voter,
        ballot_json=ballot.to_json(),
        budget_proofs={"0": proofs[0].to_json()},
    )


def test_trustees_only_for_secret_rounds_and_trustee_role(cityhall_official, citizen) -> None:
    open_round = make_round(cityhall_official)
    trustee = trustee_user("t@example.com")
    with pytest.raises(ValidationError, match="Only secret rounds"):
        round_trustees_set(actor=cityhall_official, round_=open_round, users=[trustee], threshold=1)
    secret = make_round(cityhall_official, privacy="secret")
    with pytest.raises(ValidationError, match="election trustee role"):
        round_trustees_set(actor=cityhall_official, round_=secret, users=[citizen], threshold=1)


def test_a_secret_round_from_ballot_to_results(cityhall_official) -> None:
    admin = cityhall_official
    trustees = [trustee_user(f"trustee{n}@example.com") for n in range(3)]
    round_, city, jongno, voters, _projects, _ = round_at_ballot(
        admin, privacy="secret", trustees=trustees
    )
    states = {}
    for scope in (city, jongno):
        scope.refresh_from_db()
        vote = scope_vote(scope)
        assert vote.privacy == Vote.Privacy.SECRET
        assert vote.status == Vote.Status.DRAFT
        assert vote.trustees.count() == 3
        states[scope.pk] = run_ceremony(admin, vote, trustees, 2)
    round_schedule_ballots(actor=admin, round_=round_)
    city_vote, jongno_vote = scope_vote(city), scope_vote(jongno)
    assert vote_sync_status(city_vote).status == Vote.Status.OPEN

    # The phone ballot hands the browser each budget's election context and rule.
    client = Client()
    client.force_login(voters[0])
    page = client.get(f"/budget/{round_.pk}/ballot/").content.decode()
    assert 'id="budget-election"' in page
    assert "/encrypted-ballots" in page
    assert (
        "'wasm-unsafe-eval'"
        in client.get(f"/budget/{round_.pk}/ballot/")["Content-Security-Policy"]
    )

    for voter in voters[:4]:
        _cast(city_vote, voter, [1, 1, 0])
    for voter in voters[4:]:
        _cast(city_vote, voter, [0, 0, 1])
        _cast(jongno_vote, voter, [0, 0, 1])
    # Three projects cost 150, over the budget of 100: no proof can be made for that …
    context = election_context(city_vote)
    rule = BudgetRule.from_json(city_vote.questions.get().budget).crypto_rule()
    ballot, secrets = encrypt_ballot(context, [[1, 1, 1]])
    with pytest.raises(ProofError):
        prove_ballot_budgets(context, ballot, secrets, {0: rule})
    # … and a ballot sent without its budget proof is refused.
    with pytest.raises(ValidationError, match=r"budget proof|예산"):
        ballot_cast_encrypted(vote=city_vote, voter=voters[0], ballot_json=ballot.to_json())

    for vote in (city_vote, jongno_vote):
        vote_sync_status(vote, now=vote.closes_at + datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError, match=r"not decrypted yet|복호화되지 않았습니다"):
        round_advance(actor=admin, round_=round_, to=Round.Phase.TALLIED)
    for scope, vote in ((city, city_vote), (jongno, jongno_vote)):
        vote_tally(actor=admin, vote=vote)
        encrypted_count_finish(vote=vote, actor=admin)
        vote.refresh_from_db()
        decrypt_by(vote, states[scope.pk], {1: trustees[0], 2: trustees[1]})
    round_advance(actor=admin, round_=round_, to=Round.Phase.TALLIED)
    round_advance(actor=admin, round_=round_, to=Round.Phase.RESULTS)
    funded = {p.title[0] for p in Project.objects.filter(status=Project.Status.SELECTED)}
    assert funded == {"A", "B", "G"}  # A and B (4 votes each) fill the city's 100
    city.refresh_from_db()
    # verify-election checks every budget proof, the decryption and the greedy winners.
    record = json.loads(json.dumps(election_record(scope_vote(city))))
    report = check(record)
    assert report.ok, report.lines
    instance = scope_instance(city)
    assert instance.ballots == []
    assert "secret ballots" in instance.meta["comment"]
    assert instance.selected() is not None
