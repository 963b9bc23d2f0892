"""The budget-proof vectors are current, and every one of them verifies."""

from __future__ import annotations

import json

from smartseoul.voting.crypto import Point
from smartseoul.voting.crypto.budget import BudgetProof, BudgetStatement, read_rule, verify_budget
from smartseoul.voting.crypto.elgamal import Ciphertext

from .generate_budget_vectors import PATH, build


def test_vectors_file_is_up_to_date() -> None:
    assert json.loads(PATH.read_text(encoding="utf-8")) == build()


def test_every_vector_verifies_from_its_json() -> None:
    vectors = json.loads(PATH.read_text(encoding="utf-8"))
    key = Point.from_bytes(bytes.fromhex(vectors["public_key"]))
    for case in vectors["cases"]:
        statement = BudgetStatement(
            bytes.fromhex(vectors["election_hash"]),
            bytes.fromhex(case["binding"]),
            case["question"],
            key,
            read_rule(case["rule"]),
            tuple(Ciphertext.from_bytes(bytes.fromhex(c)) for c in case["ciphertexts"]),
        )
        assert statement.digest().hex() == case["statement_digest"]
        proof = BudgetProof.from_json(case["proof"])
        assert proof.to_bytes().hex() == case["proof_bytes"]
        verify_budget(statement, proof)
