"""Notifications, their e-mail delivery state, daily digests and each person's preferences.

"Sent once per event and recipient" is a database rule: ``(recipient, key)`` is unique, so
a second scheduler run, a retried task or a restarted worker cannot make a second row, and
an e-mail is sent only by whoever moves its row from ``pending`` to ``sending``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incubator.notifications.kinds import Channel, Kind


class EmailState(models.TextChoices):
    NONE = "none", _("No e-mail")
    PENDING = "pending", _("To send")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DIGEST = "digest", _("Waiting for the digest")
    DIGESTED = "digested", _("In a digest")


class EmailDelivery(models.Model):
    """What the worker needs to send one message once, retry it with backoff, and show
    administrators what failed."""

    email_state = models.CharField(_("e-mail"), max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    email_next_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    email_error = models.TextField(_("last error"), blank=True)
    # The sender's mark on the rows it claimed (pending -> sending in one UPDATE), so that
    # two workers never send the same row, on PostgreSQL as on SQLite.
    email_claim = models.CharField(_("claimed by"), max_length=32, blank=True, editable=False)

    class Meta:
        abstract = True


class Digest(EmailDelivery):
    """One daily digest per recipient and day (unique: two scheduler runs make one)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="digest_once_per_recipient_and_day")]
        indexes = [models.Index(fields=["email_state", "email_next_at"], name="digest_due")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.day}"


class Notification(EmailDelivery):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    key = models.CharField(_("event key"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    attachment_name = models.CharField(_("attachment"), max_length=100, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=60, blank=True)
    attachment = models.TextField(_("attachment content"), blank=True)
    digest = models.ForeignKey(
        Digest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("digest"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event_and_recipient"),
            models.CheckConstraint(condition=~Q(key=""), name="notification_key_not_empty"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_state", "email_next_at"], name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class RecipientSettings(models.Model):
    """A person's language for notifications and the switch that stops every e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    emails_off = models.BooleanField(_("no e-mails at all"), default=False)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class NotificationPreference(models.Model):
    """How one kind reaches one person; a kind without a row uses its default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.channel}"
