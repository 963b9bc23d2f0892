"""How fast is the ballot cryptography?  `uv run python -m benchmarks.voting_crypto`

Prints JSON, all on one core: libsodium primitive costs; encrypting and verifying one ballot
with one 5-option single-choice question (and the number of group operations verification
does); the homomorphic tally per ballot; a 3-of-5 key generation; a threshold decryption of a
5-option tally. `--browser` also times encrypt+prove in Chromium (Playwright), as a voter's
phone would run it. Timings are medians (and best) over repeated runs: on a shared machine
the median includes other processes' noise, the best is what the code costs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from smartseoul.voting.crypto import (
    Ceremony,
    ElectionContext,
    EncryptedBallot,
    G,
    Manifest,
    QuestionSpec,
    Scalar,
    add_all,
    deal,
    decrypt_tally,
    discrete_log_table,
    encrypt_ballot,
    group,
    joint_public_key,
    open_share,
    partial_decrypt,
    public_share,
    seal_share,
    secret_share,
    transport_key_generate,
    verify_ballot,
    verify_dealing,
    verify_decryption_share,
    verify_transport_key,
)


def _timings_ms(action: Callable[[], object], repeat: int) -> dict[str, float]:
    action()  # warm caches (small multiples, discrete-log table)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1e3)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "best_ms": round(samples[0], 3),
        "p90_ms": round(samples[int(len(samples) * 0.9)], 3),
    }


def _primitive_us(action: Callable[[], object], repeat: int = 3000) -> float:
    for _ in range(100):
        action()
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat):
            action()
        best = min(best, (time.perf_counter() - started) / repeat * 1e6)
    return round(best, 2)


@contextmanager
def _counting() -> Iterator[Counter[str]]:
    """Count libsodium calls by wrapping the module-level functions Point uses, and the C
    kernel's sums (docs/election-crypto.md §11) by wrapping its entry point."""
    counts: Counter[str] = Counter()
    names = {
        "_smul": "variable_base_mul",
        "_smul_base": "fixed_base_mul",
        "_add": "add",
        "_sub": "sub",
    }
    saved = {name: getattr(group, name) for name in names}

    def wrap(name: str) -> Callable[..., bytes]:
        original = saved[name]

        def counted(*args: bytes) -> bytes:
            counts[names[name]] += 1
            return original(*args)  # type: ignore[no-any-return]

        return counted

    for name in names:
        setattr(group, name, wrap(name))
    kernel = group._native
    kernel_sum = kernel.smartseoul_vartime_sum if kernel is not None else None
    if kernel is not None:

        def counted_sum(*args: Any) -> int:
            counts["kernel_sum"] += 1
            return kernel_sum(*args)  # type: ignore[misc, no-any-return]

        kernel.smartseoul_vartime_sum = counted_sum
    try:
        yield counts
    finally:
        for name, original in saved.items():
            setattr(group, name, original)
        if kernel is not None:
            kernel.smartseoul_vartime_sum = kernel_sum


def _threshold(repeat: int) -> dict[str, Any]:
    ceremony = Ceremony(b"\x01" * 32, 5, 3)
    state: dict[str, Any] = {}

    def dkg() -> None:
        keys = {i: transport_key_generate(ceremony, i) for i in range(1, 6)}
        for key in keys.values():
            verify_transport_key(ceremony, key.index, key.public, key.proof)
        dealings = {i: deal(ceremony, i) for i in range(1, 6)}
        public = [d.public for d in dealings.values()]
        for dealing in public:
            verify_dealing(ceremony, dealing)
        state["secrets"] = {
            j: secret_share(
                public,
                j,
                {
                    i: open_share(
                        ceremony, keys[j], seal_share(ceremony, i, j, keys[j].public, d.shares[j])
                    )
                    for i, d in dealings.items()
                },
            )
            for j in keys
        }
        state["publics"] = {j: public_share(public, j) for j in keys}
        state["key"] = joint_public_key(public)

    dkg_timing = _timings_ms(dkg, max(3, repeat // 20))
    context = ElectionContext.create(Manifest(bytes(32), (QuestionSpec(5, 1, 1),)), state["key"])
    ballots = [encrypt_ballot(context, [[int(i == k % 5) for i in range(5)]])[0] for k in range(20)]
    columns = [add_all(b.questions[0].options[i].ciphertext for b in ballots) for i in range(5)]
    discrete_log_table()

    def decrypt() -> list[int]:
        shares = [
            partial_decrypt(context.election_hash, j, state["secrets"][j], columns)
            for j in (1, 3, 5)
        ]
        for share in shares:
            verify_decryption_share(
                context.election_hash, state["publics"][share.trustee], columns, share
            )
        return decrypt_tally(3, columns, shares)

    assert decrypt() == [4, 4, 4, 4, 4]
    started = time.perf_counter()
    discrete_log_table.cache_clear()
    discrete_log_table()
    table_s = time.perf_counter() - started
    return {
        "dkg_3_of_5_all_trustees": dkg_timing,
        "decrypt_5_option_tally_3_trustees_with_proof_checks": _timings_ms(decrypt, 20),
        "discrete_log_table_build_s": round(table_s, 3),
    }


def _browser_ms() -> dict[str, Any]:
    # Imported here: Playwright is a development dependency, needed only with --browser.
    from playwright.sync_api import sync_playwright

    from tests.browser.test_ballot_crypto_js import FILES, ORIGIN, PAGE

    def serve(route: Any) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/":
            route.fulfill(body=PAGE, content_type="text/html")
        else:
            route.fulfill(body=Path(FILES[path]).read_bytes(), content_type="text/javascript")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.route(f"{ORIGIN}/**", serve)
        page.goto(f"{ORIGIN}/")
        samples = page.evaluate(
            """async ([m, key]) => {
                await SmartSeoulBallot.ready;
                const ctx = SmartSeoulBallot.electionContext(m, key);
                const out = [];
                for (let i = 0; i < 60; i++) {
                    const t = performance.now();
                    SmartSeoulBallot.encryptBallot(ctx, [[0, 0, 1, 0, 0]]);
                    out.push(performance.now() - t);
                }
                return out.slice(10);
            }""",
            [Manifest(bytes(32), (QuestionSpec(5, 1, 1),)).to_json(), (G * 12345).hex()],
        )
        browser.close()
    samples.sort()
    return {
        "encrypt_and_prove_5_options_median_ms": round(statistics.median(samples), 2),
        "best_ms": round(samples[0], 2),
    }


def run(repeat: int, browser: bool) -> dict[str, Any]:
    secret = Scalar.random()
    context = ElectionContext.create(Manifest(bytes(32), (QuestionSpec(5, 1, 1),)), G * secret)
    ballot, _ = encrypt_ballot(context, [[0, 0, 1, 0, 0]])
    document = ballot.to_json()
    with _counting() as counts:
        verify_ballot(context, ballot)
    verify = _timings_ms(lambda: verify_ballot(context, ballot), repeat)
    s, p = secret.to_bytes(), (G * secret).to_bytes()
    key = context.public_key
    ballots = [encrypt_ballot(context, [[int(i == k % 5) for i in range(5)]])[0] for k in range(50)]

    def tally() -> None:
        for i in range(5):
            add_all(b.questions[0].options[i].ciphertext for b in ballots)

    result: dict[str, Any] = {
        "primitives_us": {
            "variable_base_mul": _primitive_us(lambda: group._smul(s, p)),
            "fixed_base_mul": _primitive_us(lambda: group._smul_base(s)),
            "add": _primitive_us(lambda: group._add(p, p)),
            "point_decode_check": _primitive_us(lambda: group._is_valid(p)),
            # What a verifier computes per commitment: with the kernel, one shared chain.
            "commitment_v_G_minus_c_A": _primitive_us(
                lambda: group.vartime_sum([(secret, G), (-secret.value, key)])
            ),
        },
        "kernel": group._native is not None,
        "ballot_5_options_single_choice": {
            "verify": verify,
            "verify_ballots_per_second_one_core": round(1e3 / verify["median_ms"]),
            "verify_group_operations": dict(sorted(counts.items())),
            "parse_json_and_verify": _timings_ms(
                lambda: verify_ballot(context, EncryptedBallot.from_json(document)), repeat
            ),
            "encrypt_and_prove_python": _timings_ms(
                lambda: encrypt_ballot(context, [[0, 0, 1, 0, 0]]), max(10, repeat // 4)
            ),
            "ballot_json_bytes": len(json.dumps(document, separators=(",", ":"))),
            "ballot_canonical_bytes": len(ballot.to_bytes()),
            "homomorphic_tally_per_ballot_ms": round(
                _timings_ms(tally, 10)["median_ms"] / len(ballots), 3
            ),
        },
        "threshold": _threshold(repeat),
    }
    if browser:
        result["browser_chromium"] = _browser_ms()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per measurement")
    parser.add_argument("--browser", action="store_true", help="also time the JS in Chromium")
    args = parser.parse_args()
    print(json.dumps(run(args.repeat, args.browser), indent=2))


if __name__ == "__main__":
    main()
