"""``config.redis_cache``: Django's Redis cache with one client per connection pool, against
the machine's Redis (skipped without one)."""

import threading

import pytest
from django.core.cache.backends.redis import RedisCacheClient

from tests.redis_server import REDIS_URL, own_cache, reachable

pytestmark = pytest.mark.skipif(not reachable(), reason=f"needs Redis at {REDIS_URL}")


@pytest.fixture
def cache():
    with own_cache("test-redis-cache") as cache:
        yield cache


def test_every_call_uses_the_same_client_where_django_builds_a_new_one(cache):
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    plain = RedisCacheClient([REDIS_URL])
    assert plain.get_client() is not plain.get_client()


def test_the_cache_operations_answer_as_before(cache):
    cache.set("a", {"x": 1}, 30)
    assert cache.get("a") == {"x": 1}
    assert cache.add("a", 2) is False and cache.add("b", 2) is True
    assert cache.incr("b") == 3
    assert cache.get_many(["a", "b", "c"]) == {"a": {"x": 1}, "b": 3}
    assert cache.delete("a") is True and cache.get("a") is None


def test_threads_share_the_client(cache):
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i)
                assert cache.get(f"k{n}-{i}") == i
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(cache._cache._clients) == 1
