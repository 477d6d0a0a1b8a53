"""Security settings that hold for every page: CSP, login throttling, deploy checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests import factories as f

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


EXTERNAL_ASSET = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"']?(https?:)?//", re.I)


def test_external_asset_pattern_finds_what_it_must():
    assert EXTERNAL_ASSET.search('<script defer src="https://cdn.example.org/x.js"></script>')
    assert EXTERNAL_ASSET.search("<link rel='stylesheet' href='//fonts.example.org/f.css'>")
    assert not EXTERNAL_ASSET.search('<script src="/static/vendor/x.js"></script><a href="https://agid.gov.it">')
    assert not EXTERNAL_ASSET.search('<input name="csrfmiddlewaretoken" value="aCdNx">')


def test_every_page_has_a_content_security_policy(client):
    for url in ("/accounts/login/", "/accounts/signup/", "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        # Scripts, styles and fonts come from the site itself: no tag loads from another
        # host. (Not a search for "cdn": a random token on the page may contain it.)
        assert not EXTERNAL_ASSET.search(response.content.decode()), url


def _login(client, username, password, address="10.0.0.1"):
    return client.post("/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=address)


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_account_is_locked_after_repeated_failures_even_with_the_right_password(client):
    f.UserFactory(username="maria", password="right-password-1")
    for _ in range(3):
        assert _login(client, "maria", "wrong").status_code == 200  # form error, no session
    response = _login(client, "maria", "right-password-1", address="10.0.0.2")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 403)


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=100, LOGIN_FAILURES_PER_ADDRESS=3)
def test_address_is_locked_across_accounts(client):
    f.UserFactory(username="luca", password="right-password-1")
    for i in range(3):
        _login(client, f"someone{i}", "wrong", address="10.9.9.9")
    _login(client, "luca", "right-password-1", address="10.9.9.9")
    assert "_auth_user_id" not in client.session
    _login(client, "luca", "right-password-1", address="10.1.1.1")
    assert client.session["_auth_user_id"]


def test_successful_login_resets_the_account_counter(client):
    f.UserFactory(username="anna", password="right-password-1")
    with override_settings(LOGIN_FAILURES_PER_ACCOUNT=3):
        _login(client, "anna", "wrong")
        _login(client, "anna", "wrong")
        _login(client, "anna", "right-password-1")
        assert client.session["_auth_user_id"]
        client.logout()
        _login(client, "anna", "wrong")
        _login(client, "anna", "wrong")
        _login(client, "anna", "right-password-1")
        assert client.session["_auth_user_id"]


def test_production_profile_passes_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "x" * 20 + "-not-a-real-secret-key-but-long-and-random-enough-0123456789",
        "ALLOWED_HOSTS": "incubator.example.org",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_profile_requires_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
