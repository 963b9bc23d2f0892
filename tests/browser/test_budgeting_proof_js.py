"""budget-proof.js in Chromium makes the same budget proofs as Python, byte for byte.

Served by Playwright routing from the source tree (no Django, no database), like the ballot
cryptography's browser test: the vendored libsodium build, then budget-proof.js.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from smartseoul.voting.crypto import G, Scalar, encrypt
from smartseoul.voting.crypto.budget import (
    BudgetProof,
    BudgetRule,
    BudgetStatement,
    verify_budget,
)
from smartseoul.voting.crypto.hashing import NonceSource, u32
from tests.budgeting.generate_budget_vectors import PATH as VECTORS_PATH

pytestmark = pytest.mark.browser

SRC = Path(__file__).resolve().parents[2] / "src" / "smartseoul"
SODIUM = SRC / "web" / "static" / "vendor" / "libsodium-wrappers-sumo-0.8.4"
FILES = {
    "/libsodium-sumo.js": SODIUM / "libsodium-sumo.js",
    "/libsodium-wrappers.js": SODIUM / "libsodium-wrappers.js",
    "/budget-proof.js": SRC / "budgeting" / "static" / "budgeting" / "budget-proof.js",
}
ORIGIN = "http://budget.test"
PAGE = """<!doctype html><meta charset="utf-8"><title>budget proof</title>
<script src="/libsodium-sumo.js"></script>
<script src="/libsodium-wrappers.js"></script>
<script src="/budget-proof.js"></script>"""
VECTORS: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
PROVE = "args => SmartSeoulBudgetProof.proveBudget(args)"


def _serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/":
        route.fulfill(body=PAGE, content_type="text/html")
    elif path in FILES:
        route.fulfill(body=FILES[path].read_bytes(), content_type="text/javascript")
    else:
        route.fulfill(status=404, body="not found")


@pytest.fixture(scope="module")
def proof_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/")
    page.evaluate("() => SmartSeoulBudgetProof.ready.then(() => true)")
    assert errors == []
    yield page
    context.close()


def _arguments(case: dict[str, Any], ciphertexts: list[str]) -> dict[str, Any]:
    return {
        "publicKey": VECTORS["public_key"],
        "electionHash": VECTORS["election_hash"],
        "binding": case["binding"],
        "question": case["question"],
        "seed": case["seed"],
        "rule": case["rule"],
        "choices": case["choices"],
        "ciphertexts": [{"alpha": c[:64], "beta": c[64:]} for c in ciphertexts],
    }


def test_javascript_reproduces_every_python_vector(proof_page: Page) -> None:
    for case in VECTORS["cases"]:
        made = proof_page.evaluate(PROVE, _arguments(case, case["ciphertexts"]))
        assert made == case["proof"], case["name"]


def test_a_fresh_browser_proof_verifies_in_python_and_lies_are_refused(proof_page: Page) -> None:
    key = G * Scalar.random()
    election_hash, seed = secrets.token_bytes(32), secrets.token_bytes(32)
    costs, choices = [410, 980, 150, 620, 300], [1, 0, 1, 1, 0]
    rule = BudgetRule.knapsack(costs, 1500, 1050)
    nonce = NonceSource(seed, election_hash)
    ciphertexts = tuple(
        encrypt(key, x, nonce(b"encrypt", u32(3), u32(i))) for i, x in enumerate(choices)
    )
    arguments = {
        "publicKey": key.hex(),
        "electionHash": election_hash.hex(),
        "binding": "",
        "question": 3,
        "seed": seed.hex(),
        "rule": {"weights": costs, "low": rule.low, "high": rule.high},
        "choices": choices,
        "ciphertexts": [{"alpha": c.alpha.hex(), "beta": c.beta.hex()} for c in ciphertexts],
    }
    proof = BudgetProof.from_json(proof_page.evaluate(PROVE, arguments))
    verify_budget(BudgetStatement(election_hash, b"", 3, key, rule, ciphertexts), proof)
    over = {**arguments, "choices": [1, 1, 1, 0, 0]}  # 1,540 > 1,500
    refusal = proof_page.evaluate(
        "args => { try { SmartSeoulBudgetProof.proveBudget(args); return null; }"
        " catch (e) { return e.name + ': ' + e.message; } }",
        over,
    )
    assert refusal == "BudgetProofError: refusing to prove that 1540 lies in [1050, 1500]"
