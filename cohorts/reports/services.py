"""Writes of the cohort reports: asking for an export, building its file (inline when it
is small, as a Django task when the scope has more participants than
``settings.REPORTS_BACKGROUND_THRESHOLD``), telling the requester it is ready, and
noting its download.

The aggregate report may be asked for by the programme's coordinators (and
administrators). The pseudonymised participant-level export reads entry data, so only
the programme's coordinators may ask for it (as for the data itself), every participant
in it is logged as read, and any missing pseudonym is created first."""

import datetime as dt
import io
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from cohorts.reports import exports
from cohorts.reports.figures import Scope, cohort_report, participant_count, report_scope
from cohorts.reports.models import ExportKind, ExportStatus, ReportExport
from config.routers import reads_from_replica
from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Programme, Role
from incubator.notifications.kinds import Kind
from incubator.notifications.services import notify
from incubator.participants import services as services_participants
from incubator.participants.access import can_manage_participants
from incubator.participants.models import ReadChannel

log = logging.getLogger(__name__)

DEFAULT_BACKGROUND_THRESHOLD = 500


def background_threshold() -> int:
    """Participants above which an export is built in the background (README)."""
    return int(getattr(settings, "REPORTS_BACKGROUND_THRESHOLD", DEFAULT_BACKGROUND_THRESHOLD))


def require_report_access(actor, programme_id: int, *, pseudonymised: bool = False) -> None:
    if pseudonymised:
        if not can_manage_participants(actor, programme_id):
            raise NotPermitted()
    else:
        access.require_role(actor, programme_id, Role.COORDINATOR)


def _period(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise DomainError(_("The end of the period comes before its start."), code="date_order", field="date_to")


def report_export_request(
    *,
    actor,
    programme: Programme,
    kind: str,
    cohort: Cohort | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    language: str | None = None,
) -> ReportExport:
    """Records the request and builds the file now, or queues it as a task when the scope
    has more participants than the threshold (the requester is told when it is ready)."""
    export = _request(
        actor=actor,
        programme=programme,
        kind=kind,
        cohort=cohort,
        date_from=date_from,
        date_to=date_to,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    if not export.background:
        export = report_export_build(export_id=export.pk)
    return export


@transaction.atomic
def _request(*, actor, programme, kind, cohort, date_from, date_to, language) -> ReportExport:
    if kind not in ExportKind.values:
        raise DomainError(_("Choose one of the export kinds."), code="invalid", field="kind")
    require_report_access(actor, programme.pk, pseudonymised=ExportKind(kind).pseudonymised)
    if cohort is not None and cohort.programme_id != programme.pk:
        raise DomainError(_("The cohort belongs to another programme."), code="other_programme", field="cohort")
    _period(date_from, date_to)
    scope = report_scope(programme=programme, cohort=cohort, date_from=date_from, date_to=date_to)
    participants = participant_count(scope)
    export = ReportExport.objects.create(
        requested_by=actor,
        programme=programme,
        cohort=cohort,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        language=language[:8],
        participants=participants,
        background=participants > background_threshold(),
    )
    audit.record(
        actor=actor,
        verb="report_export.request",
        target=export,
        programme_id=programme.pk,
        after={"kind": kind, "cohort": cohort.pk if cohort else None, "participants": participants},
    )
    if export.background:
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:

    result = build_report_export.enqueue(export_id)
    # The immediate backend has already run the task; the database one runs it later.
    ReportExport.objects.filter(pk=export_id).update(task_id=str(result.id)[:64])


def _claim(export_id: int) -> ReportExport | None:
    """Marks the export as running, unless another worker already took it (a task that
    is retried does not build the file twice)."""
    with transaction.atomic():
        export = (
            # Only the export's row: the cohort is an outer join (programme-wide exports).
            ReportExport.objects.select_for_update(of=("self",))
            .select_related("programme", "cohort", "requested_by")
            .get(pk=export_id)
        )
        if export.status != ExportStatus.PENDING:
            return None
        export.status = ExportStatus.RUNNING
        export.started_at = timezone.now()
        export.save(update_fields=["status", "started_at"])
    return export


def _progress(export_id: int, done: int, total: int) -> None:
    if total:
        ReportExport.objects.filter(pk=export_id).update(progress=min(99, 5 + 90 * done // total))


def report_export_build(*, export_id: int) -> ReportExport:
    """Builds the export's file; on failure the export is marked failed with the reason."""
    export = _claim(export_id)
    if export is None:
        return ReportExport.objects.get(pk=export_id)
    try:
        with translation.override(export.language):
            name, handle = _build(export)
        with transaction.atomic():
            export.file.save(name, File(handle, name=name), save=False)
            export.status = ExportStatus.DONE
            export.progress = 100
            export.finished_at = timezone.now()
            export.save(update_fields=["file", "status", "progress", "finished_at"])
        handle.close()
    except Exception as exc:
        log.exception("Report export %s failed", export_id)
        export.status = ExportStatus.FAILED
        export.error = _failure_message(exc)
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return export
    if export.background:
        _notify(export)
    return export


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, NotPermitted):
        return _("You no longer coordinate this programme.")
    return _("The file could not be built (%(error)s). Ask again, or contact the administrator.") % {
        "error": type(exc).__name__
    }


def _scope(export: ReportExport) -> Scope:
    return report_scope(
        programme=export.programme, cohort=export.cohort, date_from=export.date_from, date_to=export.date_to
    )


def _build(export: ReportExport):
    kind = export.export_kind
    require_report_access(export.requested_by, export.programme_id, pseudonymised=kind.pseudonymised)
    scope = _scope(export)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    subject = f"cohort-{export.cohort_id}" if export.cohort_id else "all-cohorts"
    name = f"{slugify(export.programme.code)}-{subject}-{kind.value.replace('_', '-')}-{stamp}.{kind.extension}"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the FileField, closed by the caller
    if kind.pseudonymised:
        _build_pseudonymised(export, scope, handle)
    else:
        with reads_from_replica():
            report = cohort_report(scope)
        _progress(export.pk, 1, 2)
        if kind == ExportKind.REPORT_XLSX:
            exports.write_report_xlsx(report, handle)
        else:
            _write_text(handle, lambda out: exports.write_report_csv(report, out))
    handle.seek(0)
    return name, handle


def _build_pseudonymised(export: ReportExport, scope: Scope, handle) -> None:
    actor = export.requested_by
    people = exports.people_in(scope)
    # Written on the primary, so the rows below (read there too) all carry one.
    services_participants.pseudonyms_ensure(actor=actor, people=people)
    report = cohort_report(scope)
    total = max(export.participants, 1)
    rows = exports.pseudonymised_rows(scope, progress=lambda done: _progress(export.pk, done, total))
    if export.kind == ExportKind.PSEUDONYMISED_XLSX:
        exports.write_pseudonymised_xlsx(report, rows, handle)
    else:
        _write_text(handle, lambda out: exports.write_pseudonymised_csv(report, rows, out))
    services_participants.entry_data_log_reads(
        reader=actor,
        people=people.filter(entry_data__isnull=False).values_list("pk", "programme_id").iterator(chunk_size=2000),
        channel=ReadChannel.EXPORT,
        detail=f"report export #{export.pk} ({export.kind})",
    )


def _write_text(handle, write) -> None:
    # UTF-8 with a BOM: spreadsheets then read accented names of places and modules.
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    write(text)
    text.flush()
    text.detach()


def _notify(export: ReportExport) -> None:
    """Tells the requester that the file is ready: inbox and e-mail by their preferences
    (the dashboard tells them too). A mail server that cannot be reached is retried by
    the notification worker and never undoes the built file."""
    notify(
        Kind.EXPORT_READY,
        [export.requested_by_id],
        about=export,
        context={"name": ExportKind(export.kind).label},
        link=reverse("cohorts:report-exports"),
    )


@transaction.atomic
def report_export_downloaded(*, actor, export: ReportExport) -> ReportExport:
    export = ReportExport.objects.select_for_update().get(pk=export.pk)
    if export.requested_by_id != actor.pk:
        raise NotPermitted()
    require_report_access(actor, export.programme_id, pseudonymised=export.export_kind.pseudonymised)
    if export.downloaded_at is None:
        export.downloaded_at = timezone.now()
        export.save(update_fields=["downloaded_at"])
    audit.record(actor=actor, verb="report_export.download", target=export, programme_id=export.programme_id)
    return export


@task()
def build_report_export(export_id: int) -> str:
    return report_export_build(export_id=export_id).status
