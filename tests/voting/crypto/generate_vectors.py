"""Cross-language test vectors: `uv run python -m tests.voting.crypto.generate_vectors`.

Writes vectors.json beside this file: fixed keys, seeds and selections, and the exact ballots,
election hashes and trackers Python makes from them. The browser test recomputes every ballot
in JavaScript and must get the same bytes; test_vectors.py checks the file is up to date, so an
encoding change cannot slip in unnoticed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from smartseoul.voting.crypto import (
    ElectionContext,
    G,
    Manifest,
    QuestionSpec,
    Scalar,
    encrypt_ballot,
)
from smartseoul.voting.crypto.group import H

PATH = Path(__file__).with_name("vectors.json")

# (name, questions as (options, min, max), selections, binding)
CASES: list[tuple[str, list[tuple[int, int, int]], list[list[int]], bytes]] = [
    ("single choice, 5 options", [(5, 1, 1)], [[0, 0, 1, 0, 0]], b""),
    ("first option", [(5, 1, 1)], [[1, 0, 0, 0, 0]], b""),
    ("k of n with a binding", [(4, 0, 3)], [[1, 0, 1, 0]], bytes(range(32))),
    ("abstain allowed", [(4, 0, 2)], [[0, 0, 0, 0]], b"\x07"),
    (
        "three questions",
        [(3, 1, 1), (5, 2, 3), (2, 0, 2)],
        [[0, 1, 0], [1, 0, 1, 1, 0], [1, 1]],
        b"voter-credential",
    ),
]


def _fixed(label: str) -> bytes:
    return hashlib.sha256(f"smartseoul test vector {label}".encode()).digest()


def build_vectors() -> dict[str, object]:
    secret = Scalar.from_hash(hashlib.sha512(b"smartseoul test vector secret key").digest())
    public_key = G * secret
    cases = []
    for number, (name, shape, selections, binding) in enumerate(CASES):
        manifest = Manifest(_fixed(f"manifest {number}"), tuple(QuestionSpec(*q) for q in shape))
        context = ElectionContext.create(manifest, public_key)
        seed = _fixed(f"seed {number}")
        ballot, _ = encrypt_ballot(context, selections, binding=binding, seed=seed)
        cases.append(
            {
                "name": name,
                "manifest": manifest.to_json(),
                "selections": selections,
                "binding": binding.hex(),
                "seed": seed.hex(),
                "election_hash": context.election_hash.hex(),
                "ballot": ballot.to_json(),
                "ballot_bytes": ballot.to_bytes().hex(),
                "tracker": ballot.tracker().hex(),
            }
        )
    return {
        "about": "smartseoul/voting/v1 ballot vectors; see docs/election-crypto.md",
        "generator_g": G.hex(),
        "generator_h": H.hex(),
        "secret_key": secret.hex(),
        "public_key": public_key.hex(),
        "cases": cases,
    }


def render() -> str:
    return json.dumps(build_vectors(), indent=1) + "\n"


def main() -> None:
    PATH.write_text(render())
    print(f"wrote {PATH}")


if __name__ == "__main__":
    main()
