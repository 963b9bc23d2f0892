"""The settings module, imported fresh in a subprocess with a given environment."""

from __future__ import annotations

import os
import subprocess
import sys


def load_settings(tmp_path: object, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SMARTSEOUL_", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"))
    }
    clean.update({"SMARTSEOUL_VAR_DIR": str(tmp_path), **env})
    code = (
        "import smartseoul.settings as s;"
        " print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.DATABASES['default']['ENGINE'],"
        " getattr(s, 'SECURE_HSTS_SECONDS', 0), getattr(s, 'SECURE_SSL_REDIRECT', False))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: object) -> None:
    result = load_settings(tmp_path, ALLOWED_HOSTS="city.example")
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required in production" in result.stderr


def test_production_settings_are_secure(tmp_path: object) -> None:
    result = load_settings(
        tmp_path,
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="city.example",
        DATABASE_URL="postgresql://u@db/x",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "django.db.backends.postgresql",
        "31536000",
        "True",
    ]


def test_a_bad_database_url_is_named(tmp_path: object) -> None:
    result = load_settings(tmp_path, SMARTSEOUL_ENV="development", DATABASE_URL="mysql://x")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_demo_generates_and_keeps_its_secret_key(tmp_path: object) -> None:
    assert load_settings(tmp_path, SMARTSEOUL_ENV="demo").returncode == 0
    key_file = tmp_path / "secret_key"  # type: ignore[operator]
    first = key_file.read_text()
    assert load_settings(tmp_path, SMARTSEOUL_ENV="demo").returncode == 0
    assert key_file.read_text() == first
    assert len(first) > 40
