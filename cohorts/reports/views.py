"""The coordinators' outcome dashboard and their report exports (HTML pages).

Only a programme's coordinators (and administrators) reach these pages; anyone else, and
any programme, cohort or export out of their reach, gets 404. The figures come from
``cohorts.reports.cohort_report`` (read from the replica when there is one) and the
charts are inline SVG drawn here (``cohorts.reports.charts``): no script and no external resource.

Exports: small ones are built during the request and downloaded at once; larger ones
(``settings.REPORTS_BACKGROUND_THRESHOLD`` participants) run as a task, and the exports
page shows their progress and says when the file is ready (so does an email)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import Cohort
from cohorts.reports import charts
from cohorts.reports import services as services_reports
from cohorts.reports.access import own_exports
from cohorts.reports.figures import cohort_report, report_scope
from cohorts.reports.models import ExportKind, ExportStatus, ReportExport
from cohorts.reports.sections import FUNNEL_LABELS
from config.routers import reads_from_replica
from incubator import access
from incubator.exceptions import NotPermitted
from incubator.models import Programme
from incubator.participants.access import can_manage_participants

READY_NOTICE_DAYS = 7


def programmes_reported_by(user):
    """Programmes whose reports the user may read: those they coordinate (every one for
    an administrator)."""
    if access.is_admin(user):
        return Programme.objects.order_by("code")
    return Programme.objects.filter(pk__in=access.coordinated(user)).order_by("code")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReportFilter(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label=gettext_lazy("Programme"))
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        required=False,
        label=gettext_lazy("Cohort"),
        empty_label=gettext_lazy("All the programme's cohorts"),
    )
    date_from = forms.DateField(required=False, label=gettext_lazy("From"), widget=DateInput())
    date_to = forms.DateField(required=False, label=gettext_lazy("To"), widget=DateInput())

    def __init__(self, *args, user, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["cohort"].queryset = (
            access.visible(user, Cohort).filter(programme__in=programmes).order_by("programme__code", "name")
        )

    def clean(self):
        cleaned = super().clean()
        programme, cohort = cleaned.get("programme"), cleaned.get("cohort")
        if programme and cohort and cohort.programme_id != programme.pk:
            self.add_error("cohort", _("This cohort belongs to another programme."))
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return cleaned


class ExportRequestForm(ReportFilter):
    kind = forms.ChoiceField(choices=ExportKind.choices, label=gettext_lazy("Export"))


def _require_reporter(request: HttpRequest):
    programmes = programmes_reported_by(request.user)
    if not programmes.exists():
        raise Http404()
    return programmes


def _ready_exports(user):
    since = timezone.now() - dt.timedelta(days=READY_NOTICE_DAYS)
    return (
        own_exports(user)
        .filter(status=ExportStatus.DONE, downloaded_at__isnull=True, background=True, finished_at__gte=since)
        .order_by("-finished_at")
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    programmes = _require_reporter(request)
    initial = {"programme": programmes.first()}
    form = ReportFilter(request.GET or None, user=user, programmes=programmes, initial=initial)
    choice = {"programme": initial["programme"], "cohort": None, "date_from": None, "date_to": None}
    if request.GET:
        if form.is_valid():
            choice = form.cleaned_data
        elif {"programme", "cohort"} & set(form.errors):
            # A programme or cohort out of the user's reach is not found, as everywhere.
            raise Http404()
    else:
        form = ReportFilter(initial=initial, user=user, programmes=programmes)
    scope = report_scope(
        programme=choice["programme"],
        cohort=choice["cohort"],
        date_from=choice["date_from"],
        date_to=choice["date_to"],
    )
    with reads_from_replica():
        report = cohort_report(scope)
    export_form = ExportRequestForm(
        initial={**choice, "kind": ExportKind.REPORT_XLSX}, user=user, programmes=programmes
    )
    for name in ("programme", "cohort", "date_from", "date_to"):
        export_form.fields[name].widget = forms.HiddenInput()
    return render(
        request,
        "cohorts/dashboard/dashboard.html",
        {
            "form": form,
            "export_form": export_form,
            "report": report,
            "scope": scope,
            "funnel": [(FUNNEL_LABELS[key], value) for key, value in report.funnel.steps()],
            "charts": charts.all_charts(report),
            "ready_exports": _ready_exports(user),
            # The project-specific figure, for the programme's coordinators only.
            "show_restricted": can_manage_participants(user, scope.programme.pk),
            "background_threshold": services_reports.background_threshold(),
        },
    )


@login_required
def report_exports(request: HttpRequest) -> HttpResponse:
    """GET: my exports and their status. POST: ask for a new one."""
    user = request.user
    programmes = _require_reporter(request)
    if request.method == "POST":
        form = ExportRequestForm(request.POST, user=user, programmes=programmes)
        if not form.is_valid():
            messages.error(request, _("The export could not be requested: check the filters."))
            return redirect("cohorts:report-exports")
        data = form.cleaned_data
        try:
            export = services_reports.report_export_request(
                actor=user,
                programme=data["programme"],
                cohort=data["cohort"],
                kind=data["kind"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                language=translation.get_language(),
            )
        except NotPermitted:
            raise Http404() from None
        if export.status == ExportStatus.DONE:
            return redirect("cohorts:report-export-download", pk=export.pk)
        if export.status == ExportStatus.FAILED:
            messages.error(request, export.error)
        else:
            messages.success(
                request,
                _(
                    "Your export is being prepared in the background (%(n)s participants). This page shows when it "
                    "is ready, and you will also receive an email."
                )
                % {"n": export.participants},
            )
        return redirect("cohorts:report-exports")
    exports = own_exports(user).select_related("programme", "cohort")[:50]
    return render(
        request,
        "cohorts/dashboard/exports.html",
        {
            "exports": exports,
            "waiting": any(e.status in (ExportStatus.PENDING, ExportStatus.RUNNING) for e in exports),
        },
    )


def _export(request: HttpRequest, pk: int) -> ReportExport:
    export = access.get_visible(request.user, own_exports(request.user).select_related("programme"), pk=pk)
    try:
        services_reports.require_report_access(
            request.user, export.programme_id, pseudonymised=export.export_kind.pseudonymised
        )
    except NotPermitted:
        raise Http404() from None
    return export


@login_required
def report_export_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by the exports page while a file is being prepared."""
    export = _export(request, pk)
    return JsonResponse(
        {
            "id": export.pk,
            "status": export.status,
            "status_label": export.get_status_display(),
            "progress": export.progress,
            "download_url": reverse("cohorts:report-export-download", args=[export.pk]) if export.ready else None,
            "error": export.error,
        }
    )


@login_required
def report_export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = _export(request, pk)
    if not export.ready:
        raise Http404()
    services_reports.report_export_downloaded(actor=request.user, export=export)
    name = export.file.name.rsplit("/", 1)[-1]
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)
