"""The path's own records beside ``Milestone``: the periods an enrolment was suspended.

Imported at the end of ``incubator.models``; writes go through ``incubator.path.services``."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from incubator.db import AddMonths
from incubator.models import Programme
from incubator.path.querysets import EnrolmentQuerySet

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


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Enrolment(models.Model):
    """The accompaniment path of an admitted venture (up to the call's max months)."""

    application = models.OneToOneField(
        "incubator.Application", on_delete=models.PROTECT, related_name="enrolment", verbose_name=_("application")
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
