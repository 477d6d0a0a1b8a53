"""Authentication with login throttling per account and per client address.

Failures are counted in the default cache (Redis in production, shared by every web
process). Once an account or an address passes its limit, every attempt - even with the
right password - is refused until the lockout expires, so a guesser learns nothing. The
backend sits under every login path: pages, admin and the API token endpoint."""

import functools
import hashlib
import ipaddress
import logging

from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q

from config import counters

logger = logging.getLogger("incubator.auth")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None


def _parse(value: str) -> IPAddress | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's address for throttling and records.

    REMOTE_ADDR, unless it is one of ``TRUSTED_PROXIES``: then ``CLIENT_ADDRESS_HEADER``
    (X-Forwarded-For by default) is read from the right, skipping the addresses of trusted
    proxies; the first other address is the client. Everything left of it was written by
    the client and is ignored, so a client cannot choose its address by sending the header
    itself (directly, the header is not read at all; through the proxy, the proxy appends
    the address it saw). An entry that is not an address stops the walk at the last trusted
    hop."""
    if request is None:
        return "unknown"
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    remote_ip = _parse(remote)
    if not trusted or remote_ip is None or not any(remote_ip in net for net in trusted):
        return remote
    header = "HTTP_" + settings.CLIENT_ADDRESS_HEADER.upper().replace("-", "_")
    hops = [hop for hop in request.META.get(header, "").split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        ip = _parse(hop)
        if ip is None:
            break
        client = str(ip)
        if not any(ip in net for net in trusted):
            break
    return client


def _key(kind: str, value: str) -> str:
    # Hash: usernames may contain characters that are not valid cache keys; no PII in keys.
    return f"login-fail:{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()[:32]}"


def _limits() -> dict[str, int]:
    return {"account": settings.LOGIN_FAILURES_PER_ACCOUNT, "address": settings.LOGIN_FAILURES_PER_ADDRESS}


def is_locked(username: str, address: str) -> bool:
    limits = _limits()
    counts = cache.get_many([_key("account", username), _key("address", address)])
    return (
        counts.get(_key("account", username), 0) >= limits["account"]
        or counts.get(_key("address", address), 0) >= limits["address"]
    )


def _count_failure(username: str, address: str) -> None:
    for key in (_key("account", username), _key("address", address)):
        counters.hit(cache, key, settings.LOGIN_LOCKOUT_SECONDS)


def reset(username: str) -> None:
    cache.delete(_key("account", username))


def account_of(login: str) -> str:
    """The account that ``login`` (a username or an e-mail address) names, so that guesses
    by username and by e-mail count against one account; the typed text when it names none
    or several (no account exists: nothing to protect, and the answer stays the same)."""
    if not login:
        return ""
    user_model = get_user_model()
    by_email = EmailAddress.objects.filter(email__iexact=login).values("user_id")
    pks = list(
        user_model.objects.filter(Q(username=login) | Q(email__iexact=login) | Q(pk__in=by_email)).values_list(
            "pk", flat=True
        )[:2]
    )
    return f"user:{pks[0]}" if len(pks) == 1 else login


class ThrottledModelBackend(AuthenticationBackend):
    """allauth's backend (login by e-mail or username; the admin and the API token pass a
    username) behind the throttle. A locked login answers exactly as a wrong password."""

    def authenticate(self, request, **credentials):
        if not credentials.get("password"):
            return None
        # What the person typed: an e-mail address or a username.
        login = account_of(credentials.get("username") or credentials.get("email") or "")
        address = client_address(request)
        if is_locked(login, address):
            logger.warning("login refused: too many failures (address %s)", address)
            # PermissionDenied stops Django from trying other backends.
            raise PermissionDenied("Too many failed attempts; try again later.")
        user = super().authenticate(request, **credentials)
        if user is None:
            _count_failure(login, address)
        else:
            reset(login)
        return user
