"""A citizen on a phone: find a vote, vote in three taps, change the vote, check the tracker."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from smartseoul.accounts.models import User
from smartseoul.voting.models import Ballot, Vote
from tests.browser.test_accounts_flow import sign_in
from tests.voting.conftest import policy_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vote_revote_and_check_the_tracker(
    page: Page, citizen: User, cityhall_official: User
) -> None:
    vote = policy_poll(cityhall_official)
    sign_in(page, citizen.email)
    page.goto("/")
    page.locator('[data-service="voting"]').click()
    page.get_by_role("link", name=vote.title).click()
    page.get_by_label("클래식").check()
    page.get_by_role("button", name="투표하기").click()
    expect(page.get_by_role("heading", name="투표가 기록되었습니다")).to_be_visible()
    first_tracker = page.locator("#tracker").inner_text()

    page.get_by_role("link", name="투표로 돌아가기").click()
    page.get_by_label("재즈").check()
    page.get_by_role("button", name="투표 바꾸기").click()
    second_tracker = page.locator("#tracker").inner_text()
    assert second_tracker != first_tracker

    page.get_by_role("link", name="원장에서 확인하기").click()
    expect(page.get_by_text("포함 증명이 확인되었습니다")).to_be_visible()
    page.goto(f"/voting/track/?tracker={first_tracker}")
    expect(page.get_by_text("같은 투표자의 나중 투표로 대체")).to_be_visible()

    counted = Ballot.objects.get(tracker=second_tracker)
    assert counted.content == {"choices": [[2]]}
    assert Vote.objects.get(pk=vote.pk).participations.count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
