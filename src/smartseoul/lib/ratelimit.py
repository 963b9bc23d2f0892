"""Fixed-window request counting in the shared Django cache (Redis or the database).

A fixed window is cheap (one ``incr`` a request) and, since the cache is shared, holds across
every server process.  At a window's edge a client may briefly get up to twice its rate,
which is acceptable for protecting the service.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int

    @classmethod
    @functools.cache
    def parse(cls, text: str) -> Rate:
        """``"120/m"`` → 120 requests a minute.  Units: s, m, h, d."""
        try:
            count, unit = text.strip().split("/", 1)
            return cls(int(count), _UNITS[unit.strip()[0].lower()])
        except (ValueError, KeyError, IndexError):
            raise ValueError(f"{text!r} is not a rate like '120/m' (units s, m, h, d)") from None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    retry_after: int


def hit(bucket: str, rate: Rate, *, now: float | None = None) -> Verdict:
    """Count one request in ``bucket`` and say whether it is within ``rate``."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"ratelimit:{bucket}:{window}"
    # add() is a no-op when the key exists, so concurrent first requests do not reset it.
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.seconds + 1)
        count = 1
    retry_after = max(1, int((window + 1) * rate.seconds - now))
    return Verdict(count <= rate.requests, max(0, rate.requests - count), retry_after)
