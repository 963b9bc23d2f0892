"""Community elections: an apartment complex's households vote with one-time codes, weighted."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from smartseoul.accounts.models import User
from smartseoul.voting.actions import QuestionSpec, vote_create, vote_schedule, vote_tally
from smartseoul.voting.models import Vote
from smartseoul.voting.roll import Household, roll_import, roll_parse_csv
from tests.voting.test_console import official_client

pytestmark = pytest.mark.django_db


def election(actor: User) -> Vote:
    now = timezone.now()
    return vote_create(
        actor=actor,
        kind=Vote.Kind.COMMUNITY,
        title="래미안 2단지 동대표 선거",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=2),
        questions=[QuestionSpec("동대표", ["김", "이"])],
        uses_roll=True,
    )


def test_households_vote_with_their_codes_and_weights(cityhall_official: User) -> None:
    vote = election(cityhall_official)
    issued = roll_import(
        actor=cityhall_official,
        vote=vote,
        households=[
            Household("101동 1203호", 1, "a@example.com"),
            Household("101동 1204호", 3),
            Household("102동 101호"),
        ],
    )
    codes = {item.entry.label: item.credential for item in issued}
    vote_schedule(actor=cityhall_official, vote=vote)

    def vote_as(code: str, option: str) -> Client:
        client = Client()
        assert (
            client.post(f"/voting/{vote.public_id}/household/", {"code": code}).status_code == 302
        )
        response = client.post(f"/voting/{vote.public_id}/", {"q0": option})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    vote_as(codes["101동 1203호"], "0")
    vote_as(codes["101동 1204호"].lower().replace("-", ""), "1")  # typed sloppily: still works
    wrong = Client().post(f"/voting/{vote.public_id}/household/", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 200
    assert "voter roll" in wrong.content.decode() or "선거인 명부" in wrong.content.decode()

    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    vote.refresh_from_db()
    vote_tally(actor=cityhall_official, vote=vote)
    assert [o["votes"] for o in vote.results["questions"][0]["options"]] == [1, 3]
    assert vote.results["ballots"] == 2


def test_codes_reach_households_with_an_email(
    cityhall_official: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    vote = election(cityhall_official)
    with django_capture_on_commit_callbacks(execute=True):
        issued = roll_import(
            actor=cityhall_official, vote=vote, households=[Household("1호", 1, "home@example.com")]
        )
    assert issued[0].credential in mail.outbox[0].body
    assert issued[0].entry.credential_hash not in mail.outbox[0].body
    assert re.fullmatch(r"[2-9A-Z]{4}(-[2-9A-Z]{4}){3}", issued[0].credential)


def test_the_roll_is_checked(cityhall_official: User, citizen: User) -> None:
    vote = election(cityhall_official)
    with pytest.raises(ValidationError, match="listed twice"):
        roll_import(
            actor=cityhall_official, vote=vote, households=[Household("1호"), Household("1호")]
        )
    with pytest.raises(PermissionDenied):
        roll_import(actor=citizen, vote=vote, households=[Household("2호")])
    with pytest.raises(ValidationError, match="Line 3: the weight"):
        roll_parse_csv("household,weight\n1호,1\n2호,heavy\n")
    assert roll_parse_csv("\ufeffhousehold,weight,contact\n1호,2,x@example.com\n") == [
        Household("1호", 2, "x@example.com")
    ]


def test_the_console_prints_codes_once(cityhall_official: User) -> None:
    vote = election(cityhall_official)
    client = official_client(cityhall_official)
    page = client.post(
        f"/voting/console/{vote.public_id}/roll/",
        {"text": "household,weight\n101동 1호,1\n101동 2호,2\n"},
    ).content.decode()
    codes = re.findall(r"<code>([2-9A-Z-]{19})</code>", page)
    assert len(codes) == 2
    again = client.get(f"/voting/console/{vote.public_id}/roll/").content.decode()
    assert codes[0] not in again


# The real worker closes its database connection when done, which would end a
# test-wrapping transaction: these rows are committed for real.
@pytest.mark.django_db(transaction=True)
def test_codes_go_out_by_text_message_and_bad_contacts_are_named(
    cityhall_official: User,
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core.management import call_command

    vote = election(cityhall_official)
    with pytest.raises(ValidationError, match="101-1203"):
        roll_import(
            actor=cityhall_official,
            vote=vote,
            households=[Household("101-1203", 1, "not a phone")],
        )
    with django_capture_on_commit_callbacks(execute=True):
        [issued] = roll_import(
            actor=cityhall_official,
            vote=vote,
            households=[Household("101-1201", 1, "010-2345-6789")],
        )
    call_command("db_worker", "--batch", "--no-startup-delay")  # the worker sends it
    printed = capsys.readouterr().out
    assert "[SMS to 010-2345-6789]" in printed
    assert issued.credential in printed
