"""One run of the Method of Equal Shares with a fixed per-voter share (approval, cost utilities).

Every voter starts with ``share``. Each round, for every remaining project, the *price* ρ is
the least amount such that its supporters, each paying ``min(money left, ρ)``, cover its
cost; the project with the lowest ρ per unit of cost is bought (ties: :func:`tie_rank`) and
its supporters pay. A project whose supporters hold less than its cost drops out for good.

Voters are tracked in *budget classes* (all voters with the same money left), so the work
per project and round is bounded by the number of classes, not of voters.

Exact, and fast enough for the many runs of the ``add1`` completion: each class's money is
kept both as a :class:`~fractions.Fraction` and as a float. Candidates are priced and
compared in floats; whenever a decision rests on two floats closer than ``TOLERANCE``
(relative) — a real tie such as two projects with as many votes, or a near one — the
values involved are recomputed exactly and compared exactly. The winner's price and every
payment are exact. So the outcome is the exact-arithmetic outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from smartseoul.budgeting.profile import Profile, VoterIndices

TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Purchase:
    project: int
    round: int
    #: The most any supporter paid (everyone paid this, or all they had left).
    price: Fraction


@dataclass(frozen=True, slots=True)
class Run:
    share: Fraction
    purchases: tuple[Purchase, ...]
    #: Money each unfunded project's supporters had left at the end.
    supporters_money: dict[int, Fraction]


def tie_rank(profile: Profile) -> dict[int, int]:
    """Among projects with the same price per unit of cost: cheaper first, then more votes,
    then the profile's order (equalshares.net's tie-breaking, made total by the order)."""
    votes = profile.votes
    order = sorted(range(len(profile.project_ids)), key=lambda j: (profile.costs[j], -votes[j], j))
    return {j: r for r, j in enumerate(order)}


def run(profile: Profile, share: Fraction, *, with_money: bool = True) -> Run:
    """Equal Shares with every voter holding ``share``; see the module docstring.

    ``with_money=False`` leaves ``supporters_money`` empty (trial runs need only the set).
    """
    return _Engine(profile, share).run(with_money)


class _Candidate:
    """One project's price this round: the float, and the exact value once needed."""

    __slots__ = ("cost", "exact", "key", "project", "rank")

    def __init__(self, project: int, rank: int, cost: Fraction, key: float) -> None:
        self.project, self.rank, self.cost, self.key = project, rank, cost, key
        self.exact: Fraction | None = None


class _Engine:
    def __init__(self, profile: Profile, share: Fraction) -> None:
        self.profile = profile
        self.share = share
        self.voter_class = np.zeros(profile.voters, dtype=np.int32)
        self.money: list[Fraction] = [share]
        self.money_float: list[float] = [float(share)]
        self.broke: int | None = None  # the class of voters with nothing left
        self.scale = float(share) or 1.0

    def run(self, with_money: bool) -> Run:
        profile = self.profile
        costs, votes = profile.costs, profile.votes
        n_projects = len(profile.project_ids)
        purchases = [
            Purchase(j, 0, Fraction(0)) for j in range(n_projects) if costs[j] == 0 and votes[j]
        ]
        # A project's price per unit of cost only grows as money is spent, so the last one
        # computed is a lower bound: candidates are visited by it and the search stops once
        # it clearly exceeds the best found (equalshares.net's speed-up).
        bound: dict[int, float] = {j: 0.0 for j in range(n_projects) if costs[j] and votes[j]}
        rank = tie_rank(profile)
        round_number = 0
        while bound:
            round_number += 1
            best: _Candidate | None = None
            for j in sorted(bound, key=lambda j: (bound[j], rank[j])):
                if best is not None and bound[j] > best.key * (1 + TOLERANCE):
                    break
                candidate = self.candidate(j, rank[j])
                if candidate is None:
                    del bound[j]  # its supporters cannot afford it, now or later
                    continue
                bound[j] = candidate.key
                if best is None or self.better(candidate, best):
                    best = candidate
            if best is None:
                break
            del bound[best.project]
            price = self.exact_price(best)
            purchases.append(Purchase(best.project, round_number, price))
            self.charge(profile.approvers[best.project], price)
        bought = {p.project for p in purchases}
        left = {
            j: self.money_of(profile.approvers[j])
            for j in range(n_projects)
            if with_money and j not in bought
        }
        return Run(self.share, tuple(purchases), left)

    def groups(self, approvers: VoterIndices) -> list[tuple[int, int]]:
        """(class, supporters in it) for the supporters' classes, poorest class first."""
        counts = np.bincount(self.voter_class[approvers], minlength=len(self.money))
        present = [(int(k), int(counts[k])) for k in np.flatnonzero(counts)]
        present.sort(key=lambda item: self.money_float[item[0]])
        return present

    def candidate(self, j: int, rank: int) -> _Candidate | None:
        """Water-filling from the poorest class: a class that cannot pay the equal share
        pays everything it has and the rest is split among the others."""
        cost = self.profile.costs[j]
        cost_float = float(cost)
        groups = self.groups(self.profile.approvers[j])
        paid, payers = 0.0, sum(count for _, count in groups)
        for k, count in groups:
            rho = (cost_float - paid) / payers
            money = self.money_float[k]
            if abs(rho - money) <= TOLERANCE * self.scale:
                exact = self.water_fill(cost, groups)  # too close to call in floats
                if exact is None:
                    return None
                candidate = _Candidate(j, rank, cost, float(exact / cost))
                candidate.exact = exact
                return candidate
            if rho <= money:
                return _Candidate(j, rank, cost, rho / cost_float)
            paid += money * count
            payers -= count
        return None

    def water_fill(self, cost: Fraction, groups: list[tuple[int, int]]) -> Fraction | None:
        ordered = sorted(groups, key=lambda item: self.money[item[0]])
        paid, payers = Fraction(0), sum(count for _, count in ordered)
        for k, count in ordered:
            rho = (cost - paid) / payers
            if rho <= self.money[k]:
                return rho
            paid += self.money[k] * count
            payers -= count
        return None

    def exact_price(self, candidate: _Candidate) -> Fraction:
        if candidate.exact is None:
            groups = self.groups(self.profile.approvers[candidate.project])
            exact = self.water_fill(candidate.cost, groups)
            if exact is None:  # pragma: no cover - the float check kept a margin
                raise AssertionError("an affordable project priced as unaffordable")
            candidate.exact = exact
        return candidate.exact

    def better(self, a: _Candidate, b: _Candidate) -> bool:
        if abs(a.key - b.key) > TOLERANCE * max(a.key, b.key):
            return a.key < b.key
        exact_a = self.exact_price(a) / a.cost
        exact_b = self.exact_price(b) / b.cost
        return (exact_a, a.rank) < (exact_b, b.rank)

    def charge(self, approvers: VoterIndices, price: Fraction) -> None:
        """Each supporter pays ``min(money, price)`` and moves to the class of what is left.

        Supporters who had more than the price keep distinct amounts (distinct classes minus
        one price), so only the penniless are merged, into class 0's twin ``self.broke``.
        Equal amounts in two classes would behave identically; merging them is not needed.
        """
        classes = len(self.money)
        remap = np.arange(classes, dtype=np.int32)
        price_float = float(price)
        for k, _ in self.groups(approvers):
            money_float = self.money_float[k]
            clearly_more = money_float > price_float * (1 + TOLERANCE)
            if not clearly_more and (money_float < price_float or self.money[k] <= price):
                remap[k] = self.broke_class()
                continue
            remap[k] = len(self.money)
            left = self.money[k] - price
            self.money.append(left)
            self.money_float.append(float(left))
        if len(self.money) > classes:
            remap = np.concatenate([remap, np.arange(classes, len(self.money), dtype=np.int32)])
        self.voter_class[approvers] = remap[self.voter_class[approvers]]

    def broke_class(self) -> int:
        if self.broke is None:
            self.broke = len(self.money)
            self.money.append(Fraction(0))
            self.money_float.append(0.0)
        return self.broke

    def money_of(self, approvers: VoterIndices) -> Fraction:
        return sum((self.money[k] * count for k, count in self.groups(approvers)), Fraction(0))
