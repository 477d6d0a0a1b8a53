"""Every write of notifications: making them (``notify``, and ``deliver`` for the
scheduler's reminders), reading them, preferences, language and one-click unsubscribe.

``notify`` is the one call other subjects make, from inside their services::

    notify(Kind.TRANCHE_PAID, users, about=tranche, context={...}, link=url)

It waits for the caller's transaction to commit (a rolled-back action tells nobody),
then makes one row per recipient - the ``(recipient, key)`` unique key drops repeats -
rendered in each recipient's language, and asks the background worker to send what is
due now. A failure here is logged and never undoes the caller's committed action."""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import formats, timezone, translation
from django.utils.functional import Promise

from incubator import audit
from incubator.exceptions import DomainError
from incubator.models import User
from incubator.notifications.kinds import TEXTS, Channel, Kind
from incubator.notifications.models import (
    EmailState,
    Notification,
    NotificationPreference,
    RecipientSettings,
)
from incubator.notifications.tokens import ALL_KINDS, default_language
from incubator.notifications.tokens import read_unsubscribe_token as read_unsubscribe_token
from incubator.notifications.tokens import unsubscribe_token as unsubscribe_token

log = logging.getLogger(__name__)

CHUNK = 500  # recipients per round of queries when many notifications are made at once


@dataclass(frozen=True)
class Event:
    """One event to tell ``recipient_ids`` about; ``key`` identifies it (with the kind)."""

    kind: str
    key: str
    recipient_ids: Sequence[int]
    context: Mapping[str, Any] = field(default_factory=dict)
    link: str = ""
    attachment: tuple[str, str, str] | None = None  # (file name, MIME type, text)


def _ids(recipients: Iterable[Any]) -> list[int]:
    ids = []
    for recipient in recipients:
        if recipient is None:
            continue
        ids.append(recipient if isinstance(recipient, int) else recipient.pk)
    return sorted(set(ids))


def event_key(kind: str, about: Model | None, key: str | None) -> str:
    if key is None:
        if about is None:
            raise ValueError("notify() needs a key or an object it is about")
        key = f"{about._meta.label_lower}:{about.pk}"
    return f"{str(kind)}:{key}"[:200]


def notify(
    kind: str,
    recipients: Iterable[Any],
    *,
    about: Model | None = None,
    key: str | None = None,
    context: Mapping[str, Any] | None = None,
    link: str = "",
    attachment: tuple[str, str, str] | None = None,
) -> None:
    """Tells ``recipients`` (users or user ids) about an event once the current transaction
    commits. The same ``kind`` and ``key`` (default: the object it is ``about``) for the
    same recipient is never made twice."""
    if kind not in TEXTS:
        raise ValueError(f"unknown notification kind {kind!r}")
    event = Event(kind, event_key(kind, about, key), _ids(recipients), dict(context or {}), link, attachment)
    if not event.recipient_ids:
        return

    def deliver_and_send() -> None:
        if deliver([event]):
            from incubator.notifications.tasks import send_emails_task

            send_emails_task.enqueue()

    transaction.on_commit(deliver_and_send, robust=True)


def _format(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Promise):
        return str(value)
    return str(value)


def render(kind: str, context: Mapping[str, Any], language: str) -> tuple[str, str]:
    """The subject and text of a kind in ``language``."""
    texts = TEXTS[kind]
    with translation.override(language):
        values = {name: _format(value) for name, value in context.items()}
        return str(texts.subject), str(texts.body) % values


def _channel(kind: str, chosen: dict[str, str]) -> str:
    return chosen.get(kind, TEXTS[kind].default)


def deliver(events: Sequence[Event], now: dt.datetime | None = None) -> int:
    """Makes the rows of ``events`` (already made ones are skipped by the unique key);
    returns how many were meant for e-mail at once. Queries: three a chunk of
    ``CHUNK`` recipients (their address and settings, their preferences, one insert),
    however many events and people."""
    now = now or timezone.now()
    pairs = [(event, user_id) for event in events for user_id in event.recipient_ids]
    instant = 0
    rendered: dict[tuple[int, str], tuple[str, str]] = {}
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start : start + CHUNK]
        user_ids = {user_id for _event, user_id in chunk}
        people = {
            row["pk"]: row
            for row in User.objects.filter(pk__in=user_ids).values(
                "pk", "email", "is_active", "notification_settings__language", "notification_settings__emails_off"
            )
        }
        chosen: dict[int, dict[str, str]] = {}
        for user_id, kind, channel in NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "kind", "channel"
        ):
            chosen.setdefault(user_id, {})[kind] = channel
        rows = []
        for event, user_id in chunk:
            person = people.get(user_id)
            if person is None:
                continue
            language = person["notification_settings__language"] or default_language()
            texts = rendered.get((id(event), language))
            if texts is None:
                texts = rendered[(id(event), language)] = render(event.kind, event.context, language)
            channel = _channel(event.kind, chosen.get(user_id, {}))
            reachable = person["email"] and person["is_active"] and not person["notification_settings__emails_off"]
            if channel == Channel.OFF or not reachable:
                state = EmailState.NONE
            elif channel == Channel.DIGEST:
                state = EmailState.DIGEST
            else:
                state = EmailState.PENDING
                instant += 1
            name, mime, content = event.attachment or ("", "", "")
            rows.append(
                Notification(
                    recipient_id=user_id,
                    kind=event.kind,
                    key=event.key,
                    subject=texts[0][:200],
                    body=texts[1],
                    link=event.link[:500],
                    language=language,
                    email_state=state,
                    email_next_at=now if state == EmailState.PENDING else None,
                    attachment_name=name,
                    attachment_type=mime,
                    attachment=content,
                )
            )
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return instant


# --- the recipient's own actions -----------------------------------------------------------


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise DomainError("Not your notification.", code="not_found", field="notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def recipient_settings(user) -> RecipientSettings:
    found = RecipientSettings.objects.filter(user=user).first()
    return found or RecipientSettings(user=user, language=default_language())


def channels_of(user) -> dict[str, str]:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: _channel(kind, chosen) for kind in Kind.values}


@transaction.atomic
def preferences_set(*, actor, channels: Mapping[str, str], language: str, emails_off: bool) -> RecipientSettings:
    """Saves a person's channel per kind, language and the no-e-mail switch (their own only)."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError("Choose a language from the list.", code="invalid", field="language")
    for kind, channel in channels.items():
        if kind not in Kind.values:
            raise DomainError("Unknown kind of notification.", code="invalid", field=kind)
        if channel not in Channel.values:
            raise DomainError("Choose how you want to be told.", code="invalid", field=kind)
    before = {"language": recipient_settings(actor).language, "channels": channels_of(actor)}
    found, _created = RecipientSettings.objects.update_or_create(
        user=actor, defaults={"language": language, "emails_off": emails_off}
    )
    for kind, channel in channels.items():
        NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"channel": channel})
    audit.record(
        actor=actor,
        verb="notification_preferences.update",
        target=found,
        programme_id=None,
        before=before,
        after={"language": language, "emails_off": emails_off, "channels": dict(channels)},
    )
    return found


# --- one-click unsubscribe (RFC 8058) --------------------------------------------------------


@transaction.atomic
def unsubscribe(*, user, kind: str) -> None:
    """Stops the e-mails of one kind (the inbox keeps them), or every e-mail for ``*``.
    Idempotent: a mail client may post the same link twice."""
    if kind == ALL_KINDS:
        RecipientSettings.objects.update_or_create(
            user=user,
            defaults={"emails_off": True},
            create_defaults={"emails_off": True, "language": default_language()},
        )
    else:
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": Channel.OFF})
    found, _created = RecipientSettings.objects.get_or_create(user=user, defaults={"language": default_language()})
    audit.record(actor=user, verb="notification.unsubscribe", target=found, programme_id=None, after={"kind": kind})
