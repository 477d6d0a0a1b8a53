"""The applicant portal's pages: public calls, a call's page and its documents, the
published ranking (no login); the applicant's applications, the draft form with its
autosave endpoint, files, budget, team, the check before submitting, submission, receipt
and withdrawal; answers to integration requests. Records are looked up through
``incubator.access`` (another applicant's draft answers 404); writes are service calls."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incubator import access
from incubator import services as core_services
from incubator.exceptions import NotPermitted
from incubator.models import Person, Role
from incubator.selection import applying, office, partnerships, selectors, services, submission
from incubator.selection.applicants import applicant_rows, applicants_content
from incubator.selection.forms_portal import (
    BudgetItemForm,
    IntegrationAnswerForm,
    InvitationAcceptForm,
    InviteForm,
    OrganisationChoiceForm,
    PartnersForm,
    StartForm,
    WithdrawForm,
)
from incubator.selection.models import (
    Answer,
    Application,
    ApplicationState,
    BudgetItem,
    Call,
    CallDocument,
    CoApplicantInvitation,
    IntegrationFile,
    IntegrationRequest,
    Question,
    QuestionKind,
)
from incubator.uploads import accepted_extensions, content_type_for, shown_name


def errors_of(error: Exception) -> dict[str, list[str]]:
    if isinstance(error, NotPermitted):
        return {"non_field_errors": [str(error.message)]}
    return core_services.validation_message(error)


def _flash_errors(request: HttpRequest, errors: dict, form=None) -> None:
    """Error messages, each naming its field by the form's label when the form has it."""
    fields = form.fields if form is not None else {}
    for name, lines in errors.items():
        label = fields[name].label if name in fields else ""
        for line in lines:
            messages.error(request, f"{label}: {line}" if label else line)


def flash(request: HttpRequest, error: Exception, form=None) -> None:
    _flash_errors(request, errors_of(error), form)


def flash_form(request: HttpRequest, form) -> None:
    _flash_errors(request, form.errors, form)


def attempt(request: HttpRequest, write: Callable[[], object], success: str = "", form=None) -> bool:
    """Runs a service call for a page that redirects afterwards: a refusal (``ValidationError``,
    ``NotPermitted``) becomes error messages (naming the ``form``'s fields), success the
    ``success`` message; says which."""
    try:
        write()
    except (ValidationError, NotPermitted) as error:
        flash(request, error, form)
        return False
    if success:
        messages.success(request, success)
    return True


def attachment(file, name: str) -> FileResponse:
    response = FileResponse(file.open("rb"), as_attachment=True, filename=shown_name(name))
    response["Content-Type"] = content_type_for(name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- public ------------------------------------------------------------------------------


@require_GET
def calls(request: HttpRequest) -> HttpResponse:
    return render(request, "selection/calls.html", {"groups": selectors.public_calls(), "now": timezone.now()})


@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        call = selectors.public_call(pk)
    except Call.DoesNotExist:
        raise Http404() from None
    now = timezone.now()
    apply_url = signup_url = reverse("selection:apply", args=[call.pk])
    if not request.user.is_authenticated:
        # A newcomer signs up, someone with an account logs in: both come back to apply.
        signup_url = f"{reverse('account_signup')}?next={apply_url}"
        apply_url = f"{reverse('account_login')}?next={apply_url}"
    return render(
        request,
        "selection/call_detail.html",
        {
            "call": call,
            "is_open": call.opens_at <= now < call.closes_at,
            "now": now,
            "apply_url": apply_url,
            "signup_url": signup_url,
            "coordinates": access.has_role(request.user, call.programme_id, Role.COORDINATOR),
        },
    )


@require_GET
def call_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    document = get_object_or_404(CallDocument, pk=document_pk, call_id=pk)
    return attachment(document.file, document.file.name)


@require_GET
def call_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("programme"), pk=pk, ranking_published_at__isnull=False)
    return render(request, "selection/ranking.html", {"call": call, "rows": selectors.published_ranking(call)})


# --- the applicant -----------------------------------------------------------------------


@login_required
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    return render(request, "selection/my_applications.html", {"applications": selectors.my_applications(request.user)})


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    existing = applying.applications_of(request.user, call).first()
    if existing is not None:
        return redirect("selection:application", existing.pk)
    has_person = Person.objects.filter(user=request.user).exists()
    form = StartForm(request.POST or None, call=call, has_person=has_person)
    if request.method == "POST" and form.is_valid():
        try:
            application = applying.draft_start(actor=request.user, call=call, **form.cleaned_data)
        except (ValidationError, NotPermitted) as error:
            form.add_service_errors(errors_of(error))
        else:
            return redirect("selection:application", application.pk)
    return render(request, "selection/apply.html", {"call": call, "form": form})


def _mine(request: HttpRequest, pk: int) -> Application:
    """The application if the user is on its team or coordinates its programme (else 404)."""
    return access.get_visible(request.user, Application.objects.select_related("call__programme", "venture"), pk=pk)


def _own(request: HttpRequest, pk: int) -> Application:
    """Only the applicants' own (coordinators use the office pages)."""
    return access.get_visible(
        request.user,
        Application.objects.select_related("call__programme", "venture").filter(
            venture__in=access.own_venture_ids(request.user)
        ),
        pk=pk,
    )


@login_required
@require_GET
def application(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.state == ApplicationState.DRAFT:
        draft = selectors.draft(request.user, application)
        return render(
            request,
            "selection/draft.html",
            {
                "draft": draft,
                "application": application,
                "call": application.call,
                "sections": [
                    (section, [(q, draft.answers.get(q.pk), _accept(q)) for q in section.questions.all()])
                    for section in draft.sections
                ],
                "budget_form": BudgetItemForm(),
                "invite_form": InviteForm(),
                **_applicants_step(request, application),
                "budget_total": sum((i.amount for i in draft.budget), 0),
                "yes_no": [("yes", _("Yes")), ("no", _("No"))],
            },
        )
    return render(
        request,
        "selection/status.html",
        {
            "application": application,
            "call": application.call,
            "applicants": snapshot_applicants(application),
            "history": selectors.state_history(application),
            "requests": selectors.integration_requests(application),
            "ranking_published": bool(application.call.ranking_published_at),
            "withdraw_form": WithdrawForm(),
            "can_withdraw": application.state in services.OPEN_STATES and timezone.now() < application.call.closes_at,
            "answer_form": IntegrationAnswerForm(),
        },
    )


def snapshot_applicants(application: Application) -> dict:
    """Who applies as frozen at submission (what the SHA-256 covers)."""
    snapshot = getattr(application, "snapshot", None) if application.submitted_at else None
    return applicant_rows(snapshot.content if snapshot else None)


def _partners_form(request: HttpRequest, application: Application, data=None) -> PartnersForm:
    current = list(application.partners.order_by("role", "id"))
    # The current partners (set elsewhere) stay choosable beside the user's own organisations.
    organisations = partnerships.organisations_of(request.user, application.call.programme_id, partners_of=application)
    form = PartnersForm(data, organisations=organisations, rows=max(3, len(current) + 1))
    if data is None:
        rows = current or [None]
        for i, partner in enumerate(rows):
            if partner is None:
                form.initial[f"organisation_{i}"] = application.organisation_id
                continue
            form.initial.update(
                {
                    f"organisation_{i}": partner.organisation_id,
                    f"budget_share_{i}": partner.budget_share,
                    f"activity_{i}": partner.activity,
                }
            )
    return form


def _applicants_step(request: HttpRequest, application: Application) -> dict:
    """The draft's "who applies" step: what is set, and the forms to set it."""
    call = application.call
    own = partnerships.organisations_of(request.user, call.programme_id)
    restricted = partnerships.organisations_only(call)
    shown = restricted or application.organisation_id is not None or own.exists()
    return {
        "applicants": applicant_rows(applicants_content(application)),
        "organisation_required": restricted,
        "organisation_form": (
            OrganisationChoiceForm(initial={"organisation": application.organisation_id}, organisations=own)
            if shown
            else None
        ),
        "partners_form": _partners_form(request, application) if application.organisation_id else None,
    }


def _accept(question: Question) -> str:
    if question.kind != QuestionKind.FILE:
        return ""
    return ",".join(accepted_extensions(submission.upload_policy(question).kinds))


def _posted_answers(request: HttpRequest, application: Application) -> dict:
    values = {}
    for question in Question.objects.filter(section__call_id=application.call_id).exclude(kind=QuestionKind.FILE):
        name = submission.field_name(question)
        if question.kind == QuestionKind.MULTIPLE:
            if name in request.POST or f"{name}-present" in request.POST:
                values[name] = request.POST.getlist(name)
        elif name in request.POST:
            values[name] = request.POST[name]
    return values


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def application_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The save button and the autosave's fetch (JSON answer); files come with the form."""
    application = _own(request, pk)
    try:
        problems = applying.answers_save(
            actor=request.user, application=application, values=_posted_answers(request, application)
        )
        for question in Question.objects.filter(section__call_id=application.call_id, kind=QuestionKind.FILE):
            upload = request.FILES.get(submission.field_name(question))
            if upload:
                applying.answer_file_upload(actor=request.user, application=application, question=question, file=upload)
    except (ValidationError, NotPermitted) as error:
        if _wants_json(request):
            return JsonResponse({"saved": False, "errors": errors_of(error)}, status=400)
        flash(request, error)
        return redirect("selection:application", pk)
    if _wants_json(request):
        return JsonResponse({"saved": True, "at": timezone.localtime().strftime("%H:%M:%S"), "errors": problems})
    for _name, problem in problems.items():
        messages.warning(request, f"{_('Saved, but check this answer')}: {problem}")
    messages.success(request, _("Draft saved."))
    return redirect("selection:application", pk)


@login_required
@require_GET
def answer_file(request: HttpRequest, pk: int, question_pk: int) -> FileResponse:
    application = _mine(request, pk)
    answer = get_object_or_404(Answer, application=application, question_id=question_pk)
    if not answer.file:
        raise Http404()
    return attachment(answer.file, answer.file_name or answer.file.name)


@login_required
@require_POST
def budget_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    form = BudgetItemForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
    else:
        attempt(
            request, lambda: applying.budget_item_add(actor=request.user, application=application, **form.cleaned_data)
        )
    return redirect(f"{reverse('selection:application', args=[pk])}#budget")


@login_required
@require_POST
def budget_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    application = _own(request, pk)
    item = get_object_or_404(BudgetItem, pk=item_pk, application=application)
    attempt(request, lambda: applying.budget_item_remove(actor=request.user, item=item))
    return redirect(f"{reverse('selection:application', args=[pk])}#budget")


@login_required
@require_POST
def organisation_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The applying organisation, among those the user acts for."""
    application = _own(request, pk)
    form = OrganisationChoiceForm(
        request.POST, organisations=partnerships.organisations_of(request.user, application.call.programme_id)
    )
    if not form.is_valid():
        flash_form(request, form)
    else:
        attempt(
            request,
            lambda: partnerships.application_set_organisation(
                actor=request.user, application=application, organisation=form.cleaned_data["organisation"]
            ),
            _("Applying organisation saved."),
            form,
        )
    return redirect(f"{reverse('selection:application', args=[pk])}#applicants")


@login_required
@require_POST
def partners_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The partnership, replaced whole (the lead among the rows, shares adding to 100 %)."""
    application = _own(request, pk)
    form = _partners_form(request, application, request.POST)
    if form.is_valid():
        try:
            partnerships.partnership_set(actor=request.user, application=application, partners=form.partners())
        except (ValidationError, NotPermitted) as error:
            form.add_service_errors(errors_of(error))
        else:
            messages.success(request, _("Partnership saved."))
    if form.errors:
        flash_form(request, form)
    return redirect(f"{reverse('selection:application', args=[pk])}#applicants")


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
    else:
        attempt(
            request,
            lambda: applying.invitation_create(
                actor=request.user, application=application, email=form.cleaned_data["email"]
            ),
            _("Invitation sent to %(email)s.") % form.cleaned_data,
        )
    return redirect(f"{reverse('selection:application', args=[pk])}#team")


@login_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        CoApplicantInvitation.objects.select_related("application__call", "application__venture"), token=token
    )
    has_person = Person.objects.filter(user=request.user).exists()
    form = InvitationAcceptForm(request.POST or None, has_person=has_person)
    if request.method == "POST" and form.is_valid():
        try:
            application = applying.invitation_accept(actor=request.user, token=token, **form.cleaned_data)
        except (ValidationError, NotPermitted) as error:
            form.add_service_errors(errors_of(error))
        else:
            messages.success(request, _("You have joined the application."))
            return redirect("selection:application", application.pk)
    return render(request, "selection/invitation.html", {"invitation": invitation, "form": form})


@login_required
@require_GET
def check(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    now = timezone.now()
    return render(
        request,
        "selection/check.html",
        {
            "application": application,
            "call": application.call,
            "missing": submission.missing_by_section(application),
            "is_open": application.call.opens_at <= now < application.call.closes_at,
        },
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if not attempt(
        request,
        lambda: services.application_submit(actor=request.user, application=application),
        _("Application submitted."),
    ):
        return redirect("selection:check", pk)
    return redirect("selection:receipt", pk)


@login_required
@require_GET
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    application = _mine(request, pk)
    if application.protocol_number is None:
        raise Http404()
    return render(
        request,
        "selection/receipt.html",
        {"application": application, "call": application.call, "applicants": snapshot_applicants(application)},
    )


@login_required
@require_GET
def receipt_download(request: HttpRequest, pk: int) -> HttpResponse:
    application = _mine(request, pk)
    if application.protocol_number is None:
        raise Http404()
    context = {"application": application, "call": application.call, "applicants": snapshot_applicants(application)}
    text = render(request, "selection/receipt.txt", context).content
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    name = f"ricevuta-{application.call_id}-{application.protocol_number}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the withdrawal."))
        return redirect("selection:application", pk)
    attempt(
        request,
        lambda: services.application_withdraw(
            actor=request.user, application=application, reason=form.cleaned_data["reason"]
        ),
        _("Application withdrawn."),
    )
    return redirect("selection:application", pk)


@login_required
@require_POST
def integration_answer(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    application = _own(request, pk)
    integration = get_object_or_404(IntegrationRequest, pk=request_pk, application=application)
    form = IntegrationAnswerForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
    else:
        attempt(
            request,
            lambda: office.integration_answer(
                actor=request.user,
                request=integration,
                text=form.cleaned_data["answer_text"],
                files=request.FILES.getlist("files"),
            ),
            _("Answer sent."),
            form,
        )
    return redirect("selection:application", pk)


@login_required
@require_GET
def integration_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    application = _mine(request, pk)
    stored = get_object_or_404(IntegrationFile, pk=file_pk, request__application=application)
    return attachment(stored.file, stored.file_name)
