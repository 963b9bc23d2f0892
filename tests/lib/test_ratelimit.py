"""Rate limits count in the shared cache; with REDIS_URL that is the real Redis server."""

from __future__ import annotations

import uuid

from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from smartseoul.lib.ratelimit import Rate, hit

REDIS = "redis://127.0.0.1:6379/0"


def test_a_limit_holds_in_redis_across_clients() -> None:
    prefix = f"test-{uuid.uuid4().hex}"  # keeps concurrent runs apart
    # What settings.py builds from REDIS_URL.
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": prefix,
    }
    rate = Rate.parse("3/m")
    window = 1_000_020.0  # a minute starts at 1,000,020 s
    with override_settings(CACHES={"default": redis_cache}):
        verdicts = [hit("phone", rate, now=window) for _ in range(3)]
        assert all(v.allowed for v in verdicts)
        assert verdicts[-1].remaining == 0
        fourth = hit("phone", rate, now=window + 1)
        assert not fourth.allowed
        assert fourth.retry_after == 59
        # The next window starts afresh.
        assert hit("phone", rate, now=window + 60).allowed
    # Any other server process, with its own client, reads the same count.
    other_process = RedisCache(REDIS, {"KEY_PREFIX": prefix})
    assert other_process.get(f"ratelimit:phone:{int(window // 60)}") == 4
