"""The path's own records beside ``Milestone``: the periods an enrolment was suspended.

Imported at the end of ``incubator.models``; writes go through ``incubator.services_path``."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = ["EnrolmentSuspension"]


class EnrolmentSuspension(models.Model):
    """A pause of an enrolment's clock. Open while ``ends_on`` is empty; when it closes the
    open milestones' due dates move by its length (never past the enrolment's end)."""

    enrolment = models.ForeignKey(
        "incubator.Enrolment", on_delete=models.CASCADE, related_name="suspensions", verbose_name=_("enrolment")
    )
    starts_on = models.DateField(_("suspended from"))
    ends_on = models.DateField(_("resumed on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["enrolment", "starts_on", "id"]
        verbose_name = _("enrolment suspension")
        verbose_name_plural = _("enrolment suspensions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="suspension_dates_ordered",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="suspension_needs_reason"),
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(ends_on__isnull=True), name="suspension_one_open_per_enrolment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} - {self.ends_on or '…'}"

    @property
    def days(self) -> int | None:
        return (self.ends_on - self.starts_on).days if self.ends_on else None
