"""Participatory budgeting's JSON API at /api/budget/: rounds, scopes and projects to read;
proposing and supporting to write (the same actions as the pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from smartseoul.api import csrf_check, identified_if_possible, presented_api_key, signed_in
from smartseoul.budgeting import actions, queries
from smartseoul.budgeting.models import Project, Round, Scope

router = Router(tags=["budgeting"], auth=identified_if_possible)


class RoundOut(Schema):
    id: int
    title: str
    year: int
    edition: str
    description: str
    phase: str
    privacy: str
    winner_rule: str
    cost_unit: int
    proposals_end: datetime
    support_end: datetime
    review_end: datetime
    ballot_opens: datetime
    ballot_closes: datetime


class ScopeOut(Schema):
    id: int
    name: str
    district: str | None
    neighbourhood: str | None
    amount: int
    ballot_rule: str
    min_share_percent: int
    max_projects: int | None
    min_projects: int
    vote: str | None  # the mVoting vote's id once the ballot is open


class ProjectOut(Schema):
    id: int
    scope: int
    title: str
    description: str
    theme: str
    status: str
    lat: float | None
    lng: float | None
    estimated_cost: int
    reviewed_cost: int | None
    rejection_reason: str
    supports: int
    votes: int | None


class ProjectFilterIn(Schema):
    scope: int | None = None
    theme: str = ""
    status: str = ""


class ProposalIn(Schema):
    scope: int
    title: str
    description: str
    theme: str
    estimated_cost: int
    lat: float | None = None
    lng: float | None = None


def _round_out(round_: Round) -> dict[str, Any]:
    return {field: getattr(round_, field) for field in RoundOut.model_fields}


def _scope_out(scope: Scope) -> dict[str, Any]:
    return {
        "id": scope.pk,
        "name": scope.name,
        "district": scope.district_id,
        "neighbourhood": scope.neighbourhood_id,
        "amount": scope.amount,
        "ballot_rule": scope.ballot_rule,
        "min_share_percent": scope.min_share_percent,
        "max_projects": scope.max_projects,
        "min_projects": scope.min_projects,
        "vote": str(scope.vote_public_id) if scope.vote_public_id else None,
    }


def _project_out(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk,
        "scope": project.scope_id,
        "title": project.title,
        "description": project.description,
        "theme": project.theme,
        "status": project.status,
        "lat": project.lat,
        "lng": project.lng,
        "estimated_cost": project.estimated_cost,
        "reviewed_cost": project.reviewed_cost,
        "rejection_reason": project.rejection_reason,
        "supports": project.support_count,
        "votes": project.votes,
    }


def _writer(request: HttpRequest) -> None:
    if presented_api_key(request) is None:
        csrf_check(request)


@router.get("/rounds", response=list[RoundOut], summary="Budget rounds, newest first")
def rounds_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_round_out(r) for r in queries.rounds_visible(request.user)]


@router.get("/rounds/{round_id}", response=RoundOut, summary="One round")
def round_show(request: HttpRequest, round_id: int) -> dict[str, Any]:
    return _round_out(queries.round_get(request.user, round_id))


@router.get("/rounds/{round_id}/scopes", response=list[ScopeOut], summary="A round's budgets")
def scopes_list(request: HttpRequest, round_id: int) -> list[dict[str, Any]]:
    round_ = queries.round_get(request.user, round_id)
    return [_scope_out(s) for s in queries.scopes_of(round_)]


@router.get(
    "/rounds/{round_id}/projects",
    response=list[ProjectOut],
    summary="A round's projects, in their fixed public order",
)
def projects_list(
    request: HttpRequest, round_id: int, filters: Query[ProjectFilterIn]
) -> list[dict[str, Any]]:
    round_ = queries.round_get(request.user, round_id)
    chosen = queries.ProjectFilters.from_query(filters.dict())
    return [_project_out(p) for p in queries.projects_of(round_, chosen)]


@router.get("/rounds/{round_id}/projects/{project_id}", response=ProjectOut, summary="One project")
def project_show(request: HttpRequest, round_id: int, project_id: int) -> dict[str, Any]:
    round_ = queries.round_get(request.user, round_id)
    return _project_out(queries.project_get(round_, project_id))


@router.post(
    "/rounds/{round_id}/projects",
    response={201: ProjectOut},
    auth=signed_in,
    summary="Propose a project (proposals phase)",
)
def project_create(
    request: HttpRequest, round_id: int, payload: ProposalIn
) -> Status[dict[str, Any]]:
    _writer(request)
    round_ = queries.round_get(request.user, round_id)
    scope = queries.scope_get(round_, payload.scope)
    project = actions.project_propose(
        actor=request.user,
        scope=scope,
        title=payload.title,
        description=payload.description,
        theme=payload.theme,
        estimated_cost=payload.estimated_cost,
        lat=payload.lat,
        lng=payload.lng,
    )
    return Status(201, _project_out(project))


@router.post(
    "/rounds/{round_id}/projects/{project_id}/support",
    response=ProjectOut,
    auth=signed_in,
    summary="Support a project (support phase)",
)
def support_add(request: HttpRequest, round_id: int, project_id: int) -> dict[str, Any]:
    _writer(request)
    round_ = queries.round_get(request.user, round_id)
    project = queries.project_get(round_, project_id)
    return _project_out(actions.project_support(actor=request.user, project=project))


@router.delete(
    "/rounds/{round_id}/projects/{project_id}/support",
    response=ProjectOut,
    auth=signed_in,
    summary="Withdraw my support (support phase)",
)
def support_remove(request: HttpRequest, round_id: int, project_id: int) -> dict[str, Any]:
    _writer(request)
    round_ = queries.round_get(request.user, round_id)
    project = queries.project_get(round_, project_id)
    return _project_out(actions.project_support(actor=request.user, project=project, support=False))
