"""Every page a role can use is reachable by clicks from that role's home: the pages
answering the role with 200 (``tests.reachability.pages_of``, from the URL conf and the
access matrix's parameters) all appear among the routes the links of the pages reached
from ``/`` name (``tests.reachability.crawl``)."""

import pytest
from django.test import Client

from tests.reachability import crawl, pages_of
from tests.trust.worlds import build_full

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "evaluator", "tutor", "participant", "applicant")


def user_of(full, role: str):
    return full.portal.applicant if role == "applicant" else getattr(full.world, role)


@pytest.fixture
def full(world):
    return build_full(world)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_is_reached_by_clicks_from_home(full, role):
    client = Client()
    client.force_login(user_of(full, role))
    expected = pages_of(client, full, role)
    found = crawl(client)
    missing = sorted(expected - found.reached)
    assert not missing, f"{role}: pages reachable only by typing their URL: {missing}"
    # The expectation is not empty: each role has pages of its own beyond home.
    assert len(expected) >= 3, expected
