"""The election record for download: /voting/<id>/record.json (and the API's .../record)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from smartseoul.voting import queries
from smartseoul.voting.record import RECORDED_STATUSES, election_record


def visible_record(user: Any, public_id: UUID | str) -> dict[str, Any]:
    """The record, once the vote is tallied and its results may be shown to ``user``."""
    vote = queries.vote_get(user, public_id)
    if vote.status not in RECORDED_STATUSES or not queries.results_visible(vote, user):
        raise Http404(_("This vote's election record is published with its results."))
    return election_record(vote)


@require_GET
def record_json(request: HttpRequest, public_id: UUID) -> HttpResponse:
    record = visible_record(request.user, public_id)
    response = JsonResponse(record, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="election-{public_id}.json"'
    return response
