import re

import pytest
from django.core.cache import cache

LINK = re.compile(r"https?://[^\s]+")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Login failures and allauth's e-mail limits are counted in the cache.
    cache.clear()
    yield
    cache.clear()


def link_in(message, path_part: str) -> str:
    """The link of ``message`` whose path contains ``path_part``, as a path."""
    for url in LINK.findall(message.body):
        if path_part in url:
            return "/" + url.split("/", 3)[3]
    raise AssertionError(f"no link with {path_part!r} in: {message.body}")
