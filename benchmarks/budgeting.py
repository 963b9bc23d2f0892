"""How fast are budget ballots and budget rules?  `uv run python -m benchmarks.budgeting`

Prints JSON for a Seoul-sized round: 26 scopes (city-wide plus 25 districts), 700 projects
(25 city-wide, 27 per district), 120,000 synthetic voters, each seeing the city-wide projects
and those of their home district (52 projects).

* ``ballot``: verifying one encrypted budget ballot on one core as the server does —
  ``verify_ballot`` (the 52 options' 0/1 proofs; a budget question lets any number be
  chosen, so it has no count proof) plus the two scopes' budget proofs (knapsack, at most the
  budget, at least 70% of it; costs in units of ₩1,000,000) — and each part alone.
* ``rules``: the tally (approval counts and per-scope profiles built from the 120,000
  decrypted approval sets) and the winners of every scope by greedy and by Equal Shares with
  the add1 completion (step: 1% of the initial per-voter share; see docs/budgeting.md).

Timings are medians and bests over repeats (the best is what the code costs on a quiet
machine; this one is shared).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from smartseoul.budgeting.profile import Profile
from smartseoul.budgeting.rules import Variant, equal_shares, greedy
from smartseoul.voting.crypto import (
    ElectionContext,
    G,
    Manifest,
    QuestionSpec,
    Scalar,
    encrypt_ballot,
    group,
    verify_ballot,
)
from smartseoul.voting.crypto.budget import (
    BudgetProof,
    BudgetRule,
    minimum_for_share,
    prove_ballot_budgets,
    verify_ballot_budgets,
)

DISTRICTS = 25
CITY_PROJECTS = 25
DISTRICT_PROJECTS = 27
VOTERS = 120_000
#: Budgets in units of ₩1,000,000: ₩30 billion city-wide, ₩2.4 billion per district.
CITY_BUDGET = 30_000
DISTRICT_BUDGET = 2_400
MINIMUM_PERCENT = 70


def _timed(action: Callable[[], object], repeat: int) -> dict[str, float]:
    """Wall and CPU time (CPU time is what an idle machine would take, near enough)."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - started) * 1e3)
        cpus.append((time.process_time() - started_cpu) * 1e3)
    return {
        "median_ms": round(statistics.median(walls), 2),
        "best_ms": round(min(walls), 2),
        "cpu_median_ms": round(statistics.median(cpus), 2),
    }


def _costs(rng: np.random.Generator, count: int, budget: int) -> list[int]:
    # Project sizes from a twentieth to a third of the scope's budget.
    return [int(c) for c in rng.integers(budget // 20, budget // 3, size=count)]


def _pick_within(
    rng: np.random.Generator, costs: list[int], budget: int, minimum: int
) -> list[int]:
    """A voter's knapsack choice: projects in random order while they fit, then checked."""
    while True:
        chosen, total = [0] * len(costs), 0
        for j in rng.permutation(len(costs)):
            if total + costs[j] <= budget:
                chosen[j], total = 1, total + costs[j]
        if total >= minimum:
            return chosen


def ballot_benchmark(repeat: int) -> dict[str, Any]:
    rng = np.random.default_rng(1)
    city_costs = _costs(rng, CITY_PROJECTS, CITY_BUDGET)
    district_costs = _costs(rng, DISTRICT_PROJECTS, DISTRICT_BUDGET)
    rules = [
        BudgetRule.knapsack(
            city_costs, CITY_BUDGET, minimum_for_share(CITY_BUDGET, MINIMUM_PERCENT)
        ),
        BudgetRule.knapsack(
            district_costs, DISTRICT_BUDGET, minimum_for_share(DISTRICT_BUDGET, MINIMUM_PERCENT)
        ),
    ]
    # The voting app's manifest: one question per scope, 0 … n options (the budget proof,
    # not the count, is what restricts a budget ballot).
    manifest = Manifest(
        bytes(32),
        (
            QuestionSpec(CITY_PROJECTS, 0, CITY_PROJECTS),
            QuestionSpec(DISTRICT_PROJECTS, 0, DISTRICT_PROJECTS),
        ),
    )
    key = G * Scalar.random()
    context = ElectionContext.create(manifest, key)
    selections = [_pick_within(rng, r.weights, r.high, r.low) for r in rules]  # type: ignore[arg-type]
    binding = b"voter-credential"
    started = time.perf_counter()
    ballot, ballot_secrets = encrypt_ballot(context, selections, binding=binding)
    budget_rules = dict(enumerate(rules))
    proofs = prove_ballot_budgets(context, ballot, ballot_secrets, budget_rules)
    encrypt_ms = (time.perf_counter() - started) * 1e3

    def verify_options() -> None:
        verify_ballot(context, ballot)

    documents = {q: proof.to_json() for q, proof in proofs.items()}

    def verify_budgets() -> None:
        parsed = {q: BudgetProof.from_json(document) for q, document in documents.items()}
        verify_ballot_budgets(context, ballot, budget_rules, parsed)

    def verify_whole() -> None:
        verify_options()
        verify_budgets()

    verify_whole()
    return {
        # The C verifier kernel (docs/election-crypto.md §11); SMARTSEOUL_VARTIME=0 turns it off.
        "verifier_kernel": group._native is not None,
        "projects_on_ballot": CITY_PROJECTS + DISTRICT_PROJECTS,
        "digits_per_scope": [r.bits for r in rules],
        "encrypt_and_prove_ms_python": round(encrypt_ms, 1),
        "verify_options_and_budget_proofs": _timed(verify_whole, repeat),
        "verify_budget_proofs_only": _timed(verify_budgets, repeat),
        "verify_options_only": _timed(verify_options, repeat),
        "budget_proof_json_bytes": sum(
            len(json.dumps(d, separators=(",", ":"))) for d in documents.values()
        ),
    }


def _synthetic_round(rng: np.random.Generator) -> tuple[list[Profile], dict[str, float]]:
    """120,000 voters' approval sets, then the tally into one profile per scope."""
    started = time.perf_counter()
    home = rng.integers(0, DISTRICTS, size=VOTERS)
    voters: list[np.ndarray] = []
    projects: list[np.ndarray] = []
    scope_sizes = [CITY_PROJECTS] + [DISTRICT_PROJECTS] * DISTRICTS
    first_project = np.cumsum([0, *scope_sizes])
    popularity = rng.uniform(0.05, 0.35, size=int(first_project[-1]))
    everyone = np.arange(VOTERS)
    for scope, size in enumerate(scope_sizes):
        members = everyone if scope == 0 else np.flatnonzero(home == scope - 1)
        lo = first_project[scope]
        approve = rng.random((len(members), size)) < popularity[lo : lo + size]
        who, which = np.nonzero(approve)
        voters.append(members[who])
        projects.append(which + lo)
    generate_s = time.perf_counter() - started
    # The tally proper: approval pairs (as decrypted) → counts and per-scope profiles.
    started = time.perf_counter()
    all_voters, all_projects = np.concatenate(voters), np.concatenate(projects)
    counts = np.bincount(all_projects, minlength=int(first_project[-1]))
    cost_rng = np.random.default_rng(2)
    profiles = []
    for scope, size in enumerate(scope_sizes):
        lo, hi = first_project[scope], first_project[scope + 1]
        mask = (all_projects >= lo) & (all_projects < hi)
        budget = CITY_BUDGET if scope == 0 else DISTRICT_BUDGET
        members = everyone if scope == 0 else np.flatnonzero(home == scope - 1)
        # Scope-local voter numbers keep each profile's arrays dense.
        local = np.searchsorted(members, all_voters[mask])
        profiles.append(
            Profile.from_pairs(
                project_ids=[f"p{j}" for j in range(lo, hi)],
                costs=_costs(cost_rng, size, budget),
                budget=budget,
                voters=len(members),
                voter_index=local,
                project_index=all_projects[mask] - lo,
            )
        )
    tally_s = time.perf_counter() - started
    assert sum(sum(p.votes) for p in profiles) == int(counts.sum())
    return profiles, {
        "generate_ballots_s": round(generate_s, 2),
        "approvals": int(counts.sum()),
        "tally_s": round(tally_s, 2),
    }


def rules_benchmark() -> dict[str, Any]:
    rng = np.random.default_rng(3)
    profiles, report = _synthetic_round(rng)
    started = time.perf_counter()
    greedy_funded = sum(len(greedy(p).funded) for p in profiles)
    report["greedy_all_scopes_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    city = profiles[0]
    plain = equal_shares(city, variant=Variant.PLAIN)
    report["equal_shares_plain_city_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    funded = 0
    spent = Fraction(0)
    for profile in profiles:
        step = profile.budget / profile.voters / 100
        result = equal_shares(profile, variant=Variant.ADD1_GREEDY, step=step)
        funded += len(result.funded)
        spent += result.spent
    mes_s = time.perf_counter() - started
    report.update(
        {
            "equal_shares_add1_greedy_all_scopes_s": round(mes_s, 2),
            "tally_plus_equal_shares_s": round(report["tally_s"] + mes_s, 2),
            "funded_projects_equal_shares": funded,
            "funded_projects_greedy": greedy_funded,
            "city_plain_equal_shares_funded": len(plain.funded),
            "spent_share_equal_shares": round(
                float(spent / (CITY_BUDGET + DISTRICTS * DISTRICT_BUDGET)), 3
            ),
        }
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-rules", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {"ballot": ballot_benchmark(args.repeat)}
    if not args.skip_rules:
        report["rules"] = rules_benchmark()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
