"""The applicant portal's API: ``my-applications`` (the applicant's drafts and
applications: start, answers, attachments, budget, invitations, check, submit, withdraw),
``integration-requests`` (coordinators ask, applicants answer) and ``submissions`` (the
coordinators' view of a call's submitted applications with the frozen snapshot)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from api.incubator.selection import portal_serializers as s
from api.incubator.serializers import ReasonSerializer
from api.incubator.views import ServiceWriteMixin
from incubator import access
from incubator.exceptions import DomainError
from incubator.models import Role
from incubator.selection import applying, office, services, submission
from incubator.selection.models import (
    Answer,
    Application,
    ApplicationState,
    IntegrationRequest,
    Question,
)

ERRORS = {
    400: OpenApiResponse(description='A message per field, e.g. {"q12": ["At most 200 characters"]}.'),
    403: OpenApiResponse(description="Not a member of the applicant team (or not a coordinator)."),
    404: OpenApiResponse(description="Not one of yours (another applicant's draft answers 404)."),
}


@extend_schema_view(
    list=extend_schema(responses={200: s.MyApplicationSerializer(many=True)}),
    retrieve=extend_schema(responses={200: s.MyApplicationSerializer, 404: ERRORS[404]}),
    create=extend_schema(request=s.DraftStartSerializer, responses={201: s.MyApplicationSerializer, 400: ERRORS[400]}),
)
class MyApplicationViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The applicant's own applications and drafts (their team's), nothing else."""

    serializer_class = s.MyApplicationSerializer
    # JSON bodies; the file uploads below add multipart (one media type per body in the schema).
    parser_classes = [JSONParser]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Application.objects.none()
        return (
            access.visible(user, Application)
            .filter(venture__in=access.own_venture_ids(user))
            .select_related("call", "venture")
            .prefetch_related(
                Prefetch("answers", queryset=Answer.objects.order_by("question_id")),
                "budget_items",
                "invitations",
                Prefetch("integration_requests", queryset=IntegrationRequest.objects.prefetch_related("files")),
            )
            .order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        application = applying.draft_start(actor=request.user, **self.validated(s.DraftStartSerializer))
        return self.answer(application, status.HTTP_201_CREATED)

    @extend_schema(request=s.AnswersSerializer, responses={200: s.MyApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["patch"])
    def answers(self, request, pk=None):
        """Saves answers; any invalid one refuses the whole save (HTTP 400 naming it)."""
        application = self.get_object()
        data = self.validated(s.AnswersSerializer)
        applying.answers_save(actor=request.user, application=application, values=data["answers"], strict=True)
        return self.answer(application)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentSerializer}, responses={200: s.MyApplicationSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, JSONParser])
    def attachments(self, request, pk=None):
        """A file answer, checked by its content, type and size."""
        application = self.get_object()
        data = self.validated(s.AttachmentSerializer)
        question = Question.objects.filter(pk=data["question"], section__call_id=application.call_id).first()
        if question is None:
            raise DomainError("No such question in this call's form.", code="unknown_question", field="question")
        applying.answer_file_upload(actor=request.user, application=application, question=question, file=data["file"])
        return self.answer(application)

    @extend_schema(request=s.BudgetItemInputSerializer, responses={201: s.MyApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def budget(self, request, pk=None):
        application = self.get_object()
        applying.budget_item_add(
            actor=request.user, application=application, **self.validated(s.BudgetItemInputSerializer)
        )
        return self.answer(application, status.HTTP_201_CREATED)

    @extend_schema(request=s.InviteSerializer, responses={201: s.MyApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """The lead invites a co-applicant by e-mail."""
        application = self.get_object()
        applying.invitation_create(actor=request.user, application=application, **self.validated(s.InviteSerializer))
        return self.answer(application, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.MissingSectionSerializer(many=True), 404: ERRORS[404]})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def missing(self, request, pk=None):
        """ "Check before submitting": what is missing, by section (empty when complete)."""
        application = self.get_object()
        rows = [
            {"section": str(sec), "problems": problems} for sec, problems in submission.missing_by_section(application)
        ]
        return Response(s.MissingSectionSerializer(rows, many=True).data)

    @extend_schema(request=None, responses={200: s.MyApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Only complete and before the deadline (server clock); gives the protocol number."""
        application = services.application_submit(actor=request.user, application=self.get_object())
        return self.answer(application)

    @extend_schema(request=ReasonSerializer, responses={200: s.MyApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        data = self.validated(ReasonSerializer)
        services.application_withdraw(actor=request.user, application=application, reason=data["reason"])
        return self.answer(application)


@extend_schema_view(
    list=extend_schema(responses={200: s.IntegrationRequestSerializer(many=True)}),
    retrieve=extend_schema(responses={200: s.IntegrationRequestSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        request=s.IntegrationRequestCreateSerializer, responses={201: s.IntegrationRequestSerializer, **ERRORS}
    ),
)
class IntegrationRequestViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Integration requests (soccorso istruttorio): coordinators of the programme and the
    applicant team see them; coordinators ask, applicants answer."""

    serializer_class = s.IntegrationRequestSerializer
    # JSON bodies; the file uploads below add multipart (one media type per body in the schema).
    parser_classes = [JSONParser]

    def get_queryset(self):
        return (
            access.visible(self.request.user, IntegrationRequest)
            .prefetch_related("files")
            .order_by("-requested_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        request_ = office.integration_request(
            actor=request.user, **self.validated(s.IntegrationRequestCreateSerializer)
        )
        return self.answer(request_, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.IntegrationAnswerSerializer},
        responses={200: s.IntegrationRequestSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="answer",
        url_name="answer",
        parser_classes=[MultiPartParser, JSONParser],
    )
    def answer_request(self, request, pk=None):
        """The applicant team answers with text and files, before the deadline."""
        data = self.validated(s.IntegrationAnswerSerializer)
        done = office.integration_answer(
            actor=request.user, request=self.get_object(), text=data["answer_text"], files=data["files"]
        )
        return self.answer(done)

    @extend_schema(request=None, responses={200: s.IntegrationRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="declare-ineligible", url_name="declare-ineligible")
    def declare_ineligible(self, request, pk=None):
        """Unanswered past the deadline: the application is declared ineligible."""
        integration = self.get_object()
        office.integration_declare_ineligible(actor=request.user, request=integration)
        return self.answer(integration)


@extend_schema_view(
    list=extend_schema(responses={200: s.SubmissionSerializer(many=True)}),
    retrieve=extend_schema(responses={200: s.SubmissionSerializer, 404: ERRORS[404]}),
)
class SubmissionViewSet(viewsets.ReadOnlyModelViewSet):
    """Coordinators: the submitted applications of their programmes' calls with the frozen
    snapshot (``?call=<id>&state=<state>``)."""

    serializer_class = s.SubmissionSerializer

    def get_queryset(self):
        user = self.request.user
        queryset = (
            access.visible(user, Application)
            .filter(call__programme__in=access.programmes(user, Role.COORDINATOR))
            .exclude(state=ApplicationState.DRAFT)
            .select_related("venture", "snapshot")
            .order_by("call_id", "protocol_number", "id")
        )
        if access.is_admin(user):
            queryset = (
                access.visible(user, Application)
                .exclude(state=ApplicationState.DRAFT)
                .select_related("venture", "snapshot")
                .order_by("call_id", "protocol_number", "id")
            )
        call = self.request.query_params.get("call")
        state = self.request.query_params.get("state")
        if call and call.isdigit():
            queryset = queryset.filter(call_id=int(call))
        if state:
            queryset = queryset.filter(state=state)
        return queryset
