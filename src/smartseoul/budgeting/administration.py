"""Setting a round up: the round and its settings, its budgets (scopes) and, for secret
rounds, its trustees.  Administrators only; each action is atomic and audited, and
``actions`` re-exports them (callers write ``actions.round_update``).

What may still change, and when (docs/budgeting.md §0.1):

* the wording and the planned schedule (title, description, year, edition, dates): until
  the ballot opens, since they only describe the round;
* how the round is run (cost unit, privacy, winner rule, top *N*, identity verification):
  while it is being prepared or collecting proposals, and never once a scope has a vote;
  the cost unit only until the first proposal, because every estimated cost is counted in it;
* a budget's amount and ballot rule: while the round is being prepared or collecting
  proposals, never below a proposal's estimated cost; a budget is removed only while
  nobody has proposed in it.  Its area is fixed: remove it and add another instead.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.budgeting.guards import administrator_required, phase_required
from smartseoul.budgeting.models import Round, Scope
from smartseoul.places.models import District, Neighbourhood

TEXT_FIELDS = ("title", "description", "edition", "year")
SCHEDULE_FIELDS = ("proposals_end", "support_end", "review_end", "ballot_opens", "ballot_closes")
RULE_FIELDS = ("cost_unit", "privacy", "winner_rule", "ballot_top_n", "require_verified")
ROUND_FIELDS = TEXT_FIELDS + SCHEDULE_FIELDS + RULE_FIELDS
SCOPE_FIELDS = ("amount", "ballot_rule", "min_share_percent", "max_projects", "min_projects")

BEFORE_BALLOT = (Round.Phase.DRAFT, Round.Phase.PROPOSALS, Round.Phase.SUPPORT, Round.Phase.REVIEW)
SETTING_UP = (Round.Phase.DRAFT, Round.Phase.PROPOSALS)


# --- the rules both creating and editing follow ----------------------------------------------


def secret_rule_error(privacy: str, winner_rule: str) -> str | None:
    """Why a secret round cannot use Equal Shares (None when the pair is fine)."""
    if privacy == Round.Privacy.SECRET and winner_rule != Round.WinnerRule.GREEDY:
        return _(
            "Secret rounds use the greedy rule: the Method of Equal Shares needs each voter's "
            "set of chosen projects, which a secret ballot never reveals (only the totals are "
            "decrypted)."
        )
    return None


def _stripped(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: value.strip() if name in ("title", "description", "edition") else value
        for name, value in values.items()
    }


def round_settings_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a round's settings (every field of ``ROUND_FIELDS``), by field."""
    errors: dict[str, str] = {}
    title = values["title"]
    if not title:
        errors["title"] = _("Give the round a title.")
    elif len(title) > 200:
        errors["title"] = _("At most 200 characters.")
    if len(values["edition"]) > 40:
        errors["edition"] = _("At most 40 characters.")
    if len(values["description"]) > 5000:
        errors["description"] = _("At most 5,000 characters.")
    if not 2000 <= values["year"] <= 2100:
        errors["year"] = _("The year is 2000 to 2100.")
    if values["privacy"] not in Round.Privacy.values:
        errors["privacy"] = _("Choose open or secret ballots.")
    if values["winner_rule"] not in Round.WinnerRule.values:
        errors["winner_rule"] = _("Choose a winner rule.")
    elif error := secret_rule_error(values["privacy"], values["winner_rule"]):
        errors["winner_rule"] = error
    if values["cost_unit"] < 1:
        errors["cost_unit"] = _("The cost unit is a positive number of won.")
    top_n = values["ballot_top_n"]
    if top_n is not None and not 1 <= top_n <= 50:
        errors["ballot_top_n"] = _("Between 1 and 50 projects per scope.")
    dates = [values[name] for name in SCHEDULE_FIELDS]
    if any(later <= earlier for earlier, later in itertools.pairwise(dates)):
        errors["ballot_closes"] = _(
            "The dates must follow each other: proposals, support, review, ballot opens, "
            "ballot closes."
        )
    return errors


def scope_area_error(district: District | None, neighbourhood: Neighbourhood | None) -> str | None:
    """Why a neighbourhood cannot be a budget of that district (None when it can)."""
    if neighbourhood is None or district is None:
        return None
    if neighbourhood.district_id != district.pk:
        return _("This neighbourhood is not in that district.")
    return None


def scope_rule_checked(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A budget's amount and ballot rule (``SCOPE_FIELDS``), normalised, and what is wrong.

    A knapsack ballot has no project counts and an approval ballot no minimum share, so the
    fields of the other kind are reset rather than refused: a form shows them all."""
    rule = dict(values)
    errors: dict[str, str] = {}
    if not 1 <= rule["amount"] < 2**32:
        errors["amount"] = _("The budget is a whole number of cost units, 1 to 4,294,967,295.")
    if rule["ballot_rule"] == Scope.BallotRule.KNAPSACK:
        if not 0 <= rule["min_share_percent"] <= 100:
            errors["min_share_percent"] = _("The minimum share is a percentage, 0 to 100.")
        rule["max_projects"], rule["min_projects"] = None, 0
    elif rule["ballot_rule"] == Scope.BallotRule.APPROVAL:
        if rule["max_projects"] is None or rule["max_projects"] < 1:
            errors["max_projects"] = _("Say how many projects a voter may choose at most.")
        elif rule["min_projects"] < 0:
            errors["min_projects"] = _("The minimum is 0 projects or more.")
        elif rule["min_projects"] > rule["max_projects"]:
            errors["min_projects"] = _("The minimum is above the maximum.")
        rule["min_share_percent"] = 0
    else:
        errors["ballot_rule"] = _("Choose a knapsack or an approval ballot.")
    return rule, errors


def round_locked_fields(round_: Round) -> dict[str, str]:
    """The round's settings an administrator cannot change now, each with the reason.

    The edit form disables these and ``round_update`` refuses them, with the same words."""
    phase = round_.get_phase_display()
    if round_.phase not in BEFORE_BALLOT:
        reason = _(
            "The round is in its “%(phase)s” phase; nothing can change once the ballot has opened."
        ) % {"phase": phase}
        return dict.fromkeys(ROUND_FIELDS, reason)
    voting = round_.scopes.filter(vote_public_id__isnull=False).exists()
    if round_.phase not in SETTING_UP or voting:
        reason = _(
            "The round is in its “%(phase)s” phase; how it is run can change only while it is "
            "being prepared or collecting proposals."
        ) % {"phase": phase}
        return dict.fromkeys(RULE_FIELDS, reason)
    if round_.projects.exists():
        return {
            "cost_unit": _(
                "Citizens have proposed projects with costs in this unit; it can no longer change."
            )
        }
    return {}


def _plain(value: Any) -> Any:
    """A value as the audit log's JSON holds it."""
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [_plain(old[name]), _plain(value)] for name, value in new.items()}


# --- rounds -----------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor: Any,
    title: str,
    year: int,
    proposals_end: datetime.datetime,
    support_end: datetime.datetime,
    review_end: datetime.datetime,
    ballot_opens: datetime.datetime,
    ballot_closes: datetime.datetime,
    description: str = "",
    edition: str = "",
    cost_unit: int = 1_000_000,
    privacy: str = Round.Privacy.OPEN,
    winner_rule: str = Round.WinnerRule.GREEDY,
    ballot_top_n: int | None = None,
    require_verified: bool = True,
) -> Round:
    administrator_required(actor)
    values = _stripped(
        {
            "title": title,
            "description": description,
            "edition": edition,
            "year": year,
            "proposals_end": proposals_end,
            "support_end": support_end,
            "review_end": review_end,
            "ballot_opens": ballot_opens,
            "ballot_closes": ballot_closes,
            "cost_unit": cost_unit,
            "privacy": privacy,
            "winner_rule": winner_rule,
            "ballot_top_n": ballot_top_n,
            "require_verified": require_verified,
        }
    )
    if errors := round_settings_errors(values):
        raise ValidationError(errors)
    round_ = Round.objects.create(**values, created_by=actor)
    audit_record(
        actor=actor,
        action="budget.round_created",
        target=round_,
        details={"privacy": privacy, "winner_rule": winner_rule},
    )
    return round_


@transaction.atomic
def round_update(*, actor: Any, round_: Round, **fields: Any) -> Round:
    """Change the given settings of a round (``ROUND_FIELDS``); values equal to the current
    ones are no change, so a whole form may be passed.  Refuses, naming the field and why,
    whatever the phase has fixed (``round_locked_fields``)."""
    administrator_required(actor)
    unknown = sorted(set(fields) - set(ROUND_FIELDS))
    if unknown:
        raise TypeError(f"round_update() cannot change {', '.join(unknown)}")
    # Locked like a phase move, so the round cannot open its ballot half-way through an edit.
    given, round_ = round_, Round.objects.select_for_update().get(pk=round_.pk)
    phase_required(round_, *BEFORE_BALLOT)
    current = {name: getattr(round_, name) for name in ROUND_FIELDS}
    changed = {name: value for name, value in _stripped(fields).items() if current[name] != value}
    if not changed:
        return given
    locked = round_locked_fields(round_)
    if refused := {name: locked[name] for name in changed if name in locked}:
        raise ValidationError(refused)
    if errors := round_settings_errors({**current, **changed}):
        raise ValidationError(errors)
    for name, value in changed.items():
        setattr(round_, name, value)
    saved = list(changed)
    details: dict[str, Any] = {"changed": _changes(current, changed)}
    if changed.get("privacy") == Round.Privacy.OPEN and round_.trustee_threshold is not None:
        # Open rounds have no trustees; keeping them would only mislead.
        details["trustees_removed"] = list(round_.trustees.values_list("pk", flat=True))
        round_.trustees.clear()
        round_.trustee_threshold = None
        saved.append("trustee_threshold")
    round_.save(update_fields=saved)
    for name in saved:
        setattr(given, name, getattr(round_, name))
    audit_record(actor=actor, action="budget.round_updated", target=round_, details=details)
    return given


@transaction.atomic
def round_trustees_set(*, actor: Any, round_: Round, users: Sequence[Any], threshold: int) -> Round:
    """Secret rounds: the trustees appointed on every scope's vote when the ballot opens."""
    administrator_required(actor)
    phase_required(round_, *BEFORE_BALLOT)
    if round_.privacy != Round.Privacy.SECRET:
        raise ValidationError({"trustees": _("Only secret rounds have trustees.")})
    if not users or not 1 <= threshold <= len(users):
        raise ValidationError(
            {"threshold": _("Between 1 and the number of trustees must decrypt together.")}
        )
    if any(not user.has_perm("accounts.act_as_trustee") for user in users):
        raise ValidationError({"trustees": _("Every trustee needs the election trustee role.")})
    round_.trustees.set(users)
    round_.trustee_threshold = threshold
    round_.save(update_fields=["trustee_threshold"])
    audit_record(
        actor=actor,
        action="budget.trustees_set",
        target=round_,
        details={"trustees": [u.pk for u in users], "threshold": threshold},
    )
    return round_


# --- budgets (scopes) -------------------------------------------------------------------------


@transaction.atomic
def scope_add(
    *,
    actor: Any,
    round_: Round,
    amount: int,
    district: District | None = None,
    neighbourhood: Neighbourhood | None = None,
    ballot_rule: str = Scope.BallotRule.KNAPSACK,
    min_share_percent: int = 0,
    max_projects: int | None = None,
    min_projects: int = 0,
) -> Scope:
    """Add a budget to a round that has not started collecting support."""
    administrator_required(actor)
    phase_required(round_, *SETTING_UP)
    rule, errors = scope_rule_checked(
        {
            "amount": amount,
            "ballot_rule": ballot_rule,
            "min_share_percent": min_share_percent,
            "max_projects": max_projects,
            "min_projects": min_projects,
        }
    )
    if error := scope_area_error(district, neighbourhood):
        errors["neighbourhood"] = error
    elif neighbourhood is not None:
        district = neighbourhood.district
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            scope = Scope.objects.create(
                round=round_, district=district, neighbourhood=neighbourhood, **rule
            )
    except IntegrityError:
        raise ValidationError(
            {"district": _("The round already has a budget for this area.")}
        ) from None
    audit_record(
        actor=actor,
        action="budget.scope_added",
        target=scope,
        details={
            "round": round_.pk,
            "district": scope.district_id,
            "neighbourhood": scope.neighbourhood_id,
            "amount": amount,
        },
    )
    return scope


def _scope_locked(actor: Any, scope: Scope) -> Scope:
    """The scope's row, locked after its round's (the order phase moves lock in), once the
    actor and the round's phase allow changing budgets."""
    administrator_required(actor)
    round_ = Round.objects.select_for_update().get(pk=scope.round_id)
    phase_required(round_, *SETTING_UP)
    locked = Scope.objects.select_for_update().filter(pk=scope.pk).first()
    if locked is None:
        raise ValidationError({"scope": _("This budget no longer exists.")})
    locked.round = round_
    return locked


@transaction.atomic
def scope_update(*, actor: Any, scope: Scope, **fields: Any) -> Scope:
    """Change a budget's amount or ballot rule (``SCOPE_FIELDS``) before support collection;
    the amount never below what a proposal in it is estimated to cost."""
    unknown = sorted(set(fields) - set(SCOPE_FIELDS))
    if unknown:
        raise TypeError(f"scope_update() cannot change {', '.join(unknown)}")
    locked = _scope_locked(actor, scope)
    current = {name: getattr(locked, name) for name in SCOPE_FIELDS}
    rule, errors = scope_rule_checked({**current, **fields})
    dearest = locked.projects.aggregate(cost=Max("estimated_cost"))["cost"]
    if "amount" not in errors and dearest is not None and rule["amount"] < dearest:
        errors["amount"] = _(
            "A proposal in this budget is estimated at %(cost)s cost units; the budget cannot "
            "be smaller."
        ) % {"cost": f"{dearest:,}"}
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in rule.items() if current[name] != value}
    if not changed:
        return scope
    for name, value in changed.items():
        setattr(locked, name, value)
        setattr(scope, name, value)
    locked.save(update_fields=list(changed))
    audit_record(
        actor=actor,
        action="budget.scope_updated",
        target=locked,
        details={"round": locked.round_id, "changed": _changes(current, changed)},
    )
    return scope


@transaction.atomic
def scope_remove(*, actor: Any, scope: Scope) -> None:
    """Remove a budget nobody has proposed in, before support collection."""
    locked = _scope_locked(actor, scope)
    if locked.projects.exists():
        raise ValidationError(
            {
                "scope": _(
                    "Citizens have proposed projects in %(area)s; a budget with proposals "
                    "cannot be removed."
                )
                % {"area": locked.name}
            }
        )
    if locked.round.phase == Round.Phase.PROPOSALS and locked.round.scopes.count() == 1:
        raise ValidationError(
            {"scope": _("A round collecting proposals needs at least one budget.")}
        )
    audit_record(
        actor=actor,
        action="budget.scope_removed",
        target=locked,
        details={
            "round": locked.round_id,
            "district": locked.district_id,
            "neighbourhood": locked.neighbourhood_id,
            "amount": locked.amount,
            "ballot_rule": locked.ballot_rule,
        },
    )
    locked.delete()
