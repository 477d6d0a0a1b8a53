"""The office's pages of the portal: a call's submissions filtered by state, one
application with all its answers and files, its checklist and integration requests; a
request for integration and the ineligibility after an unanswered one. Coordinators of
the call's programme only: anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incubator import access
from incubator.exceptions import NotPermitted
from incubator.models import Role
from incubator.selection import office, selectors
from incubator.selection.applicants import applicant_rows
from incubator.selection.forms_portal import IntegrationRequestForm, StateFilterForm
from incubator.selection.models import Answer, Application, BudgetItem, Call, ChecklistAnswer, IntegrationRequest
from incubator.selection.views import flash


def _coordinated(user, queryset, **lookups):
    obj = access.get_visible(user, queryset, **lookups)
    programme_id = obj.programme_id if isinstance(obj, Call) else obj.call.programme_id
    if not access.has_role(user, programme_id, Role.COORDINATOR):
        raise Http404()
    return obj


@login_required
@require_GET
def call_submissions(request: HttpRequest, pk: int) -> HttpResponse:
    call = _coordinated(request.user, Call.objects.select_related("programme"), pk=pk)
    form = StateFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    return render(
        request,
        "selection/office_submissions.html",
        {"call": call, "form": form, "applications": selectors.office_submissions(request.user, call, state)},
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _coordinated(request.user, Application.objects.select_related("call__programme", "venture"), pk=pk)
    snapshot = getattr(application, "snapshot", None) if application.submitted_at else None
    answers = Answer.objects.filter(application=application).select_related("question__section")
    return render(
        request,
        "selection/office_application.html",
        {
            "application": application,
            "call": application.call,
            "snapshot": snapshot.content if snapshot else None,
            "applicants": applicant_rows(snapshot.content if snapshot else None),
            "files": [a for a in answers if a.file],
            "budget": BudgetItem.objects.filter(application=application),
            "checklist": ChecklistAnswer.objects.filter(application=application).select_related("item"),
            "requests": selectors.integration_requests(application),
            "history": selectors.state_history(application),
            "request_form": IntegrationRequestForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def integration_request(request: HttpRequest, pk: int) -> HttpResponse:
    application = _coordinated(request.user, Application.objects.select_related("call"), pk=pk)
    form = IntegrationRequestForm(request.POST)
    if not form.is_valid():
        for field, lines in form.errors.items():
            for line in lines:
                messages.error(request, f"{form.fields[field].label}: {line}")
    else:
        try:
            office.integration_request(
                actor=request.user, application=application, items=form.cleaned_data["items"], deadline=form.deadline()
            )
        except (ValidationError, NotPermitted) as error:
            flash(request, error)
        else:
            messages.success(request, _("Integration requested."))
    return redirect("selection:office-application", pk)


@login_required
@require_POST
def declare_ineligible(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    application = _coordinated(request.user, Application.objects.select_related("call"), pk=pk)
    integration = get_object_or_404(IntegrationRequest, pk=request_pk, application=application)
    try:
        office.integration_declare_ineligible(actor=request.user, request=integration)
    except (ValidationError, NotPermitted) as error:
        flash(request, error)
    return redirect("selection:office-application", pk)
