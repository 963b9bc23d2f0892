"""A secret ballot on a phone: encrypt in the browser, challenge it, then cast a fresh one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from smartseoul.accounts.models import User
from smartseoul.voting.actions import vote_schedule
from smartseoul.voting.ballot_context import election_context
from smartseoul.voting.crypto import EncryptedBallot, verify_ballot
from smartseoul.voting.models import Ballot
from tests.browser.test_accounts_flow import sign_in
from tests.voting.secret import run_ceremony, secret_draft, trustee_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_challenge_then_cast_an_encrypted_ballot(
    page: Page, citizen: User, cityhall_official: User
) -> None:
    vote = secret_draft(cityhall_official)
    trustees = [trustee_user(f"t{i}@example.org") for i in (1, 2, 3)]
    run_ceremony(cityhall_official, vote, trustees, threshold=2)
    vote_schedule(actor=cityhall_official, vote=vote)

    sign_in(page, citizen.email)
    page.goto(f"/voting/{vote.public_id}/")
    encrypt = page.get_by_role("button", name="내 투표 암호화하기")
    expect(encrypt).to_be_enabled(timeout=20_000)  # libsodium's WebAssembly has loaded
    page.get_by_label("이바다").check()
    page.get_by_label("도서관").check()
    encrypt.click()
    expect(page.locator("#encrypted-tracker")).to_have_text(re.compile(r"\b[0-9a-f]{64}\b"))

    # Challenge: the browser opens the encryption and shows what it held; nothing is cast.
    page.get_by_role("button", name="대신 암호화 확인하기").click()
    audit = page.locator("#ballot-audit")
    expect(audit).to_contain_text("이바다")
    expect(audit).to_contain_text("도서관")
    assert Ballot.objects.filter(vote=vote).count() == 0

    # Vote again: a fresh encryption, cast this time.
    encrypt.click()
    fingerprint = page.locator("#encrypted-tracker").inner_text().strip()
    page.get_by_role("button", name="이 투표 제출하기").click()
    expect(page.get_by_role("heading", name="투표가 기록되었습니다")).to_be_visible()
    # The receipt names the same encrypted ballot the device committed to before casting.
    expect(page.locator("#fingerprint")).to_have_text(fingerprint)
    tracker = page.locator("#tracker").inner_text().strip()
    page.goto(f"/voting/track/?tracker={tracker}")
    expect(page.get_by_text(fingerprint)).to_be_visible()

    ballot = Ballot.objects.get(vote=vote)
    assert ballot.tracker == tracker
    verify_ballot(election_context(vote), EncryptedBallot.from_json(ballot.content["ballot"]))
    assert "이바다" not in str(ballot.content)
