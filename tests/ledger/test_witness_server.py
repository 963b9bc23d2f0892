"""`smartseoul witness serve`: an independent process that cosigns only consistent growth."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx

from smartseoul.ledger.checkpoint import Checkpoint
from smartseoul.ledger.merkle import EMPTY_ROOT, MemoryTree
from smartseoul.ledger.note import generate_signer_key, parse_signer_key, sign_note
from smartseoul.ledger.witness_protocol import (
    build_add_checkpoint_request,
    parse_cosigner_vkey,
    verify_cosignature,
)
from tests.ledger.conftest import clean_env, cli, start_witness

ORIGIN = "witness.test/ledger/votes"


def signed(signer_key: str, tree: MemoryTree, size: int) -> str:
    signer = parse_signer_key(signer_key)
    return sign_note(Checkpoint(ORIGIN, size, tree.root(size)).to_text(), [signer])


def post(url: str, old: int, proof: list[bytes], note: str) -> httpx.Response:
    body = build_add_checkpoint_request(old, proof, note)
    return httpx.post(url + "/add-checkpoint", content=body, timeout=10)


def test_keygen_writes_a_private_key_file_and_prints_the_verifier_key(tmp_path: Path) -> None:
    out = tmp_path / "w.key"
    result = cli("witness", "keygen", "w.example", "--out", str(out), env=clean_env(), cwd=tmp_path)
    verifier = parse_cosigner_vkey(result.stdout.strip())
    assert verifier.name == "w.example"
    assert out.read_text().startswith("PRIVATE+KEY+w.example+")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    again = cli(
        "witness",
        "keygen",
        "w.example",
        "--out",
        str(out),
        env=clean_env(),
        cwd=tmp_path,
        check=False,
    )
    assert again.returncode == 2  # never overwrites a key


def test_the_witness_cosigns_growth_and_refuses_forks_and_rollbacks(tmp_path: Path) -> None:
    skey, vkey = generate_signer_key(ORIGIN)
    witness = start_witness(tmp_path, "w1.test", (f"{ORIGIN}={vkey}",))
    verifier = parse_cosigner_vkey(witness.vkey)
    honest = MemoryTree()
    honest.extend(f"vote {i}".encode() for i in range(20))
    try:
        # First sight: from the empty tree, no proof.
        note = signed(skey, honest, 5)
        response = post(witness.url, 0, [], note)
        assert response.status_code == 200, response.text
        verify_cosignature(note + response.text, verifier)

        # Growth 5 → 9 with a consistency proof.
        note9 = signed(skey, honest, 9)
        response = post(witness.url, 5, honest.consistency_proof(5, 9), note9)
        assert response.status_code == 200, response.text

        # Rolled back: the witness says where it is (409, its size) or refuses outright.
        rolled_back = post(witness.url, 0, [], signed(skey, honest, 3))
        assert rolled_back.status_code == 409
        assert rolled_back.headers["content-type"] == "text/x.tlog.size"
        assert rolled_back.text == "9\n"
        assert post(witness.url, 9, [], signed(skey, honest, 3)).status_code == 400

        # A fork: another history of 12 entries cannot prove it extends what was cosigned.
        fork = MemoryTree()
        fork.extend(f"forged {i}".encode() for i in range(20))
        forged = post(witness.url, 9, fork.consistency_proof(9, 12), signed(skey, fork, 12))
        assert forged.status_code == 422
        same_size = post(witness.url, 9, [], signed(skey, fork, 9))
        assert same_size.status_code == 422
        assert (tmp_path / "w1.test.evidence").stat().st_size > 0

        # Not the log's key, unknown log, junk.
        other_key, _ = generate_signer_key(ORIGIN)
        assert post(witness.url, 9, [], signed(other_key, honest, 9)).status_code == 403
        stranger = sign_note(
            Checkpoint("elsewhere.test/log", 0, EMPTY_ROOT).to_text(),
            [parse_signer_key(generate_signer_key("elsewhere.test/log")[0])],
        )
        assert post(witness.url, 0, [], stranger).status_code == 404
        junk = httpx.post(witness.url + "/add-checkpoint", content=b"hello", timeout=10)
        assert junk.status_code == 400

        # The state survives a restart: the witness still remembers size 9.
        witness = witness.restart()
        assert post(witness.url, 0, [], signed(skey, honest, 12)).text == "9\n"
        response = post(witness.url, 9, honest.consistency_proof(9, 20), signed(skey, honest, 20))
        assert response.status_code == 200, response.text
    finally:
        witness.stop()
