"""Authentication: Django's password validators, session expiry, API token revocation
and the API's throttles (off in the test profile, switched on here as in deployment).
Login throttling per account and per address is in ``tests/test_security.py``."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from api.incubator.views import TokenObtainView
from tests import factories as f

pytestmark = pytest.mark.django_db


# --- passwords ------------------------------------------------------------------------------------


def test_the_password_validators_are_configured():
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


@pytest.mark.parametrize(
    "password", ["short-1", "password123", "12345678901234", "giovanna.esposito", "Giovanna-Esposito"]
)
def test_weak_passwords_are_refused(password):
    user = f.UserFactory.build(username="giovanna.esposito", first_name="Giovanna", last_name="Esposito")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_unusual_password_is_accepted():
    user = f.UserFactory.build(username="giovanna.esposito")
    validate_password("vesuvio-tramonto-42-sfogliatella", user)


def test_the_admin_refuses_a_weak_password_for_a_new_account(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/incubator/user/add/",
        {"username": "nuovo", "password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not f.UserFactory._meta.model.objects.filter(username="nuovo").exists()


# --- sessions -------------------------------------------------------------------------------------


def test_a_session_expires_after_session_cookie_age(world):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = Client()
        assert (
            client.post(
                "/accounts/login/", {"login": world.participant.username, "password": "pw-test-12345"}
            ).status_code
            == 302
        )
        assert client.get("/my-path/").status_code == 200
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes
    with time_machine.travel(start + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60), tick=False):
        assert client.get("/my-path/").status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60), tick=False):
        response = client.get("/my-path/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client.get("/api/v1/programmes/").status_code == 401


def test_changing_the_password_ends_other_sessions(world):
    client = Client()
    client.force_login(world.coordinator)
    assert client.get("/dashboard/").status_code == 200
    world.coordinator.set_password("another-long-password-2026")
    world.coordinator.save()
    assert client.get("/dashboard/").status_code == 302


# --- API tokens -----------------------------------------------------------------------------------


def test_a_revoked_token_opens_nothing(world):
    client = APIClient()
    key = client.post(
        "/api/v1/auth/token/", {"username": world.coordinator.username, "password": "pw-test-12345"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/programmes/{world.programme.pk}/").status_code == 200
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    refused = client.get(f"/api/v1/programmes/{world.programme.pk}/")
    # Not authenticated (401, with the scheme to use), not "forbidden" (issue 20, item 13).
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert not Token.objects.filter(key=key).exists()


@pytest.mark.parametrize("header", ["Token 0000000000000000000000000000000000000000", "Token", None])
def test_no_valid_token_is_401_with_a_challenge(world, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    refused = client.get("/api/v1/calls/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"


def test_a_session_still_opens_the_api(world):
    client = APIClient()
    client.force_login(world.coordinator)
    assert client.get("/api/v1/calls/").status_code == 200


def test_a_deactivated_account_token_opens_nothing(world):
    token = Token.objects.create(user=world.coordinator)
    world.coordinator.is_active = False
    world.coordinator.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/programmes/").status_code == 401


# --- API throttles --------------------------------------------------------------------------------


@pytest.fixture
def throttled(monkeypatch):
    """The deployment's throttles with small rates. DRF reads the classes and rates when
    its view classes are defined, so they are set on them as well."""
    rest = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [
            "api.throttling.AnonRateThrottle",
            "api.throttling.UserRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    with override_settings(REST_FRAMEWORK=rest):
        monkeypatch.setattr(APIView, "throttle_classes", api_settings.DEFAULT_THROTTLE_CLASSES)
        monkeypatch.setattr(TokenObtainView, "throttle_classes", api_settings.DEFAULT_THROTTLE_CLASSES)
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
        # Thirty seconds into a window, so that no request here falls in the next one.
        monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: 1_800_000_030.0))
        cache.clear()
        yield
        cache.clear()


def test_api_throttles_answer_429_past_the_rate(world, throttled):
    client = APIClient()
    client.force_authenticate(world.coordinator)
    answers = [client.get("/api/v1/programmes/").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    response = client.get("/api/v1/calls/")
    # Retry-After: the seconds left in the window.
    assert response.status_code == 429 and response["Retry-After"] == "30"
    # Another user has their own allowance.
    other = APIClient()
    other.force_authenticate(world.evaluator)
    assert other.get("/api/v1/programmes/").status_code == 200


def test_the_token_endpoint_is_throttled_for_anonymous_clients(world, throttled):
    client = APIClient()
    body = {"username": world.coordinator.username, "password": "wrong"}
    answers = [client.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(4)]
    assert answers == [400, 400, 400, 429]
