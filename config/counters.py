"""Counters in a cache shared by every web process (Redis in deployment).

``hit(cache, key, seconds)`` adds one to the counter at ``key`` and returns the new count;
the counter expires ``seconds`` after its first hit. With ``config.redis_cache.RedisCache``
that is one atomic round trip (``count_hit``); with any other backend (the per-process
local memory of development and tests) it is Django's ``add`` and ``incr``. The login
throttle (``incubator.auth``) and the API's rate limits (``api.throttling``) count with it."""

from django.core.cache.backends.base import BaseCache


def hit(cache: BaseCache, key: str, seconds: int) -> int:
    count_hit = getattr(cache, "count_hit", None)
    if count_hit is not None:
        return count_hit(key, seconds)
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1
