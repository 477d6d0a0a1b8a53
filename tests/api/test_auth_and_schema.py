"""Token authentication (obtain, use, revoke), anonymous access refused everywhere, and
the OpenAPI schema and docs."""

import pytest
import yaml
from django.core.cache import cache
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.helpers import ANONYMOUS

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"


@pytest.fixture(autouse=True)
def fresh_login_counters():
    """Failed logins are counted per address in the cache (incubator.auth): other tests'
    failures from the same test address must not lock these tests out, nor these theirs."""
    cache.clear()
    yield
    cache.clear()


def obtain(client, username, password="pw-test-12345"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


@pytest.mark.parametrize("method", ["delete", "post"])
def test_token_obtain_use_and_revoke(method, world):
    client = APIClient()
    response = obtain(client, world.coordinator.username)
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=world.coordinator).key == key
    assert obtain(client, world.coordinator.username).json()["token"] == key  # the same until revoked

    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = client.get("/api/v1/calls/")
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["results"]] == [world.call.pk]

    assert getattr(client, method)(REVOKE_URL).status_code == 204
    assert not Token.objects.filter(user=world.coordinator).exists()
    assert client.get("/api/v1/calls/").status_code in ANONYMOUS
    client.credentials()
    assert obtain(client, world.coordinator.username).json()["token"] != key


def test_revoke_only_touches_own_token(world):
    Token.objects.create(user=world.evaluator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {obtain(client, world.coordinator.username).json()['token']}")
    assert client.delete(REVOKE_URL).status_code == 204
    assert Token.objects.filter(user=world.evaluator).exists()


@pytest.mark.parametrize(
    ("username", "password"), [("A-coordinator", "wrong-password"), ("nobody", "pw-test-12345"), ("", "")]
)
def test_bad_credentials_get_no_token(username, password, world):
    response = obtain(APIClient(), username, password)
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(world):
    world.coordinator.is_active = False
    world.coordinator.save()
    assert obtain(APIClient(), world.coordinator.username).status_code == 400
    assert not Token.objects.exists()


def test_token_endpoint_is_locked_after_repeated_failures(world, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    client = APIClient()
    for _ in range(2):
        assert obtain(client, world.coordinator.username, "wrong-password").status_code == 400
    # Locked: even the right password gets no token, so a guesser learns nothing.
    response = obtain(client, world.coordinator.username)
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_anonymous_cannot_revoke():
    assert APIClient().delete(REVOKE_URL).status_code in ANONYMOUS


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "programmes/"),
        ("post", "programmes/"),
        ("get", "calls/"),
        ("post", "calls/"),
        ("get", "calls/{call}/ranking/"),
        ("post", "calls/{call}/ranking/compute/"),
        ("post", "calls/{call}/decide/"),
        ("get", "applications/"),
        ("get", "applications/{application}/"),
        ("post", "applications/"),
        ("post", "applications/{application}/submit/"),
        ("post", "applications/{application}/check/"),
        ("post", "applications/{application}/decide/"),
        ("post", "applications/{application}/withdraw/"),
        ("post", "applications/{application}/assign-evaluator/"),
        ("post", "applications/{application}/refer-to-crowdfunding/"),
        ("get", "evaluations/"),
        ("get", "ventures/"),
        ("get", "ventures/{venture}/"),
        ("post", "ventures/"),
        ("post", "ventures/{venture}/legal-form/"),
        ("get", "people/"),
        ("get", "people/{person}/"),
        ("post", "people/"),
        ("patch", "people/{person}/"),
        ("get", "enrolments/"),
    ],
)
def test_anonymous_is_refused_everywhere(method, path, world):
    path = path.format(
        call=world.call.pk,
        application=world.application.pk,
        venture=world.venture.pk,
        person=world.participant_person.pk,
    )
    response = getattr(APIClient(), method)(f"/api/v1/{path}", {}, format="json")
    assert response.status_code in ANONYMOUS
    world.application.refresh_from_db()
    assert world.application.state == "draft"


def test_schema_is_valid_openapi_3(admin_user):
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/calls/{id}/ranking/", "get"),
        ("/api/v1/calls/{id}/ranking/compute/", "post"),
        ("/api/v1/calls/{id}/decide/", "post"),
        ("/api/v1/applications/{id}/check/", "post"),
        ("/api/v1/applications/{id}/assign-evaluator/", "post"),
        ("/api/v1/evaluations/{id}/score/", "post"),
        ("/api/v1/evaluations/{id}/declare-conflict/", "post"),
        ("/api/v1/ventures/{id}/legal-form/", "post"),
        ("/api/v1/people/{id}/", "patch"),
        ("/api/v1/enrolments/{id}/dates/", "post"),
        ("/api/v1/enrolments/{id}/status/", "post"),
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/auth/token/revoke/", "delete"),
    ]:
        assert method in paths[path], path
    check = paths["/api/v1/applications/{id}/check/"]["post"]["requestBody"]["content"]["application/json"]
    assert check["schema"]["$ref"].endswith("/ApplicationCheckRequest")


def test_docs_answer():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
