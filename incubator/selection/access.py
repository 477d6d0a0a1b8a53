"""Who sees the selection's records: calls and their criteria and checklists by programme
role; applications by coordinators, their applicants and their evaluators; scores of
others only once the call has closed (incubator.access explains the mechanism)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from incubator.access import coordinated, own_venture_ids, programmes, rule, visible
from incubator.models import Venture
from incubator.selection.models import (
    Answer,
    Application,
    BudgetItem,
    Call,
    CallDocument,
    CallFaq,
    ChecklistAnswer,
    ChecklistItem,
    CoApplicantInvitation,
    Criterion,
    Evaluation,
    FormSection,
    IntegrationFile,
    IntegrationRequest,
    Question,
    Score,
    SubmissionSnapshot,
)


def evaluated_application_ids(user) -> models.QuerySet:
    return Evaluation.objects.filter(evaluator=user).values("application_id")


@rule(Venture)
def _venture_evaluated(user) -> Q:
    evaluator_ventures = Application.objects.filter(pk__in=evaluated_application_ids(user)).values("venture_id")
    return Q(pk__in=evaluator_ventures)


@rule(Call)
def _call(user) -> Q:
    return Q(programme__in=programmes(user))


@rule(Criterion)
def _criterion(user) -> Q:
    return Q(call__programme__in=programmes(user))


@rule(ChecklistItem)
def _checklist_item(user) -> Q:
    return Q(call__programme__in=programmes(user))


@rule(Application)
def _application(user) -> Q:
    return (
        Q(call__programme__in=coordinated(user))
        | Q(venture__in=own_venture_ids(user))
        | Q(pk__in=evaluated_application_ids(user))
    )


@rule(ChecklistAnswer)
def _checklist_answer(user) -> Q:
    return Q(application__call__programme__in=coordinated(user)) | Q(application__in=evaluated_application_ids(user))


@rule(Evaluation)
def _evaluation(user) -> Q:
    """Evaluators see their own; others' on the same applications once the call closed."""
    return (
        Q(application__call__programme__in=coordinated(user))
        | Q(evaluator=user)
        | Q(application__in=evaluated_application_ids(user), application__call__closes_at__lte=timezone.now())
    )


@rule(Score)
def _score(user) -> Q:
    return Q(evaluation__in=visible(user, Evaluation).values("pk"))


# The applicant portal. The call's form and documents are public (the public pages read
# them without ``visible``); through the API and the back office they follow the call.
@rule(FormSection)
@rule(CallDocument)
@rule(CallFaq)
def _call_part(user) -> Q:
    return Q(call__programme__in=programmes(user))


@rule(Question)
def _question(user) -> Q:
    return Q(section__call__programme__in=programmes(user))


def _own_or_coordinated(user) -> Q:
    return Q(application__call__programme__in=coordinated(user)) | Q(application__venture__in=own_venture_ids(user))


@rule(Answer)
def _answer(user) -> Q:
    """Blind review: evaluators never see the answers flagged as identifying."""
    return _own_or_coordinated(user) | Q(application__in=evaluated_application_ids(user), question__identifying=False)


@rule(BudgetItem)
def _budget_item(user) -> Q:
    return _own_or_coordinated(user) | Q(application__in=evaluated_application_ids(user))


@rule(CoApplicantInvitation)
@rule(IntegrationRequest)
@rule(SubmissionSnapshot)
def _applicants_and_office(user) -> Q:
    return _own_or_coordinated(user)


@rule(IntegrationFile)
def _integration_file(user) -> Q:
    return Q(request__application__call__programme__in=coordinated(user)) | Q(
        request__application__venture__in=own_venture_ids(user)
    )
