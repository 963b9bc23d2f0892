"""Real processes for tests: `smartseoul` subcommands, web servers on SQLite copies.

A migrated SQLite database is made once per test worker and copied for each server, so no
process shares the test's own database.  The fixtures here are registered in tests/conftest.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ORIGIN_PREFIX = "verify.test/ledger"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SMARTSEOUL_", "DATABASE_URL", "DJANGO_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def cli(
    *args: str, env: dict[str, str], cwd: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"smartseoul {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def stop(process: subprocess.Popen[str], timeout: float = 20) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output or ""


def wait_for(url: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            if process.poll() is not None:
                raise AssertionError(stop(process)) from None
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer: {stop(process)}")


def spawn(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "smartseoul.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fully migrated SQLite database file to copy (migrating takes ~10 s)."""
    workdir = tmp_path_factory.mktemp("migrated")
    env = clean_env(SMARTSEOUL_ENV="development", SMARTSEOUL_VAR_DIR=str(workdir / "var"))
    cli("manage", "migrate", "-v", "0", env=env, cwd=workdir)
    return workdir / "var" / "smartseoul.sqlite3"


@pytest.fixture
def sqlite_copy(migrated_sqlite: Path, tmp_path: Path) -> Path:
    target = tmp_path / "var" / "smartseoul.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_sqlite, target)
    return target


@dataclass
class Site:
    """A `smartseoul serve` process on its own SQLite copy, with its own ledger keys."""

    url: str
    env: dict[str, str]
    workdir: Path
    process: subprocess.Popen[str] | None = None

    def origin(self, name: str) -> str:
        return f"{ORIGIN_PREFIX}/{name}"

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = spawn(
            "serve",
            "--workers",
            "1",
            "--threads",
            "4",
            "--port",
            str(port),
            env=self.env,
            cwd=self.workdir,
        )
        wait_for(self.url + "/healthz", self.process)

    def stop(self) -> str:
        return stop(self.process) if self.process else ""

    def shell(self, code: str) -> str:
        return cli("manage", "shell", "-c", code, env=self.env, cwd=self.workdir).stdout

    def append(self, log: str, entries: list[str]) -> None:
        self.shell(
            "from smartseoul.ledger import actions; "
            f"actions.entries_append(log=actions.log_ensure({log!r}), "
            f"data=[e.encode() for e in {entries!r}])"
        )


def site_env(workdir: Path, database: Path, keys: dict[str, str], **extra: str) -> dict[str, str]:
    env = clean_env(
        SMARTSEOUL_ENV="development",
        SMARTSEOUL_VAR_DIR=str(workdir / "var"),
        DATABASE_URL=f"sqlite:///{database}",
        SMARTSEOUL_LEDGER_ORIGIN_PREFIX=ORIGIN_PREFIX,
        SMARTSEOUL_LOG_LEVEL="warning",
        **extra,
    )
    for name, skey in keys.items():
        env[f"SMARTSEOUL_LEDGER_{name.upper()}_KEY"] = skey
    return env


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        stop(process)
