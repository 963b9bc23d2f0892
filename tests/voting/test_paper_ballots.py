"""Paper ballots typed in by two officials: a mismatch names the sheets and blocks the count;
a confirmed batch is counted, published apart in the election record and re-checked."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from smartseoul.accounts.models import User
from smartseoul.audit.models import AuditEvent
from smartseoul.voting.actions import ballot_cast, vote_tally
from smartseoul.voting.models import PaperBatch, Vote
from smartseoul.voting.paper import paper_batch_enter
from smartseoul.voting.record import election_record
from tests.voting.secret import close
from tests.voting.test_budget_questions import budget_poll
from tests.voting.test_record import check, make_voters

pytestmark = pytest.mark.django_db

SHEETS = [[[0, 1]], [[1, 3]], [[0, 2]]]
LABEL = "망원1동 주민센터 1번 함"


@pytest.fixture
def vote(cityhall_official: User) -> Vote:
    return budget_poll(cityhall_official)


def test_two_different_officials_must_agree_sheet_for_sheet(
    vote: Vote, official: User, cityhall_official: User
) -> None:
    first = paper_batch_enter(actor=official, vote=vote, label=LABEL, sheets=SHEETS)
    assert first.batch.status == PaperBatch.Status.WAITING
    # The same official typing it again proves nothing.
    again = paper_batch_enter(actor=official, vote=vote, label=LABEL, sheets=SHEETS)
    assert again.batch.status == PaperBatch.Status.WAITING
    typo = [SHEETS[0], [[1, 2, 3]], SHEETS[2]]  # sheet 2 misread
    second = paper_batch_enter(actor=cityhall_official, vote=vote, label=LABEL, sheets=typo)
    assert second.batch.status == PaperBatch.Status.MISMATCH
    assert second.differing_sheets == (2,)
    close(vote)
    with pytest.raises(ValidationError, match=LABEL):
        vote_tally(actor=cityhall_official, vote=vote)
    third = paper_batch_enter(actor=cityhall_official, vote=vote, label=LABEL, sheets=SHEETS)
    assert third.batch.status == PaperBatch.Status.CONFIRMED
    with pytest.raises(ValidationError, match="already confirmed"):
        paper_batch_enter(actor=official, vote=vote, label=LABEL, sheets=SHEETS)
    entries = AuditEvent.objects.filter(action="paper.entered").count()
    assert entries == 4


def test_citizens_cannot_enter_paper_and_spoiled_sheets_are_named(
    vote: Vote, citizen: User, official: User
) -> None:
    with pytest.raises(PermissionDenied):
        paper_batch_enter(actor=citizen, vote=vote, label=LABEL, sheets=SHEETS)
    with pytest.raises(
        ValidationError,
        match="Sheet 2, question 1: Not a valid budget ballot: the chosen projects total 140",
    ):
        paper_batch_enter(
            actor=official, vote=vote, label=LABEL, sheets=[SHEETS[0], [[0, 1, 2, 3]]]
        )
    assert not PaperBatch.objects.exists()


def test_confirmed_paper_is_counted_published_and_verified(
    vote: Vote, official: User, cityhall_official: User
) -> None:
    for voter, choices in zip(make_voters(2), [[0, 1], [1, 3]], strict=True):
        ballot_cast(vote=vote, voter=voter, choices=[choices])
    for actor in (official, cityhall_official):
        paper_batch_enter(actor=actor, vote=vote, label=LABEL, sheets=SHEETS)
    close(vote)
    vote_tally(actor=cityhall_official, vote=vote)
    vote.refresh_from_db()
    assert vote.results["ballots"] == 2
    assert vote.results["paper"] == {"ballots": 3, "questions": [[2, 2, 1, 1]]}
    votes = [o["votes"] for o in vote.results["questions"][0]["options"]]
    assert votes == [3, 4, 1, 2]  # online [1, 2, 0, 1] plus paper
    assert vote.results["questions"][0]["budget"]["funded"][0] == "1"

    record = json.loads(json.dumps(election_record(vote)))
    (batch,) = record["paper_batches"]
    assert batch["label"] == LABEL
    assert batch["sheets"] == SHEETS
    assert len({entry["official"] for entry in batch["entries"]}) == 2
    report = check(record)
    assert report.ok, report.lines  # type: ignore[attr-defined]

    changed = copy.deepcopy(record)
    changed["paper_batches"][0]["sheets"][0] = [[0, 3]]
    assert "results" in check(changed).failed
    one_official = copy.deepcopy(record)
    one_official["paper_batches"][0]["entries"][1]["official"] = batch["entries"][0]["official"]
    report = check(one_official)
    assert "results" in report.failed
    assert any("two different officials" in line for line in report.lines)  # type: ignore[attr-defined]


def test_two_officials_enter_a_batch_on_the_console_page(
    vote: Vote, official: User, cityhall_official: User
) -> None:
    from django.test import Client

    from tests.voting.test_console import official_client

    first, second = official_client(official), official_client(cityhall_official)
    url = f"/voting/console/{vote.public_id}/paper/"
    page = first.get(url)
    assert "자전거도로" in page.content.decode()  # the projects' numbers as on the paper
    # Project numbers as printed (from 1); one line per sheet.
    first.post(url, {"label": LABEL, "sheets": "1, 2\n2 4\n1,3"})
    response = second.post(url, {"label": LABEL, "sheets": "1, 2\n2 3 4\n1,3"}, follow=True)
    assert "2번 투표지가 다릅니다" in response.content.decode()  # the sheets that differ
    response = second.post(url, {"label": LABEL, "sheets": "1, 2\n2 4\n1,3"}, follow=True)
    batch = PaperBatch.objects.get(vote=vote, label=LABEL)
    assert batch.status == PaperBatch.Status.CONFIRMED
    assert batch.sheets == SHEETS
    response = second.post(url, {"label": "둘째 함", "sheets": "1, 2 / 3"}, follow=True)
    assert "1 answer(s) separated by" in response.content.decode()
    assert Client().get(url).status_code == 302  # signed out: to the login page


def test_paper_batches_through_the_api(vote: Vote, official: User, cityhall_official: User) -> None:
    from smartseoul.accounts.actions import api_key_issue
    from tests.conftest import totp_activate

    url = f"/api/voting/manage/votes/{vote.public_id}/paper-batches"
    answers = []
    for user in (official, cityhall_official):
        totp_activate(user)
        _, secret = api_key_issue(user=user, name="paper")
        response = Client().post(
            url,
            {"label": LABEL, "sheets": SHEETS},
            content_type="application/json",
            HTTP_X_API_KEY=secret,
        )
        assert response.status_code == 201, response.content
        answers.append(response.json())
    assert [a["status"] for a in answers] == ["waiting", "confirmed"]
    response = Client().post(
        url,
        {"label": "x", "sheets": [[[0, 1, 2, 3]]]},
        content_type="application/json",
        HTTP_X_API_KEY=secret,
    )
    assert response.status_code == 400
    assert "more than 100" in response.content.decode()
