"""How long does `verify-election` take for a Seoul-sized budget round?
`uv run python -m benchmarks.budgeting_record [--entries N] [--workers W]`

A round is one secret vote per scope (docs/budgeting.md): the city-wide vote (25 projects,
budget ₩30 billion in ₩1M units, so 14 budget-proof digits) and 25 district votes (27
projects each, ₩2.4 billion, 10 digits); each of the 120,000 voters casts one ballot in the
city-wide vote and one in their district's. Verifying a record is dominated by checking every
ballot entry — its 0/1 option proofs and its budget proof — which `verify-election` spreads
over all cores (voting/verify_ballots.py); everything else (ledger proof, tally, decryption,
winners) is seconds.

This benchmark runs that very pass (``check_ballots``) over N real ballot entries of each
kind and scales the measured time per entry to 120,000 entries of each. The entries are
copies of 16 distinct encrypted ballots (encrypting 240,000 in Python would take hours);
verifying a copy costs exactly what verifying a fresh ballot costs (the pass also flags the
repeated ciphertexts, which a real record never has).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np
import rfc8785

from benchmarks.budgeting import (
    CITY_BUDGET,
    CITY_PROJECTS,
    DISTRICT_BUDGET,
    DISTRICT_PROJECTS,
    MINIMUM_PERCENT,
    VOTERS,
    _costs,
    _pick_within,
)
from smartseoul.voting import verify_ballots
from smartseoul.voting.budget_rules import BudgetRule
from smartseoul.voting.crypto import G, Manifest, QuestionSpec, Scalar, encrypt_ballot, group
from smartseoul.voting.crypto.ballot import ElectionContext
from smartseoul.voting.crypto.budget import minimum_for_share, prove_ballot_budgets
from smartseoul.voting.verify_ballots import BallotJob, Setting, check_ballots

DISTINCT = 16


def _scope(
    rng: np.random.Generator, projects: int, budget: int, entries: int, workers: int
) -> dict[str, Any]:
    costs = _costs(rng, projects, budget)
    rule = BudgetRule.knapsack(costs, budget, minimum_for_share(budget, MINIMUM_PERCENT))
    manifest = Manifest(bytes(32), (QuestionSpec(projects, 0, projects),))
    key = G * Scalar.random()
    context = ElectionContext.create(manifest, key)
    documents = []
    for _ in range(DISTINCT):
        chosen = _pick_within(rng, costs, rule.high, rule.low)
        ballot, secrets = encrypt_ballot(context, [chosen])
        proofs = prove_ballot_budgets(context, ballot, secrets, {0: rule.crypto_rule()})
        documents.append((ballot.to_json(), {"0": proofs[0].to_json()}))
    jobs = []
    for n in range(entries):
        ballot_json, proofs_json = documents[n % DISTINCT]
        entry = rfc8785.dumps(
            {
                "type": "smartseoul.ballot/v1",
                "vote": "benchmark",
                "manifest": "00" * 32,
                "pseudonym": f"{n:032x}",
                "weight": 1,
                "cast_at": "2026-11-22T10:00:00+00:00",
                "replaces": None,
                "ballot": ballot_json,
                "budget_proofs": proofs_json,
            }
        )
        jobs.append(BallotJob(n, entry, True))
    setting = Setting(
        vote="benchmark",
        manifest_hash="00" * 32,
        secret=True,
        crypto_manifest=manifest.to_json(),
        public_key=key.hex(),
        budget_rules={0: rule.to_json()},
    )
    # One core's CPU time per entry, in this process: what an idle core takes, whatever else
    # the machine is doing.
    sample = jobs[: min(len(jobs), 100)]
    verify_ballots._configure(setting)
    started_cpu = time.process_time()
    verify_ballots._check_chunk(sample)
    cpu_ms = (time.process_time() - started_cpu) / len(sample) * 1e3
    started = time.perf_counter()
    outcome = check_ballots(setting, jobs, workers=workers)
    seconds = time.perf_counter() - started
    if outcome.failures or outcome.malformed:
        raise SystemExit(f"the benchmark's own ballots failed: {outcome.failures[:1]}")
    return {
        "projects": projects,
        "budget_digits": rule.crypto_rule().bits,
        "entries": entries,
        "seconds": round(seconds, 2),
        "ms_per_entry_wall": round(seconds / entries * 1e3, 2),
        "estimated_minutes_for_120000": round(seconds / entries * VOTERS / 60, 1),
        "cpu_ms_per_entry_one_core": round(cpu_ms, 2),
        "estimated_minutes_for_120000_on_idle_cores": round(cpu_ms * VOTERS / workers / 60_000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000, help="entries per vote kind")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    city = _scope(rng, CITY_PROJECTS, CITY_BUDGET, args.entries, args.workers)
    district = _scope(rng, DISTRICT_PROJECTS, DISTRICT_BUDGET, args.entries, args.workers)
    total = city["estimated_minutes_for_120000"] + district["estimated_minutes_for_120000"]
    idle = (
        city["estimated_minutes_for_120000_on_idle_cores"]
        + district["estimated_minutes_for_120000_on_idle_cores"]
    )
    report = {
        "workers": args.workers,
        "verifier_kernel": group._native is not None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "city_vote": city,
        "district_votes": district,
        "estimated_verify_election_minutes_for_the_round": round(total, 1),
        "estimated_minutes_on_idle_cores": round(idle, 1),
        "goal_minutes": 60,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
