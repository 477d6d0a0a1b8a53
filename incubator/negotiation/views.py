"""The negotiation's pages: the list (a coordinator's negotiations and the screened
applications of negotiation calls waiting for one; an applicant's own), one negotiation
with its meetings, requests and versions and the forms of the next steps for each side,
and two versions compared side by side. Anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incubator import access
from incubator.exceptions import NotPermitted
from incubator.models import Role
from incubator.negotiation import selectors, services
from incubator.negotiation.forms import AgreementForm, GrantForm, MeetingForm, RevisionForm, RevisionRequestForm
from incubator.negotiation.models import Negotiation
from incubator.selection.models import Application, Question
from incubator.services import validation_message


def _refused(form, error: Exception) -> None:
    if isinstance(error, NotPermitted):
        raise Http404() from error
    for field, texts in validation_message(error).items():
        form.add_error(field if field in form.fields else None, texts)


def _negotiation(user, pk: int) -> Negotiation:
    return access.get_visible(
        user, Negotiation.objects.select_related("application__call__programme", "application__venture"), pk=pk
    )


@login_required
@require_GET
def negotiation_list(request: HttpRequest) -> HttpResponse:
    waiting = Application.objects.filter(
        call__programme__in=access.coordinated(request.user),
        call__procedure="negotiation",
        state="eligible",
        negotiation__isnull=True,
    ).select_related("call", "venture", "organisation")
    return render(
        request,
        "negotiation/list.html",
        {"negotiations": selectors.negotiations_for(request.user), "waiting": waiting},
    )


@login_required
@require_POST
def negotiation_open(request: HttpRequest, application_pk: int) -> HttpResponse:
    application = access.get_visible(request.user, Application, pk=application_pk)
    try:
        negotiation = services.negotiation_open(actor=request.user, application=application)
    except NotPermitted as error:
        raise Http404() from error
    except ValidationError as error:
        for texts in validation_message(error).values():
            for text in texts:
                messages.error(request, text)
        return redirect("negotiation:list")
    messages.success(request, _("Negotiation opened."))
    return redirect("negotiation:detail", negotiation.pk)


FORMS = {
    "meeting": (MeetingForm, services.meeting_log),
    "request": (RevisionRequestForm, services.revision_request),
    "agree": (AgreementForm, services.negotiation_agree),
    "grant": (GrantForm, services.negotiation_grant),
}
DONE = {
    "meeting": _("Meeting logged."),
    "request": _("Revision requested."),
    "agree": _("Agreement recorded: the application is admitted."),
    "grant": _("Grant proposed on the agreed terms."),
    "revise": _("Revised proposal submitted."),
}


@login_required
@require_http_methods(["GET", "POST"])
def negotiation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    negotiation = _negotiation(request.user, pk)
    application = negotiation.application
    coordinator = access.has_role(request.user, application.call.programme_id, Role.COORDINATOR)
    applicant = services.is_team_member(request.user, application)
    versions = list(negotiation.versions.order_by("number"))
    questions = Question.objects.filter(section__call_id=application.call_id).exclude(kind="file")
    forms = {name: form_class() for name, (form_class, _service) in FORMS.items()} if coordinator else {}
    revision = RevisionForm(questions=questions, latest=versions[-1].content) if applicant else None
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "revise" and applicant:
                revision = RevisionForm(request.POST, questions=questions, latest=versions[-1].content)
                if revision.is_valid():
                    try:
                        services.proposal_revise(
                            actor=request.user,
                            negotiation=negotiation,
                            answers=revision.answers(),
                            budget=revision.budget(),
                            note=revision.cleaned_data["note"],
                        )
                    except ValidationError as error:
                        _refused(revision, error)
                    else:
                        messages.success(request, DONE[step])
                        return redirect("negotiation:detail", negotiation.pk)
            elif step in FORMS and coordinator:
                form_class, service = FORMS[step]
                form = forms[step] = form_class(request.POST)
                if form.is_valid():
                    try:
                        service(actor=request.user, negotiation=negotiation, **form.cleaned_data)
                    except ValidationError as error:
                        _refused(form, error)
                    else:
                        messages.success(request, DONE[step])
                        return redirect("negotiation:detail", negotiation.pk)
            else:
                raise Http404()
        except NotPermitted as error:
            raise Http404() from error
    return render(
        request,
        "negotiation/detail.html",
        {
            "negotiation": negotiation,
            "application": application,
            "coordinator": coordinator,
            "applicant": applicant,
            "versions": versions,
            "meetings": negotiation.meetings.order_by("held_at", "pk"),
            "requests": negotiation.revision_requests.order_by("requested_at", "pk"),
            "forms": forms,
            "revision": revision,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def negotiation_compare(request: HttpRequest, pk: int) -> HttpResponse:
    negotiation = _negotiation(request.user, pk)
    before, after = selectors.versions_to_compare(negotiation, request.GET.get("before"), request.GET.get("after"))
    if before is None:
        raise Http404()
    return render(
        request,
        "negotiation/compare.html",
        {
            "negotiation": negotiation,
            "comparison": selectors.compare(before, after),
            "numbers": list(negotiation.versions.order_by("number").values_list("number", flat=True)),
        },
    )
