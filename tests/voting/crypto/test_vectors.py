"""vectors.json is what the code makes today, and every ballot in it verifies and audits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from smartseoul.voting.crypto import (
    ElectionContext,
    EncryptedBallot,
    Manifest,
    Point,
    audit_ballot,
    verify_ballot,
)
from tests.voting.crypto.generate_vectors import PATH, render

VECTORS: dict[str, Any] = json.loads(PATH.read_text())


def test_vectors_file_is_up_to_date() -> None:
    assert PATH.read_text() == render(), (
        "ballot encodings changed: if intended, run "
        "`uv run python -m tests.voting.crypto.generate_vectors` and update the docs"
    )


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["name"])
def test_vector_ballots_verify_and_audit(case: dict[str, Any]) -> None:
    context = ElectionContext.create(
        Manifest.from_json(case["manifest"]), Point.from_bytes(bytes.fromhex(VECTORS["public_key"]))
    )
    assert context.election_hash.hex() == case["election_hash"]
    ballot = EncryptedBallot.from_json(case["ballot"])
    verify_ballot(context, ballot)
    assert ballot.to_bytes().hex() == case["ballot_bytes"]
    assert ballot.tracker().hex() == case["tracker"]
    seed = bytes.fromhex(case["seed"])
    assert audit_ballot(context, ballot, seed) == tuple(map(tuple, case["selections"]))
