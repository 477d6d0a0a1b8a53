"""An import run in the background: a file past ``IMPORT_BACKGROUND_ROWS`` rows, confirmed
in the back office, is imported by a task on the database-backed worker (all or nothing,
as inline imports are); its requester follows the status, progress and result here.

Imported at the end of ``incubator.models``; writes go through
``incubator.imports.services``; visible to its requester only (``access_imports``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["ImportJob", "ImportJobStatus"]


class ImportJobStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Nothing imported")


class ImportJob(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("requested by")
    )
    # What the back office imports into and with which resource and format (its own
    # lists), so that the worker runs exactly the import the user confirmed.
    model = models.CharField(_("records"), max_length=100)
    resource = models.CharField(max_length=200, verbose_name=_("resource"))
    format_index = models.PositiveSmallIntegerField(verbose_name=_("format"))
    # The upload waits in the shared file storage (MEDIA_ROOT) under this name; removed
    # once the import has run.
    file_name = models.CharField(max_length=255, verbose_name=_("file name"))
    original_name = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"))
    status = models.CharField(
        _("status"), max_length=8, choices=ImportJobStatus.choices, default=ImportJobStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    totals = models.JSONField(_("rows by outcome"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True, verbose_name=_("task id"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background import")
        verbose_name_plural = _("background imports")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_job_progress_pct"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running"]) | Q(finished_at__isnull=False),
                name="import_job_finished_has_time",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "status"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)
