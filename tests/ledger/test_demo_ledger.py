"""`smartseoul demo` shows a witnessed ledger that an outside verifier accepts."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from tests.cli.test_demo import fetch, start_demo, stop
from tests.ledger.conftest import clean_env, cli


@pytest.mark.slow
def test_the_demo_ledger_is_witnessed_and_verifies(tmp_path: Path) -> None:
    process, port = start_demo(tmp_path, "--no-worker")
    site = f"http://127.0.0.1:{port}"
    try:
        page = fetch(f"{site}/ledger/records/")[1]
        assert "demo-witness.smartseoul.localhost" in page
        witnesses = page.split('id="witness-heading"')[1]
        assert "<time datetime=" in witnesses  # when the witness last cosigned

        car = fetch(f"{site}/ledger/verify?q={urllib.parse.quote('12가3456')}")[1]
        assert "84210" in car
        assert 'class="ok"' in car

        result = cli(
            "ledger",
            "verify",
            site,
            "--full",
            "--state",
            str(tmp_path / "state.json"),
            env=clean_env(),
            cwd=tmp_path,
        )
        assert "records: checkpoint size 5" in result.stdout
        assert "cosigned by 1/1 witness(es) (demo-witness.smartseoul.localhost)" in result.stdout
        assert result.stdout.strip().endswith("OK")
    finally:
        stop(process)
    assert (tmp_path / "var" / "witness" / "witness.key").exists()
