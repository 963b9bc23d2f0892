"""Jobs the worker runs on a schedule, so that a city needs no cron: escalating overdue
complaints, refreshing the platform's own open datasets, archiving and pruning raw sensor
reports.

Apps register their jobs in ``AppConfig.ready``.  Any number of ``smartseoul worker``
processes may run: each job runs once per interval across all of them, by the first worker
that claims the interval's slot in the shared cache (``cache.add`` is atomic in Redis and in
the database cache).  A job that fails is logged and tried again in its next interval.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)

CHECK_EVERY = 30.0  # seconds between looks at the schedule


@dataclass(frozen=True)
class Job:
    name: str
    every: datetime.timedelta
    run: Callable[[], object]


_jobs: dict[str, Job] = {}


def register(job: Job) -> None:
    _jobs[job.name] = job


def registered() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def run_due(*, now: float | None = None) -> list[str]:
    """Run every job whose current interval no worker has claimed yet; return their names."""
    now = time.time() if now is None else now
    ran = []
    for job in registered():
        seconds = int(job.every.total_seconds())
        slot = int(now // seconds)
        if not cache.add(f"periodic:{job.name}:{slot}", 1, timeout=seconds * 2):
            continue  # this interval's run belongs to another worker, or is done
        try:
            job.run()
            ran.append(job.name)
        except Exception:
            log.exception("periodic job %s failed; it runs again next interval", job.name)
    return ran


def _loop(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            run_due()
        except Exception:
            log.exception("periodic jobs: the schedule could not be read; retrying")
        finally:
            connection.close()
        stop.wait(CHECK_EVERY)


def start_thread() -> threading.Event:
    """Start the schedule beside the task worker; returns the event that stops it."""
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), name="periodic-jobs", daemon=True).start()
    return stop
