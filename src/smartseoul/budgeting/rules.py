"""Winner rules for participatory budgeting, each result explaining every project.

* :func:`greedy` — CONSUL's rule: projects by approvals, most first; fund each one that still
  fits in what is left of the budget, skip the ones that do not.
* :func:`equal_shares` — the Method of Equal Shares (Peters, Pierczyński & Skowron 2021) for
  approval ballots with cost utilities, as equalshares.net runs it: every voter holds an equal
  share of the budget; round by round the project whose supporters can pay for it with the
  lowest maximum payment *per unit of cost* is bought, each supporter paying the same amount
  or all they have left. Variants (``Variant``): plain, ``add1`` completion (raise every
  voter's share by one cost unit at a time while the outcome still fits the real budget and
  is not exhaustive), and ``add1`` followed by a greedy fill of what remains.

Outcomes are those of exact arithmetic (:class:`~fractions.Fraction`): ties are real ties,
broken the documented way (:func:`tie_order` here, :func:`.mes.tie_rank` for Equal Shares),
never by floating-point noise; :mod:`.mes` explains how it stays fast for 120,000 voters.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from fractions import Fraction

from smartseoul.budgeting import mes
from smartseoul.budgeting.explain import Reason
from smartseoul.budgeting.profile import Profile


class Variant(enum.StrEnum):
    """Equal Shares variants, named as Pabulib's ``rule`` field names them."""

    PLAIN = "equalshares"
    ADD1 = "equalshares/add1"
    ADD1_GREEDY = "equalshares/add1/greedy"


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    project_id: str
    funded: bool
    votes: int
    cost: Fraction
    reason: Reason


@dataclass(frozen=True, slots=True)
class Result:
    rule: str
    budget: Fraction
    #: Funded projects in the order the rule chose them.
    funded: tuple[str, ...]
    #: Every project, in the profile's order.
    outcomes: dict[str, ProjectOutcome] = field(default_factory=dict)
    #: Equal Shares with ``add1``: the per-voter share the final run used.
    share_per_voter: Fraction | None = None

    @property
    def spent(self) -> Fraction:
        return sum((self.outcomes[pid].cost for pid in self.funded), Fraction(0))

    def to_json(self) -> dict[str, object]:
        """The result as published: exact numbers as strings (``"2469/2"``), projects in the
        profile's order. Deterministic, so a verifier recomputes it and compares."""
        return {
            "rule": self.rule,
            "budget": str(self.budget),
            "share_per_voter": None if self.share_per_voter is None else str(self.share_per_voter),
            "funded": list(self.funded),
            "spent": str(self.spent),
            "projects": [
                {
                    "id": outcome.project_id,
                    "funded": outcome.funded,
                    "votes": outcome.votes,
                    "cost": str(outcome.cost),
                    "reason": outcome.reason.to_json(),
                }
                for outcome in self.outcomes.values()
            ],
        }


def tie_order(profile: Profile) -> list[int]:
    """Projects by approvals (most first), then cost (cheapest first), then profile order.

    The greedy rule's order. Preferring the cheaper project among equally supported ones
    leaves more for the rest; the profile's order (the round's project numbering, or a
    Pabulib file's row order) makes the result deterministic.
    """
    votes = profile.votes
    return sorted(range(len(profile.project_ids)), key=lambda j: (-votes[j], profile.costs[j], j))


def greedy(profile: Profile, *, skip: bool = True) -> Result:
    """Fund projects by approvals within the budget, skipping those that no longer fit.

    ``skip=False`` is Pabulib's ``greedy-no-skip``: stop at the first project that does not
    fit, funding nothing after it (some Polish cities' rule).
    """
    left = profile.budget
    votes = profile.votes
    funded: list[str] = []
    outcomes: dict[str, ProjectOutcome] = {}
    stopped_at: str | None = None
    for j in tie_order(profile):
        pid, cost = profile.project_ids[j], profile.costs[j]
        if votes[j] == 0:
            reason = Reason("no_votes", {})
            is_funded = False
        elif stopped_at is not None:
            reason = Reason("after_stop", {"votes": votes[j]})
            is_funded = False
        elif cost <= left:
            left -= cost
            funded.append(pid)
            reason = Reason("funded", {"votes": votes[j], "left_after": left})
            is_funded = True
        else:
            reason = Reason("did_not_fit", {"votes": votes[j], "left": left, "cost": cost})
            is_funded = False
            if not skip:
                stopped_at = pid
        outcomes[pid] = ProjectOutcome(pid, is_funded, votes[j], cost, reason)
    rule = "greedy" if skip else "greedy-no-skip"
    return Result(rule, profile.budget, tuple(funded), _in_profile_order(profile, outcomes))


def _in_profile_order(
    profile: Profile, outcomes: dict[str, ProjectOutcome]
) -> dict[str, ProjectOutcome]:
    return {pid: outcomes[pid] for pid in profile.project_ids}


def equal_shares(
    profile: Profile, *, variant: Variant = Variant.ADD1, step: Fraction | int = 1
) -> Result:
    """The Method of Equal Shares (cost utilities) with the chosen completion.

    ``step`` is the ``add1`` increment of every voter's share, in the cost unit (1: one won,
    one złoty — what equalshares.net and Pabulib's ``add1`` mean). The completion stops at
    the last share whose outcome fits the real budget, when the outcome is exhaustive (no
    unfunded project with supporters fits in what is left) or funds every supported project.
    """
    fill = variant == Variant.ADD1_GREEDY
    if profile.voters == 0:
        return _explain_mes(profile, variant, mes.Run(Fraction(0), (), {}), fill=fill)
    share = profile.budget / profile.voters
    current = mes.run(profile, share)
    if variant in (Variant.ADD1, Variant.ADD1_GREEDY):
        step = Fraction(step)
        if step <= 0:
            raise ValueError("the add1 step must be positive")
        while not _exhaustive(profile, current):
            trial = mes.run(profile, current.share + step, with_money=False)
            if _cost(profile, trial) > profile.budget:
                break
            current = trial
        if current.share != share:
            current = mes.run(profile, current.share)  # what the losers' supporters had left
    return _explain_mes(profile, variant, current, fill=fill)


def _cost(profile: Profile, run: mes.Run) -> Fraction:
    return sum((profile.costs[p.project] for p in run.purchases), Fraction(0))


def _exhaustive(profile: Profile, run: mes.Run) -> bool:
    left = profile.budget - _cost(profile, run)
    bought = {p.project for p in run.purchases}
    votes = profile.votes
    return not any(
        j not in bought and votes[j] > 0 and profile.costs[j] <= left
        for j in range(len(profile.project_ids))
    )


def _explain_mes(profile: Profile, variant: Variant, run: mes.Run, *, fill: bool) -> Result:
    votes = profile.votes
    outcomes: dict[str, ProjectOutcome] = {}
    funded: list[str] = []
    for purchase in run.purchases:
        j = purchase.project
        pid = profile.project_ids[j]
        if profile.costs[j] == 0:
            reason = Reason("free", {"votes": votes[j]})
        else:
            reason = Reason(
                "mes_funded",
                {
                    "votes": votes[j],
                    "round": purchase.round,
                    "price_per_voter": purchase.price,
                },
            )
        funded.append(pid)
        outcomes[pid] = ProjectOutcome(pid, True, votes[j], profile.costs[j], reason)
    left = profile.budget - _cost(profile, run)
    for j in tie_order(profile):
        pid, cost = profile.project_ids[j], profile.costs[j]
        if pid in outcomes:
            continue
        if votes[j] == 0:
            outcomes[pid] = ProjectOutcome(pid, False, 0, cost, Reason("no_votes", {}))
        elif fill and cost <= left:
            left -= cost
            funded.append(pid)
            reason = Reason("greedy_fill", {"votes": votes[j], "left_after": left})
            outcomes[pid] = ProjectOutcome(pid, True, votes[j], cost, reason)
        elif fill:
            reason = Reason("did_not_fit", {"votes": votes[j], "left": left, "cost": cost})
            outcomes[pid] = ProjectOutcome(pid, False, votes[j], cost, reason)
        else:
            money = run.supporters_money.get(j, Fraction(0))
            reason = Reason(
                "mes_unaffordable", {"votes": votes[j], "supporters_money": money, "cost": cost}
            )
            outcomes[pid] = ProjectOutcome(pid, False, votes[j], cost, reason)
    return Result(
        str(variant),
        profile.budget,
        tuple(funded),
        _in_profile_order(profile, outcomes),
        share_per_voter=run.share,
    )
