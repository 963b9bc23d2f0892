"""`smartseoul worker` and `smartseoul check` as real processes on a database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(
    workdir: Path, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SMARTSEOUL_", "DATABASE_URL", "DJANGO_"))
    }
    env.update({"SMARTSEOUL_ENV": "development", "SMARTSEOUL_VAR_DIR": str(workdir / "var")})
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_worker_delivers_queued_email(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    mail_env = {
        "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    assert run(tmp_path, "manage", "migrate", "-v", "0").returncode == 0
    queued = run(
        tmp_path,
        "manage",
        "shell",
        "-c",
        "from django.core.mail import send_mail; "
        "send_mail('Welcome', 'Your verification link', None, ['minjun@example.com'])",
        extra_env=mail_env,
    )
    assert queued.returncode == 0, queued.stderr
    assert not outbox.exists()  # queued, not yet sent

    worker = run(tmp_path, "worker", "--batch", "--no-startup-delay", extra_env=mail_env)
    assert worker.returncode == 0, worker.stderr
    sent = "".join(path.read_text() for path in outbox.iterdir())
    assert "Your verification link" in sent
    assert "minjun@example.com" in sent


def test_check_reports_pending_migrations_then_ok(tmp_path: Path) -> None:
    pending = run(tmp_path, "check")
    assert pending.returncode == 1
    assert "pending" in pending.stderr
    run(tmp_path, "manage", "migrate", "-v", "0")
    # migrate also creates the database cache's table (API rate limits need it).
    cache = run(
        tmp_path,
        "manage",
        "shell",
        "-c",
        "from django.core.cache import cache; cache.set('k', 41); print(cache.get('k') + 1)",
    )
    assert cache.stdout.strip().splitlines()[-1] == "42", cache.stderr
    done = run(tmp_path, "check")
    assert done.returncode == 0, done.stderr
    assert "database: ok (sqlite)" in done.stdout
    assert "migrations: up to date" in done.stdout


def test_the_worker_starts_again_while_sqlite_stays_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A BEGIN EXCLUSIVE that waits past SQLite's timeout must not end the worker for good."""
    from django.db import OperationalError

    from smartseoul import cli

    calls: list[tuple[str, ...]] = []

    def db_worker(name: str, *rest: str) -> None:
        calls.append(rest)
        if len(calls) < 3:
            raise OperationalError("database is locked")

    monkeypatch.setattr("django.core.management.call_command", db_worker)
    # The real worker drops its broken connection before starting again; no database here.
    monkeypatch.setattr("django.db.close_old_connections", lambda: None)
    assert cli.run_db_worker(["--batch"], pause=0) == 0
    assert calls == [("--batch",)] * 3

    def broken(name: str, *rest: str) -> None:
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    monkeypatch.setattr("django.core.management.call_command", broken)
    with pytest.raises(OperationalError, match="no such table"):
        cli.run_db_worker([], pause=0)
