"""Every write of a budget round: atomic, audited; pages, API, CLI and the demo call these.

Each action checks the round's phase first and refuses with a ``ValidationError`` that says
which phase the round is in and what the action needs, and checks the actor's right second
(``PermissionDenied`` naming who may).  The ballot itself (mVoting votes per scope) is in
``ballots.py``; phase moves in ``phases.py``.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.budgeting.models import (
    Project,
    ProjectUpdate,
    Round,
    Scope,
    Support,
    Theme,
    UpdatePhoto,
)
from smartseoul.budgeting.permissions import citizen_verdict, may_administer, may_review
from smartseoul.lib.images import jpeg_bytes, upright_rgb
from smartseoul.places.lookup import lookup
from smartseoul.places.models import District, Neighbourhood

MAX_PHOTOS = 3
PHOTO_LONG_SIDE = 2048
IMPLEMENTATION_STATUSES = (
    Project.Status.PLANNING,
    Project.Status.IN_PROGRESS,
    Project.Status.COMPLETED,
)


def phase_required(round_: Round, *phases: str) -> None:
    """Refuse unless the round is in one of ``phases``, saying which phase it is in."""
    if round_.phase not in phases:
        wanted = ", ".join(str(Round.Phase(p).label) for p in phases)
        raise ValidationError(
            {
                "phase": _("The round is in its “%(phase)s” phase; this needs: %(wanted)s.")
                % {"phase": round_.get_phase_display(), "wanted": wanted}
            }
        )


def _administrator_required(actor: Any) -> None:
    if not may_administer(actor):
        raise PermissionDenied(_("Only election administrators run budget rounds."))


def status_change(*, project: Project, status: str, actor: Any, note: str = "") -> None:
    """Set a project's status and write the public history entry that says so."""
    project.status = status
    project.save(update_fields=["status"])
    ProjectUpdate.objects.create(
        project=project,
        status=status,
        note=note,
        date=timezone.localdate(),
        official=actor if getattr(actor, "is_authenticated", False) else None,
    )


# --- rounds and scopes -----------------------------------------------------------------------


def secret_rule_error(privacy: str, winner_rule: str) -> str | None:
    """Why a secret round cannot use Equal Shares (None when the pair is fine)."""
    if privacy == Round.Privacy.SECRET and winner_rule != Round.WinnerRule.GREEDY:
        return _(
            "Secret rounds use the greedy rule: the Method of Equal Shares needs each voter's "
            "set of chosen projects, which a secret ballot never reveals (only the totals are "
            "decrypted)."
        )
    return None


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
    _administrator_required(actor)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the round a title.")
    if privacy not in Round.Privacy.values:
        errors["privacy"] = _("Choose open or secret ballots.")
    if winner_rule not in Round.WinnerRule.values:
        errors["winner_rule"] = _("Choose a winner rule.")
    elif error := secret_rule_error(privacy, winner_rule):
        errors["winner_rule"] = error
    if cost_unit < 1:
        errors["cost_unit"] = _("The cost unit is a positive number of won.")
    if ballot_top_n is not None and not 1 <= ballot_top_n <= 50:
        errors["ballot_top_n"] = _("Between 1 and 50 projects per scope.")
    dates = [proposals_end, support_end, review_end, ballot_opens, ballot_closes]
    if any(later <= earlier for earlier, later in itertools.pairwise(dates)):
        errors["ballot_closes"] = _(
            "The dates must follow each other: proposals, support, review, ballot opens, "
            "ballot closes."
        )
    if errors:
        raise ValidationError(errors)
    round_ = Round.objects.create(
        title=title.strip(),
        year=year,
        edition=edition.strip(),
        description=description.strip(),
        cost_unit=cost_unit,
        privacy=privacy,
        winner_rule=winner_rule,
        ballot_top_n=ballot_top_n,
        require_verified=require_verified,
        proposals_end=proposals_end,
        support_end=support_end,
        review_end=review_end,
        ballot_opens=ballot_opens,
        ballot_closes=ballot_closes,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="budget.round_created",
        target=round_,
        details={"privacy": privacy, "winner_rule": winner_rule},
    )
    return round_


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
    _administrator_required(actor)
    phase_required(round_, Round.Phase.DRAFT, Round.Phase.PROPOSALS)
    errors: dict[str, str] = {}
    if not 1 <= amount < 2**32:
        errors["amount"] = _("The budget is a whole number of cost units, 1 to 4,294,967,295.")
    if neighbourhood is not None:
        if district is None:
            district = neighbourhood.district
        elif neighbourhood.district_id != district.pk:
            errors["neighbourhood"] = _("This neighbourhood is not in that district.")
    if ballot_rule == Scope.BallotRule.KNAPSACK:
        if not 0 <= min_share_percent <= 100:
            errors["min_share_percent"] = _("The minimum share is a percentage, 0 to 100.")
        max_projects, min_projects = None, 0
    elif ballot_rule == Scope.BallotRule.APPROVAL:
        if max_projects is None or max_projects < 1:
            errors["max_projects"] = _("Say how many projects a voter may choose at most.")
        elif min_projects > max_projects:
            errors["min_projects"] = _("The minimum is above the maximum.")
        min_share_percent = 0
    else:
        errors["ballot_rule"] = _("Choose a knapsack or an approval ballot.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            scope = Scope.objects.create(
                round=round_,
                district=district,
                neighbourhood=neighbourhood,
                amount=amount,
                ballot_rule=ballot_rule,
                min_share_percent=min_share_percent,
                max_projects=max_projects,
                min_projects=min_projects,
            )
    except IntegrityError:
        raise ValidationError(
            {"district": _("The round already has a budget for this area.")}
        ) from None
    audit_record(
        actor=actor,
        action="budget.scope_added",
        target=scope,
        details={"round": round_.pk, "district": scope.district_id, "amount": amount},
    )
    return scope


@transaction.atomic
def round_trustees_set(*, actor: Any, round_: Round, users: Sequence[Any], threshold: int) -> Round:
    """Secret rounds: the trustees appointed on every scope's vote when the ballot opens."""
    _administrator_required(actor)
    phase_required(
        round_, Round.Phase.DRAFT, Round.Phase.PROPOSALS, Round.Phase.SUPPORT, Round.Phase.REVIEW
    )
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


# --- citizens: proposals and support ---------------------------------------------------------


def _place_check(scope: Scope, lat: float | None, lng: float | None) -> Neighbourhood | None:
    """The point's neighbourhood; refuses a point outside Seoul or outside the scope."""
    if lat is None and lng is None:
        if scope.district_id is not None:
            raise ValidationError({"lat": _("Pick the project's place on the map.")})
        return None
    if lat is None or lng is None:
        raise ValidationError({"lat": _("Give both latitude and longitude.")})
    try:
        place = lookup(lat, lng)
    except ValueError as exc:
        raise ValidationError({"lat": str(exc)}) from None
    if place is None:
        raise ValidationError({"lat": _("This place is outside Seoul.")})
    if scope.district_id is not None and place.district_code != scope.district_id:
        raise ValidationError(
            {
                "lat": _("This place is not in %(area)s; propose it in its own district's budget.")
                % {"area": scope.name}
            }
        )
    if scope.neighbourhood_id and place.neighbourhood_code != scope.neighbourhood_id:
        raise ValidationError({"lat": _("This place is not in %(area)s.") % {"area": scope.name}})
    if place.neighbourhood_code is None:
        return None
    return Neighbourhood.objects.filter(code=place.neighbourhood_code).first()


@transaction.atomic
def project_propose(
    *,
    actor: Any,
    scope: Scope,
    title: str,
    description: str,
    theme: str,
    estimated_cost: int,
    lat: float | None = None,
    lng: float | None = None,
) -> Project:
    round_ = scope.round
    phase_required(round_, Round.Phase.PROPOSALS)
    verdict = citizen_verdict(actor, round_, scope)
    if not verdict:
        raise PermissionDenied(str(verdict.reason))
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the project a title.")
    elif len(title.strip()) > 120:
        errors["title"] = _("At most 120 characters.")
    if not description.strip():
        errors["description"] = _("Describe the project.")
    elif len(description) > 4000:
        errors["description"] = _("At most 4,000 characters.")
    if theme not in Theme.values:
        errors["theme"] = _("Choose a theme.")
    if not 1 <= estimated_cost <= scope.amount:
        errors["estimated_cost"] = _(
            "The estimated cost is 1 to %(amount)s cost units (the whole budget)."
        ) % {"amount": f"{scope.amount:,}"}
    if errors:
        raise ValidationError(errors)
    neighbourhood = _place_check(scope, lat, lng)
    project = Project.objects.create(
        round=round_,
        scope=scope,
        author=actor,
        title=title.strip(),
        description=description.strip(),
        theme=theme,
        lat=lat,
        lng=lng,
        neighbourhood=neighbourhood,
        estimated_cost=estimated_cost,
    )
    ProjectUpdate.objects.create(project=project, status=project.status, date=timezone.localdate())
    audit_record(
        actor=actor, action="budget.project_proposed", target=project, details={"scope": scope.pk}
    )
    return project


@transaction.atomic
def project_support(*, actor: Any, project: Project, support: bool = True) -> Project:
    """Support a proposal (or take the support back) while support is being collected."""
    phase_required(project.round, Round.Phase.SUPPORT)
    verdict = citizen_verdict(actor, project.round, project.scope)
    if not verdict:
        raise PermissionDenied(str(verdict.reason))
    if project.status != Project.Status.PROPOSED:
        raise ValidationError({"project": _("Only proposals can be supported.")})
    if support:
        Support.objects.bulk_create([Support(project=project, user=actor)], ignore_conflicts=True)
    else:
        Support.objects.filter(project=project, user=actor).delete()
    # Recount rather than increment: a repeated click must not count twice, and the count is
    # one indexed COUNT for one project.
    count = Support.objects.filter(project=project).count()
    Project.objects.filter(pk=project.pk).update(support_count=count)
    project.support_count = count
    audit_record(
        actor=actor,
        action="budget.project_supported" if support else "budget.support_withdrawn",
        target=project,
    )
    return project


# --- officials: review and implementation ----------------------------------------------------


@transaction.atomic
def project_review(
    *,
    actor: Any,
    project: Project,
    feasible: bool,
    reviewed_cost: int | None = None,
    reason: str = "",
) -> Project:
    """Feasibility and cost review; a rejection needs a reason, published on the project."""
    phase_required(project.round, Round.Phase.REVIEW)
    if not may_review(actor, project.scope):
        raise PermissionDenied(
            _("Only officials of %(area)s's office review these projects.")
            % {"area": project.scope.name}
        )
    if project.status not in (
        Project.Status.PROPOSED,
        Project.Status.FEASIBLE,
        Project.Status.REJECTED,
    ):
        raise ValidationError({"project": _("This project was already reviewed.")})
    reason = reason.strip()
    if feasible:
        cost = reviewed_cost if reviewed_cost is not None else project.estimated_cost
        if not 1 <= cost <= project.scope.amount:
            raise ValidationError(
                {
                    "reviewed_cost": _("The reviewed cost is 1 to %(amount)s cost units.")
                    % {"amount": f"{project.scope.amount:,}"}
                }
            )
        project.reviewed_cost = cost
        project.rejection_reason = ""
    else:
        if not reason:
            raise ValidationError(
                {"reason": _("Give the public reason why the project is not feasible.")}
            )
        project.rejection_reason = reason
    project.reviewed_by = actor
    project.save(update_fields=["reviewed_cost", "rejection_reason", "reviewed_by"])
    status_change(
        project=project,
        status=Project.Status.FEASIBLE if feasible else Project.Status.REJECTED,
        actor=actor,
        note=reason,
    )
    audit_record(
        actor=actor,
        action="budget.project_reviewed",
        target=project,
        details={"feasible": feasible, "reviewed_cost": project.reviewed_cost, "reason": reason},
    )
    return project


@transaction.atomic
def project_update_add(
    *,
    actor: Any,
    project: Project,
    status: str,
    note: str = "",
    date: datetime.date | None = None,
    photos: Sequence[IO[bytes]] = (),
) -> ProjectUpdate:
    """Implementation news of a funded project: its status, a note and up to three photos
    (turned upright and rebuilt without EXIF, so no phone's location is published)."""
    phase_required(project.round, Round.Phase.IMPLEMENTATION)
    if not (may_review(actor, project.scope) or may_administer(actor)):
        raise PermissionDenied(
            _("Only officials of %(area)s's office post updates of these projects.")
            % {"area": project.scope.name}
        )
    allowed = (Project.Status.SELECTED, *IMPLEMENTATION_STATUSES)
    if project.status not in allowed:
        raise ValidationError({"project": _("Only funded projects are implemented.")})
    if status not in IMPLEMENTATION_STATUSES:
        raise ValidationError({"status": _("Choose planning, under way or completed.")})
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most three photos per update.")})
    pictures: list[bytes] = []
    for photo in photos:
        try:
            pictures.append(jpeg_bytes(upright_rgb(photo, max_side=PHOTO_LONG_SIDE)))
        except (OSError, ValueError, SyntaxError):
            raise ValidationError({"photos": _("A photo could not be read.")}) from None
    project.status = status
    project.save(update_fields=["status"])
    update = ProjectUpdate.objects.create(
        project=project,
        status=status,
        note=note.strip(),
        date=date or timezone.localdate(),
        official=actor,
    )
    for number, picture in enumerate(pictures, start=1):
        photo_row = UpdatePhoto(update=update)
        photo_row.image.save(f"p{project.pk}-u{update.pk}-{number}.jpg", ContentFile(picture))
    audit_record(
        actor=actor,
        action="budget.project_updated",
        target=project,
        details={"status": status, "photos": len(pictures)},
    )
    return update
