"""ballot-crypto.js in Chromium agrees byte for byte with the Python ballot cryptography.

The page is served by Playwright routing from the source tree (no Django, no database): the
vendored libsodium-wrappers-sumo build, then ballot-crypto.js, in plain <script> tags.
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from smartseoul.voting.crypto import (
    ElectionContext,
    EncryptedBallot,
    Manifest,
    Point,
    ProofError,
    QuestionSpec,
    audit_ballot,
    verify_ballot,
)
from tests.voting.crypto.generate_vectors import PATH as VECTORS_PATH

pytestmark = pytest.mark.browser

SRC = Path(__file__).resolve().parents[2] / "src" / "smartseoul"
SODIUM = SRC / "web" / "static" / "vendor" / "libsodium-wrappers-sumo-0.8.4"
FILES = {
    "/libsodium-sumo.js": SODIUM / "libsodium-sumo.js",
    "/libsodium-wrappers.js": SODIUM / "libsodium-wrappers.js",
    "/ballot-crypto.js": SRC / "voting" / "static" / "voting" / "ballot-crypto.js",
}
ORIGIN = "http://ballot.test"
PAGE = """<!doctype html><meta charset="utf-8"><title>ballot crypto</title>
<script src="/libsodium-sumo.js"></script>
<script src="/libsodium-wrappers.js"></script>
<script src="/ballot-crypto.js"></script>"""

VECTORS: dict[str, Any] = json.loads(VECTORS_PATH.read_text())


def _serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/":
        route.fulfill(body=PAGE, content_type="text/html")
    elif path in FILES:
        route.fulfill(body=FILES[path].read_bytes(), content_type="text/javascript")
    else:
        route.fulfill(status=404, body="not found")


@pytest.fixture(scope="module")
def ballot_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/")
    page.evaluate("() => SmartSeoulBallot.ready.then(() => true)")
    assert errors == []
    yield page
    context.close()


def _context(case: dict[str, Any]) -> ElectionContext:
    return ElectionContext.create(
        Manifest.from_json(case["manifest"]), Point.from_bytes(bytes.fromhex(VECTORS["public_key"]))
    )


def test_javascript_reproduces_every_python_vector(ballot_page: Page) -> None:
    results = ballot_page.evaluate(
        """(v) => v.cases.map((c) => {
            const ctx = SmartSeoulBallot.electionContext(c.manifest, v.public_key);
            const out = SmartSeoulBallot.encryptBallot(ctx, c.selections,
                                                       {binding: c.binding, seed: c.seed});
            return {election_hash: ctx.electionHashHex, ballot: out.ballot, tracker: out.tracker,
                    ballot_bytes: SmartSeoulBallot.ballotBytes(out.ballot)};
        })""",
        VECTORS,
    )
    for case, result in zip(VECTORS["cases"], results, strict=True):
        assert result["election_hash"] == case["election_hash"], case["name"]
        assert result["ballot"] == case["ballot"], case["name"]
        assert result["ballot_bytes"] == case["ballot_bytes"], case["name"]
        assert result["tracker"] == case["tracker"], case["name"]


def test_javascript_verifies_and_audits_python_ballots(ballot_page: Page) -> None:
    outcomes = ballot_page.evaluate(
        """(v) => v.cases.map((c) => {
            const ctx = SmartSeoulBallot.electionContext(c.manifest, v.public_key);
            return {valid: SmartSeoulBallot.verifyBallot(ctx, c.ballot),
                    choices: SmartSeoulBallot.auditBallot(ctx, c.ballot, c.seed)};
        })""",
        VECTORS,
    )
    for case, outcome in zip(VECTORS["cases"], outcomes, strict=True):
        assert outcome == {"valid": True, "choices": case["selections"]}


def _tampered(ballot: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(ballot))
    holder = copy
    for key in path[:-1]:
        holder = holder[key]
    value = holder[path[-1]]
    # Change one hex digit in the middle: still well-formed hex, different bytes.
    middle = len(value) // 2
    holder[path[-1]] = value[:middle] + ("1" if value[middle] != "1" else "2") + value[middle + 1 :]
    return copy


@pytest.mark.parametrize(
    "path",
    [
        ["questions", 0, "options", 2, "alpha"],
        ["questions", 0, "options", 0, "beta"],
        ["questions", 0, "options", 1, "proof", "c", 0],
        ["questions", 0, "options", 4, "proof", "v", 1],
        ["questions", 0, "proof", "v", 0],
        ["election_hash"],
    ],
)
def test_javascript_rejects_a_changed_ballot(ballot_page: Page, path: list[Any]) -> None:
    case = VECTORS["cases"][0]
    bad = _tampered(case["ballot"], path)
    message = ballot_page.evaluate(
        """([v, c, bad]) => {
            const ctx = SmartSeoulBallot.electionContext(c.manifest, v.public_key);
            try { SmartSeoulBallot.verifyBallot(ctx, bad); return "accepted"; }
            catch (e) { return e.name + ": " + e.message; }
        }""",
        [VECTORS, case, bad],
    )
    assert message.startswith("BallotError: "), message
    with pytest.raises(ProofError):
        verify_ballot(_context(case), EncryptedBallot.from_json(bad))


def test_python_verifies_and_audits_javascript_ballots(ballot_page: Page) -> None:
    rng = random.Random(4)
    for case in VECTORS["cases"]:
        manifest = case["manifest"]
        selections = []
        for q in manifest["questions"]:
            count = rng.randint(q["min"], q["max"])
            chosen = set(rng.sample(range(q["options"]), count))
            selections.append([int(i in chosen) for i in range(q["options"])])
        made = ballot_page.evaluate(
            """([v, c, s]) => {
                const ctx = SmartSeoulBallot.electionContext(c.manifest, v.public_key);
                return SmartSeoulBallot.encryptBallot(ctx, s, {binding: c.binding});
            }""",
            [VECTORS, case, selections],
        )
        context = _context(case)
        ballot = EncryptedBallot.from_json(made["ballot"])
        verify_ballot(context, ballot)
        assert ballot.tracker().hex() == made["tracker"]
        assert audit_ballot(context, ballot, bytes.fromhex(made["seed"])) == tuple(
            tuple(row) for row in selections
        )


def test_javascript_refuses_an_invalid_choice(ballot_page: Page) -> None:
    case = VECTORS["cases"][0]
    messages = ballot_page.evaluate(
        """([v, c]) => [[[0, 1, 1, 0, 0]], [[0, 2, 0, 0, 0]], [[0, 0, 0, 0, 0]]].map((s) => {
            const ctx = SmartSeoulBallot.electionContext(c.manifest, v.public_key);
            try { SmartSeoulBallot.encryptBallot(ctx, s); return "encrypted"; }
            catch (e) { return e.name; }
        })""",
        [VECTORS, case],
    )
    assert messages == ["BallotError"] * 3


def test_browser_encrypts_a_five_option_question_quickly(ballot_page: Page) -> None:
    """Prints the timing (tests never assert timings; benchmarks/voting_crypto.py reports it)."""
    manifest = Manifest(bytes(32), (QuestionSpec(5, 1, 1),)).to_json()
    timings = ballot_page.evaluate(
        """([m, key]) => {
            const ctx = SmartSeoulBallot.electionContext(m, key);
            const out = [];
            for (let i = 0; i < 30; i++) {
                const t = performance.now();
                SmartSeoulBallot.encryptBallot(ctx, [[0, 0, 0, 1, 0]]);
                out.push(performance.now() - t);
            }
            return out;
        }""",
        [manifest, VECTORS["public_key"]],
    )
    print(f"\nbrowser encrypt+prove, 5 options: median {statistics.median(timings[5:]):.1f} ms")
    assert len(timings) == 30
