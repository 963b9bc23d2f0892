"""The election record for download: /voting/<id>/record.json (and the API's .../record).

A record lists every ballot with its ledger entry and proofs — hundreds of megabytes for a
city-wide election — and does not change while the vote keeps its status.  So it is built
once per status, written beside the database (``SMARTSEOUL_VAR_DIR/records``, not under the
public media folder: a tallied vote's record is not public until its results are) and then
streamed from that file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from smartseoul.voting import queries
from smartseoul.voting.models import Vote
from smartseoul.voting.record import RECORDED_STATUSES, election_record


def visible_vote(user: Any, public_id: UUID | str) -> Vote:
    """The vote, once it is tallied and its results may be shown to ``user``."""
    vote = queries.vote_get(user, public_id)
    if vote.status not in RECORDED_STATUSES or not queries.results_visible(vote, user):
        raise Http404(_("This vote's election record is published with its results."))
    return vote


def record_file(vote: Vote) -> Path:
    """The record's file, built on first use for the vote's current status."""
    path = Path(settings.VAR_DIR) / "records" / f"{vote.public_id}-{vote.status}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with partial.open("w", encoding="utf-8") as out:
            json.dump(election_record(vote), out, ensure_ascii=False)
        # Readers see the whole file or none: two builders at once just both write it.
        partial.replace(path)
    return path


def record_response(vote: Vote, *, attachment: bool) -> FileResponse:
    response = FileResponse(
        record_file(vote).open("rb"),
        content_type="application/json",
        as_attachment=attachment,
        filename=f"election-{vote.public_id}.json",
    )
    return response


@require_GET
def record_json(request: HttpRequest, public_id: UUID) -> FileResponse:
    return record_response(visible_vote(request.user, public_id), attachment=True)
