"""Budget questions in mVoting: a ballot must keep to its scope's rule (checked in the clear
for open votes, by a zero-knowledge proof for secret ones), the count names the winners with
the round's rule, and `verify-election` recomputes them."""

from __future__ import annotations

import copy
import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartseoul.accounts.models import User
from smartseoul.voting.actions import (
    QuestionSpec,
    ballot_cast,
    ballot_cast_encrypted,
    vote_create,
    vote_schedule,
    vote_tally,
)
from smartseoul.voting.ballot_context import election_context
from smartseoul.voting.budget_rules import BudgetRule
from smartseoul.voting.crypto import encrypt_ballot
from smartseoul.voting.crypto.budget import prove_ballot_budgets
from smartseoul.voting.models import Vote
from smartseoul.voting.record import election_record
from tests.voting.conftest import policy_poll
from tests.voting.secret import (
    close,
    close_and_count,
    decrypt_by,
    run_ceremony,
    trustee_user,
)
from tests.voting.test_record import check, entry_of, make_voters, put_entry

pytestmark = pytest.mark.django_db

COSTS = [50, 30, 20, 40]  # in the round's cost unit; the scope's budget is 100
PROJECTS = ["지능형 CCTV", "공공 와이파이", "자전거도로", "이주민 직업훈련"]


def budget_question(winner_rule: str = "greedy") -> QuestionSpec:
    rule = BudgetRule.knapsack(COSTS, budget=100, minimum=70, winner_rule=winner_rule)
    return QuestionSpec("마포구 주민참여예산", PROJECTS, 0, len(PROJECTS), budget=rule)


def budget_poll(actor: User, winner_rule: str = "greedy") -> Vote:
    return policy_poll(actor, questions=[budget_question(winner_rule)])


def test_an_open_ballot_over_budget_or_under_the_minimum_share_is_refused(
    cityhall_official: User, citizen: User
) -> None:
    vote = budget_poll(cityhall_official)
    with pytest.raises(ValidationError, match="total 140, more than 100"):
        ballot_cast(vote=vote, voter=citizen, choices=[[0, 1, 2, 3]])
    with pytest.raises(ValidationError, match="total 20, less than the minimum 70"):
        ballot_cast(vote=vote, voter=citizen, choices=[[2]])
    ballot = ballot_cast(vote=vote, voter=citizen, choices=[[0, 1]])
    assert ballot.content == {"choices": [[0, 1]]}


def test_the_rule_is_part_of_the_manifest_and_cannot_mismatch_the_projects(
    cityhall_official: User,
) -> None:
    vote = budget_poll(cityhall_official)
    record_manifest = json.loads(json.dumps(election_record_manifest(vote)))
    assert record_manifest["questions"][0]["budget"]["high"] == 100
    rule = BudgetRule.knapsack(COSTS[:3], budget=100)
    with pytest.raises(ValidationError, match="3 projects, the question 4 options"):
        vote_create(
            actor=cityhall_official,
            kind=Vote.Kind.BUDGET,
            title="예산",
            opens_at=timezone.now(),
            closes_at=timezone.now() + datetime.timedelta(days=1),
            questions=[QuestionSpec("예산", PROJECTS, 0, 4, budget=rule)],
        )


def election_record_manifest(vote: Vote) -> dict[str, Any]:
    from smartseoul.voting.manifest import manifest_document

    return manifest_document(vote)


def test_secret_votes_may_not_use_equal_shares(cityhall_official: User) -> None:
    with pytest.raises(ValidationError, match="only the greedy winner rule"):
        vote_create(
            actor=cityhall_official,
            kind=Vote.Kind.BUDGET,
            privacy=Vote.Privacy.SECRET,
            title="예산",
            opens_at=timezone.now(),
            closes_at=timezone.now() + datetime.timedelta(days=1),
            questions=[budget_question("equalshares/add1")],
        )


BALLOTS = [[0, 1, 2], [0, 1], [1, 3], [0, 2]]  # approvals: 3, 3, 2, 1


@pytest.mark.parametrize("winner_rule", ["greedy", "equalshares/add1"])
def test_the_count_names_the_winners_and_verify_election_recomputes_them(
    cityhall_official: User, winner_rule: str
) -> None:
    vote = budget_poll(cityhall_official, winner_rule)
    for voter, choices in zip(make_voters(4), BALLOTS, strict=True):
        ballot_cast(vote=vote, voter=voter, choices=[choices])
    close(vote)
    vote_tally(actor=cityhall_official, vote=vote)
    vote.refresh_from_db()
    result = vote.results["questions"][0]["budget"]
    assert result["rule"] == winner_rule
    outcomes = {p["id"]: p for p in result["projects"]}
    assert [outcomes[str(i)]["votes"] for i in range(4)] == [3, 3, 2, 1]
    if winner_rule == "greedy":
        # Most votes first, the cheaper of equals first: 공공 와이파이, CCTV, 자전거도로.
        assert result["funded"] == ["1", "0", "2"]
        assert outcomes["3"]["reason"]["code"] == "did_not_fit"
    assert int(result["spent"]) <= 100

    record = json.loads(json.dumps(election_record(vote)))
    report = check(record)
    assert report.ok, report.lines  # type: ignore[attr-defined]
    forged = copy.deepcopy(record)
    forged_result = forged["results"]["questions"][0]["budget"]
    forged_result["funded"] = ["3", *forged_result["funded"][:-1]]
    assert "results" in check(forged).failed


def test_a_forged_open_ballot_over_budget_fails_verification(cityhall_official: User) -> None:
    vote = budget_poll(cityhall_official)
    for voter, choices in zip(make_voters(2), BALLOTS, strict=False):
        ballot_cast(vote=vote, voter=voter, choices=[choices])
    close(vote)
    vote_tally(actor=cityhall_official, vote=vote)
    record = json.loads(json.dumps(election_record(vote)))
    document = entry_of(record, 0)
    document["choices"] = [[0, 1, 2, 3]]
    put_entry(record, 0, document)
    report = check(record)
    assert "ballot choices" in report.failed
    assert any("more than 100" in line for line in report.lines)  # type: ignore[attr-defined]


@pytest.fixture
def secret_budget_vote(cityhall_official: User) -> tuple[Vote, Any, list[User]]:
    trustees = [trustee_user(f"bt{i}@example.org") for i in (1, 2)]
    now = timezone.now()
    vote = vote_create(
        actor=cityhall_official,
        kind=Vote.Kind.BUDGET,
        privacy=Vote.Privacy.SECRET,
        title="마포구 주민참여예산 2026",
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(hours=24),
        questions=[budget_question()],
    )
    states = run_ceremony(cityhall_official, vote, trustees, threshold=2)
    vote_schedule(actor=cityhall_official, vote=vote)
    return vote, states, trustees


def encrypted_budget_ballot(vote: Vote, chosen: list[int]) -> tuple[dict[str, Any], dict[str, Any]]:
    context = election_context(vote)
    selection = [[1 if i in chosen else 0 for i in range(len(COSTS))]]
    ballot, secrets = encrypt_ballot(context, selection)
    rule = BudgetRule.knapsack(COSTS, budget=100, minimum=70).crypto_rule()
    proofs = prove_ballot_budgets(context, ballot, secrets, {0: rule})
    return ballot.to_json(), {"0": proofs[0].to_json()}


def test_a_secret_budget_ballot_needs_its_own_valid_proof(
    secret_budget_vote: tuple[Vote, Any, list[User]],
) -> None:
    vote, _states, _trustees = secret_budget_vote
    voter, other = make_voters(2)
    ballot, proofs = encrypted_budget_ballot(vote, [0, 1])
    with pytest.raises(ValidationError, match="one budget proof is needed"):
        ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot)
    # A proof made for another ballot does not fit this one's ciphertexts.
    other_ballot, other_proofs = encrypted_budget_ballot(vote, [1, 3])
    with pytest.raises(ValidationError, match="budget proof"):
        ballot_cast_encrypted(
            vote=vote, voter=voter, ballot_json=ballot, budget_proofs=other_proofs
        )
    tampered = copy.deepcopy(proofs)
    tampered["0"]["digits"]["sum"]["v"] = tampered["0"]["digits"]["sum"]["c"]
    with pytest.raises(ValidationError, match="budget proof"):
        ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot, budget_proofs=tampered)
    stored = ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot, budget_proofs=proofs)
    assert stored.content["budget_proofs"] == proofs
    ballot_cast_encrypted(
        vote=vote, voter=other, ballot_json=other_ballot, budget_proofs=other_proofs
    )


def test_a_secret_budget_round_counts_and_verifies_end_to_end(
    secret_budget_vote: tuple[Vote, Any, list[User]],
) -> None:
    vote, states, trustees = secret_budget_vote
    for voter, chosen in zip(make_voters(4), BALLOTS, strict=True):
        ballot, proofs = encrypted_budget_ballot(vote, chosen)
        ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot, budget_proofs=proofs)
    close_and_count(vote)
    decrypt_by(vote, states, {1: trustees[0], 2: trustees[1]})
    vote.refresh_from_db()
    assert vote.status == Vote.Status.TALLIED
    assert vote.results["questions"][0]["budget"]["funded"] == ["1", "0", "2"]
    record = json.loads(json.dumps(election_record(vote)))
    report = check(record)
    assert report.ok, report.lines  # type: ignore[attr-defined]
    # A budget proof swapped between two ballots in the record is caught.
    first, second = entry_of(record, 0), entry_of(record, 1)
    first["budget_proofs"] = second["budget_proofs"]
    put_entry(record, 0, first)
    assert "ballot proofs" in check(record).failed
