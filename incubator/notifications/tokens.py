"""The signed one-click unsubscribe token (RFC 8058): it names the person and the kind of
notification (or ``*``: every e-mail), never expires and needs no login."""

from django.conf import settings
from django.core import signing

from incubator.models import User
from incubator.notifications.kinds import Kind

UNSUBSCRIBE_SALT = "incubator.notifications.unsubscribe"
ALL_KINDS = "*"


def default_language() -> str:
    return settings.LANGUAGE_CODE


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]))
        kind = str(data["k"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if kind != ALL_KINDS and kind not in Kind.values:
        return None
    return user, kind
