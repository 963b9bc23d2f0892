"""`smartseoul ledger verify` against a live server in another process, with real witnesses.

The verifier shares nothing with the server but HTTP: it pins keys on first use, checks
the witness quorum, proves append-only growth between runs and, with --full, recomputes
the root from every entry.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.ledger.conftest import Site, clean_env, cli, site_env, start_witness


def verify(site: Site, state: Path, *args: str) -> tuple[int, str]:
    result = cli(
        "ledger",
        "verify",
        site.url,
        "--state",
        str(state),
        *args,
        env=clean_env(),
        cwd=state.parent,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
def test_verifier_against_a_live_server_and_witnesses(
    tmp_path: Path, sqlite_copy: Path, log_keys: dict[str, tuple[str, str]]
) -> None:
    origin = "verify.test/ledger/records"
    logs = tuple(f"verify.test/ledger/{name}={vkey}" for name, (_, vkey) in log_keys.items())
    w1 = start_witness(tmp_path / "w1", "w1.test", logs)
    w2 = start_witness(tmp_path / "w2", "w2.test", logs)
    site = Site(
        url="",
        workdir=tmp_path,
        env=site_env(
            tmp_path,
            sqlite_copy,
            {name: skey for name, (skey, _) in log_keys.items()},
            SMARTSEOUL_LEDGER_WITNESSES=f"{w1.config},{w2.config}",
            SMARTSEOUL_LEDGER_QUORUM="2",
        ),
    )
    state = tmp_path / "client" / "state.json"
    state.parent.mkdir()
    try:
        site.append("records", [f"record {i}" for i in range(2500)])
        site.start()

        # First run: keys pinned on first use, quorum met, every entry re-hashed.
        code, output = verify(site, state, "--full")
        assert code == 0, output
        assert "trusting the log key on first use" in output
        assert "checkpoint size 2500" in output
        assert "cosigned by 2/2 witness(es) (w1.test, w2.test)" in output
        assert "all 2500 entries downloaded; they hash to the signed root" in output
        pinned = json.loads(state.read_text())["logs"][origin]
        assert pinned["vkey"] == log_keys["records"][1]
        assert pinned["size"] == 2500

        # The log grows: the next run proves the new tree extends the old one.
        site.append("records", ["record 2500", "record 2501"])
        code, output = verify(site, state, "--log", "records")
        assert code == 0, output
        assert "consistent with the previous checkpoint of size 2500" in output

        # A stricter quorum than the witnesses give is refused.
        code, output = verify(site, state, "--log", "records", "--quorum", "3")
        assert code == 1
        assert "the quorum is 3" in output

        # Someone edits an entry in the database: the full audit catches it.
        site.stop()
        with sqlite3.connect(sqlite_copy) as db:
            db.execute('UPDATE ledger_entry SET data = ? WHERE "index" = 7', (b"forged",))
        site.start()
        code, output = verify(site, state, "--log", "records", "--full")
        assert code == 1
        assert "do not hash to the checkpoint's root" in output

        # The city rewrites history (a new database, same key): the witnesses refuse to
        # cosign it, and even without witnesses the verifier's pinned state catches it.
        site.stop()
        with sqlite3.connect(sqlite_copy) as db:
            for table in (
                "ledger_record",
                "ledger_cosignature",
                "ledger_checkpoint",
                "ledger_node",
                "ledger_entry",
                "ledger_log",
            ):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        site.append("records", [f"rewritten {i}" for i in range(3000)])
        site.start()
        code, output = verify(site, state, "--log", "records")
        assert code == 1
        assert "valid witness cosignature(s), the quorum is 2" in output
        code, output = verify(site, state, "--log", "records", "--quorum", "0")
        assert code == 1
        assert "NOT consistent with the checkpoint seen before (2502)" in output
        assert json.loads(state.read_text())["logs"][origin]["size"] == 2502  # unchanged
    finally:
        site.stop()
        w1.stop()
        w2.stop()
