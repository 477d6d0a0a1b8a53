"""Core domain: users and roles, programmes, calls, people, ventures, applications,
evaluation and enrolments. Writes go through ``incubator.services``."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from localflavor.it.forms import ITSocialSecurityNumberField

from incubator.db import AddMonths
from incubator.querysets import ApplicationQuerySet, CallQuerySet, EnrolmentQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


def validate_tax_code(value: str) -> None:
    """Italian codice fiscale (16 chars with check digit) or a company's 11-digit VAT number."""
    ITSocialSecurityNumberField().clean(value)


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


class Call(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="calls", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    eligible_applicant_kinds = models.JSONField(_("eligible applicant kinds"), default=list, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    places = models.PositiveIntegerField(_("places"))
    pass_threshold = models.DecimalField(_("pass threshold"), max_digits=7, decimal_places=2)
    grant_min = models.DecimalField(_("minimum grant (EUR)"), **MONEY, default=Decimal("25000.00"))
    grant_max = models.DecimalField(_("maximum grant (EUR)"), **MONEY, default=Decimal("140000.00"))
    max_months = models.PositiveSmallIntegerField(_("maximum accompaniment months"), default=36)
    grant_attendance_threshold = models.DecimalField(
        _("attendance % for grant eligibility"), max_digits=5, decimal_places=2, default=Decimal("80.00")
    )
    ranking_published_at = models.DateTimeField(_("ranking published at"), null=True, blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="call_dates_ordered"),
            models.CheckConstraint(
                condition=Q(grant_min__gte=0) & Q(grant_max__gte=F("grant_min")), name="call_grant_range_valid"
            ),
            models.CheckConstraint(condition=Q(max_months__gte=1, max_months__lte=36), name="call_max_months_1_36"),
            models.CheckConstraint(condition=Q(pass_threshold__gte=0), name="call_threshold_not_negative"),
            models.CheckConstraint(
                condition=Q(grant_attendance_threshold__gte=0, grant_attendance_threshold__lte=100),
                name="call_attendance_threshold_pct",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call"))
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="criterion_name_unique_per_call"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (x{self.weight}, max {self.max_score})"


class ChecklistItem(models.Model):
    class Kind(models.TextChoices):
        ELIGIBILITY = "eligibility", _("Eligibility")
        PREFEASIBILITY = "prefeasibility", _("Prefeasibility")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("call"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ELIGIBILITY)
    question = models.CharField(_("question"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [models.UniqueConstraint(fields=["call", "question"], name="checklist_question_unique_per_call")]

    def __str__(self) -> str:
        return self.question


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


class LegalFormChange(models.Model):
    """History of a venture's legal form; the current form is the latest by date."""

    venture = models.ForeignKey(
        Venture, on_delete=models.CASCADE, related_name="legal_forms", verbose_name=_("venture")
    )
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    effective_on = models.DateField(_("effective on"))
    registration_number = models.CharField(_("registration / VAT number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["venture", "effective_on"]
        verbose_name = _("legal form change")
        verbose_name_plural = _("legal form history")
        constraints = [
            models.UniqueConstraint(fields=["venture", "effective_on"], name="legal_form_one_change_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_legal_form_display()} ({self.effective_on})"


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
    EVALUATED = "evaluated", _("Evaluated")
    ADMITTED = "admitted", _("Admitted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    venture = models.ForeignKey(
        Venture, on_delete=models.PROTECT, related_name="applications", verbose_name=_("venture")
    )
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Snapshot written when the coordinator computes the ranking (the published graduatoria).
    score = models.DecimalField(_("score"), max_digits=9, decimal_places=3, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    crowdfunding_referral = models.BooleanField(
        _("referred to crowdfunding tutoring"), default=False, help_text=_("For ideas not admitted to grants.")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["call", "rank", "submitted_at", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["venture", "call"], name="application_one_per_venture_call"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(state="withdrawn") | Q(submitted_at__isnull=False),
                name="application_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return f"{self.venture} → {self.call}"


class ChecklistAnswer(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="checklist_answers", verbose_name=_("application")
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    answer = models.BooleanField(_("answer"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(fields=["application", "item"], name="checklist_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {'yes' if self.answer else 'no'}"


class Evaluation(models.Model):
    """An evaluator's assignment to an application, their conflict declaration and scores."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("application")
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("evaluator")
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    conflict_declared = models.BooleanField(_("conflict of interest declared"), default=False)
    conflict_note = models.CharField(_("conflict note"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)
    weighted_total = models.DecimalField(_("weighted total"), max_digits=9, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["application", "evaluator"], name="evaluation_one_per_evaluator"),
            models.CheckConstraint(
                condition=~(Q(conflict_declared=True) & Q(submitted_at__isnull=False)),
                name="evaluation_recused_cannot_score",
            ),
            models.CheckConstraint(
                condition=Q(weighted_total__isnull=True) | Q(weighted_total__gte=0),
                name="evaluation_total_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} / {self.application}"


class Score(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    # Copied from the criterion so that the range is a database rule, not only a form rule.
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=F("max_score")), name="score_within_range"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.value}"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Enrolment(models.Model):
    """The accompaniment path of an admitted venture (up to the call's max months)."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="enrolment", verbose_name=_("application")
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    # Copied from the call when the enrolment is created: the cap is a database rule.
    max_months = models.PositiveSmallIntegerField(_("maximum months"))
    status = models.CharField(
        _("status"), max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    exited_on = models.DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=300, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="enrolment_dates_ordered"),
            models.CheckConstraint(
                condition=Q(ends_on__lte=AddMonths(F("starts_on"), F("max_months"))),
                name="enrolment_within_max_months",
            ),
            models.CheckConstraint(condition=Q(max_months__gte=1, max_months__lte=36), name="enrolment_cap_1_36"),
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("starts_on")),
                name="enrolment_exit_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.venture} ({self.starts_on} - {self.ends_on})"


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
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.target_repr}"


class MilestoneTemplate(models.Model):
    """A step of a programme's standard path, copied into each enrolment's plan."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="milestone_templates", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    offset_months = models.PositiveSmallIntegerField(_("months from the start"))
    evidence_required = models.CharField(_("evidence required"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    crowdfunding_only = models.BooleanField(_("only for ventures on the crowdfunding track"), default=False)

    class Meta:
        ordering = ["programme", "order", "offset_months", "id"]
        verbose_name = _("milestone template")
        verbose_name_plural = _("milestone templates")
        constraints = [
            models.UniqueConstraint(fields=["programme", "title"], name="milestone_template_title_unique"),
            models.CheckConstraint(condition=Q(offset_months__lte=36), name="milestone_template_within_36_months"),
        ]

    def __str__(self) -> str:
        return self.title


class MilestoneState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    MISSED = "missed", _("Missed")
    WAIVED = "waived", _("Waived")


class Milestone(models.Model):
    """A step of one enrolment's plan. Overdue is derived (due before today, not closed)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("enrolment")
    )
    template = models.ForeignKey(
        MilestoneTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("template"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    evidence_required = models.CharField(_("evidence required"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=12, choices=MilestoneState.choices, default=MilestoneState.PLANNED)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/%m/", blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True)
    waiver_reason = models.CharField(_("waiver reason"), max_length=500, blank=True)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # The calendar feeds' change time per deadline (DTSTAMP, Last-Modified).
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)

    class Meta:
        ordering = ["enrolment", "due_on", "order", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="waived") | ~Q(waiver_reason=""), name="milestone_waiver_needs_reason"
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"


def new_feed_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret, revocable iCalendar subscription URL (/calendar/<token>.ics).
    The events come from the sources each app registers in ``incubator.calendar``."""

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


from incubator.models_funding import *  # noqa: E402, F403
from incubator.models_gdpr import *  # noqa: E402, F403
from incubator.models_imports import *  # noqa: E402, F403
from incubator.models_participants import *  # noqa: E402, F403
from incubator.models_path import *  # noqa: E402, F403
