"""Budget questions: a vote question whose options are projects with costs.

A participatory-budgeting scope is one question of an mVoting vote. Its rule is part of the
manifest (so it is fixed when the vote is scheduled and hashed into every ballot):

* which ballots are valid — ``low <= Σ weights[i] for each chosen i <= high``. A knapsack
  ballot has the projects' costs as weights (in the round's cost unit), the scope's budget as
  ``high`` and the minimum share of it a ballot must use as ``low``; an "at most k" ballot has
  weight 1 everywhere, ``high = k`` and ``low`` the minimum number of projects;
* how winners are chosen once counted — ``winner_rule`` over ``budget`` (in the cost unit)
  with ``costs`` (for an "at most k" ballot the weights are not the costs).

Secret ballots prove the first part in zero knowledge (:mod:`.crypto.budget`); the count and
the second part are recomputed by ``smartseoul verify-election`` from the election record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from smartseoul.budgeting.profile import Profile
from smartseoul.budgeting.rules import Variant, equal_shares, greedy
from smartseoul.voting.crypto import ElectionContext, EncryptedBallot, ProofError
from smartseoul.voting.crypto.budget import U32_LIMIT, BudgetProof, verify_ballot_budgets
from smartseoul.voting.crypto.budget import BudgetRule as CryptoRule

GREEDY = "greedy"
#: The winner rules a round can choose. Equal Shares needs every voter's set of approved
#: projects, which a homomorphic tally keeps secret: only open (pseudonymous) votes may use it.
WINNER_RULES = (GREEDY, Variant.ADD1.value, Variant.ADD1_GREEDY.value, Variant.PLAIN.value)
NEEDS_APPROVAL_SETS = frozenset(WINNER_RULES) - {GREEDY}
RULE_KEYS = ("weights", "low", "high", "budget", "costs", "winner_rule")


class BudgetRuleError(ValueError):
    """A budget rule that cannot be used; the message names the problem."""


@dataclass(frozen=True)
class BudgetRule:
    weights: tuple[int, ...]
    low: int
    high: int
    budget: int
    winner_rule: str = GREEDY
    #: The projects' costs for the winner rule; the weights when left empty (knapsack).
    costs: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.weights:
            raise BudgetRuleError("a budget question needs at least one project")
        for name, values in (("weights", self.weights), ("costs", self.project_costs)):
            if len(values) != len(self.weights):
                raise BudgetRuleError(f"one {name[:-1]} per project is needed")
            if any(not 0 <= value < U32_LIMIT for value in values):
                raise BudgetRuleError(f"{name} are whole numbers from 0 to {U32_LIMIT - 1}")
        if not 0 <= self.low <= self.high < U32_LIMIT:
            raise BudgetRuleError("the bounds need 0 <= low <= high < 2^32")
        if not 0 <= self.budget < U32_LIMIT:
            raise BudgetRuleError(f"the budget is a whole number below {U32_LIMIT}")
        if self.winner_rule not in WINNER_RULES:
            raise BudgetRuleError(f"the winner rule is one of {', '.join(WINNER_RULES)}")

    @property
    def project_costs(self) -> tuple[int, ...]:
        return self.costs or self.weights

    @classmethod
    def knapsack(
        cls, costs: Sequence[int], budget: int, minimum: int = 0, winner_rule: str = GREEDY
    ) -> BudgetRule:
        return cls(tuple(costs), minimum, budget, budget, winner_rule)

    @classmethod
    def at_most(
        cls,
        k: int,
        costs: Sequence[int],
        budget: int,
        at_least: int = 0,
        winner_rule: str = GREEDY,
    ) -> BudgetRule:
        return cls((1,) * len(costs), at_least, k, budget, winner_rule, tuple(costs))

    def crypto_rule(self) -> CryptoRule:
        return CryptoRule(self.weights, self.low, self.high)

    def problem(self, chosen: Iterable[int]) -> str | None:
        """Why a ballot choosing the option numbers ``chosen`` breaks the rule, or None."""
        total = sum(self.weights[i] for i in chosen)
        if total > self.high:
            return f"the chosen projects total {total}, more than {self.high}"
        if total < self.low:
            return f"the chosen projects total {total}, less than the minimum {self.low}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": list(self.weights),
            "low": self.low,
            "high": self.high,
            "budget": self.budget,
            "costs": list(self.project_costs),
            "winner_rule": self.winner_rule,
        }

    @classmethod
    def from_json(cls, value: Any) -> BudgetRule:
        if not isinstance(value, dict) or set(value) != set(RULE_KEYS):
            raise BudgetRuleError(f"a budget rule has exactly the keys {', '.join(RULE_KEYS)}")
        for name in ("weights", "costs"):
            if not isinstance(value[name], list) or not all(_is_int(v) for v in value[name]):
                raise BudgetRuleError(f"{name} must be a list of whole numbers")
        for name in ("low", "high", "budget"):
            if not _is_int(value[name]):
                raise BudgetRuleError(f"{name} must be a whole number")
        if not isinstance(value["winner_rule"], str):
            raise BudgetRuleError("winner_rule must be a text")
        return cls(
            tuple(value["weights"]),
            value["low"],
            value["high"],
            value["budget"],
            value["winner_rule"],
            tuple(value["costs"]),
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def project_ids(options: int) -> list[str]:
    """The projects' ids in a result: their option numbers, which fix the tie-breaking order."""
    return [str(i) for i in range(options)]


def winners(
    rule: BudgetRule, *, votes: Sequence[int], approvals: Sequence[Sequence[int]] | None
) -> dict[str, Any]:
    """The result of ``rule.winner_rule`` (``budgeting.rules.Result.to_json()``).

    ``votes`` are the approvals per project; ``approvals`` every counted ballot's chosen option
    numbers (weight-1 ballots), needed by Equal Shares only. Deterministic: the verifier calls
    this with the same numbers and compares the JSON.
    """
    ids = project_ids(len(rule.weights))
    costs = rule.project_costs
    if rule.winner_rule == GREEDY:
        # Greedy looks only at how many approved each project, which is all a secret tally
        # reveals: stand-in voter numbers 0…votes-1 carry exactly that.
        profile = Profile(
            tuple(ids),
            tuple(Fraction(c) for c in costs),
            Fraction(rule.budget),
            max(votes, default=0),
            tuple(np.arange(v, dtype=np.int32) for v in votes),
        )
        return greedy(profile).to_json()
    if approvals is None:
        raise BudgetRuleError("Equal Shares needs each ballot's approved projects")
    profile = Profile.from_ballots(
        project_ids=ids,
        costs=list(costs),
        budget=rule.budget,
        ballots=([str(i) for i in chosen] for chosen in approvals),
    )
    return equal_shares(profile, variant=Variant(rule.winner_rule)).to_json()


def verified_budget_proofs(
    rules: dict[int, BudgetRule], context: ElectionContext, ballot: EncryptedBallot, proofs: Any
) -> dict[str, Any] | None:
    """A secret ballot's budget proofs (``{"<question number>": proof JSON}``) checked, in the
    form the ballot's ledger entry keeps them; None for a vote without budget questions (its
    entries have no such key). Raises ProofError naming the problem."""
    if not rules:
        if proofs:
            raise ProofError("this vote has no budget questions")
        return None
    if not isinstance(proofs, dict) or set(proofs) != {str(q) for q in rules}:
        numbers = ", ".join(str(q) for q in sorted(rules))
        raise ProofError(f"one budget proof is needed for each budget question ({numbers})")
    parsed = {q: BudgetProof.from_json(proofs[str(q)], f"budget_proofs.{q}") for q in rules}
    verify_ballot_budgets(
        context, ballot, {q: rule.crypto_rule() for q, rule in rules.items()}, parsed
    )
    return {str(q): parsed[q].to_json() for q in sorted(rules)}
