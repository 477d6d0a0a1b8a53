"""The core of the domain: users and their programme-scoped roles, programmes, people,
ventures with their teams and legal forms, the audit trail. The subjects built on it
(selection, path, funding, ...) keep their models in their own packages, with the same app
label. Writes go through ``incubator.services``."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.it.forms import ITSocialSecurityNumberField

from incubator.uploads import logo_path, validate_logo

MONEY = {"max_digits": 12, "decimal_places": 2}


def validate_tax_code(value: str) -> None:
    """Italian codice fiscale (16 chars with check digit) or a company's 11-digit VAT number."""
    try:
        ITSocialSecurityNumberField().clean(value)
    except ValidationError:
        # localflavor's message is not in our catalogue (nor loaded, the package not being
        # an installed app): ours, so that an Italian page or answer is Italian throughout.
        raise ValidationError(
            _("Enter a valid tax code (codice fiscale, or an 11-digit VAT number)."), code="invalid"
        ) from None


class User(AbstractUser):
    """Custom user from the first migration; roles are programme-scoped (RoleAssignment)."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    EVALUATOR = "evaluator", _("Evaluator")
    TUTOR = "tutor", _("Tutor / trainer")
    PARTICIPANT = "participant", _("Participant")
    APPLICANT = "applicant", _("Applicant")


class Fund(models.TextChoices):
    FESR = "FESR", "FESR"
    FSE = "FSE", "FSE"
    FSE_PLUS = "FSE+", "FSE+"
    OTHER = "other", _("Other")


class Theme(models.TextChoices):
    NEW_POVERTY = "new_poverty", _("New poverty")
    SOCIAL_VULNERABILITY = "social_vulnerability", _("Social vulnerability")
    SOCIAL_COHESION = "social_cohesion", _("Social cohesion")
    CIRCULAR_ECONOMY = "circular_economy", _("Circular economy")
    HERITAGE = "heritage", _("Cultural and environmental heritage")


class ApplicantKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual or informal group")
    ASSOCIATION = "association", _("Association")
    THIRD_SECTOR = "third_sector", _("Third-sector body")
    COMPANY = "company", _("Company")


class LegalForm(models.TextChoices):
    INFORMAL_GROUP = "informal_group", _("Informal group")
    ASSOCIATION = "association", _("Association")
    SOCIAL_COOPERATIVE = "social_cooperative", _("Social cooperative")
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
    COMPANY = "company", _("Company")


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("e.g. CT3.3.1.a"))
    action = models.CharField(_("action"), max_length=40, blank=True, help_text=_("e.g. 3.3.1"))
    fund = models.CharField(_("fund"), max_length=8, choices=Fund.choices)
    cup = models.CharField(_("CUP"), max_length=15, blank=True)
    budget = models.DecimalField(_("budget (EUR)"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    target_areas = models.JSONField(_("target areas"), default=list, blank=True)
    managing_body = models.CharField(_("managing body"), max_length=200, blank=True)
    last_payment_on = models.DateField(
        _("last payment"), null=True, blank=True, help_text=_("Starts the document retention period.")
    )
    logo = models.FileField(
        _("logo"),
        upload_to=logo_path,
        max_length=200,
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, at most 1 MB: shown on the header of the programme's documents."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="programme_dates_ordered"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="programme_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Measure(models.Model):
    """A measure of a programme (e.g. FESR Action 3.2, FSE Action 9.3): the envelope its
    calls draw on, its grants commit against and its tranches pay from. A measure without
    incubation finances grants only: no cohorts, tutoring or milestones are expected."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="measures", verbose_name=_("programme")
    )
    code = models.CharField(_("code"), max_length=40, help_text=_("e.g. 3.2.a"))
    title = models.CharField(_("title"), max_length=200)
    fund = models.CharField(_("fund"), max_length=8, choices=Fund.choices)
    action = models.CharField(_("action"), max_length=40, blank=True, help_text=_("e.g. 9.3"))
    budget = models.DecimalField(_("budget (EUR)"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    incubation = models.BooleanField(
        _("with incubation"),
        default=True,
        help_text=_("Unticked: grants only, without cohorts, tutoring or milestones (nor the attendance condition)."),
    )

    class Meta:
        ordering = ["programme", "code"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="measure_code_unique_per_programme"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="measure_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title} ({self.fund})"


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="roles", verbose_name=_("programme")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "programme", "role"], name="role_unique_per_programme")]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.programme.code}"


class Person(models.Model):
    """A natural person known to a programme. ESF+ entry data lives apart (restricted)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="people", verbose_name=_("programme")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    tax_code = models.CharField(_("tax code"), max_length=16, validators=[validate_tax_code])
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user"),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["programme", "tax_code"], name="person_tax_code_unique_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Venture(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="ventures", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    social_need = models.TextField(_("social need"), blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    target_area = models.CharField(_("target area"), max_length=100, blank=True)
    applicant_kind = models.CharField(
        _("applicant kind"), max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.INDIVIDUAL
    )
    members = models.ManyToManyField(Person, through="TeamMember", related_name="ventures", verbose_name=_("members"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("venture")
        verbose_name_plural = _("ventures")

    def __str__(self) -> str:
        return self.title


class TeamMember(models.Model):
    class TeamRole(models.TextChoices):
        LEAD = "lead", _("Idea holder (lead)")
        MEMBER = "member", _("Team member")

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="team", verbose_name=_("venture"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["venture", "person"], name="team_member_unique"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="team_member_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class LegalFormChangeQuerySet(models.QuerySet):
    def in_force(self, on=None) -> "LegalFormChangeQuerySet":
        """Changes that have taken effect by ``on`` (today): one dated in the future is
        recorded ahead but changes nothing until its date."""
        return self.filter(effective_on__lte=on or timezone.localdate())


class LegalFormChange(models.Model):
    """History of a venture's legal form; the current form is the latest in force (by
    date, not after today)."""

    venture = models.ForeignKey(
        Venture, on_delete=models.CASCADE, related_name="legal_forms", verbose_name=_("venture")
    )
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    effective_on = models.DateField(_("effective on"))
    registration_number = models.CharField(_("registration / VAT number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = LegalFormChangeQuerySet.as_manager()

    class Meta:
        ordering = ["venture", "effective_on"]
        verbose_name = _("legal form change")
        verbose_name_plural = _("legal form history")
        constraints = [
            models.UniqueConstraint(fields=["venture", "effective_on"], name="legal_form_one_change_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_legal_form_display()} ({self.effective_on})"


class AuditEvent(models.Model):
    """Who did what to which record, when and why; written by every service."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("verb"), max_length=60)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("programme")
    )
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("target type")
    )
    target_id = models.PositiveBigIntegerField(verbose_name=_("target id"))
    target_repr = models.CharField(_("target"), max_length=300)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # A programme's last event in one index step: the calendar feeds' version.
            models.Index(fields=["programme", "id"], name="audit_programme_id"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.target_repr}"


class IdempotencyKey(models.Model):
    """A client's key for one write that creates a money record (an ``Idempotency-Key``
    header in the API, a form token on pages): the same key from the same user for the
    same kind of write gives the first write's record again (``incubator.idempotency``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    scope = models.CharField(_("scope"), max_length=120)
    key = models.CharField(_("key"), max_length=255)
    # A hash of what was asked: the same key with another request is refused, not replayed.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("target type")
    )
    target_id = models.PositiveBigIntegerField(_("target id"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_once_per_user_and_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {self.key}"
