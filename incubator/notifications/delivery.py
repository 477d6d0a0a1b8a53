"""E-mail delivery, run by the background worker (``tasks.send_emails_task``) and by the
scheduler (``reminders.run_scheduler``).

At most once: a row is claimed by moving it from ``pending`` to ``sending`` with a claim
mark in one UPDATE, and only the claimer sends it. A failure to send goes back to
``pending`` with a growing delay (1, 4, 16, 64 minutes) and becomes ``failed`` after
``MAX_ATTEMPTS``; a row left ``sending`` by a worker that died is never resent by itself
(it may have gone out): after ``STALE_AFTER`` it is marked failed for an administrator to
look at and, if they choose, send again from the back office."""

import datetime as dt
import email.policy
import logging
import smtplib
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incubator.notifications import tokens
from incubator.notifications.models import Digest, EmailState, Notification

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 5
BACKOFF = dt.timedelta(minutes=1)
STALE_AFTER = dt.timedelta(minutes=30)
SEND_ERRORS = (smtplib.SMTPException, OSError)


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return (getattr(settings, "SITE_URL", "") or "http://localhost").rstrip("/") + path


def backoff(attempts: int) -> dt.timedelta:
    return BACKOFF * 4 ** max(0, attempts - 1)


def _claim(model, now: dt.datetime) -> list[int]:
    """Moves up to ``BATCH`` due rows to ``sending`` under a fresh mark; returns their ids.
    ``skip_locked`` keeps two workers off each other's rows on PostgreSQL; the state in
    the UPDATE's WHERE keeps them apart anywhere."""
    mark = uuid.uuid4().hex
    with transaction.atomic():
        due = (
            model.objects.select_for_update(skip_locked=True)
            .filter(email_state=EmailState.PENDING, email_next_at__lte=now)
            .order_by("email_next_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        model.objects.filter(pk__in=list(due), email_state=EmailState.PENDING).update(
            email_state=EmailState.SENDING, email_claim=mark, email_next_at=now, email_attempts=F("email_attempts") + 1
        )
    return list(model.objects.filter(email_claim=mark, email_state=EmailState.SENDING).values_list("pk", flat=True))


def _finish(model, sent: list[int], failed: dict[int, tuple[int, str]], now: dt.datetime) -> None:
    if sent:
        model.objects.filter(pk__in=sent).update(email_state=EmailState.SENT, email_sent_at=now, email_error="")
    for pk, (attempts, error) in failed.items():
        if attempts >= MAX_ATTEMPTS:
            model.objects.filter(pk=pk).update(email_state=EmailState.FAILED, email_error=error[:2000])
        else:
            model.objects.filter(pk=pk).update(
                email_state=EmailState.PENDING, email_next_at=now + backoff(attempts), email_error=error[:2000]
            )


def _headers(user_id: int, kind: str) -> dict[str, str]:
    url = absolute(reverse("notifications:unsubscribe", kwargs={"token": tokens.unsubscribe_token(user_id, kind)}))
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


class Message(mail.EmailMultiAlternatives):
    """Headers on one line up to RFC 5322's 998 characters: a long ``List-Unsubscribe`` URL
    folded by the 78-character default would become RFC 2047 encoded-words, which mail
    clients do not read as a URI (RFC 2369 wants it verbatim in angle brackets)."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def _message(*, to: str, subject: str, language: str, template: str, context: dict, headers: dict):
    with translation.override(language):
        context = {
            **context,
            "preferences_url": absolute(reverse("notifications:preferences")),
            "inbox_url": absolute(reverse("notifications:inbox")),
            "unsubscribe_url": headers["List-Unsubscribe"][1:-1],
        }
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = Message(subject=subject, body=text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification: Notification):
    message = _message(
        to=notification.recipient.email,
        subject=notification.subject,
        language=notification.language,
        template="notification",
        context={"notification": notification, "link": absolute(notification.link) if notification.link else ""},
        headers=_headers(notification.recipient_id, notification.kind),
    )
    if notification.attachment_name:
        message.attach(notification.attachment_name, notification.attachment, notification.attachment_type)
    return message


def digest_message(digest: Digest, items: list[Notification]):
    language = items[0].language if items else tokens.default_language()
    with translation.override(language):
        subject = _("Your daily summary: %(count)s notifications") % {"count": len(items)}
    return _message(
        to=digest.recipient.email,
        subject=subject,
        language=language,
        template="digest",
        context={"digest": digest, "items": [(n, absolute(n.link) if n.link else "") for n in items]},
        headers=_headers(digest.recipient_id, tokens.ALL_KINDS),
    )


def _send(rows: Iterable, build) -> tuple[list[int], dict[int, tuple[int, str]]]:
    sent: list[int] = []
    failed: dict[int, tuple[int, str]] = {}
    rows = list(rows)
    if not rows:
        return sent, failed
    try:
        connection = mail.get_connection()
        connection.open()
    except SEND_ERRORS as exc:
        return sent, {row.pk: (row.email_attempts, f"{type(exc).__name__}: {exc}") for row in rows}
    try:
        for row in rows:
            try:
                message = build(row)
            except Exception as exc:  # a bug in a text must not leave the row "sending"
                log.exception("E-mail %s #%s could not be built", type(row).__name__, row.pk)
                failed[row.pk] = (MAX_ATTEMPTS, f"{type(exc).__name__}: {exc}")
                continue
            try:
                connection.send_messages([message])
            except SEND_ERRORS as exc:
                log.warning("E-mail %s #%s not sent: %s", type(row).__name__, row.pk, exc)
                failed[row.pk] = (row.email_attempts, f"{type(exc).__name__}: {exc}")
            else:
                sent.append(row.pk)
    finally:
        try:
            connection.close()
        except SEND_ERRORS:
            log.warning("Closing the mail connection failed", exc_info=True)
    return sent, failed


def send_due_notifications(now: dt.datetime | None = None) -> int:
    total = 0
    while True:
        now = now or timezone.now()
        ids = _claim(Notification, now)
        if not ids:
            return total
        rows = Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("pk")
        sent, failed = _send(rows, notification_message)
        _finish(Notification, sent, failed, timezone.now())
        total += len(sent)
        if failed:  # retried later, not in this loop
            return total


def send_due_digests(now: dt.datetime | None = None) -> int:
    total = 0
    while True:
        now = now or timezone.now()
        ids = _claim(Digest, now)
        if not ids:
            return total
        items: dict[int, list[Notification]] = {}
        for notification in Notification.objects.filter(digest_id__in=ids).order_by("created_at", "pk"):
            items.setdefault(notification.digest_id, []).append(notification)
        rows = Digest.objects.filter(pk__in=ids).select_related("recipient").order_by("pk")
        sent, failed = _send(rows, lambda digest, items=items: digest_message(digest, items.get(digest.pk, [])))
        _finish(Digest, sent, failed, timezone.now())
        total += len(sent)
        if failed:
            return total


def digest_hour() -> int:
    return int(getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 7))


def make_digests(now: dt.datetime | None = None) -> int:
    """Gathers the day's waiting digest notifications into one digest per recipient, from
    ``NOTIFICATIONS_DIGEST_HOUR`` (local time) on. One insert and one update for everyone;
    a second run the same day adds nothing (unique recipient and day)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < digest_hour():
        return 0
    day = local.date()
    waiting = Notification.objects.filter(email_state=EmailState.DIGEST, digest__isnull=True)
    recipients = waiting.order_by().values_list("recipient_id", flat=True).distinct()
    before = Digest.objects.filter(day=day).count()
    Digest.objects.bulk_create(
        [Digest(recipient_id=pk, day=day, email_state=EmailState.PENDING, email_next_at=now) for pk in recipients],
        ignore_conflicts=True,
    )
    open_digest = Digest.objects.filter(recipient_id=OuterRef("recipient_id"), day=day, email_state=EmailState.PENDING)
    waiting.filter(Exists(open_digest)).update(
        digest_id=Subquery(open_digest.values("pk")[:1]), email_state=EmailState.DIGESTED
    )
    # A recipient whose notifications all went into an earlier digest today gets none.
    Digest.objects.filter(day=day, email_state=EmailState.PENDING, notifications__isnull=True).delete()
    return Digest.objects.filter(day=day).count() - before


def fail_stale(now: dt.datetime | None = None) -> int:
    """Rows left ``sending`` by a worker that stopped: failed, for an administrator."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    message = "The sender stopped while sending; not resent automatically (it may have gone out)."
    return sum(
        model.objects.filter(email_state=EmailState.SENDING, email_next_at__lt=cutoff).update(
            email_state=EmailState.FAILED, email_error=message
        )
        for model in (Notification, Digest)
    )


def retry(queryset: QuerySet) -> int:
    """An administrator's "send again" for failed rows."""
    return queryset.filter(email_state=EmailState.FAILED).update(
        email_state=EmailState.PENDING, email_next_at=timezone.now(), email_attempts=0
    )
