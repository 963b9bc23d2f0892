"""Counting a secret vote in the background.

Summing the encrypted ballots costs about half a millisecond each (one ristretto255 point
addition per option), so a 120,000-ballot election takes about a minute: too long for the
administrator's request.  ``vote_tally`` asks for the count; a task sums the ballots outside
any transaction (the vote is closed and its ballots are all in the ledger, so nothing
changes underneath) and stores the result in one short transaction.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from smartseoul.audit.actions import audit_record
from smartseoul.voting.models import Vote
from smartseoul.voting.tally import encrypted_sum, tally_to_json

log = logging.getLogger(__name__)

# A count that has not finished by then is taken to have failed (a worker crashed) and may
# be asked for again.
RETRY_AFTER = datetime.timedelta(minutes=30)


def encrypted_count_request(*, actor: Any, vote: Vote) -> Vote:
    """Start counting a closed secret vote.  Call inside ``vote_tally``'s transaction."""
    if vote.encrypted_tally is not None:
        raise ValidationError(
            {"status": _("This vote is counted; it waits for the trustees to decrypt.")}
        )
    now = timezone.now()
    # Conditional update: of two administrators pressing "Count" at once, one starts it.
    started = (
        Vote.objects.filter(pk=vote.pk, encrypted_tally__isnull=True)
        .exclude(counting_since__gt=now - RETRY_AFTER)
        .update(counting_since=now)
    )
    if not started:
        raise ValidationError(
            {"status": _("This vote is being counted; it takes a minute or two.")}
        )
    vote.counting_since = now
    audit_record(actor=actor, action="vote.count_requested", target=vote)
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: encrypted_count_task.enqueue(vote.pk, actor_id))
    return vote


def encrypted_count_finish(*, vote: Vote, actor: Any | None) -> Vote:
    """Sum the counted ballots and store the encrypted tally for the trustees."""
    sums, total_weight = encrypted_sum(vote)  # long, and read-only: outside any transaction
    with transaction.atomic():
        current = Vote.objects.select_for_update().get(pk=vote.pk)
        if current.encrypted_tally is not None:  # a retried task finished first
            return current
        if current.status != Vote.Status.CLOSED:
            raise ValidationError({"status": _("Only a closed vote can be tallied.")})
        current.encrypted_tally = tally_to_json(current, sums)
        current.save(update_fields=["encrypted_tally"])
        audit_record(
            actor=actor,
            action="vote.tally_encrypted",
            target=current,
            details={"weight": total_weight},
        )
    return current


@task()
def encrypted_count_task(vote_id: int, actor_id: int | None) -> None:
    from smartseoul.accounts.models import User

    vote = Vote.objects.get(pk=vote_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    encrypted_count_finish(vote=vote, actor=actor)
    log.info("voting: counted vote %s", vote.public_id)
