"""`smartseoul demo` from a clean folder: the first of the README's two commands."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests import processes
from tests.processes import clean_env, free_port


def demo_env(workdir: Path) -> dict[str, str]:
    return clean_env()


def start_demo(workdir: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "smartseoul.cli", "demo", "--port", str(port), *args],
        cwd=workdir,
        env=demo_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if fetch(f"http://127.0.0.1:{port}/healthz", timeout=2)[0] == 200:
                return process, port
        except OSError:
            if process.poll() is not None:
                raise AssertionError(
                    process.stdout.read() if process.stdout else "demo exited"
                ) from None
            time.sleep(0.3)
    stop(process)
    raise AssertionError("the demo server did not answer within 120 s")


def fetch(url: str, timeout: float = 10) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own server
        return int(response.status), response.read().decode()


def stop(process: subprocess.Popen[str]) -> str:
    return processes.stop(process, timeout=30)  # the demo also stops its worker and witness


@pytest.mark.slow
def test_demo_serves_the_platform_and_keeps_its_data(tmp_path: Path) -> None:
    process, port = start_demo(tmp_path)
    try:
        _, home = fetch(f"http://127.0.0.1:{port}/")
        assert fetch(f"http://127.0.0.1:{port}/static/web/site.css")[0] == 200
    finally:
        output = stop(process)
    assert "스마트 서울" in home
    assert (tmp_path / "var" / "smartseoul.sqlite3").exists()
    assert (tmp_path / "var" / "media").is_dir()
    for login in (
        "citizen@demo.smartseoul.example",
        "official.mapo@demo.smartseoul.example",
        "official.cityhall@demo.smartseoul.example",
        "admin@demo.smartseoul.example",
    ):
        assert login in output
    first_secret = output.split("TOTP secret ")[1].split()[0]

    # A second start reuses the data: same accounts, same TOTP secrets.
    process, port = start_demo(tmp_path)
    again = stop(process)
    assert f"TOTP secret {first_secret}" in again

    # --reset starts over with fresh secrets.
    process, port = start_demo(tmp_path, "--reset")
    reset = stop(process)
    assert f"TOTP secret {first_secret}" not in reset
    assert "TOTP secret " in reset


def test_demo_prints_a_demo_accounts_current_code(tmp_path: Path) -> None:
    env = {**demo_env(tmp_path), "SMARTSEOUL_ENV": "demo"}
    for command in (
        ["manage", "migrate", "-v", "0"],
        ["manage", "shell", "-c", "from smartseoul.web.demo import demo_load; demo_load()"],
    ):
        subprocess.run(
            [sys.executable, "-m", "smartseoul.cli", *command],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
    result = subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "demo", "--totp", "admin@demo.smartseoul.example"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    code = result.stdout.strip()
    assert len(code) == 6
    assert code.isdigit()
