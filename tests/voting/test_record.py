"""The election record and `verify-election`: a true record passes every check; a changed
ballot, a dropped ballot, a wrong tally or a forged decryption share fails the check that
names it."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from django.test import Client

from smartseoul.accounts.actions import citizen_profile_save, email_mark_verified
from smartseoul.accounts.models import User
from smartseoul.places.models import District
from smartseoul.voting import verify_ballots
from smartseoul.voting.actions import (
    ballot_cast,
    ballot_cast_encrypted,
    vote_publish,
    vote_schedule,
)
from smartseoul.voting.models import Vote
from smartseoul.voting.record import election_record
from smartseoul.voting.verify_record import Report, verify
from tests.voting.conftest import policy_poll
from tests.voting.secret import (
    close,
    close_and_count,
    decrypt_by,
    encrypted,
    run_ceremony,
    secret_draft,
    trustee_user,
)

pytestmark = pytest.mark.django_db

CHOICES = [
    [[1, 0, 0], [1, 1, 0, 0]],
    [[0, 1, 0], [0, 0, 1, 0]],
    [[0, 1, 0], [0, 0, 1, 1]],
    [[0, 0, 1], [1, 0, 0, 0]],
]


def make_voters(count: int) -> list[User]:
    jongno = District.objects.get(code="11110")
    people = []
    for number in range(count):
        user = User.objects.create_user(f"record{number}@example.org", "pw-pw-pw-pw")
        email_mark_verified(user)
        citizen_profile_save(user=user, name=f"시민{number}", district=jongno)
        people.append(user)
    return people


@pytest.fixture
def secret_vote(cityhall_official: User) -> Vote:
    trustees = [trustee_user(f"rt{i}@example.org") for i in (1, 2, 3)]
    vote = secret_draft(cityhall_official)
    states = run_ceremony(cityhall_official, vote, trustees, threshold=2)
    vote_schedule(actor=cityhall_official, vote=vote)
    voters = make_voters(4)
    # Voter 0 votes twice: the first ballot stays in the ledger and the record, not counted.
    ballot_cast_encrypted(vote=vote, voter=voters[0], ballot_json=encrypted(vote, CHOICES[3]))
    for voter, selection in zip(voters, CHOICES, strict=True):
        ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=encrypted(vote, selection))
    close_and_count(vote)
    decrypt_by(vote, states, {1: trustees[0], 3: trustees[2]})
    vote_publish(actor=cityhall_official, vote=vote)
    return vote


@pytest.fixture
def record(secret_vote: Vote) -> dict[str, Any]:
    return json.loads(json.dumps(election_record(secret_vote)))


def check(record: dict[str, Any], **kwargs: Any) -> Report:
    lines: list[str] = []
    report = verify(record, workers=1, say=lines.append, **kwargs)
    report.lines = lines  # type: ignore[attr-defined]
    return report


def failed(record: dict[str, Any]) -> set[str]:
    return check(record).failed


def entry_of(record: dict[str, Any], position: int) -> dict[str, Any]:
    return json.loads(base64.b64decode(record["ballots"][position]["entry"]))


def put_entry(record: dict[str, Any], position: int, document: dict[str, Any]) -> None:
    """Replace an entry as a careful forger would: canonical bytes, matching tracker."""
    import rfc8785

    from smartseoul.ledger.merkle import leaf_hash

    data = rfc8785.dumps(document)
    record["ballots"][position]["entry"] = base64.b64encode(data).decode()
    record["ballots"][position]["tracker"] = leaf_hash(data).hex()


def test_a_true_record_passes_every_check(record: dict[str, Any]) -> None:
    report = check(record)
    assert report.ok, report.lines  # type: ignore[attr-defined]
    names = [name for name, _ok, _detail in report.results]
    assert names == [
        "record format",
        "manifest hash",
        "crypto manifest",
        "key ceremony",
        "election hash",
        "ledger checkpoint",
        "ballot trackers",
        "ledger inclusion",
        "ballot entries",
        "replacement chain",
        "ballot proofs",
        "homomorphic tally",
        "decryption shares",
        "results",
    ]
    assert len(record["ballots"]) == 5
    assert [b["counted"] for b in record["ballots"]] == [False, True, True, True, True]
    assert record["results"]["questions"][0]["options"][1]["votes"] == 2
    assert "sealed_shares" not in json.dumps(record)


def test_a_changed_ballot_is_caught(record: dict[str, Any]) -> None:
    document = entry_of(record, 2)
    other = entry_of(record, 3)
    document["ballot"]["questions"][0] = other["ballot"]["questions"][0]
    put_entry(record, 2, document)
    assert {"ledger inclusion", "ballot proofs"} <= failed(record)
    # Without fixing the tracker, the tracker check says so as well.
    lazy = copy.deepcopy(record)
    lazy["ballots"][3]["tracker"] = record["ballots"][4]["tracker"]
    assert "ballot trackers" in failed(lazy)


def test_a_dropped_ballot_is_caught(record: dict[str, Any]) -> None:
    counted = copy.deepcopy(record)
    del counted["ballots"][3]
    assert {"ledger inclusion", "homomorphic tally"} <= failed(counted)
    replaced = copy.deepcopy(record)
    del replaced["ballots"][0]  # voter 0's first ballot, which the second one replaces
    assert {"ledger inclusion", "replacement chain"} <= failed(replaced)


def test_a_wrong_tally_is_caught(record: dict[str, Any]) -> None:
    counts = copy.deepcopy(record)
    counts["results"]["questions"][0]["options"][0]["votes"] += 1
    counts["results"]["questions"][0]["options"][1]["votes"] -= 1
    assert failed(counts) == {"results"}
    encrypted_tally = copy.deepcopy(record)
    tally = encrypted_tally["crypto"]["encrypted_tally"]
    tally[0][0], tally[0][1] = tally[0][1], tally[0][0]
    assert "homomorphic tally" in failed(encrypted_tally)
    recount = copy.deepcopy(record)
    recount["ballots"][0]["counted"], recount["ballots"][1]["counted"] = True, False
    assert "replacement chain" in failed(recount)


def test_a_forged_decryption_share_is_caught(record: dict[str, Any]) -> None:
    share = record["crypto"]["decryption_shares"][0]
    share["factors"][0], share["factors"][1] = share["factors"][1], share["factors"][0]
    assert {"decryption shares", "results"} <= failed(record)


def test_other_tampering_is_caught(record: dict[str, Any]) -> None:
    manifest = copy.deepcopy(record)
    manifest["manifest"]["title"] = "다른 제목"
    assert "manifest hash" in failed(manifest)
    key = copy.deepcopy(record)
    key["crypto"]["trustees"][1]["dealing"]["commitments"].reverse()
    assert "key ceremony" in failed(key)
    checkpoint = copy.deepcopy(record)
    checkpoint["ledger"]["checkpoint"] = checkpoint["ledger"]["checkpoint"].replace("\n— ", "\n—  ")
    assert "ledger checkpoint" in failed(checkpoint)
    copied = copy.deepcopy(record)
    voter0 = entry_of(copied, 1)
    voter1 = entry_of(copied, 2)
    voter1["ballot"] = voter0["ballot"]  # a ballot copied under another pseudonym
    put_entry(copied, 2, voter1)
    assert "ballot proofs" in failed(copied)
    assert check(record, log_key="votes+00000000+AAAA").failed >= {"ledger checkpoint"}


def test_ballots_are_checked_on_several_processes(
    record: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify_ballots, "PARALLEL_FROM", 1)
    monkeypatch.setattr(verify_ballots, "CHUNK", 2)
    assert verify(record, workers=2, say=lambda _line: None).ok
    document = entry_of(record, 4)
    document["ballot"]["questions"][1]["proof"]["v"].reverse()
    put_entry(record, 4, document)
    report = verify(record, workers=2, say=lambda _line: None)
    assert "ballot proofs" in report.failed


def test_an_open_poll_has_a_record_too(cityhall_official: User, citizen: User) -> None:
    poll = policy_poll(cityhall_official)
    voters = [citizen, *make_voters(2)]
    for number, voter in enumerate(voters):
        ballot_cast(vote=poll, voter=voter, choices=[[number % 2]])
    ballot_cast(vote=poll, voter=citizen, choices=[[2]])
    close(poll)
    from smartseoul.voting.actions import vote_tally

    vote_tally(actor=cityhall_official, vote=poll)
    vote_publish(actor=cityhall_official, vote=poll)
    record = json.loads(json.dumps(election_record(poll)))
    assert "crypto" not in record
    report = check(record)
    assert report.ok, report.lines  # type: ignore[attr-defined]
    assert "ballot choices" in [name for name, _ok, _d in report.results]
    changed = copy.deepcopy(record)
    document = entry_of(changed, 3)
    document["choices"] = [[0]]
    put_entry(changed, 3, document)
    assert {"ledger inclusion", "results"} <= failed(changed)


def test_the_record_is_downloadable_once_published(
    secret_vote: Vote, cityhall_official: User
) -> None:
    client = Client()
    response = client.get(f"/voting/{secret_vote.public_id}/record.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(b"".join(response.streaming_content))["type"] == (
        "smartseoul.election-record/v1"
    )
    api = client.get(f"/api/voting/votes/{secret_vote.public_id}/record")
    assert api.status_code == 200
    assert json.loads(b"".join(api.streaming_content))["crypto"]["public_key"] == (
        secret_vote.public_key
    )
    draft = secret_draft(cityhall_official, title="아직")
    assert client.get(f"/api/voting/votes/{draft.public_id}/record").status_code == 404


def test_the_record_is_built_once_per_status(secret_vote: Vote, cityhall_official: User) -> None:
    url = f"/api/voting/votes/{secret_vote.public_id}/record"
    first = Client().get(url)
    again = Client().get(url)
    # The second answer is the stored file, not a fresh build: even its timestamp is the same.
    assert b"".join(again.streaming_content) == b"".join(first.streaming_content)
    assert first["Content-Type"] == "application/json"


def test_the_results_page_links_the_record(secret_vote: Vote) -> None:
    page = Client().get(f"/voting/{secret_vote.public_id}/results/").content.decode()
    assert f"/voting/{secret_vote.public_id}/record.json" in page


def test_a_secret_vote_without_ballots_counts_zero(cityhall_official: User) -> None:
    trustees = [trustee_user(f"zero{i}@example.org") for i in (1, 2)]
    vote = secret_draft(cityhall_official)
    states = run_ceremony(cityhall_official, vote, trustees, threshold=1)
    vote_schedule(actor=cityhall_official, vote=vote)
    close_and_count(vote)
    decrypt_by(vote, states, {2: trustees[1]})
    assert vote.status == Vote.Status.TALLIED
    assert vote.results["ballots"] == 0
    report = check(json.loads(json.dumps(election_record(vote))))
    assert report.ok, report.lines  # type: ignore[attr-defined]
