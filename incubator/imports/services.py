"""Writes of background imports (``ImportJob``): starting one - the confirmed file stays
in the shared file storage and a task is queued on the database-backed worker - and
running it: the same all-or-nothing import the back office runs inline for smaller
files, with its progress for the requester and the result (rows by outcome, or every
problem and nothing written)."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import NotPermitted
from incubator.imports.models import ImportJob, ImportJobStatus

log = logging.getLogger(__name__)

DEFAULT_BACKGROUND_ROWS = 2000
MAX_PROBLEMS = 200
# Progress is written to the shared cache: the import itself is one transaction, whose
# writes no one else sees until it ends.
PROGRESS_KEY = "import-job:{pk}:progress"


def background_rows() -> int:
    """Files with more rows than this are imported in the background (README)."""
    return int(getattr(settings, "IMPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS))


def job_progress(job: ImportJob) -> int:
    if job.status == ImportJobStatus.RUNNING:
        return int(cache.get(PROGRESS_KEY.format(pk=job.pk), job.progress))
    return job.progress


@transaction.atomic
def import_job_start(
    *,
    actor,
    model_label: str,
    resource: str,
    format_index: int,
    file_name: str,
    original_name: str,
    rows: int,
) -> ImportJob:
    """Records the import and queues it once the request's transaction commits."""
    if not (access.is_admin(actor) or access.coordinated(actor)):
        raise NotPermitted()
    job = ImportJob.objects.create(
        requested_by=actor,
        model=model_label,
        resource=resource,
        format_index=format_index,
        file_name=file_name,
        original_name=original_name[:255],
        rows=rows,
    )
    audit.record(
        actor=actor,
        verb="import.start",
        target=job,
        programme_id=None,
        after={"records": model_label, "rows": rows, "file": original_name},
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:

    result = run_import_job.enqueue(job_id)
    # The immediate backend (tests) has already run it; the database one runs it later.
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def _claim(job_id: int) -> ImportJob | None:
    """Marks the job running unless a worker already took it (a retried task does not
    import the file twice)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        if job.status != ImportJobStatus.PENDING:
            return None
        job.status = ImportJobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def _finish(job: ImportJob, status: str, *, totals=None, problems=None) -> ImportJob:
    job.progress = 100 if status == ImportJobStatus.DONE else job_progress(job)
    job.status = status
    job.totals = totals or {}
    job.problems = [str(p) for p in (problems or [])][:MAX_PROBLEMS]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "totals", "problems", "finished_at"])
    cache.delete(PROGRESS_KEY.format(pk=job.pk))
    audit.record(
        actor=job.requested_by,
        verb="import.finish",
        target=job,
        programme_id=None,
        after={"status": status, "totals": job.totals, "problems": len(job.problems)},
    )
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Runs the job's import, all or nothing; the job says how it went."""
    from incubator.imports.engine import run_file_import

    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)

    def progress(fraction: float) -> None:
        cache.set(PROGRESS_KEY.format(pk=job.pk), min(99, int(fraction * 100)), timeout=24 * 3600)

    try:
        result = run_file_import(job, progress=progress)
    except Exception as exc:  # reported to the requester; the import's transaction rolled back
        log.exception("Background import %s failed", job.pk)
        return _finish(
            job,
            ImportJobStatus.FAILED,
            problems=[
                _("The import stopped on an unexpected error (%(error)s): nothing was imported.")
                % {"error": type(exc).__name__}
            ],
        )
    totals = {kind: n for kind, n in result.totals.items() if n}
    if result.has_errors() or result.has_validation_errors():
        return _finish(job, ImportJobStatus.FAILED, totals=totals, problems=result.problems)
    return _finish(job, ImportJobStatus.DONE, totals=totals)


@task()
def run_import_job(job_id: int) -> str:
    return import_job_run(job_id=job_id).status
