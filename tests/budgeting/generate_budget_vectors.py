"""Budget-proof test vectors: `uv run python -m tests.budgeting.generate_budget_vectors`.

Writes budget_vectors.json beside this file: fixed keys, seeds, rules and choices, and the
exact option ciphertexts and budget proofs Python derives from them (every nonce comes from the
seed, docs/budgeting.md §4.6). A browser implementation must reproduce these bytes;
test_budget_vectors.py checks that the file is up to date, so an encoding change cannot slip
in unnoticed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from smartseoul.voting.crypto import G, Scalar, encrypt
from smartseoul.voting.crypto.budget import BudgetRule, BudgetStatement, prove_budget
from smartseoul.voting.crypto.hashing import NonceSource, u32

PATH = Path(__file__).with_name("budget_vectors.json")
SECRET = Scalar.from_hash(hashlib.sha512(b"smartseoul budget vectors secret").digest())
ELECTION_HASH = hashlib.sha256(b"smartseoul budget vectors election").digest()

# (name, question index, weights, low, high, choices, binding)
CASES: list[tuple[str, int, list[int], int, int, list[int], bytes]] = [
    ("knapsack, 70% minimum", 0, [300, 520, 1200, 800, 45, 610, 990], 1680, 2400,
     [1, 1, 1, 0, 0, 0, 0], b"voter-credential"),
    ("knapsack, no minimum", 1, [120, 340, 560, 780], 0, 1000, [0, 1, 1, 0], b""),
    ("at most 2 of 5", 2, [1, 1, 1, 1, 1], 0, 2, [0, 1, 0, 0, 1], b"\x07"),
    ("exactly 12", 0, [5, 7, 9], 12, 12, [1, 1, 0], b"x"),
    ("nothing to prove", 0, [5, 7, 9], 0, 21, [1, 0, 1], b"x"),
]  # fmt: skip


def build() -> dict[str, object]:
    key = G * SECRET
    cases = []
    for number, (name, q, weights, low, high, choices, binding) in enumerate(CASES):
        seed = hashlib.sha256(f"budget vector seed {number}".encode()).digest()
        nonce = NonceSource(seed, ELECTION_HASH)
        nonces = [nonce(b"encrypt", u32(q), u32(i)) for i in range(len(choices))]
        ciphertexts = tuple(encrypt(key, x, r) for x, r in zip(choices, nonces, strict=True))
        rule = BudgetRule(tuple(weights), low, high)
        statement = BudgetStatement(ELECTION_HASH, binding, q, key, rule, ciphertexts)
        proof = prove_budget(statement, choices=choices, nonces=nonces, seed=nonce)
        cases.append(
            {
                "name": name,
                "seed": seed.hex(),
                "question": q,
                "binding": binding.hex(),
                "rule": {"weights": weights, "low": low, "high": high},
                "choices": choices,
                "ciphertexts": [c.to_bytes().hex() for c in ciphertexts],
                "statement_digest": statement.digest().hex(),
                "proof": proof.to_json(),
                "proof_bytes": proof.to_bytes().hex(),
            }
        )
    return {
        "about": "Budget proofs (docs/budgeting.md §4); regenerate with "
        "`uv run python -m tests.budgeting.generate_budget_vectors`.",
        "secret_key": SECRET.hex(),
        "public_key": key.hex(),
        "election_hash": ELECTION_HASH.hex(),
        "cases": cases,
    }


def main() -> None:
    PATH.write_text(json.dumps(build(), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
