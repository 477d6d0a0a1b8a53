"""``api.throttling``: the API's rates counted in fixed windows with one atomic counter
(``config.counters``), in the local-memory cache and against the machine's Redis."""

import threading
import uuid

import pytest
from django.core.cache import cache as local_cache
from django.test import RequestFactory
from rest_framework import throttling as drf_throttling

from api import throttling
from config import counters
from tests.redis_server import REDIS_URL, own_cache, reachable

START = 1_800_000_030.0  # thirty seconds into a one-minute window


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(drf_throttling.SimpleRateThrottle, "timer", staticmethod(clock))
    local_cache.clear()
    yield clock
    local_cache.clear()


@pytest.fixture
def rates(monkeypatch):
    monkeypatch.setattr(drf_throttling.SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})


class Someone:
    is_authenticated = True

    def __init__(self, pk):
        self.pk = pk


def _request(user=None, **meta):
    request = RequestFactory().get("/api/v1/programmes/", **meta)
    request.user = user
    return request


def _allowed(throttle_class, request) -> tuple[bool, float]:
    throttle = throttle_class()
    allowed = throttle.allow_request(request, None)
    return allowed, throttle.wait()


def test_a_user_gets_the_rate_in_each_window_and_is_told_when_it_ends(clock, rates):
    first = _request(Someone(1))
    answers = [_allowed(throttling.UserRateThrottle, first) for _ in range(4)]
    assert [allowed for allowed, _wait in answers] == [True, True, True, False]
    assert answers[-1][1] == 30.0  # the seconds left in the window: Retry-After
    # Someone else has their own allowance.
    assert _allowed(throttling.UserRateThrottle, _request(Someone(2)))[0] is True
    # The next window starts from nothing.
    clock.now = START + 30
    assert _allowed(throttling.UserRateThrottle, first)[0] is True


def test_a_forwarded_for_header_sent_by_the_client_buys_no_new_allowance(clock, rates):
    answers = [
        _allowed(throttling.AnonRateThrottle, _request(None, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"))[0]
        for n in range(3)
    ]
    assert answers == [True, True, False]


def test_the_local_counter_counts_from_one():
    key = f"test-counter-{uuid.uuid4().hex}"
    assert [counters.hit(local_cache, key, 60) for _ in range(3)] == [1, 2, 3]


redis_only = pytest.mark.skipif(not reachable(), reason=f"needs Redis at {REDIS_URL}")


@pytest.fixture
def redis_cache():
    with own_cache("test-throttle") as cache:
        yield cache


@redis_only
def test_eight_threads_counting_at_once_lose_no_hit(redis_cache):
    seen, errors = [], []

    def work():
        try:
            seen.extend(counters.hit(redis_cache, "shared", 60) for _ in range(50))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(seen) == list(range(1, 401))  # every hit got its own count
    assert redis_cache.get("shared") == 400


@redis_only
def test_the_counter_expires_from_its_first_hit(redis_cache):
    assert counters.hit(redis_cache, "window", 60) == 1
    key = redis_cache.make_and_validate_key("window")
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(key) <= 60
    client.expire(key, 5)
    assert counters.hit(redis_cache, "window", 60) == 2
    assert client.ttl(key) <= 5  # a later hit does not extend it


@redis_only
def test_the_throttle_keeps_one_integer_per_client_and_window_in_redis(clock, rates, monkeypatch, redis_cache):
    monkeypatch.setattr(drf_throttling.SimpleRateThrottle, "cache", redis_cache)
    monkeypatch.setattr(drf_throttling.SimpleRateThrottle, "THROTTLE_RATES", {"user": "1000/minute"})
    request = _request(Someone(7))
    for _ in range(300):
        assert _allowed(throttling.UserRateThrottle, request)[0] is True
    window = int(START // 60)
    assert redis_cache.get(f"throttle_user_7:{window}") == 300
    assert redis_cache._cache.get_client().keys(f"{redis_cache.key_prefix}:*") == [
        redis_cache.make_and_validate_key(f"throttle_user_7:{window}").encode()
    ]
