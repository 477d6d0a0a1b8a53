"""A report or export a coordinator asked for, built in the background when it is large
(``cohorts.reports.tasks``), with its status, progress and file. Imported at the end of
``cohorts.models``; writes go through ``cohorts.reports.services``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["ExportKind", "ExportStatus", "ReportExport"]


class ExportKind(models.TextChoices):
    REPORT_XLSX = "report_xlsx", _("Cohort report (XLSX, a sheet per section)")
    REPORT_CSV = "report_csv", _("Cohort report (CSV)")
    PSEUDONYMISED_XLSX = "pseudonymised_xlsx", _("Pseudonymised participants (XLSX)")
    PSEUDONYMISED_CSV = "pseudonymised_csv", _("Pseudonymised participants (CSV)")

    @property
    def extension(self) -> str:
        return self.value.rsplit("_", 1)[1]

    @property
    def pseudonymised(self) -> bool:
        return self.value.startswith("pseudonymised")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_path(instance, filename: str) -> str:
    # Under MEDIA_ROOT, never served directly: the download view checks who asks.
    return f"exports/{instance.requested_by_id}/{filename}"


class ReportExport(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_exports",
        verbose_name=_("requested by"),
    )
    programme = models.ForeignKey(
        "incubator.Programme", on_delete=models.CASCADE, related_name="report_exports", verbose_name=_("programme")
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_exports",
        verbose_name=_("cohort"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    # The requester's language, so that a file built in the background speaks it too.
    language = models.CharField(_("language"), max_length=8, default="it")
    background = models.BooleanField(_("built in the background"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, blank=True, max_length=255)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True, verbose_name=_("task id"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("first downloaded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_export_progress_pct"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="report_export_done_has_file"),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True) | Q(date_to__isnull=True) | Q(date_to__gte=models.F("date_from")),
                name="report_export_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def export_kind(self) -> ExportKind:
        return ExportKind(self.kind)

    @property
    def ready(self) -> bool:
        return self.status == ExportStatus.DONE
