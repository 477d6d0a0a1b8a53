"""The selection's pages: the evaluators' workspace (my evaluations, reading an
application, scoring, declaring a conflict, my export) and the coordinators' selection
board of a call (funnel, assignment, progress, disagreement, calibration, ranking).

Records are looked up through ``incubator.access`` and the page's role (404 otherwise);
reads go through ``selectors``, writes through ``services`` / ``reviews``."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incubator import access
from incubator.exceptions import NotPermitted
from incubator.models import Role, RoleAssignment, TeamMember, User
from incubator.selection import reviews, services
from incubator.selection import selectors_review as selectors
from incubator.selection.blind import application_label, hides_identity
from incubator.selection.models import Application, ApplicationState, Call, Criterion, Evaluation
from incubator.selection.page_forms import (
    SUBMIT,
    AssignForm,
    ConflictForm,
    ModerationForm,
    ReassignForm,
    RubricForm,
    ScoreForm,
)
from incubator.services import validation_message
from incubator.uploads import content_type_for


def _refused(form, error: ValidationError) -> None:
    for field, texts in validation_message(error).items():
        form.add_error(field if field in form.fields else None, texts)


def _message(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, NotPermitted):
        messages.error(request, error.message)
    else:
        for texts in validation_message(error).values():
            for text in texts:
                messages.error(request, text)


# --- evaluators -------------------------------------------------------------------------


def _own_evaluation(request: HttpRequest, pk: int) -> Evaluation:
    """The user's own evaluation, else 404 (a coordinator reads the board instead)."""
    evaluation = access.get_visible(
        request.user, Evaluation.objects.select_related("application__call__programme", "application__venture"), pk=pk
    )
    if evaluation.evaluator_id != request.user.pk:
        raise Http404()
    return evaluation


@login_required
def my_evaluations(request: HttpRequest) -> HttpResponse:
    if not access.programmes(request.user, Role.EVALUATOR):
        raise Http404()
    now = timezone.now()
    evaluations = list(selectors.evaluator_assignments(request.user))
    total, by_call = selectors.progress_counts(evaluations)
    rows = [
        {
            "evaluation": evaluation,
            "call": evaluation.application.call,
            "label": application_label(
                evaluation.application, blind=hides_identity(request.user, evaluation.application.call)
            ),
            "overdue": selectors.is_overdue(evaluation, now),
            "counts": by_call[evaluation.application.call_id],
        }
        for evaluation in evaluations
    ]
    return render(request, "incubator/selection/my_evaluations.html", {"rows": rows, "total": total})


def _reading_context(request: HttpRequest, evaluation: Evaluation) -> dict:
    application = evaluation.application
    call = application.call
    reading = selectors.reading(request.user, evaluation)
    team = list(TeamMember.objects.filter(venture=application.venture).select_related("person").order_by("role", "pk"))
    return {
        "evaluation": evaluation,
        "application": application,
        "venture": application.venture,
        "call": call,
        "blind": reading.blind,
        "label": reading.label,
        "team": team,
        "legal_form": application.venture.legal_forms.order_by("-effective_on", "-pk").first(),
        "checklist": application.checklist_answers.select_related("item").order_by("item__order", "item_id"),
        "criteria": selectors.criteria_with_rubric(call),
        "overdue": selectors.is_overdue(evaluation),
        "sections": reading.sections,
        "budget": reading.budget,
    }


@login_required
def evaluation_file(request: HttpRequest, pk: int, question_pk: int) -> FileResponse:
    """A file answered in the form, served to its evaluator under a neutral name on a blind
    call (identifying questions' files are out of reach: the access rule hides them)."""
    evaluation = _own_evaluation(request, pk)
    found = selectors.readable_file(request.user, evaluation, question_pk)
    if found is None:
        raise Http404()
    answer, name = found
    response = FileResponse(answer.file.open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = content_type_for(name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Reading the application (printable: the print style sheet hides the actions)."""
    evaluation = _own_evaluation(request, pk)
    return render(request, "incubator/selection/evaluation_detail.html", _reading_context(request, evaluation))


@login_required
def evaluation_score(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _own_evaluation(request, pk)
    criteria = list(selectors.criteria_with_rubric(evaluation.application.call))
    if evaluation.progress in ("submitted", "recused"):
        return redirect("selection-evaluation", pk=evaluation.pk)
    if request.method == "POST":
        submitting = request.POST.get("action") == SUBMIT
        form = ScoreForm(request.POST, criteria=criteria, submitting=submitting)
        if form.is_valid():
            write = services.evaluation_submit_scores if submitting else services.evaluation_save_draft
            try:
                write(
                    actor=request.user,
                    evaluation=evaluation,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    criterion_comments=form.criterion_comments(),
                )
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Scores submitted.") if submitting else _("Draft saved."))
                if submitting:
                    return redirect("selection-my-evaluations")
                return redirect("selection-score", pk=evaluation.pk)
    else:
        initial = {"comment": evaluation.comment}
        for score in evaluation.scores.all():
            initial[f"score_{score.criterion_id}"] = score.value
            initial[f"comment_{score.criterion_id}"] = score.comment
        form = ScoreForm(initial=initial, criteria=criteria)
    context = _reading_context(request, evaluation)
    context["form"] = form
    return render(request, "incubator/selection/evaluation_score.html", context)


@login_required
def evaluation_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _own_evaluation(request, pk)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_declare_conflict(
                actor=request.user, evaluation=evaluation, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(
                request, _("Conflict of interest declared: the coordinator will reassign the application.")
            )
            return redirect("selection-my-evaluations")
    context = _reading_context(request, evaluation)
    context["form"] = form
    return render(request, "incubator/selection/evaluation_conflict.html", context)


@login_required
def my_evaluations_export(request: HttpRequest) -> HttpResponse:
    """The evaluator's own scores as CSV. Named by date only, and on a blind call the
    application appears by number: neither the file nor its name carries who applied."""
    if not access.programmes(request.user, Role.EVALUATOR):
        raise Http404()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-evaluations-{timezone.localdate():%Y%m%d}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Call"), _("Application"), _("State"), _("Criterion"), _("Score"), _("Comment")])
    evaluations = selectors.evaluator_assignments(request.user).prefetch_related("scores__criterion")
    for evaluation in evaluations:
        call = evaluation.application.call
        label = application_label(evaluation.application, blind=hides_identity(request.user, call))
        state = progress_labels()[evaluation.progress]
        writer.writerow([call.title, label, state, "", evaluation.weighted_total or "", evaluation.comment])
        for score in evaluation.scores.all():
            writer.writerow([call.title, label, state, score.criterion.name, score.value or "", score.comment])
    return response


def progress_labels() -> dict[str, str]:
    return {"todo": _("To do"), "draft": _("Draft"), "submitted": _("Submitted"), "recused": _("Recused")}


# --- coordinators -----------------------------------------------------------------------


def _coordinated_call(request: HttpRequest, pk: int) -> Call:
    call = access.get_visible(request.user, Call.objects.select_related("programme"), pk=pk)
    if not access.has_role(request.user, call.programme_id, Role.COORDINATOR):
        raise Http404()
    return call


@login_required
def calls(request: HttpRequest) -> HttpResponse:
    if not (access.coordinated(request.user) or access.is_admin(request.user)):
        raise Http404()
    return render(request, "incubator/selection/calls.html", {"calls": selectors.coordinated_calls(request.user)})


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    call = _coordinated_call(request, pk)
    ranking = selectors.ranking_preview(call)
    context = {
        "call": call,
        "criteria": selectors.criteria_with_rubric(call),
        "funnel": selectors.funnel(call),
        "progress": selectors.evaluator_progress(call),
        "disagreements": selectors.disagreements(call),
        "calibration": selectors.calibration(call),
        "ranking": ranking,
        "tied": any(row.tie_note for row in ranking),
        "assign_form": AssignForm(),
        "recused": selectors.call_evaluations(call).filter(
            conflict_declared=True, application__state__in=reviews.ASSIGNABLE
        ),
        "pending": call.applications.filter(
            state__in=[ApplicationState.SUBMITTED, ApplicationState.ELIGIBLE, ApplicationState.UNDER_EVALUATION]
        ).count(),
        "deciding": call.applications.filter(state=ApplicationState.EVALUATED, rank__isnull=False).exists(),
    }
    return render(request, "incubator/selection/board.html", context)


@login_required
def board_applications(request: HttpRequest, pk: int) -> HttpResponse:
    call = _coordinated_call(request, pk)
    state = request.GET.get("state", "")
    applications = call.applications.select_related("venture").order_by("submitted_at", "pk")
    if state in ApplicationState.values:
        applications = applications.filter(state=state)
    evaluations: dict[int, list[Evaluation]] = {}
    for evaluation in selectors.call_evaluations(call).filter(application__in=applications):
        evaluations.setdefault(evaluation.application_id, []).append(evaluation)
    rows = [(application, evaluations.get(application.pk, [])) for application in applications]
    label = ApplicationState(state).label if state in ApplicationState.values else ""
    context = {"call": call, "rows": rows, "state_label": label, "now": timezone.now()}
    return render(request, "incubator/selection/board_applications.html", context)


@login_required
@require_POST
def board_assign(request: HttpRequest, pk: int) -> HttpResponse:
    call = _coordinated_call(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{form.fields['per_application'].label}: {error}")
        return redirect("selection-board", pk=call.pk)
    try:
        outcome = reviews.call_assign_evaluators(
            actor=request.user, call=call, per_application=form.cleaned_data["per_application"]
        )
    except (ValidationError, NotPermitted) as error:
        _message(request, error)
    else:
        messages.success(request, _("%(n)s assignments made.") % {"n": len(outcome["assigned"])})
        if outcome["short"]:
            messages.warning(
                request,
                _("%(n)s applications are still short of evaluators: add evaluators to the programme.")
                % {"n": len(outcome["short"])},
            )
    return redirect("selection-board", pk=call.pk)


@login_required
@require_POST
def board_publish(request: HttpRequest, pk: int) -> HttpResponse:
    call = _coordinated_call(request, pk)
    try:
        services.call_compute_ranking(actor=request.user, call=call)
    except (ValidationError, NotPermitted) as error:
        _message(request, error)
    else:
        messages.success(request, _("Ranking published."))
    return redirect("selection-board", pk=call.pk)


@login_required
@require_POST
def board_decide(request: HttpRequest, pk: int) -> HttpResponse:
    call = _coordinated_call(request, pk)
    try:
        outcome = services.call_decide_ranking(actor=request.user, call=call)
    except (ValidationError, NotPermitted) as error:
        _message(request, error)
    else:
        messages.success(
            request, _("Decided: %(admitted)s admitted, %(waitlisted)s waitlisted, %(rejected)s rejected.") % outcome
        )
    return redirect("selection-board", pk=call.pk)


@login_required
def board_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = access.get_visible(
        request.user, Evaluation.objects.select_related("application__call", "application__venture", "evaluator"), pk=pk
    )
    call = _coordinated_call(request, evaluation.application.call_id)
    taken = Evaluation.objects.filter(application=evaluation.application).values("evaluator")
    evaluators = User.objects.filter(
        pk__in=RoleAssignment.objects.filter(programme=call.programme_id, role=Role.EVALUATOR).values("user")
    ).exclude(pk__in=taken)
    form = ReassignForm(request.POST or None, evaluators=evaluators.order_by("last_name", "username"))
    if request.method == "POST" and form.is_valid():
        try:
            reviews.evaluation_reassign(actor=request.user, evaluation=evaluation, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Application reassigned."))
            return redirect("selection-board", pk=call.pk)
    return render(
        request, "incubator/selection/board_reassign.html", {"call": call, "evaluation": evaluation, "form": form}
    )


@login_required
def board_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_visible(request.user, Application.objects.select_related("call", "venture"), pk=pk)
    call = _coordinated_call(request, application.call_id)
    disagreement = next((d for d in selectors.disagreements(call) if d.application.pk == application.pk), None)
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviews.application_moderate(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Agreed score recorded."))
            return redirect("selection-board", pk=call.pk)
    context = {"call": call, "application": application, "disagreement": disagreement, "form": form}
    return render(request, "incubator/selection/board_moderate.html", context)


@login_required
def board_rubric(request: HttpRequest, pk: int) -> HttpResponse:
    """The office writes a criterion's guidance and score bands (what evaluators read
    beside each score field)."""
    criterion = access.get_visible(request.user, Criterion.objects.select_related("call"), pk=pk)
    call = _coordinated_call(request, criterion.call_id)
    form = RubricForm(request.POST or None, initial=RubricForm.initial_for(criterion))
    if request.method == "POST" and form.is_valid():
        try:
            reviews.criterion_set_rubric(
                actor=request.user, criterion=criterion, guidance=form.cleaned_data["guidance"], bands=form.bands()
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Rubric saved."))
            return redirect("selection-board", pk=call.pk)
    return render(
        request, "incubator/selection/board_rubric.html", {"call": call, "criterion": criterion, "form": form}
    )
