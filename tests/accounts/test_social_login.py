"""Kakao and Naver login appear only when the city configured their client ids."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client

RENDER_LOGIN = """
import django, os
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
print(Client().get("/accounts/login/").content.decode())
"""


def login_page(**env: str) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KAKAO_", "NAVER_", "DATABASE_URL"))
    }
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": "sqlite://:memory:",
            "ALLOWED_HOSTS": "testserver",
            **env,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", RENDER_LOGIN], env=clean, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db
def test_no_social_login_buttons_unless_configured(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/kakao/login/" not in page
    assert "/accounts/naver/login/" not in page


def test_kakao_and_naver_appear_when_configured() -> None:
    both = login_page(
        KAKAO_CLIENT_ID="kakao-client", KAKAO_SECRET="s", NAVER_CLIENT_ID="naver-client"
    )
    assert "/accounts/kakao/login/" in both
    assert "/accounts/naver/login/" in both
