"""A calendar feed: a secret, revocable token per person, role and programme."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incubator.models import Programme


def new_feed_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret, revocable iCalendar subscription URL (/calendar/<token>.ics).
    The events come from the sources each app registers in ``incubator.calendar.sources``."""

    class Kind(models.TextChoices):
        PARTICIPANT = "participant", _("Participant")
        TUTOR = "tutor", _("Tutor / trainer")
        COHORT = "cohort", _("Cohort")

    token = models.CharField(
        max_length=64, unique=True, default=new_feed_token, editable=False, verbose_name=_("token")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="calendar_feeds", verbose_name=_("programme")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("user"),
    )
    # The cohort of a cohort feed (cohorts depend on incubator, so no foreign key here).
    subject_id = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("subject id"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="cohort", subject_id__isnull=False) | (~Q(kind="cohort") & Q(user__isnull=False)),
                name="calendar_feed_has_subject",
            ),
            models.UniqueConstraint(
                fields=["kind", "programme", "user"],
                condition=Q(revoked_at__isnull=True, user__isnull=False),
                name="calendar_feed_one_active_per_user",
            ),
            models.UniqueConstraint(
                fields=["kind", "programme", "subject_id"],
                condition=Q(revoked_at__isnull=True, subject_id__isnull=False),
                name="calendar_feed_one_active_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed ({self.programme.code})"
