"""Login throttling (incubator.auth) under allauth's pages, and the client's address taken
from a trusted proxy's header only (issue 20, item 12)."""

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.test import RequestFactory, override_settings
from django.urls import reverse

from incubator.auth import client_address
from tests import factories as f

PROXY = "10.0.0.5"


def address(remote: str, forwarded: str | None = None, header: str = "HTTP_X_FORWARDED_FOR") -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta[header] = forwarded
    return client_address(RequestFactory().get("/", **meta))


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_ignored():
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client():
    assert address(PROXY, "198.51.100.1") == "198.51.100.1"
    # A client that sends its own header gets the proxy's real entry appended after it.
    assert address(PROXY, "1.2.3.4, 198.51.100.1") == "198.51.100.1"
    assert address(PROXY, "not-an-ip, 198.51.100.1") == "198.51.100.1"
    # No header, an empty one, or a garbled last entry: the proxy itself.
    assert address(PROXY) == PROXY
    assert address(PROXY, "") == PROXY
    assert address(PROXY, "198.51.100.1, garbage") == PROXY


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_an_untrusted_client_cannot_choose_its_address_with_the_header():
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert address("203.0.113.9", PROXY) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8::/32"])
def test_chains_of_trusted_proxies_networks_ipv6_and_ports():
    assert address("10.0.0.5", "198.51.100.1, 10.1.1.1, 10.2.2.2") == "198.51.100.1"
    assert address("2001:db8::1", "[2001:db8:ffff::7]:443, 2a00:1450::1") == "2a00:1450::1"
    assert address("10.0.0.5", "198.51.100.1:51234") == "198.51.100.1"
    # Every hop trusted: the leftmost one is the nearest to the client we know.
    assert address("10.0.0.5", "10.3.3.3, 10.2.2.2") == "10.3.3.3"


@override_settings(TRUSTED_PROXIES=[PROXY], CLIENT_ADDRESS_HEADER="X-Real-IP")
def test_the_header_name_is_configurable():
    assert address(PROXY, "198.51.100.1", header="HTTP_X_REAL_IP") == "198.51.100.1"
    assert address(PROXY, "198.51.100.1") == PROXY  # X-Forwarded-For is not read then


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_allauth_counts_its_limits_by_the_same_address():
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert get_adapter(request).get_client_ip(request) == "198.51.100.1"


def _login(client, login, password, **meta):
    return client.post(reverse("account_login"), {"login": login, "password": password}, **meta)


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=[PROXY], LOGIN_FAILURES_PER_ADDRESS=3, LOGIN_FAILURES_PER_ACCOUNT=100)
def test_behind_the_proxy_one_guesser_does_not_lock_everyone_out(client):
    f.UserFactory(username="luca", email="luca@example.org", password="right-password-1")
    for i in range(3):
        _login(client, f"someone{i}@example.org", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    _login(client, "luca@example.org", "right-password-1", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert "_auth_user_id" not in client.session  # the guesser's address is locked
    _login(client, "luca@example.org", "right-password-1", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client.session["_auth_user_id"]  # another client through the same proxy is not


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=[PROXY], LOGIN_FAILURES_PER_ADDRESS=3, LOGIN_FAILURES_PER_ACCOUNT=100)
def test_spoofed_headers_from_an_untrusted_client_do_not_reset_its_count(client):
    f.UserFactory(username="luca", email="luca@example.org", password="right-password-1")
    for i in range(3):
        spoofed = f"198.51.100.{i + 10}"
        _login(client, f"x{i}@example.org", "wrong", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=spoofed)
    _login(client, "luca@example.org", "right-password-1", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_a_locked_account_answers_exactly_as_a_wrong_password(client):
    user = f.UserFactory(username="anna", email="anna@example.org", password="right-password-1")
    EmailAddress.objects.create(user=user, email="anna@example.org", verified=True, primary=True)
    wrong = None
    for _ in range(3):
        wrong = _login(client, "anna@example.org", "wrong", REMOTE_ADDR="10.9.0.1")
    locked = _login(client, "anna@example.org", "right-password-1", REMOTE_ADDR="10.9.0.2")
    assert "_auth_user_id" not in client.session
    assert locked.status_code == wrong.status_code == 200
    assert locked.context["form"].errors == wrong.context["form"].errors
    # By username too: guesses by e-mail and by username count against one account.
    _login(client, "anna", "right-password-1", REMOTE_ADDR="10.9.0.3")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_the_back_office_login_shares_the_account_counter(client):
    f.UserFactory(username="coord", email="coord@example.org", password="right-password-1", is_staff=True)
    for _ in range(3):
        _login(client, "coord@example.org", "wrong", REMOTE_ADDR="10.9.0.1")
    client.post("/admin/login/", {"username": "coord", "password": "right-password-1"}, REMOTE_ADDR="10.9.0.3")
    assert "_auth_user_id" not in client.session
    with override_settings(LOGIN_FAILURES_PER_ACCOUNT=100):
        client.post("/admin/login/", {"username": "coord", "password": "right-password-1"}, REMOTE_ADDR="10.9.0.3")
        assert client.session["_auth_user_id"]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["not an address"])
def test_a_bad_trusted_proxy_setting_fails_loudly():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        address(PROXY, "198.51.100.1")
