"""The phone ballot: a knapsack ballot whose budget bar refuses an over-budget choice, an
"at most 2" ballot that refuses a third project, then one cast per budget."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from smartseoul.accounts.models import User
from smartseoul.budgeting.ballots import scope_vote
from smartseoul.voting.models import Ballot
from tests.browser.test_accounts_flow import sign_in
from tests.budgeting.rounds import round_at_ballot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITY = [("A 공공 와이파이", 50), ("B 스마트 가로등", 30), ("C 이주민 직업훈련", 40)]


def test_a_knapsack_ballot_on_a_phone(page: Page, cityhall_official: User) -> None:
    round_, city, jongno, voters, _projects, _ = round_at_ballot(
        cityhall_official, min_share=70, city_projects=CITY
    )
    city.refresh_from_db()
    jongno.refresh_from_db()
    sign_in(page, voters[0].email, "pw-for-tests-only")
    # The sign-in must finish (its session cookie set) before the next page is asked for.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/budget/{round_.pk}/")
    page.get_by_role("link", name="투표하기").click()

    budget = page.locator(f'.scope-ballot[data-scope="{city.pk}"]')
    bar = budget.locator(".budget-bar")
    cast = page.get_by_role("button", name="투표하기")
    budget.get_by_label("A 공공 와이파이").check()
    expect(bar.locator(".bar-text")).to_have_text("100 중 50 사용 · 50 남음")
    expect(bar.locator(".bar-state")).to_contain_text("합계 70 이상을 고르세요")
    expect(cast).to_be_disabled()  # 50 is below the 70 % minimum
    budget.get_by_label("B 스마트 가로등").check()
    expect(bar.locator(".bar-text")).to_have_text("100 중 80 사용 · 20 남음")
    expect(cast).to_be_enabled()

    # C (40) would make 120: the bar refuses it and says why.
    choice = budget.get_by_label("C 이주민 직업훈련")
    choice.scroll_into_view_if_needed()
    choice.click()
    expect(choice).not_to_be_checked()
    expect(bar.locator(".bar-state")).to_have_text(
        "“C 이주민 직업훈련”은(는) 예산을 넘습니다: 20만 남았습니다."
    )
    expect(bar.locator(".bar-text")).to_have_text("100 중 80 사용 · 20 남음")

    district = page.locator(f'.scope-ballot[data-scope="{jongno.pk}"]')
    district.get_by_label("E 골목 벤치").check()
    district.get_by_label("F 자전거 보관대").check()
    third = district.get_by_label("G 쉼터")
    third.click()
    expect(third).not_to_be_checked()
    expect(district.locator(".bar-state")).to_contain_text("최대 2개까지입니다")

    cast.click()
    expect(page.get_by_role("heading", name="투표했습니다")).to_be_visible()
    trackers = page.locator("code.tracker").all_inner_texts()
    assert len(trackers) == 2
    assert Ballot.objects.get(tracker=trackers[0]).content == {"choices": [[0, 1]]}
    assert Ballot.objects.get(tracker=trackers[0]).vote == scope_vote(city)
    assert Ballot.objects.get(tracker=trackers[1]).content == {"choices": [[0, 1]]}
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
