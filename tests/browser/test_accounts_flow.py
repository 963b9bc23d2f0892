"""A person on a phone: sign up, verify, sign in, switch language; an official needs TOTP."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from smartseoul.accounts.models import User
from smartseoul.web import services
from tests.conftest import PASSWORD, totp_activate, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def test_sign_up_verify_and_sign_in_on_a_phone(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="회원가입").first.click()
    page.get_by_label("이름").fill("박지호")
    page.get_by_label("이메일").fill("jiho@example.com")
    page.get_by_label("비밀번호:", exact=True).fill("a-long-enough-pass")
    page.get_by_label("비밀번호 (확인)").fill("a-long-enough-pass")
    page.get_by_label("거주 자치구 (선택)").select_option(label="마포구")
    page.get_by_role("button", name="회원가입").click()
    expect(page.get_by_role("heading", name="이메일을 인증하세요")).to_be_visible()

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
    assert link
    page.goto(link.group(0))
    page.get_by_role("button", name="확인").click()
    expect(page.get_by_role("link", name="박지호")).to_be_visible()
    assert User.objects.get(email="jiho@example.com").citizen_profile.district_id == "11440"


def test_sign_in_and_switch_to_english(page: Page, citizen: User) -> None:
    sign_in(page, citizen.email)
    expect(page.get_by_role("link", name="김민준")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # The choice sticks across pages.
    page.goto("/accounts/profile/")
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()


def test_pages_fit_a_360_pixel_screen(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/about"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def test_every_service_on_the_home_page_opens(page: Page) -> None:
    page.goto("/")
    cards = page.locator(".service-card a")
    expect(cards).to_have_count(len(services.registered()))
    for service in services.registered():
        page.goto("/")
        page.locator(f'[data-service="{service.slug}"]').click()
        expect(page.locator("main h1")).to_be_visible()
    page.goto("/")
    page.get_by_role("link", name="개발자용 오픈 API").click()
    expect(page).to_have_url(re.compile(r"/api/docs$"))


def test_keyboard_users_can_skip_to_the_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="본문으로 건너뛰기")
    expect(skip).to_be_focused()
    skip.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_an_official_cannot_sign_in_without_the_totp_code(page: Page, official: User) -> None:
    secret = totp_activate(official)
    sign_in(page, official.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    # The password alone got nobody in: the profile stays out of reach.
    page.goto("/accounts/profile/")
    expect(page).not_to_have_url(re.compile(r"/accounts/profile/"))
    expect(
        page.get_by_role("navigation", name="계정").get_by_role("link", name="로그인")
    ).to_be_visible()

    page.goto("/accounts/2fa/authenticate/")
    page.get_by_label("코드").fill("000000")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_text("올바르지 않은 코드")).to_be_visible()
    page.get_by_label("코드").fill(totp_code(secret))
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("link", name="정다은")).to_be_visible()


def test_an_official_without_totp_is_sent_to_set_it_up(page: Page, official: User) -> None:
    sign_in(page, official.email)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/(2fa/totp/activate|reauthenticate)/"))
