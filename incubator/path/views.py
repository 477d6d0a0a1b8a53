"""The path's actions as pages post them: evidence upload and download, milestone state
changes and verification, the calendar link (issue and rotate), suspend and resume.

The pages that show the path (portal, venture path, overview) live in
``cohorts.views_portal``, which also reads training and tutoring. Every record is looked
up through ``incubator.access`` (404 out of reach); every write is a service call whose
refusal comes back as a message on the page the form was posted from."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from incubator import access
from incubator import services as core_services
from incubator.calendar import services as calendar_services
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import NotPermitted
from incubator.models import Programme
from incubator.path import services as services_path
from incubator.path.models import Enrolment, Milestone, MilestoneState


def back(request: HttpRequest, fallback: str = "home") -> HttpResponseRedirect:
    """To the page the form came from (``next``), when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = resolve_url(fallback)
    return HttpResponseRedirect(target)


def refused(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, NotPermitted):
        messages.error(request, error.message)
    elif isinstance(error, ValidationError):
        for text in core_services.validation_message(error).values():
            for line in text:
                messages.error(request, line)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), required=False, allow_empty_file=True)
    url = forms.CharField(label=gettext_lazy("or a link"), required=False, max_length=2000)


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=MilestoneState.choices)
    reason = forms.CharField(required=False, max_length=500)
    achieved_on = forms.DateField(required=False)


class SuspendForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)
    on = forms.DateField(required=False)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- evidence ------------------------------------------------------------------------------


def evidence_response(milestone: Milestone) -> FileResponse:
    """The stored file as a download, never rendered inline (also for the API)."""
    if not milestone.evidence_file:
        raise Http404()
    name = milestone.evidence_file.name
    try:
        handle = milestone.evidence_file.storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404() from None
    shown = name.rsplit("/", 1)[-1].split("-", 1)[-1]  # without the random prefix
    response = FileResponse(
        handle, as_attachment=True, filename=shown, content_type=services_path.evidence_content_type(name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def milestone_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file, only to those who may see the milestone (404 otherwise)."""
    return evidence_response(access.get_visible(request.user, Milestone, pk=pk))


@login_required
@require_POST
def milestone_evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access.get_visible(request.user, Milestone, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return back(request)
    try:
        services_path.milestone_attach_evidence(
            actor=request.user, milestone=milestone, file=form.cleaned_data["file"], url=form.cleaned_data["url"]
        )
    except (ValidationError, NotPermitted) as error:
        refused(request, error)
    else:
        messages.success(request, _("Evidence saved for “%(title)s”.") % {"title": milestone.title})
    return back(request)


# --- states and verification ------------------------------------------------------------------


@login_required
@require_POST
def milestone_state(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access.get_visible(request.user, Milestone, pk=pk)
    form = StateForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return back(request)
    data = form.cleaned_data
    try:
        services_path.milestone_change_state(
            actor=request.user, milestone=milestone, state=data["state"], reason=data["reason"], on=data["achieved_on"]
        )
    except (ValidationError, NotPermitted) as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _("“%(title)s” is now %(state)s.")
            % {"title": milestone.title, "state": MilestoneState(data["state"]).label},
        )
    return back(request)


@login_required
@require_POST
def milestone_verify(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access.get_visible(request.user, Milestone, pk=pk)
    try:
        services_path.milestone_verify(actor=request.user, milestone=milestone)
    except (ValidationError, NotPermitted) as error:
        refused(request, error)
    else:
        messages.success(request, _("“%(title)s” verified.") % {"title": milestone.title})
    return back(request)


# --- calendar link -------------------------------------------------------------------------------


@login_required
@require_POST
def calendar_link(request: HttpRequest, programme_pk: int) -> HttpResponse:
    """Issues the participant's (or tutor's) calendar link, or rotates it: the old URL
    stops working at once."""
    programme = access.get_visible(request.user, Programme, pk=programme_pk)
    kind = request.POST.get("kind", CalendarFeed.Kind.PARTICIPANT)
    if kind not in (CalendarFeed.Kind.PARTICIPANT, CalendarFeed.Kind.TUTOR):
        kind = CalendarFeed.Kind.PARTICIPANT
    try:
        feed = calendar_services.calendar_feed_get_or_issue(
            actor=request.user, kind=kind, programme=programme, user=request.user
        )
        if request.POST.get("action") == "rotate":
            calendar_services.calendar_feed_rotate(actor=request.user, feed=feed)
            messages.success(request, _("A new calendar link was created; the old one no longer works."))
    except (ValidationError, NotPermitted) as error:
        refused(request, error)
    return back(request)


# --- the suspension clock ---------------------------------------------------------------------------


@login_required
@require_POST
def enrolment_suspension(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspends the path (``action=suspend``, with a reason) or resumes it."""
    enrolment = access.get_visible(request.user, Enrolment, pk=pk)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return back(request)
    on: dt.date | None = form.cleaned_data["on"]
    try:
        if request.POST.get("action") == "resume":
            suspension = services_path.enrolment_resume(actor=request.user, enrolment=enrolment, on=on)
            messages.success(
                request,
                _("The path resumed; its dates moved by %(days)s days within the cap.") % {"days": suspension.days},
            )
        else:
            services_path.enrolment_suspend(
                actor=request.user, enrolment=enrolment, reason=form.cleaned_data["reason"], on=on
            )
            messages.success(request, _("The path is suspended: its clock stands still until it resumes."))
    except (ValidationError, NotPermitted) as error:
        refused(request, error)
    return back(request)
