"""The privacy notice accepted at sign-up, with the version the person saw."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["PrivacyAcceptance"]


class PrivacyAcceptance(models.Model):
    """One acceptance of one version of the privacy notice by one login. Kept as history:
    a new version accepted later adds a row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="privacy_acceptances",
        verbose_name=_("user"),
    )
    version = models.CharField(_("notice version"), max_length=32)
    accepted_at = models.DateTimeField(_("accepted at"))
    client_address = models.CharField(_("client address"), max_length=45, blank=True)

    class Meta:
        app_label = "incubator"
        ordering = ["user", "-accepted_at", "-id"]
        verbose_name = _("privacy notice acceptance")
        verbose_name_plural = _("privacy notice acceptances")
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="privacy_acceptance_once_per_version"),
            models.CheckConstraint(condition=~models.Q(version=""), name="privacy_acceptance_version_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.version}"
