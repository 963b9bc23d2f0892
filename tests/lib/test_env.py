from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from smartseoul.lib.env import Env


def test_booleans_accept_common_spellings_and_reject_junk() -> None:
    env = Env({"A": "yes", "B": "0", "C": "maybe"})
    assert env.bool("A") is True
    assert env.bool("B") is False
    assert env.bool("MISSING", default=True) is True
    with pytest.raises(ImproperlyConfigured, match="C='maybe' is not a boolean"):
        env.bool("C")


def test_integers_name_the_bad_variable() -> None:
    env = Env({"PORT": "80a", "WORKERS": "0"})
    with pytest.raises(ImproperlyConfigured, match="PORT='80a' is not an integer"):
        env.int("PORT", 8000)
    with pytest.raises(ImproperlyConfigured, match="WORKERS=0 is below the minimum of 1"):
        env.int("WORKERS", 2, minimum=1)


def test_required_string_missing_fails_loudly() -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        Env({}).str("SECRET_KEY")


def test_lists_are_comma_separated_and_trimmed() -> None:
    assert Env({"HOSTS": " a.example , b.example,, "}).list("HOSTS") == ["a.example", "b.example"]


def test_secrets_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    assert Env({"SECRET_KEY_FILE": str(secret)}).str("SECRET_KEY") == "s3cret"
    with pytest.raises(ImproperlyConfigured, match="either SECRET_KEY or SECRET_KEY_FILE"):
        Env({"SECRET_KEY": "x", "SECRET_KEY_FILE": str(secret)}).str("SECRET_KEY")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        Env({"SECRET_KEY_FILE": str(tmp_path / "missing")}).str("SECRET_KEY")


def test_choice_lists_the_allowed_values() -> None:
    with pytest.raises(ImproperlyConfigured, match="must be one of: json, text"):
        Env({"FMT": "xml"}).choice("FMT", ("json", "text"), "json")
