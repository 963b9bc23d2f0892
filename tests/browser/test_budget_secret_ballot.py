"""A secret budget ballot on a phone: the browser encrypts each budget's choices, proves the
budget rule with budget-proof.js and casts through mVoting's API; the server verifies it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from smartseoul.accounts.models import User
from smartseoul.budgeting.ballots import round_schedule_ballots, scope_vote
from smartseoul.voting.models import Ballot
from tests.browser.test_accounts_flow import sign_in
from tests.budgeting.rounds import round_at_ballot
from tests.voting.secret import run_ceremony, trustee_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secret_budget_ballot_is_encrypted_and_proven_in_the_browser(
    page: Page, cityhall_official: User
) -> None:
    trustees = [trustee_user(f"trustee{n}@example.com") for n in range(3)]
    round_, city, jongno, voters, _projects, _ = round_at_ballot(
        cityhall_official, privacy="secret", trustees=trustees
    )
    for scope in (city, jongno):
        scope.refresh_from_db()
        run_ceremony(cityhall_official, scope_vote(scope), trustees, 2)
    round_schedule_ballots(actor=cityhall_official, round_=round_)

    sign_in(page, voters[0].email, "pw-for-tests-only")
    # The sign-in must finish (its session cookie set) before the next page is asked for.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/budget/{round_.pk}/ballot/")
    budget = page.locator(f'.scope-ballot[data-scope="{city.pk}"]')
    budget.get_by_label("A 공공 와이파이").check()
    budget.get_by_label("C 이주민 직업훈련").check()
    refused = budget.get_by_label("B 스마트 가로등")
    refused.click()
    expect(refused).not_to_be_checked()
    page.locator(f'.scope-ballot[data-scope="{jongno.pk}"]').get_by_label("G 쉼터").check()
    # Encrypt, then check the encryption first (Benaloh): it shows what the ballots held
    # and throws them away, casting nothing.
    page.get_by_role("button", name="내 투표 암호화하기").click()
    page.get_by_role("button", name="암호화 확인").click(timeout=60_000)
    audit = page.locator("#budget-audit")
    expect(audit).to_contain_text("A 공공 와이파이, C 이주민 직업훈련")
    expect(audit).to_contain_text("G 쉼터")
    assert not Ballot.objects.exists()
    # Encrypt again and cast.
    page.get_by_role("button", name="내 투표 암호화하기").click()
    page.get_by_role("button", name="이 투표지 제출").click(timeout=60_000)
    status = page.locator("#ballot-status")
    expect(status.locator("code.tracker")).to_have_count(2, timeout=60_000)

    trackers = status.locator("code.tracker").all_inner_texts()
    cast = Ballot.objects.get(tracker=trackers[0])
    assert cast.vote == scope_vote(city)
    assert set(cast.content) == {"ballot", "budget_proofs"}
    assert cast.content["budget_proofs"]["0"]["digits"] is not None  # 100 ≥ total: proven
    assert Ballot.objects.get(tracker=trackers[1]).vote == scope_vote(jongno)
