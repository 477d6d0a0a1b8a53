"""The coordinator's pages beside the back office: home (the programme at a glance, the
XLSX export one click away, every task linked), tutoring overview, grants, the budget
by measure and fund and the monitoring files.

Only the programme's coordinators (and administrators) reach them: anyone else, and any
programme they do not coordinate, gets 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cohorts.reports import coordination, monitoring
from cohorts.reports.models import ExportKind
from incubator import access
from incubator.funding.budget import programme_budget
from incubator.models import Programme


def _programme(request: HttpRequest) -> tuple[Programme, list[Programme]]:
    """The programme chosen (``?programme=``) among those the user coordinates."""
    user = request.user
    programmes = list(
        Programme.objects.all().order_by("code")
        if access.is_admin(user)
        else Programme.objects.filter(pk__in=access.coordinated(user)).order_by("code")
    )
    if not programmes:
        raise Http404()
    chosen = request.GET.get("programme")
    if chosen is None:
        return programmes[0], programmes
    for programme in programmes:
        if str(programme.pk) == chosen:
            return programme, programmes
    raise Http404()


@login_required
@require_GET
def coordinator_home(request: HttpRequest) -> HttpResponse:
    programme, programmes = _programme(request)
    context = {
        "programme": programme,
        "programmes": programmes,
        "overview": coordination.programme_overview(programme),
        "cohorts": coordination.cohort_lines(programme),
        "today": list(coordination.todays_sessions(programme)),
        "xlsx": ExportKind.REPORT_XLSX,
        "now": timezone.now(),
    }
    return render(request, "cohorts/coordinator/home.html", context)


@login_required
@require_GET
def tutoring_overview(request: HttpRequest) -> HttpResponse:
    programme, programmes = _programme(request)
    context = {
        "programme": programme,
        "programmes": programmes,
        "tutors": coordination.tutor_hours(programme),
        "overdue": list(coordination.overdue_action_items(programme)),
        "today": timezone.localdate(),
    }
    return render(request, "cohorts/coordinator/tutoring.html", context)


@login_required
@require_GET
def grants(request: HttpRequest) -> HttpResponse:
    programme, programmes = _programme(request)
    context = {
        "programme": programme,
        "programmes": programmes,
        "grants": list(coordination.programme_grants(programme)),
    }
    return render(request, "cohorts/coordinator/grants.html", context)


@login_required
@require_GET
def budget(request: HttpRequest) -> HttpResponse:
    """Budget, allocated, committed, paid and available by measure, by fund and in total
    (``incubator.funding.budget``, the figures of the API and the monitoring files)."""
    programme, programmes = _programme(request)
    context = {"programme": programme, "programmes": programmes, "budget": programme_budget(programme)}
    return render(request, "cohorts/coordinator/budget.html", context)


@login_required
@require_GET
def monitoring_download(request: HttpRequest) -> HttpResponse:
    """The monitoring files for the managing authority, one CSV per structure in a zip."""
    programme, _programmes = _programme(request)
    response = HttpResponse(monitoring.monitoring_zip(programme, request.user), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="monitoraggio-{programme.pk}-{stamp}.zip"'
    return response
