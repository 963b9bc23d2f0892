"""Real processes for the ledger tests: witnesses (the generic helpers are tests/processes.py)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import (  # noqa: F401 - re-exported for the ledger tests
    ORIGIN_PREFIX,
    Site,
    clean_env,
    cli,
    free_port,
    site_env,
    spawn,
    stop,
    wait_for,
)


@dataclass
class WitnessProcess:
    name: str
    vkey: str
    url: str
    state: Path
    key_file: Path
    process: subprocess.Popen[str]
    logs: tuple[str, ...]

    @property
    def config(self) -> str:
        return f"{self.name}={self.url}={self.vkey}"

    def stop(self) -> str:
        return stop(self.process)

    def restart(self) -> WitnessProcess:
        self.stop()
        return start_witness(self.state.parent, self.name, self.logs, key_file=self.key_file)


def start_witness(
    workdir: Path, name: str, logs: tuple[str, ...], *, key_file: Path | None = None
) -> WitnessProcess:
    """`smartseoul witness serve` for ORIGIN=VKEY logs, with a key made by `witness keygen`."""
    workdir.mkdir(parents=True, exist_ok=True)
    if key_file is None:
        key_file = workdir / f"{name}.key"
        vkey = cli("witness", "keygen", name, "--out", str(key_file), env=clean_env(), cwd=workdir)
        vkey_text = vkey.stdout.strip()
    else:
        from smartseoul.ledger.witness_protocol import parse_cosigner_skey

        vkey_text = parse_cosigner_skey(key_file.read_text().strip()).vkey
    port = free_port()
    args = [
        "witness",
        "serve",
        "--state",
        str(workdir / f"{name}.db"),
        "--key-file",
        str(key_file),
        "--port",
        str(port),
    ]
    for item in logs:
        args += ["--log", item]
    process = spawn(*args, env=clean_env(), cwd=workdir)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/", process)
    return WitnessProcess(name, vkey_text, url, workdir / f"{name}.db", key_file, process, logs)


@pytest.fixture
def log_keys() -> dict[str, tuple[str, str]]:
    """(signer key, verifier key) per log, made the way an operator would."""
    from smartseoul.ledger.note import generate_signer_key

    return {name: generate_signer_key(f"{ORIGIN_PREFIX}/{name}") for name in ("votes", "records")}
