"""Schemathesis against the project's own OpenAPI schema (``/api/schema/``), in-process
through the WSGI application: every operation, a few generated examples each (valid and
invalid data), authenticated as a coordinator of the ``world`` programme so that ids and
writes reach real records (``SCHEMATHESIS_FULL=1``: a record of every kind). Checks: no
server error (5xx), and every documented response conforms to its schema. Bounded
(``MAX_EXAMPLES`` per operation and phase, derandomised) so that the whole run takes a
few minutes at most; ``SCHEMATHESIS_MAX_EXAMPLES`` raises it."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
# A deeper run (e.g. before a release): one record of every kind, so that generated ids
# from 1 upwards hit real records of every endpoint.
FULL = os.environ.get("SCHEMATHESIS_FULL", "") == "1"
# A file to append "<operation> <status>" to for each example (how much the run covered).
REPORT = os.environ.get("SCHEMATHESIS_REPORT", "")

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes old database connections around each request; Django's
    test client switches that off, and so must a WSGI client inside a test transaction
    (on PostgreSQL the closed connection would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def coordinator_token(world, media) -> str:
    """The coordinator of programme A (the ``world`` fixture's records)."""
    if FULL:
        from tests.trust.worlds import build_full

        build_full(world)
    return Token.objects.create(user=world.coordinator).key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_without_server_errors_and_as_documented(case, coordinator_token):
    response = case.call_and_validate(
        headers={"Authorization": f"Token {coordinator_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
    if REPORT:
        with open(REPORT, "a") as report:
            report.write(f"{case.operation.label} {response.status_code}\n")
