"""A partnership: the lead applicant (the application's organisation) and its partners,
each with a role and a share of the budget. The shares add up to 100 % (checked by
``incubator.selection.partnerships``, which replaces the rows together); each share lies
within 0..100 (a database rule)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead applicant")
    PARTNER = "partner", _("Partner")


class ApplicationPartner(models.Model):
    application = models.ForeignKey(
        "incubator.Application", on_delete=models.CASCADE, related_name="partners", verbose_name=_("application")
    )
    organisation = models.ForeignKey(
        "incubator.Organisation", on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=8, choices=PartnerRole.choices, default=PartnerRole.PARTNER)
    activity = models.CharField(_("activities in the project"), max_length=300, blank=True)
    budget_share = models.DecimalField(_("budget share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["application", "role", "id"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["application", "organisation"], name="partner_once_per_application"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(role="lead"), name="partner_one_lead_per_application"
            ),
            models.CheckConstraint(condition=Q(budget_share__gte=0, budget_share__lte=100), name="partner_share_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}, {self.budget_share} %)"
