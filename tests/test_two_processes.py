"""Two web processes against one PostgreSQL and one Redis share sessions, login
throttles and data: the web tier is stateless and can be scaled out (docs/scale-out.md)."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests import factories as f
from tests.redis_server import REDIS_URL, reachable

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Web:
    def __init__(self, env, log):
        self.log = log
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                # The master listens before its worker has loaded Django: the first answer
                # can take many seconds on a busy machine, so wait for it here, once.
                self.request("GET", "/accounts/login/", timeout=90)
                return
            except OSError:
                time.sleep(0.2)
        self.proc.kill()
        raise RuntimeError("the web process did not start")

    def request(self, method, path, body=None, cookies=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read().decode()
        set_cookies = {}
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                set_cookies[name] = rest.split(";")[0]
        return response.status, data, set_cookies

    def login(self, username, password):
        _, page, cookies = self.request("GET", "/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page[:2000]
        token = match.group(1)
        status, _, new = self.request(
            "POST", "/accounts/login/", {"login": username, "password": password, "csrfmiddlewaretoken": token}, cookies
        )
        return status, {**cookies, **new}

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def two_webs(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    if not reachable():
        pytest.skip(f"needs Redis at {REDIS_URL}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "two-process-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": REDIS_URL,
        "LOGIN_FAILURES_PER_ACCOUNT": "3",
        "DB_CONN_MAX_AGE": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    logs = [open(os.environ.get("WEB_LOG_DIR", str(tmp_path)) + f"/web{i}.log", "wb") for i in range(2)]  # noqa: SIM115
    webs = [Web(env, logs[0]), Web(env, logs[1])]
    yield webs
    for web in webs:
        web.stop()
    for log in logs:
        log.close()


def _user(username: str, password: str):
    """A user whose password the web processes can check: they run the prod settings,
    whose hashers do not include the tests' fast MD5 one (PBKDF2 with few rounds here)."""
    user = f.UserFactory(username=username)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def test_two_web_processes_share_sessions_throttles_and_data(two_webs):
    a, b = two_webs
    _user("shared", "right-password-1")
    _user("target", "right-password-1")

    status, cookies = a.login("shared", "right-password-1")
    assert status == 302
    status, page, _ = b.request("GET", "/", cookies={"sessionid": cookies["sessionid"]})
    assert status == 200 and "shared" in page  # the session written by A is read by B
    import redis

    # With Redis configured, sessions are read from it (cached_db) and written through to
    # the database; a logout in one process ends the session in the other as well.
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*cached_db*{cookies['sessionid']}")
    assert len(keys) == 1, keys
    session = {"sessionid": cookies["sessionid"], "csrftoken": cookies["csrftoken"]}
    _, page, _ = b.request("GET", "/accounts/logout/", cookies=session)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, _ = b.request("POST", "/accounts/logout/", {"csrfmiddlewaretoken": token}, cookies=session)
    assert status == 302
    status, page, _ = a.request("GET", "/", cookies={"sessionid": cookies["sessionid"]})
    assert status == 200 and "shared" not in page  # A shows the public home: no one logged in
    assert not redis.Redis.from_url(REDIS_URL).keys(f"*cached_db*{cookies['sessionid']}")

    for _ in range(3):
        status, _ = a.login("target", "wrong")
        assert status == 200
    status, _ = b.login("target", "right-password-1")
    assert status == 200  # refused: the failure counter lives in the shared Redis cache

    status, page, _ = b.request("GET", "/accounts/login/")
    assert status == 200
