"""API of the selection pipeline: programmes, calls and their ranking, applications,
evaluations, ventures, people and enrolments.

Every queryset starts from ``incubator.access.visible`` (``ScopedMixin``), so a record out
of reach answers 404, also for the actions on it. Every write calls a service with the
request's user as actor; the service decides whether that user may act (403 when the
record is visible but the act is not theirs) and raises domain errors that
``api.exceptions`` turns into 400 JSON naming the field. Lists prefetch what their
serializer reads, so their query count does not grow with the rows."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api.base import ScopedReadOnlyViewSet
from api.filters import BoundedFilterBackend
from api.incubator import filters
from api.incubator import serializers as s
from incubator import access, services
from incubator.models import (
    Application,
    Call,
    ChecklistAnswer,
    Enrolment,
    Evaluation,
    Person,
    Programme,
    Role,
    Score,
    TeamMember,
    Venture,
)


class ServiceWriteMixin:
    """Input is validated by a dedicated serializer, the write is a service call, and the
    answer is the record re-read through ``get_queryset``: the same shape, prefetches
    and visibility as a GET of it."""

    def validated(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, instance, status_code=status.HTTP_200_OK) -> Response:
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status_code)


def _team_prefetch(lookup: str) -> Prefetch:
    # Idea holders first; the person is joined for the member's name.
    return Prefetch(lookup, queryset=TeamMember.objects.select_related("person").order_by("role", "pk"))


# --- programmes ----------------------------------------------------------------------------


class ProgrammeViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Programmes the user holds a role in (all of them for administrators).
    Administrators create programmes."""

    queryset = Programme.objects.all()
    serializer_class = s.ProgrammeSerializer
    filterset_class = filters.ProgrammeFilter
    ordering_fields = ["code", "name", "starts_on", "ends_on"]

    def create(self, request, *args, **kwargs):
        programme = services.programme_create(actor=request.user, **self.validated(s.ProgrammeSerializer))
        return self.answer(programme, status.HTTP_201_CREATED)


# --- calls and ranking ---------------------------------------------------------------------


class CallViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Calls (avvisi) of the user's programmes, with their criteria and checklist.
    Coordinators create calls, compute the ranking once the call closes and decide it."""

    queryset = Call.objects.prefetch_related("criteria", "checklist")
    serializer_class = s.CallSerializer
    filterset_class = filters.CallFilter
    ordering_fields = ["opens_at", "closes_at", "title", "id"]
    RANKING_ACTIONS = frozenset({"ranking", "compute_ranking", "decide"})

    def get_queryset(self):
        if self.action in self.RANKING_ACTIONS:
            # These answer with the ranking, not the call: no criteria or checklist needed.
            return access.visible(self.request.user, Call)
        return super().get_queryset()

    def create(self, request, *args, **kwargs):
        data = dict(self.validated(s.CallSerializer))
        call = services.call_create(
            actor=request.user,
            programme=data.pop("programme"),
            criteria=[dict(c) for c in data.pop("criteria")],
            checklist=[dict(c) for c in data.pop("checklist", [])],
            **data,
        )
        return self.answer(call, status.HTTP_201_CREATED)

    def _ranking(self, call: Call) -> list:
        ranked = (
            access.visible(self.request.user, Application.objects.select_related("venture"))
            .filter(call=call, rank__isnull=False)
            .order_by("rank")
        )
        return s.RankingEntrySerializer(ranked, many=True).data

    @extend_schema(responses=s.RankingEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def ranking(self, request, pk=None):
        """The published ranking (graduatoria): coordinators only."""
        call = self.get_object()
        access.require_role(request.user, call.programme_id, Role.COORDINATOR)
        return Response(self._ranking(call))

    @extend_schema(request=None, responses=s.RankingEntrySerializer(many=True))
    @action(
        detail=True,
        methods=["post"],
        url_path="ranking/compute",
        url_name="ranking-compute",
        filter_backends=[],
        pagination_class=None,
    )
    def compute_ranking(self, request, pk=None):
        """Ranks the evaluated applications by score, earlier submission first on a tie."""
        call = self.get_object()
        services.call_compute_ranking(actor=request.user, call=call)
        return Response(self._ranking(call))

    @extend_schema(request=s.CallDecideSerializer, responses=s.DecisionOutcomeSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        """Admits the top places above the threshold, waitlists the rest above it,
        rejects those below it."""
        call = self.get_object()
        data = self.validated(s.CallDecideSerializer)
        outcome = services.call_decide_ranking(actor=request.user, call=call, starts_on=data["starts_on"])
        return Response(s.DecisionOutcomeSerializer(outcome).data)


# --- applications --------------------------------------------------------------------------


def applications_for(user):
    return access.visible(user, Application.objects.select_related("call", "venture")).prefetch_related(
        _team_prefetch("venture__team"),
        Prefetch(
            "checklist_answers",
            # Filtered by its own rule: participants do not see the screening.
            queryset=access.visible(user, ChecklistAnswer.objects.select_related("item")).order_by(
                "item__order", "item_id"
            ),
        ),
    )


def evaluations_for(user):
    return access.visible(
        user, Evaluation.objects.select_related("application__call", "application__venture", "evaluator")
    ).prefetch_related(
        # An evaluation visible to the user has visible scores (Score rule), and this
        # prefetch only follows the evaluations already filtered.
        Prefetch("scores", queryset=Score.objects.select_related("criterion").order_by("criterion__order", "pk"))
    )


SCORE_ORDERING = ["score", "rank"]


@extend_schema_view(
    create=extend_schema(request=s.ApplicationCreateSerializer, responses={201: s.ApplicationSerializer})
)
class ApplicationViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Applications: a coordinator's programmes, a participant's own venture, an
    evaluator's assigned ones. The state changes are actions calling the services."""

    queryset = Application.objects.all()
    serializer_class = s.ApplicationSerializer
    filterset_class = filters.ApplicationFilter
    filter_backends = [BoundedFilterBackend, filters.NullsLastOrderingFilter]

    def get_queryset(self):
        return applications_for(self.request.user)

    @property
    def ordering_fields(self):
        # Ordering by a hidden score would reveal it: only for those who see scores.
        user = getattr(getattr(self, "request", None), "user", None)
        sees_scores = access.is_admin(user) or access.programmes(user, Role.COORDINATOR, Role.EVALUATOR)
        return [*(SCORE_ORDERING if sees_scores else []), "submitted_at", "created_at", "id"]

    def create(self, request, *args, **kwargs):
        data = self.validated(s.ApplicationCreateSerializer)
        application = services.application_create(actor=request.user, venture=data["venture"], call=data["call"])
        return self.answer(application, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = services.application_submit(actor=request.user, application=self.get_object())
        return self.answer(application)

    @extend_schema(request=s.ApplicationCheckSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """The eligibility and prefeasibility checklist: every item answered; eligible or
        not (ineligible needs a reason)."""
        application = self.get_object()
        data = self.validated(s.ApplicationCheckSerializer)
        services.application_check(actor=request.user, application=application, **data)
        return self.answer(application)

    @extend_schema(request=s.ApplicationDecideSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Admit (creates the enrolment), waitlist or reject a ranked application."""
        application = self.get_object()
        data = self.validated(s.ApplicationDecideSerializer)
        services.application_decide(actor=request.user, application=application, **data)
        return self.answer(application)

    @extend_schema(request=s.ReasonSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        data = self.validated(s.ReasonSerializer)
        services.application_withdraw(actor=request.user, application=application, reason=data["reason"])
        return self.answer(application)

    @extend_schema(request=s.AssignEvaluatorSerializer, responses={201: s.EvaluationSerializer})
    @action(detail=True, methods=["post"], url_path="assign-evaluator", url_name="assign-evaluator")
    def assign_evaluator(self, request, pk=None):
        application = self.get_object()
        data = self.validated(s.AssignEvaluatorSerializer)
        evaluation = services.evaluator_assign(actor=request.user, application=application, evaluator=data["evaluator"])
        evaluation = evaluations_for(request.user).get(pk=evaluation.pk)
        context = self.get_serializer_context()
        return Response(s.EvaluationSerializer(evaluation, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CrowdfundingReferralSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="refer-to-crowdfunding", url_name="refer-to-crowdfunding")
    def refer_to_crowdfunding(self, request, pk=None):
        """Refers a rejected or waitlisted idea to crowdfunding tutoring (or undoes it)."""
        application = self.get_object()
        data = self.validated(s.CrowdfundingReferralSerializer)
        services.application_refer_to_crowdfunding(
            actor=request.user, application=application, referred=data["referred"]
        )
        return self.answer(application)


# --- evaluations ---------------------------------------------------------------------------


class EvaluationViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """An evaluator sees their own evaluations, and the others' on the same applications
    only once the call has closed; coordinators see all of their programmes'."""

    queryset = Evaluation.objects.all()
    serializer_class = s.EvaluationSerializer
    filterset_class = filters.EvaluationFilter
    filter_backends = [BoundedFilterBackend, filters.NullsLastOrderingFilter]
    ordering_fields = ["assigned_at", "submitted_at", "weighted_total", "id"]

    def get_queryset(self):
        return evaluations_for(self.request.user)

    @extend_schema(request=s.ScoreInputSerializer, responses=s.EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """Scores every criterion of the call once, each within 0..its maximum."""
        evaluation = self.get_object()
        data = self.validated(s.ScoreInputSerializer)
        services.evaluation_submit_scores(actor=request.user, evaluation=evaluation, **data)
        return self.answer(evaluation)

    @extend_schema(request=s.ConflictSerializer, responses=s.EvaluationSerializer)
    @action(detail=True, methods=["post"], url_path="declare-conflict", url_name="declare-conflict")
    def declare_conflict(self, request, pk=None):
        """Declares a conflict of interest: the evaluator is recused from the application."""
        evaluation = self.get_object()
        data = self.validated(s.ConflictSerializer)
        services.evaluation_declare_conflict(actor=request.user, evaluation=evaluation, note=data["note"])
        return self.answer(evaluation)


# --- ventures and people -------------------------------------------------------------------


@extend_schema_view(create=extend_schema(request=s.VentureCreateSerializer, responses={201: s.VentureSerializer}))
class VentureViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Ventures (ideas) with their team, as names and roles, and legal-form history."""

    queryset = Venture.objects.prefetch_related(_team_prefetch("team"), "legal_forms")
    serializer_class = s.VentureSerializer
    filterset_class = filters.VentureFilter
    ordering_fields = ["title", "created_at", "id"]

    def create(self, request, *args, **kwargs):
        data = dict(self.validated(s.VentureCreateSerializer))
        team = [(member["person"], member["role"]) for member in data.pop("team", [])]
        venture = services.venture_create(actor=request.user, programme=data.pop("programme"), team=team, **data)
        return self.answer(venture, status.HTTP_201_CREATED)

    @extend_schema(request=s.LegalFormInputSerializer, responses=s.VentureSerializer)
    @action(detail=True, methods=["post"], url_path="legal-form", url_name="legal-form")
    def legal_form(self, request, pk=None):
        """Records a change of legal form (e.g. informal group -> social cooperative)."""
        venture = self.get_object()
        data = self.validated(s.LegalFormInputSerializer)
        services.venture_change_legal_form(actor=request.user, venture=venture, **data)
        return self.answer(venture)


class PersonViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """People with their tax code and contacts: visible to their programme's coordinators
    and to the person themself only."""

    queryset = Person.objects.all()
    serializer_class = s.PersonSerializer
    filterset_class = filters.PersonFilter
    ordering_fields = ["last_name", "first_name", "created_at", "id"]

    def create(self, request, *args, **kwargs):
        data = dict(self.validated(s.PersonSerializer))
        person = services.person_create(actor=request.user, programme=data.pop("programme"), **data)
        return self.answer(person, status.HTTP_201_CREATED)

    @extend_schema(request=s.PersonUpdateSerializer, responses=s.PersonSerializer)
    def partial_update(self, request, *args, **kwargs):
        person = self.get_object()
        data = self.validated(s.PersonUpdateSerializer, partial=True)
        person = services.person_update(actor=request.user, person=person, **data)
        return self.answer(person)


# --- enrolments ----------------------------------------------------------------------------


class EnrolmentViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Accompaniment paths of admitted ventures (at most the call's months, 36)."""

    queryset = Enrolment.objects.select_related("application__venture")
    serializer_class = s.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilter
    ordering_fields = ["starts_on", "ends_on", "id"]

    @extend_schema(request=s.EnrolmentDatesSerializer, responses=s.EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def dates(self, request, pk=None):
        """Moves the end date; never beyond the start plus the call's maximum months."""
        enrolment = self.get_object()
        data = self.validated(s.EnrolmentDatesSerializer)
        services.enrolment_update_dates(actor=request.user, enrolment=enrolment, **data)
        return self.answer(enrolment)

    @extend_schema(request=s.EnrolmentStatusSerializer, responses=s.EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Suspends, resumes, completes or withdraws the path (withdrawal needs a reason)."""
        enrolment = self.get_object()
        data = self.validated(s.EnrolmentStatusSerializer)
        services.enrolment_change_status(actor=request.user, enrolment=enrolment, **data)
        return self.answer(enrolment)


# --- token authentication ------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class TokenObtainView(ObtainAuthToken):
    """POST username and password, get the user's API token (the same one until revoked)."""

    # ObtainAuthToken turns throttling off; a password endpoint keeps the default rates.
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES

    @extend_schema(request=ObtainAuthToken.serializer_class, responses=TokenSerializer, auth=[])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenRevokeView(APIView):
    """Deletes the requesting user's API token; the next obtain issues a new one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    def post(self, request, *args, **kwargs):
        return self.delete(request, *args, **kwargs)
