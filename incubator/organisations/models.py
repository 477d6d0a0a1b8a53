"""Applicants that are not people: public bodies (a municipality with its ISTAT code and
resident population), third-sector bodies (RUNTS number), social cooperatives and social
enterprises, companies (size class). People and evaluators are affiliated to them, so that
an organisation acts through its members and an evaluator is never given an application of
their own organisation."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incubator.models import Programme, validate_tax_code


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    PUBLIC_BODY = "public_body", _("Other public body")
    THIRD_SECTOR = "third_sector", _("Third-sector body")
    SOCIAL_COOPERATIVE = "social_cooperative", _("Social cooperative")
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
    COMPANY = "company", _("Company")


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Micro enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium enterprise")
    LARGE = "large", _("Large enterprise")


class Organisation(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    tax_code = models.CharField(
        _("tax code / VAT number"),
        max_length=16,
        validators=[validate_tax_code],
        help_text=_("The single undertaking's code in the de minimis register."),
    )
    istat_code = models.CharField(
        _("ISTAT code"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{6}$", _("The ISTAT code has six digits."))],
        help_text=_("Six digits; required for a municipality."),
    )
    population = models.PositiveIntegerField(
        _("resident population"), null=True, blank=True, help_text=_("Required for a municipality.")
    )
    runts_number = models.CharField(
        _("RUNTS number"),
        max_length=30,
        blank=True,
        help_text=_("Registration in the national third-sector register; required for a third-sector body."),
    )
    company_size = models.CharField(
        _("size class"), max_length=8, choices=CompanySize.choices, blank=True, help_text=_("Required for a company.")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganisationMember",
        related_name="organisations",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["programme", "tax_code"], name="organisation_tax_code_unique"),
            models.CheckConstraint(
                condition=Q(istat_code="") | Q(istat_code__regex=r"^[0-9]{6}$"), name="organisation_istat_six_digits"
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population__gte=0), name="organisation_population_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="municipality") | (~Q(istat_code="") & Q(population__isnull=False)),
                name="organisation_municipality_istat_population",
            ),
            models.CheckConstraint(
                condition=~Q(kind="third_sector") | ~Q(runts_number=""), name="organisation_third_sector_runts"
            ),
            models.CheckConstraint(
                condition=~Q(kind="company") | ~Q(company_size=""), name="organisation_company_size"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    """A user acting for (or working at) an organisation: its applicants, and evaluators'
    affiliations (an evaluator never reviews an application of their organisation)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
        verbose_name=_("user"),
    )
    position = models.CharField(_("position"), max_length=100, blank=True)

    class Meta:
        ordering = ["organisation", "id"]
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="organisation_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"
