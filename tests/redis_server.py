"""The machine's Redis for the tests that need a real one (skipped without it)."""

import contextlib
import os
import socket
import urllib.parse
import uuid

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def reachable(url: str = REDIS_URL) -> bool:
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def own_cache(name: str):
    """A ``config.redis_cache.RedisCache`` on the machine's Redis under a key prefix of its
    own, whose keys are deleted afterwards (never ``clear()``: that would empty the
    database other tests share)."""
    from config.redis_cache import RedisCache

    prefix = f"{name}-{uuid.uuid4().hex}"
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    try:
        yield cache
    finally:
        client = cache._cache.get_client(write=True)
        keys = client.keys(f"{prefix}:*")
        if keys:
            client.delete(*keys)
