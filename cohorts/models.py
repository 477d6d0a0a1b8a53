"""Cohorts, their curriculum, training sessions and attendance registers.
Writes go through ``cohorts.services``; completion figures come from ``cohorts.selectors``."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cohorts.db import MinutesBetween
from cohorts.querysets import AttendanceQuerySet, CohortQuerySet, TrainingSessionQuerySet
from incubator.models import Person, Programme
from incubator.path.models import Enrolment
from incubator.selection.models import Call

PERCENT = {"max_digits": 5, "decimal_places": 2}
DEFAULT_COMPLETION_THRESHOLD = Decimal("70.00")
DEFAULT_WARNING_THRESHOLD = Decimal("80.00")


class ModuleMode(models.TextChoices):
    IN_PRESENCE = "in_presence", _("In presence")
    E_LEARNING = "e_learning", _("E-learning")
    TEAM_WORK = "team_work", _("Team work")


# The INNESCO training path (DESIGN.md, seed 002): a new cohort starts with these modules.
# 60 hours in all, the length of the path that NEXT-style programmes gate grants on.
DEFAULT_MODULES: tuple[tuple[str, Decimal, str], ...] = (
    (_("Orientation to work"), Decimal("6"), ModuleMode.IN_PRESENCE),
    (_("Self-employment and entrepreneurship"), Decimal("10"), ModuleMode.IN_PRESENCE),
    (_("Business plan writing"), Decimal("12"), ModuleMode.TEAM_WORK),
    (_("Access to credit"), Decimal("8"), ModuleMode.IN_PRESENCE),
    (_("Public incentives for new businesses"), Decimal("6"), ModuleMode.E_LEARNING),
    (_("Civic crowdfunding"), Decimal("8"), ModuleMode.TEAM_WORK),
    (_("Digital skills and the gender digital divide"), Decimal("10"), ModuleMode.E_LEARNING),
)


class Cohort(models.Model):
    """A group of enrolments trained together. ``call`` belongs to ``programme``
    (checked by the services); the programme is kept here because every access rule
    and calendar feed is scoped by it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("call"))
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    completion_threshold = models.DecimalField(
        _("completion threshold (%)"),
        **PERCENT,
        default=DEFAULT_COMPLETION_THRESHOLD,
        help_text=_("Attendance a participant needs to complete the path."),
    )
    grant_threshold = models.DecimalField(
        _("grant eligibility threshold (%)"),
        **PERCENT,
        help_text=_("Attendance a participant needs for grant eligibility (by default the call's)."),
    )
    warning_threshold = models.DecimalField(
        _("attendance warning line (%)"),
        **PERCENT,
        default=DEFAULT_WARNING_THRESHOLD,
        help_text=_(
            "Participants whose attendance falls below this line, or who can no longer reach the completion "
            "threshold with the sessions left, are warned (and so are their tutors)."
        ),
    )
    enrolments = models.ManyToManyField(
        Enrolment, through="CohortEnrolment", related_name="cohorts", verbose_name=_("enrolments")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name", "id"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="cohort_dates_ordered"),
            models.CheckConstraint(
                condition=Q(completion_threshold__gte=0, completion_threshold__lte=100),
                name="cohort_completion_threshold_pct",
            ),
            models.CheckConstraint(
                condition=Q(grant_threshold__gte=0, grant_threshold__lte=100), name="cohort_grant_threshold_pct"
            ),
            models.CheckConstraint(
                condition=Q(warning_threshold__gte=0, warning_threshold__lte=100),
                name="cohort_warning_threshold_pct",
            ),
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_name_unique_per_programme"),
        ]

    def __str__(self) -> str:
        return self.name


class CohortEnrolment(models.Model):
    """An enrolment's place in a cohort: an enrolment belongs to at most one cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cohort"))
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="cohort_membership", verbose_name=_("enrolment")
    )
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))

    class Meta:
        ordering = ["cohort", "id"]
        verbose_name = _("cohort enrolment")
        verbose_name_plural = _("cohort enrolments")

    def __str__(self) -> str:
        return f"{self.cohort}: {self.enrolment}"


class CurriculumModule(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="modules", verbose_name=_("cohort"))
    title = models.CharField(_("title"), max_length=200)
    planned_hours = models.DecimalField(_("planned hours"), max_digits=6, decimal_places=2)
    mode = models.CharField(_("mode"), max_length=12, choices=ModuleMode.choices, default=ModuleMode.IN_PRESENCE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["cohort", "order", "id"]
        verbose_name = _("curriculum module")
        verbose_name_plural = _("curriculum modules")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "title"], name="module_title_unique_per_cohort"),
            models.CheckConstraint(condition=Q(planned_hours__gt=0), name="module_planned_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    """One lesson or event of a cohort. A cancelled session stays (marked cancelled) so
    that calendars show it as cancelled and the register's history is kept."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        OUTREACH = "outreach", _("Outreach event")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("cohort"))
    module = models.ForeignKey(
        CurriculumModule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TRAINING)
    topic = models.CharField(_("topic"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # Written by the database from starts_at/ends_at: the basis of every completion figure.
    duration_minutes = models.GeneratedField(
        expression=MinutesBetween(F("starts_at"), F("ends_at")),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=_("minutes"),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="training_sessions", verbose_name=_("trainers"), blank=True
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_dates_ordered"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_url=""), name="session_has_place_or_link"),
            models.CheckConstraint(
                condition=Q(kind="outreach") | Q(module__isnull=False), name="session_training_has_module"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancellation_reason=""),
                name="session_cancellation_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "starts_at"]),
            # The API's cursor pages (starts_at, id): any page is an index range scan.
            models.Index(fields=["starts_at", "id"], name="session_starts_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.starts_at:%Y-%m-%d})"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def length_minutes(self) -> int:
        """The length before the row is saved (``duration_minutes`` comes from the database)."""
        return round((self.ends_at - self.starts_at).total_seconds() / 60)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    JUSTIFIED = "justified", _("Justified absence")
    PARTIAL = "partial", _("Partial")


class Attendance(models.Model):
    """One participant's mark on one session's register (one per person per session)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("session")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("person"))
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    minutes_attended = models.PositiveIntegerField(
        _("minutes attended"), null=True, blank=True, help_text=_("Only for partial attendance.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"))

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["session", "person__last_name", "person__first_name", "id"]
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance register")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_one_mark_per_person"),
            models.CheckConstraint(
                # isnull=False explicitly: a NULL comparison would let the CHECK pass.
                condition=(Q(status="partial") & Q(minutes_attended__isnull=False, minutes_attended__gt=0))
                | (~Q(status="partial") & Q(minutes_attended__isnull=True)),
                name="attendance_minutes_only_when_partial",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} - {self.get_status_display()}"
