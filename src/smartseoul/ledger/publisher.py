"""Publish a checkpoint of every log at least once a second while entries arrive.

Runs as a daemon thread inside `smartseoul worker` (and `smartseoul ledger publish` runs
the same loop in the foreground).  Several publishers at once are harmless: a checkpoint
per size is stored once and witnesses answer repeats with the same state.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

log = logging.getLogger(__name__)

RETRY_WITNESSES_AFTER = datetime.timedelta(seconds=10)

# Producers that commit entries of their own first and append them in batches (mVoting's
# ballots): each is called before every round of checkpoints, so what they committed is
# appended and signed in the same round.  They handle and log their own failures.
_feeders: list[Callable[[], object]] = []


def register_feeder(feeder: Callable[[], object]) -> None:
    if feeder not in _feeders:
        _feeders.append(feeder)


def publish_changed() -> int:
    """Bring in the feeders' waiting entries, then publish every log whose head moved since
    its latest checkpoint; return how many were published."""
    from smartseoul.ledger import actions, keys, queries
    from smartseoul.ledger.models import Checkpoint

    for feeder in _feeders:
        feeder()
    published = 0
    quorum = keys.quorum()
    for ledger_log in queries.logs_all():
        latest = Checkpoint.objects.filter(log=ledger_log).order_by("-size").first()
        if latest is None or latest.size < ledger_log.size:
            actions.checkpoint_publish(log=ledger_log)
            published += 1
        elif (
            quorum
            and latest.cosignatures.count() < quorum
            and timezone.now() - latest.created_at > RETRY_WITNESSES_AFTER
        ):
            # A witness was down: ask again, so an idle log still reaches its quorum.
            actions.checkpoint_publish(log=ledger_log, force=True)
    return published


def run(*, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            close_old_connections()
            publish_changed()
        except Exception:
            log.exception("ledger: publishing a checkpoint failed; retrying")
        finally:
            connection.close()
        stop.wait(max(0.0, interval - (time.monotonic() - started)))


def start_thread() -> threading.Event | None:
    """Start the publisher beside the task worker; returns the event that stops it."""
    interval = float(settings.LEDGER_PUBLISH_INTERVAL)
    if interval <= 0:
        return None
    stop = threading.Event()
    threading.Thread(
        target=run,
        kwargs={"interval": interval, "stop": stop},
        name="ledger-publisher",
        daemon=True,
    ).start()
    return stop
