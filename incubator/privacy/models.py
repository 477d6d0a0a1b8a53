"""Data-subject rights: consent and refusal records, and the erasure log.

- ``ConsentRecord``: what a person agreed to or refused, for which purpose, when, who
  recorded it, and whether a consent was later withdrawn. A new decision on the same
  purpose supersedes the previous one, which stays as history.
- ``ErasureRequest``: every request to erase a person (by the person, by a coordinator,
  or by the schedule once the retention period has ended) with its outcome: anonymised,
  or refused with the reason (EU documents are kept five years from 31 December of the
  year of the programme's last payment, Regulation (EU) 2021/1060 art. 82).

Imported at the end of ``incubator.models``; writes go through ``incubator.privacy.registry``;
visibility is registered there too (coordinators of the programme and the person)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = ["ConsentPurpose", "ConsentRecord", "ErasureOrigin", "ErasureOutcome", "ErasureRequest"]


class ConsentPurpose(models.TextChoices):
    ESF_MONITORING = "esf_monitoring", _("ESF+ monitoring: entry data and results")
    SPECIAL_CATEGORIES = "special_categories", _("Special categories of data (disability, minority)")
    FOLLOW_UP = "follow_up", _("Contact six months after leaving, for the results survey")
    COMMUNICATIONS = "communications", _("News and invitations from the programme")
    IMAGES = "images", _("Photos and videos taken at events")
    PARTNERS = "partners", _("Contact details shared with the programme's partners")


class ConsentRecord(models.Model):
    person = models.ForeignKey(
        "incubator.Person", on_delete=models.CASCADE, related_name="consents", verbose_name=_("person")
    )
    purpose = models.CharField(_("purpose"), max_length=24, choices=ConsentPurpose.choices)
    given = models.BooleanField(_("given"), help_text=_("Cleared: the person refused."))
    decided_at = models.DateTimeField(_("decided at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("e.g. the signed form's reference."))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn recorded by"),
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["person", "purpose", "-decided_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True, superseded_at__isnull=True),
                name="consent_one_current_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(given=True), name="consent_only_given_is_withdrawn"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("decided_at")),
                name="consent_withdrawn_after_decision",
            ),
            models.CheckConstraint(condition=Q(purpose__in=ConsentPurpose.values), name="consent_purpose_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {_('given') if self.given else _('refused')}"

    @property
    def current(self) -> bool:
        return self.withdrawn_at is None and self.superseded_at is None


class ErasureOrigin(models.TextChoices):
    REQUEST = "request", _("Request")
    RETENTION = "retention", _("End of the retention period")


class ErasureOutcome(models.TextChoices):
    ANONYMISED = "anonymised", _("Anonymised")
    REFUSED = "refused", _("Refused")


class ErasureRequest(models.Model):
    """One erasure request and what came of it. Erasure is anonymisation: the person's
    identity goes, the figures the programme reports stay."""

    person = models.ForeignKey(
        "incubator.Person", on_delete=models.PROTECT, related_name="erasure_requests", verbose_name=_("person")
    )
    programme = models.ForeignKey(
        "incubator.Programme", on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    origin = models.CharField(_("origin"), max_length=10, choices=ErasureOrigin.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ErasureOutcome.choices)
    refusal_code = models.CharField(_("refusal code"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    retention_ends_on = models.DateField(_("retention ends on"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="refused") | (~Q(reason="") & ~Q(refusal_code="")),
                name="erasure_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=ErasureOutcome.values) & Q(origin__in=ErasureOrigin.values),
                name="erasure_choices_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.requested_at:%Y-%m-%d})" if self.requested_at else ""
