"""Authentication with login throttling per account and per client address.

Failures are counted in the default cache (Redis in production, shared by every web
process). Once an account or an address passes its limit, every attempt - even with the
right password - is refused until the lockout expires, so a guesser learns nothing. The
backend sits under every login path: pages, admin and the API token endpoint."""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

logger = logging.getLogger("incubator.auth")


def client_address(request) -> str:
    if request is None:
        return "unknown"
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and the proxy in front of gunicorn sets REMOTE_ADDR through its own configuration.
    return request.META.get("REMOTE_ADDR", "unknown")


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
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def reset(username: str) -> None:
    cache.delete(_key("account", username))


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        address = client_address(request)
        if is_locked(username or "", address):
            logger.warning("login refused: too many failures (address %s)", address)
            # PermissionDenied stops Django from trying other backends.
            raise PermissionDenied("Too many failed attempts; try again later.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            _count_failure(username or "", address)
        else:
            reset(username)
        return user

    def _username_field(self) -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
