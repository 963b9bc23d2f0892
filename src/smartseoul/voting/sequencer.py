"""Moves cast ballots into the public `votes` ledger, many at a time.

A cast commits its ballot with the exact ledger entry it will become (so its tracker, the
entry's leaf hash, is known at once) and returns without touching the log.  Appending one
entry per cast would make every caster queue on the log's row lock until its own commit;
appending the waiting ballots in one batch costs about as much as appending one.

The ledger publisher (``smartseoul worker``, ``smartseoul ledger publish``) runs
:func:`ballots_sequence` before every checkpoint, so a ballot reaches the ledger and a signed
checkpoint within about a second; counting a vote runs it first, so nothing is left behind.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction

from smartseoul.ledger.actions import entries_append, log_ensure
from smartseoul.ledger.models import Log
from smartseoul.voting.models import Ballot

log = logging.getLogger(__name__)

LEDGER_LOG = "votes"
BATCH = 5_000
BALLOT_TABLE = Ballot._meta.db_table


def ballots_sequence(*, wait: bool = True, batch: int = BATCH) -> int:
    """Append every committed ballot that is not yet in the ledger, in the order they were
    cast; return how many were appended.

    With ``wait=False`` it returns 0 at once when another process is already sequencing
    (PostgreSQL; SQLite's transactions queue on the database lock anyway).
    """
    votes_log = log_ensure(LEDGER_LOG)
    total = 0
    while True:
        appended = _sequence_batch(votes_log, wait=wait, batch=batch)
        total += appended
        if appended < batch:
            return total


@transaction.atomic
def _sequence_batch(votes_log: Log, *, wait: bool, batch: int) -> int:
    # The log row lock, taken first, keeps two sequencers from appending the same ballots;
    # the ballots are read only after it is held, so none can be appended twice.
    locking = Log.objects.select_for_update(
        skip_locked=not wait and connection.features.has_select_for_update_skip_locked
    )
    if not locking.filter(pk=votes_log.pk).exists():
        return 0
    # Cast order: a replacing ballot is created after the ballot it replaces was committed,
    # so its id — and now its ledger index — is always the larger.
    waiting = list(
        Ballot.objects.filter(ledger_index__isnull=True)
        .order_by("id")
        .values_list("id", "ledger_entry")[:batch]
    )
    if not waiting:
        return 0
    indexes = entries_append(log=votes_log, data=[bytes(entry) for _id, entry in waiting])
    _ledger_indexes_set([(pk, index) for (pk, _entry), index in zip(waiting, indexes, strict=True)])
    return len(waiting)


def _ledger_indexes_set(pairs: list[tuple[int, int]]) -> None:
    """Point each ballot at its ledger entry and drop the copy of the entry it carried."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {BALLOT_TABLE} AS b SET ledger_index = v.idx, ledger_entry = NULL "  # noqa: S608 - constant table name
                "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, idx) WHERE b.id = v.id",
                [[pk for pk, _ in pairs], [index for _, index in pairs]],
            )
        else:
            cursor.executemany(
                f"UPDATE {BALLOT_TABLE} SET ledger_index = %s, ledger_entry = NULL WHERE id = %s",  # noqa: S608 - constant table name
                [(index, pk) for pk, index in pairs],
            )


def ballots_sequence_quietly() -> None:
    """The publisher's hook: a failure is logged and retried on the next round."""
    try:
        ballots_sequence()
    except Exception:
        log.exception("voting: appending cast ballots to the ledger failed; will retry")
