"""Mentoring: tutor profiles, assignments to enrolments, tutoring session logs, action
items and the unit costs that value a tutor's hours. Writes go through
``mentoring.services``; reads across models live in ``mentoring.selectors``."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from incubator.models import Person, Programme, Venture
from incubator.path.models import Enrolment, Milestone
from mentoring.querysets import ActionItemQuerySet, AssignmentQuerySet, TutoringSessionQuerySet

RATE = {"max_digits": 8, "decimal_places": 2}
MAX_SESSION_MINUTES = 12 * 60


class UnitCostBand(models.Model):
    """A standard hourly unit cost (euro per hour) that values tutors' hours in a
    programme's timesheets, e.g. "Senior" at 50.00."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="unit_cost_bands", verbose_name=_("programme")
    )
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=120)
    hourly_rate = models.DecimalField(_("hourly rate (EUR)"), **RATE, validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["programme", "code"]
        verbose_name = _("unit-cost band")
        verbose_name_plural = _("unit-cost bands")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="unit_cost_band_code_unique"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="unit_cost_band_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.hourly_rate} €/h)"


class TutorKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class TutorProfile(models.Model):
    """A user holding the tutor role in a programme, as the matching and the timesheets
    see them. Contact data, when needed, comes from the linked person."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="tutor_profiles", verbose_name=_("programme")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tutor_profiles", verbose_name=_("user")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tutor_profiles",
        verbose_name=_("person"),
    )
    expertise = models.JSONField(
        _("expertise tags"), default=list, blank=True, help_text=_("Lower-case tags; venture themes count as tags.")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("ISO codes, e.g. it, en."))
    capacity = models.PositiveSmallIntegerField(
        _("capacity (max active ventures)"), default=5, validators=[MaxValueValidator(50)]
    )
    kind = models.CharField(_("internal or external"), max_length=8, choices=TutorKind.choices)
    unit_cost_band = models.ForeignKey(
        UnitCostBand, on_delete=models.PROTECT, related_name="tutors", verbose_name=_("unit-cost band")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["programme", "user__last_name", "user__first_name", "id"]
        verbose_name = _("tutor profile")
        verbose_name_plural = _("tutor profiles")
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="tutor_profile_one_per_programme"),
            models.CheckConstraint(condition=Q(capacity__lte=50), name="tutor_capacity_at_most_50"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class TutorConflict(models.Model):
    """A tutor's declared conflict of interest with a venture: the matching leaves the
    tutor out and assignments to that venture are refused."""

    tutor = models.ForeignKey(TutorProfile, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("tutor"))
    venture = models.ForeignKey(
        Venture, on_delete=models.CASCADE, related_name="tutor_conflicts", verbose_name=_("venture")
    )
    note = models.CharField(_("note"), max_length=500)
    declared_at = models.DateTimeField(_("declared at"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )

    class Meta:
        ordering = ["-declared_at", "id"]
        verbose_name = _("tutor conflict of interest")
        verbose_name_plural = _("tutor conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["tutor", "venture"], name="tutor_conflict_unique")]

    def __str__(self) -> str:
        return f"{self.tutor} / {self.venture}"


class VentureNeeds(models.Model):
    """What a venture asks of its tutors, beyond its themes: keywords and languages."""

    venture = models.OneToOneField(
        Venture, on_delete=models.CASCADE, related_name="mentoring_needs", verbose_name=_("venture")
    )
    keywords = models.JSONField(_("needs (keywords)"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("venture's tutoring needs")
        verbose_name_plural = _("ventures' tutoring needs")

    def __str__(self) -> str:
        return str(self.venture)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead tutor")
    EXPERT = "expert", _("Expert mentor")


class Assignment(models.Model):
    """A tutor accompanying an enrolment for a period, with a budget of hours."""

    tutor = models.ForeignKey(
        TutorProfile, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("tutor")
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="tutor_assignments", verbose_name=_("enrolment")
    )
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    hours_budget = models.DecimalField(
        _("hours budget"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["enrolment", "starts_on", "id"]
        verbose_name = _("tutor assignment")
        verbose_name_plural = _("tutor assignments")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="assignment_dates_ordered"),
            models.CheckConstraint(condition=Q(hours_budget__gte=0), name="assignment_budget_not_negative"),
        ]
        indexes = [models.Index(fields=["tutor", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.tutor} → {self.enrolment.application.venture} ({self.get_role_display()})"


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    REMOTE = "remote", _("Remote")
    PHONE = "phone", _("Phone")


class Activity(models.TextChoices):
    """What the hours were spent on: the timesheet's second axis after the venture."""

    TUTORING = "tutoring", _("Accompaniment")
    BUSINESS_PLAN = "business_plan", _("Business plan")
    CREDIT = "credit", _("Access to credit and incentives")
    CROWDFUNDING = "crowdfunding", _("Civic crowdfunding")
    REPORTING = "reporting", _("Expense reporting")
    OTHER = "other", _("Other")


class TutoringSession(models.Model):
    """One meeting of a tutor with a venture. Private notes are NOT here: they live in
    ``TutoringSessionPrivateNote``, whose access rule never grants participants, so no
    serializer, page, export or feed built on this model can carry them."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("assignment")
    )
    # Copied from the assignment so that overlaps and timesheets are one indexed lookup.
    tutor = models.ForeignKey(TutorProfile, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("tutor"))
    starts_at = models.DateTimeField(_("start"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_MINUTES)]
    )
    ends_at = models.DateTimeField(_("end"))
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices, default=SessionMode.IN_PERSON)
    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices, default=Activity.TUTORING)
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    shared_notes = models.TextField(_("shared notes"), blank=True, help_text=_("The participants see these notes."))
    # The unit cost when the session was logged: a later change of band does not
    # rewrite timesheets already signed and reported.
    hourly_rate = models.DecimalField(_("hourly rate (EUR)"), **RATE)
    participants_present = models.ManyToManyField(
        Person, blank=True, related_name="tutoring_sessions_attended", verbose_name=_("participants present")
    )
    milestones = models.ManyToManyField(
        Milestone, blank=True, related_name="tutoring_sessions", verbose_name=_("linked milestones")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TutoringSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("tutoring session")
        verbose_name_plural = _("tutoring sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="tutoring_session_dates_ordered"),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MAX_SESSION_MINUTES), name="tutoring_session_minutes_range"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="tutoring_session_rate_not_negative"),
        ]
        indexes = [
            models.Index(fields=["tutor", "starts_at"]),
            models.Index(fields=["assignment", "starts_at"]),
            # The API's cursor pages (-starts_at, -id): any page is an index range scan.
            models.Index(fields=["starts_at", "id"], name="tutoring_starts_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.tutor}"


class TutoringSessionPrivateNote(models.Model):
    """The tutor's private notes on a session: only the tutor and the programme's
    coordinators. Kept apart so that a participant's queries never select it."""

    session = models.OneToOneField(
        TutoringSession,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="private_note",
        verbose_name=_("session"),
    )
    text = models.TextField(_("private notes"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")

    def __str__(self) -> str:
        return str(_("Private note"))


class ActionItem(models.Model):
    """Something to do after a session. Owner empty means the tutor."""

    session = models.ForeignKey(
        TutoringSession, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("session")
    )
    text = models.CharField(_("text"), max_length=300)
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("owner"),
        help_text=_("A team member; empty means the tutor."),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self) -> str:
        return self.text

    @property
    def done(self) -> bool:
        return self.done_at is not None
