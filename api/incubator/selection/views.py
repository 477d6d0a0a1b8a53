"""The selection's API: calls and their ranking, applications and their actions,
evaluations (scores, conflicts of interest)."""

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.base import ScopedReadOnlyViewSet
from api.filters import BoundedFilterBackend
from api.incubator import filters as incubator_filters
from api.incubator import serializers as incubator_serializers
from api.incubator.selection import filters
from api.incubator.selection import serializers as s
from api.incubator.views import ServiceWriteMixin, team_prefetch
from api.schema import file_responses
from incubator import access, uploads
from incubator.models import Role
from incubator.selection import reviews, services
from incubator.selection import selectors_review as selectors
from incubator.selection.models import Application, Call, ChecklistAnswer, Criterion, Evaluation, Score

COORDINATORS_ONLY = "Coordinators of the call's programme only."


class CallViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Calls (avvisi) of the user's programmes, with their criteria and checklist.
    Coordinators create calls, compute the ranking once the call closes and decide it."""

    queryset = Call.objects.prefetch_related("criteria__bands", "checklist")
    serializer_class = s.CallSerializer
    filterset_class = filters.CallFilter
    ordering_fields = ["opens_at", "closes_at", "title", "id"]
    RANKING_ACTIONS = frozenset(
        {"ranking", "compute_ranking", "decide", "board", "assign_evaluators", "rubric", "ranking_preview"}
    )

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

    @extend_schema(request=s.CallUpdateSerializer, responses=s.CallSerializer)
    def partial_update(self, request, *args, **kwargs):
        call = self.get_object()
        data = self.validated(s.CallUpdateSerializer, partial=True)
        services.call_update(actor=request.user, call=call, **data)
        return self.answer(call)

    @extend_schema(request=s.CallCloseSerializer, responses=s.CallSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        """Closes an open call now, with a reason; no more applications are submitted."""
        call = self.get_object()
        data = self.validated(s.CallCloseSerializer)
        services.call_close_early(actor=request.user, call=call, reason=data["reason"])
        return self.answer(call)

    def _ranking(self, call: Call) -> list:
        ranked = (
            access.visible(self.request.user, Application.objects.select_related("venture", "moderation"))
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

    def _coordinated_call(self) -> Call:
        call = self.get_object()
        access.require_role(self.request.user, call.programme_id, Role.COORDINATOR)
        return call

    @extend_schema(responses={200: s.BoardSerializer, 403: OpenApiResponse(description=COORDINATORS_ONLY)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def board(self, request, pk=None):
        """The selection board (coordinators only): funnel, progress by evaluator,
        disagreements, calibration of each evaluator against the panel, ranking preview."""
        call = self._coordinated_call()
        board = {
            "funnel": selectors.funnel(call),
            "progress": selectors.evaluator_progress(call),
            "disagreements": selectors.disagreements(call),
            "calibration": selectors.calibration(call),
            "ranking": selectors.ranking_preview(call),
        }
        return Response(s.BoardSerializer(board).data)

    @extend_schema(
        responses={200: s.RankingPreviewSerializer(many=True), 403: OpenApiResponse(description=COORDINATORS_ONLY)}
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="ranking/preview",
        url_name="ranking-preview",
        filter_backends=[],
        pagination_class=None,
    )
    def ranking_preview(self, request, pk=None):
        """The ranking as it stands before publication, each tie-break explained."""
        call = self._coordinated_call()
        return Response(s.RankingPreviewSerializer(selectors.ranking_preview(call), many=True).data)

    @extend_schema(
        request=s.AssignEvaluatorsSerializer,
        responses={200: s.AssignOutcomeSerializer, 403: OpenApiResponse(description=COORDINATORS_ONLY)},
    )
    @action(
        detail=True, methods=["post"], url_path="assign-evaluators", url_name="assign-evaluators", filter_backends=[]
    )
    def assign_evaluators(self, request, pk=None):
        """Gives each eligible application N evaluators, least loaded first, skipping
        declared conflicts and the applicant's own team."""
        call = self.get_object()
        data = self.validated(s.AssignEvaluatorsSerializer)
        outcome = reviews.call_assign_evaluators(actor=request.user, call=call, per_application=data["per_application"])
        return Response(s.AssignOutcomeSerializer(outcome).data)

    @extend_schema(
        request=s.RubricSerializer,
        responses={200: s.CriterionSerializer, 403: OpenApiResponse(description=COORDINATORS_ONLY)},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def rubric(self, request, pk=None):
        """Writes a criterion's guidance and score bands (replacing the previous ones)."""
        call = self.get_object()
        data = self.validated(s.RubricSerializer)
        if data["criterion"].call_id != call.pk:
            raise ValidationError({"criterion": [_("The criterion belongs to another call.")]})
        criterion = reviews.criterion_set_rubric(
            actor=request.user, criterion=data["criterion"], guidance=data["guidance"], bands=data["bands"]
        )
        criterion = Criterion.objects.prefetch_related("bands").get(pk=criterion.pk)
        return Response(s.CriterionSerializer(criterion).data)


def applications_for(user):
    return access.visible(user, Application.objects.select_related("call", "venture")).prefetch_related(
        team_prefetch("venture__team"),
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
        user,
        Evaluation.objects.select_related("application__call", "application__venture", "evaluator").defer(
            "evaluator__password"  # a password hash has no business in a list request
        ),
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
    filter_backends = [BoundedFilterBackend, incubator_filters.NullsLastOrderingFilter]

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

    @extend_schema(request=incubator_serializers.ReasonSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        data = self.validated(incubator_serializers.ReasonSerializer)
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

    @extend_schema(
        request=s.ModerationInputSerializer,
        responses={200: s.ModerationSerializer, 403: OpenApiResponse(description=COORDINATORS_ONLY)},
    )
    @action(detail=True, methods=["post"])
    def moderate(self, request, pk=None):
        """Records the agreed score of a disagreed application, with its reason (audited);
        the ranking uses it instead of the evaluators' mean."""
        application = self.get_object()
        data = self.validated(s.ModerationInputSerializer)
        moderation = reviews.application_moderate(actor=request.user, application=application, **data)
        return Response(s.ModerationSerializer(moderation).data)

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


class EvaluationViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """An evaluator sees their own evaluations, and the others' on the same applications
    only once the call has closed; coordinators see all of their programmes'."""

    queryset = Evaluation.objects.all()
    serializer_class = s.EvaluationSerializer
    filterset_class = filters.EvaluationFilter
    filter_backends = [BoundedFilterBackend, incubator_filters.NullsLastOrderingFilter]
    ordering_fields = ["assigned_at", "submitted_at", "weighted_total", "id"]

    def get_queryset(self):
        return evaluations_for(self.request.user)

    def _own(self) -> Evaluation:
        """The requester's own evaluation; anyone else's answers 404, as in the pages."""
        evaluation = self.get_object()
        if evaluation.evaluator_id != self.request.user.pk:
            raise Http404()
        return evaluation

    @extend_schema(responses=s.ReadingSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def reading(self, request, pk=None):
        """The application as its evaluator reads it: the call's form section by section
        with the answers, and the budget. Blind review applied as in the pages: identifying
        questions keep their label and lose their answer, files come under neutral names.
        The evaluator's own evaluation only: anyone else's (a coordinator's too, who reads
        the board) answers 404."""
        reading = selectors.reading(request.user, self._own())
        context = {**self.get_serializer_context(), "reading": reading}
        return Response(s.ReadingSerializer(reading, context=context).data)

    @extend_schema(
        parameters=[OpenApiParameter("question_pk", int, OpenApiParameter.PATH, description="The file question's id.")],
        responses=file_responses(tuple(uploads.KINDS)),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<question_pk>[0-9]+)",
        url_name="file",
        filter_backends=[],
        pagination_class=None,
    )
    def file(self, request, pk=None, question_pk=None):
        """A file answered in the form, to the evaluator it is assigned to (404 otherwise),
        named on a blind call by the application's and question's numbers only."""
        found = selectors.readable_file(request.user, self._own(), int(question_pk))
        if found is None:
            raise Http404()
        answer, name = found
        try:
            handle = answer.file.open("rb")
        except FileNotFoundError:
            raise Http404() from None
        response = FileResponse(handle, as_attachment=True, filename=name)
        response["Content-Type"] = uploads.content_type_for(name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=s.ScoreInputSerializer, responses=s.EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        """Saves the scores and comments so far (any score may be left empty); not locked."""
        evaluation = self.get_object()
        data = self.validated(s.ScoreInputSerializer)
        services.evaluation_save_draft(actor=request.user, evaluation=evaluation, **data)
        return self.answer(evaluation)

    @extend_schema(
        request=s.ReassignSerializer,
        responses={201: s.EvaluationSerializer, 403: OpenApiResponse(description=COORDINATORS_ONLY)},
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Hands the application to another evaluator (after a conflict, or a late one)."""
        evaluation = self.get_object()
        data = self.validated(s.ReassignSerializer)
        new = reviews.evaluation_reassign(actor=request.user, evaluation=evaluation, **data)
        return self.answer(new, status.HTTP_201_CREATED)

    @extend_schema(request=s.ScoreInputSerializer, responses=s.EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """Submits the scores, every criterion within 0..its maximum; then locked."""
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
