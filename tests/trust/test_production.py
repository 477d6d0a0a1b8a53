"""The production profile: explicit host names (never a wildcard), secure cookies, HSTS,
HTTPS redirect, the Content Security Policy; ``check --deploy`` is in
``tests/test_security.py``. Each case starts a fresh interpreter with the profile."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "x" * 20 + "-not-a-real-secret-key-but-long-and-random-enough-0123456789"
READ = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ("
    "'ALLOWED_HOSTS', 'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF', "
    "'X_FRAME_OPTIONS', 'MIDDLEWARE', 'MEDIA_URL', 'SESSION_EXPIRE_AT_BROWSER_CLOSE', 'SESSION_COOKIE_AGE')}))"
)


def run(**env):
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "SECRET_KEY": SECRET, **env}
    full = {k: v for k, v in full.items() if v is not None}
    full.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", READ], cwd=ROOT, env=full, capture_output=True, text=True, check=False)


def test_production_settings_are_safe():
    result = run(ALLOWED_HOSTS="incubator.example.org,www.incubator.example.org")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["ALLOWED_HOSTS"] == ["incubator.example.org", "www.incubator.example.org"]
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in values["MIDDLEWARE"]
    assert values["MEDIA_URL"] != "/media/"
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] and values["SESSION_COOKIE_AGE"] <= 12 * 3600


@pytest.mark.parametrize("hosts", [None, "", "*", "incubator.example.org,*"])
def test_production_refuses_to_start_without_explicit_hosts(hosts):
    result = run(ALLOWED_HOSTS=hosts)  # None: not set at all
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
