"""Schemathesis with all its checks against ``/api/schema/``, as a coordinator and as a
participant of a programme with a record of every kind (``tests.trust.worlds``): status
codes, content types, headers and bodies as documented, no server error, invalid data
refused, valid data accepted unless a business rule refuses it (a documented 4xx).

Every operation runs inside one test per role (one world built once), with few examples
each (``SCHEMATHESIS_ROLE_EXAMPLES``, default 3) and derandomised, so that both roles take
a few minutes; the failures of every operation are reported together."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import ignored_auth, positive_data_acceptance

from tests.trust.worlds import build_full

EXAMPLES = int(os.environ.get("SCHEMATHESIS_ROLE_EXAMPLES", "3"))
# Operations that would end the run's own authentication.
SKIPPED = {"POST /api/v1/auth/token/revoke/", "DELETE /api/v1/auth/token/revoke/"}

# Schema-valid data that a business rule refuses (an id that does not exist or is out of
# reach, an act the record's state does not allow, a period that overlaps another) is
# answered 400 with a message per field, which every operation documents: the generator
# cannot know the rules, so "valid data accepted" is left out; every other check runs.
# "Invalid authentication ignored" sends a made-up session cookie beside the run's valid
# token, which rightly authenticates the request (any API with two schemes would "fail");
# invalid and revoked tokens are tested in tests/trust/test_auth.py.
EXCLUDED_CHECKS = [positive_data_acceptance, ignored_auth]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes old connections around each request: inside a test
    transaction that would end the test's transaction (see tests/trust/test_schemathesis.py)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run_every_operation(user) -> dict[str, str]:
    token = Token.objects.get_or_create(user=user)[0].key
    headers = {"Authorization": f"Token {token}"}
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported together below
            failures[operation.label] = str(error)[:2000]
    return failures


@pytest.mark.parametrize("role", ["coordinator", "participant"])
def test_every_operation_answers_as_documented(role, world, media):
    build_full(world)
    failures = run_every_operation(getattr(world, role))
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in sorted(failures.items()))
