"""Every write of a budget round: atomic, audited; pages, API, CLI and the demo call these.

Each action checks the round's phase first and refuses with a ``ValidationError`` that says
which phase the round is in and what the action needs, and checks the actor's right second
(``PermissionDenied`` naming who may).  Setting a round up (the round, its budgets, its
trustees) is in ``administration.py`` and re-exported here; the ballot itself (mVoting votes
per scope) is in ``ballots.py``; phase moves in ``phases.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartseoul.audit.actions import audit_record
from smartseoul.budgeting.administration import round_create as round_create
from smartseoul.budgeting.administration import round_trustees_set as round_trustees_set
from smartseoul.budgeting.administration import round_update as round_update
from smartseoul.budgeting.administration import scope_add as scope_add
from smartseoul.budgeting.administration import scope_remove as scope_remove
from smartseoul.budgeting.administration import scope_update as scope_update
from smartseoul.budgeting.administration import secret_rule_error as secret_rule_error
from smartseoul.budgeting.guards import phase_required
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
from smartseoul.places.models import Neighbourhood

MAX_PHOTOS = 3
PHOTO_LONG_SIDE = 2048
IMPLEMENTATION_STATUSES = (
    Project.Status.PLANNING,
    Project.Status.IN_PROGRESS,
    Project.Status.COMPLETED,
)


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
