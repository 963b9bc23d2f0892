"""Reads of budget rounds, with who-may-see-what enforced here.

Rounds in preparation (draft) are seen by administrators only; everything else is public,
except who proposed or supported what (least exposure: public pages never name citizens).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from smartseoul.budgeting.models import Project, Round, Scope, Support, Theme
from smartseoul.budgeting.permissions import (
    citizen_verdict,
    may_administer,
    may_review,
    official_department,
)

_NO_SHAPES = ("district__boundary", "neighbourhood__boundary")


def rounds_visible(user: Any) -> QuerySet[Round]:
    rounds = Round.objects.annotate(project_count=Count("projects"))
    if may_administer(user):
        return rounds
    return rounds.exclude(phase=Round.Phase.DRAFT)


def round_get(user: Any, pk: int) -> Round:
    round_ = rounds_visible(user).filter(pk=pk).first()
    if round_ is None:
        raise Http404(f"No budget round {pk}.")
    return round_


def scopes_of(round_: Round) -> QuerySet[Scope]:
    return (
        round_.scopes.select_related("district", "neighbourhood")
        .defer(*_NO_SHAPES)
        .annotate(project_count=Count("projects"))
    )


def scope_get(round_: Round, pk: int) -> Scope:
    scope = scopes_of(round_).filter(pk=pk).first()
    if scope is None:
        raise Http404(f"No scope {pk} in this round.")
    return scope


def scopes_of_voter(user: Any, round_: Round) -> list[Scope]:
    """The scopes a citizen takes part in: the city-wide one and their home area's."""
    return [s for s in scopes_of(round_) if citizen_verdict(user, round_, s)]


@dataclass(frozen=True)
class ProjectFilters:
    scope: int | None = None
    theme: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, query: Any) -> ProjectFilters:
        scope = query.get("scope", "")
        theme = query.get("theme", "")
        status = query.get("status", "")
        return cls(
            scope=int(scope) if str(scope).isdigit() else None,
            theme=theme if theme in Theme.values else "",
            status=status if status in Project.Status.values else "",
        )


def projects_of(round_: Round, filters: ProjectFilters | None = None) -> QuerySet[Project]:
    filters = filters or ProjectFilters()
    projects = round_.projects.select_related(
        "scope", "scope__district", "scope__neighbourhood", "neighbourhood"
    ).defer(
        "neighbourhood__boundary", "scope__district__boundary", "scope__neighbourhood__boundary"
    )
    if filters.scope is not None:
        projects = projects.filter(scope_id=filters.scope)
    if filters.theme:
        projects = projects.filter(theme=filters.theme)
    if filters.status:
        projects = projects.filter(status=filters.status)
    return projects.order_by("id")


def project_get(round_: Round, pk: int) -> Project:
    project = projects_of(round_).filter(pk=pk).first()
    if project is None:
        raise Http404(f"No project {pk} in this round.")
    return project


def project_history(project: Project) -> QuerySet[Any]:
    return project.updates.prefetch_related("photos").order_by("date", "id")


def supported_ids(user: Any, round_: Round) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Support.objects.filter(user=user, project__round=round_).values_list(
            "project_id", flat=True
        )
    )


def review_queue(user: Any, round_: Round | None = None) -> QuerySet[Project]:
    """Projects this official may review: their district's, or the city-wide scope's."""
    department = official_department(user)
    if department is None:
        return Project.objects.none()
    from smartseoul.accounts.models import Department

    if department.kind == Department.Kind.DISTRICT_OFFICE:
        mine = Q(scope__district_id=department.district_id)
    else:
        mine = Q(scope__district__isnull=True)
    projects = Project.objects.filter(mine).select_related("scope", "round", "scope__district")
    projects = projects.defer("scope__district__boundary")
    if round_ is not None:
        projects = projects.filter(round=round_)
    return projects.exclude(round__phase=Round.Phase.DRAFT).order_by("round_id", "status", "id")


def may_review_project(user: Any, project: Project) -> bool:
    return may_review(user, project.scope)


def map_points(projects: QuerySet[Project]) -> list[dict[str, Any]]:
    """What the project map draws: only public fields."""
    return [
        {
            "id": p.pk,
            "title": p.title,
            "lat": p.lat,
            "lng": p.lng,
            "status": p.status,
            "status_label": str(p.get_status_display()),
            "cost": p.cost,
        }
        for p in projects
        if p.lat is not None and p.lng is not None
    ]
