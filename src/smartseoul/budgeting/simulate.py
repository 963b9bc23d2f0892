"""Run a rule on a Pabulib instance, and write a result back as Pabulib (``selected``).

``simulate(instance, "equalshares/add1")`` is how an official tries a rule on a past round
(ours or any city's from pabulib.org); ``with_result`` is the export side: the same instance
with the rule's name in META and a ``selected`` column saying what was funded.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from smartseoul.budgeting.pabulib import Instance, Project
from smartseoul.budgeting.profile import Profile
from smartseoul.budgeting.rules import Result, Variant, equal_shares, greedy

#: The rule names this module runs, as Pabulib's ``rule`` field spells them.
RULES = ("greedy", "greedy-no-skip", *(str(v) for v in Variant))


def simulate(instance: Instance, rule: str, *, step: Fraction | int = 1) -> Result:
    """The result of ``rule`` on the instance's ballots (read as approvals)."""
    profile = Profile.from_instance(instance)
    if rule in ("greedy", "greedy-no-skip"):
        return greedy(profile, skip=rule == "greedy")
    if rule in RULES:
        return equal_shares(profile, variant=Variant(rule), step=step)
    raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")


def with_result(instance: Instance, result: Result) -> Instance:
    """``instance`` with ``rule`` set and ``votes``/``selected`` columns from ``result``."""
    meta = {**instance.meta, "rule": result.rule}
    projects = {}
    for pid, project in instance.projects.items():
        outcome = result.outcomes[pid]
        fields = {
            **project.fields,
            "votes": str(outcome.votes),
            "selected": "1" if outcome.funded else "0",
        }
        projects[pid] = Project(project.project_id, project.cost, fields)
    columns = list(instance.project_columns)
    for name in ("votes", "selected"):
        if name not in columns:
            columns.append(name)
    return dataclasses.replace(
        instance, meta=meta, projects=projects, project_columns=tuple(columns)
    )
