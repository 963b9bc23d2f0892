"""An approval profile: projects with costs, a budget, and who approved what.

Kept as one sorted array of voter indices per project (numpy), which is what both rules need
(approval counts, and each project's supporters for Equal Shares) and what a Seoul-sized
round (120,000 voters × ~10 approvals) fits comfortably in memory as.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from smartseoul.budgeting.pabulib import Instance

VoterIndices = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class Profile:
    """Projects in their tie-breaking order (see docs/budgeting.md), with exact costs.

    ``approvers[j]`` holds the sorted indices (``0 … voters-1``) of the voters who approved
    project ``j``. Costs and the budget are exact (:class:`~fractions.Fraction`; integers in
    practice, in the round's cost unit).
    """

    project_ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    budget: Fraction
    voters: int
    approvers: tuple[VoterIndices, ...]

    def __post_init__(self) -> None:
        if not len(self.project_ids) == len(self.costs) == len(self.approvers):
            raise ValueError("one cost and one approver list per project")
        if len(set(self.project_ids)) != len(self.project_ids):
            raise ValueError("project ids must be distinct")
        if any(cost < 0 for cost in self.costs) or self.budget < 0:
            raise ValueError("costs and the budget cannot be negative")

    @property
    def votes(self) -> list[int]:
        """Approvals per project, in project order."""
        return [len(a) for a in self.approvers]

    @classmethod
    def from_ballots(
        cls,
        *,
        project_ids: Sequence[str],
        costs: Sequence[Fraction | int],
        budget: Fraction | int,
        ballots: Iterable[Iterable[str]],
    ) -> Profile:
        """Each ballot lists the project ids its voter approved (unknown ids are an error)."""
        position = {pid: j for j, pid in enumerate(project_ids)}
        voter_of: list[int] = []
        project_of: list[int] = []
        voters = 0
        for voter, ballot in enumerate(ballots):
            voters = voter + 1
            for pid in set(ballot):
                if pid not in position:
                    raise ValueError(f"a ballot approves the unknown project {pid!r}")
                voter_of.append(voter)
                project_of.append(position[pid])
        return cls.from_pairs(
            project_ids=project_ids,
            costs=costs,
            budget=budget,
            voters=voters,
            voter_index=np.asarray(voter_of, dtype=np.int32),
            project_index=np.asarray(project_of, dtype=np.int32),
        )

    @classmethod
    def from_pairs(
        cls,
        *,
        project_ids: Sequence[str],
        costs: Sequence[Fraction | int],
        budget: Fraction | int,
        voters: int,
        voter_index: npt.NDArray[np.integer],
        project_index: npt.NDArray[np.integer],
    ) -> Profile:
        """The tally: one (voter, project) pair per approval, in any order, no duplicates."""
        if len(voter_index) != len(project_index):
            raise ValueError("one project index per voter index")
        order = np.lexsort((voter_index, project_index))
        sorted_projects = project_index[order]
        sorted_voters = voter_index[order].astype(np.int32, copy=False)
        bounds = np.searchsorted(sorted_projects, np.arange(len(project_ids) + 1))
        approvers = tuple(sorted_voters[bounds[j] : bounds[j + 1]] for j in range(len(project_ids)))
        return cls(
            tuple(project_ids),
            tuple(Fraction(c) for c in costs),
            Fraction(budget),
            voters,
            approvers,
        )

    @classmethod
    def from_instance(cls, instance: Instance) -> Profile:
        """A Pabulib instance read as approvals (ordinal/cumulative: every project named).

        Projects keep the file's order, which is therefore the last tie-breaker.
        """
        return cls.from_ballots(
            project_ids=list(instance.projects),
            costs=[p.cost for p in instance.projects.values()],
            budget=instance.budget,
            ballots=(b.projects for b in instance.ballots),
        )
