"""Fixtures of the trust tests: a full programme A (``world``) and B (``other``), with a
record of every kind (``tests.trust.worlds``), uploads in a temporary MEDIA_ROOT."""

import pytest
from django.core.cache import cache

from tests.trust.worlds import Full, build_full


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _clean_cache():
    # Login and API throttle counters live in the cache: no test inherits another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def full_a(world) -> Full:
    return build_full(world)


@pytest.fixture
def full_b(other) -> Full:
    return build_full(other)
