"""API of the participant's path: ``milestones`` (filters by enrolment, venture, state,
due range, overdue; actions to change state, verify, reschedule and attach or download
evidence), ``milestone-templates``, ``enrolment-suspensions`` (suspend and resume the
clock) and ``me/path`` (the participant's whole picture in one call).

Querysets start from ``incubator.access.visible`` (404 out of reach); writes call
``incubator.path.services`` with the request's user as actor (403 when the record is
visible but the act is not theirs, 400 naming the field on bad input)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ScopedMixin, ScopedReadOnlyViewSet
from api.incubator.path import filters
from api.incubator.path import serializers as path_serializers
from api.incubator.path import serializers as s
from api.incubator.views import ServiceWriteMixin
from api.schema import file_responses
from cohorts.portal.selectors import participant_path
from incubator import access
from incubator.exceptions import TransitionNotAllowed
from incubator.models import Programme
from incubator.path import services
from incubator.path import services as services_path
from incubator.path.models import Enrolment, EnrolmentSuspension, Milestone, MilestoneState, MilestoneTemplate
from incubator.path.selectors import overdue_q, with_flags
from incubator.path.views import evidence_response


class _Writes:
    """Input validated by a dedicated serializer; the answer re-reads the record through
    ``get_queryset`` so that it has the same shape and visibility as a GET."""

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, instance, status_code=status.HTTP_200_OK) -> Response:
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status_code)


# --- milestones ----------------------------------------------------------------------------


class MilestoneFilter(django_filters.FilterSet):
    enrolment = django_filters.NumberFilter()
    venture = django_filters.NumberFilter(field_name="enrolment__application__venture")
    programme = django_filters.NumberFilter(field_name="enrolment__application__call__programme")
    state = django_filters.MultipleChoiceFilter(choices=MilestoneState.choices)
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label=gettext_lazy("Due on or after"))
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=gettext_lazy("Due on or before")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("Overdue (open and past due)"))

    class Meta:
        model = Milestone
        fields = ["enrolment", "venture", "programme", "state", "due_after", "due_before", "overdue"]

    def filter_overdue(self, queryset, name, value):
        condition = overdue_q(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class MilestoneViewSet(_Writes, ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Milestones of the paths the user may see. Tutors and coordinators add milestones;
    the actions below change them through the path's services."""

    queryset = Milestone.objects.select_related("enrolment__application__venture", "verified_by").defer(
        "verified_by__password"
    )
    serializer_class = s.MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering_fields = ["due_on", "order", "id", "updated_at"]
    ordering = ["due_on", "order", "id"]

    def get_queryset(self):
        return with_flags(super().get_queryset())

    @extend_schema(request=s.MilestoneCreateSerializer, responses={201: s.MilestoneSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(s.MilestoneCreateSerializer)
        enrolment = access.get_visible(request.user, Enrolment, pk=data.pop("enrolment"))
        milestone = services_path.milestone_create(actor=request.user, enrolment=enrolment, **data)
        return self.answer(milestone, status.HTTP_201_CREATED)

    @extend_schema(request=s.MilestoneTransitionSerializer, responses=s.MilestoneSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request, pk=None):
        """Planned / in progress / achieved / missed / waived (a waiver needs a reason)."""
        milestone = self.get_object()
        data = self.validated(s.MilestoneTransitionSerializer)
        services_path.milestone_change_state(
            actor=request.user, milestone=milestone, state=data["state"], reason=data["reason"], on=data["achieved_on"]
        )
        return self.answer(milestone)

    @extend_schema(request=None, responses=s.MilestoneSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def verify(self, request, pk=None):
        """A tutor or coordinator confirms an achieved milestone (never its own team)."""
        milestone = self.get_object()
        services_path.milestone_verify(actor=request.user, milestone=milestone)
        return self.answer(milestone)

    @extend_schema(request=s.MilestoneRescheduleSerializer, responses=s.MilestoneSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def reschedule(self, request, pk=None):
        milestone = self.get_object()
        data = self.validated(s.MilestoneRescheduleSerializer)
        services_path.milestone_reschedule(
            actor=request.user, milestone=milestone, due_on=data["due_on"], reason=data["reason"]
        )
        return self.answer(milestone)

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.EvidenceUploadSerializer, "application/json": s.EvidenceUploadSerializer},
        responses=s.MilestoneSerializer,
        description="Attach a file (PDF, PNG, JPEG, ODT or DOCX, at most 5 MB) or a link as evidence.",
    )
    @extend_schema(
        methods=["GET"],
        responses=file_responses(services_path.EVIDENCE_UPLOADS.kinds),
        description="The evidence file, to those who may see the milestone.",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], parser_classes=[MultiPartParser, JSONParser])
    def evidence(self, request, pk=None):
        milestone = self.get_object()
        if request.method == "GET":
            return evidence_response(milestone)
        data = self.validated(s.EvidenceUploadSerializer)
        services_path.milestone_attach_evidence(
            actor=request.user, milestone=milestone, file=data.get("file"), url=data.get("url", "")
        )
        return self.answer(milestone)


# --- templates -----------------------------------------------------------------------------


class MilestoneTemplateFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter()
    crowdfunding_only = django_filters.BooleanFilter()

    class Meta:
        model = MilestoneTemplate
        fields = ["programme", "crowdfunding_only"]


class MilestoneTemplateViewSet(
    _Writes, ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The standard path of each programme the user holds a role in; coordinators write it.
    A change applies to plans generated afterwards."""

    queryset = MilestoneTemplate.objects.all()
    serializer_class = s.MilestoneTemplateSerializer
    filterset_class = MilestoneTemplateFilter
    ordering_fields = ["order", "offset_months", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=s.MilestoneTemplateInputSerializer, responses={201: s.MilestoneTemplateSerializer})
    def create(self, request, *args, **kwargs):
        data = dict(self.validated(s.MilestoneTemplateInputSerializer))
        programme = access.get_visible(request.user, Programme, pk=data.pop("programme"))
        template = services_path.milestone_template_create(actor=request.user, programme=programme, **data)
        return self.answer(template, status.HTTP_201_CREATED)

    @extend_schema(request=s.MilestoneTemplateUpdateSerializer, responses=s.MilestoneTemplateSerializer)
    def partial_update(self, request, *args, **kwargs):
        template = self.get_object()
        data = self.validated(s.MilestoneTemplateUpdateSerializer)
        services_path.milestone_template_update(actor=request.user, template=template, **data)
        return self.answer(template)


# --- suspensions -----------------------------------------------------------------------------


class EnrolmentSuspensionFilter(django_filters.FilterSet):
    enrolment = django_filters.NumberFilter()
    open = django_filters.BooleanFilter(
        field_name="ends_on", lookup_expr="isnull", label=gettext_lazy("Still suspended")
    )

    class Meta:
        model = EnrolmentSuspension
        fields = ["enrolment", "open"]


class EnrolmentSuspensionViewSet(
    _Writes, ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The pauses of each visible path. Coordinators suspend (POST) and resume; resuming
    moves the end and the open milestones by the days paused, within the cap."""

    queryset = EnrolmentSuspension.objects.all()
    serializer_class = s.EnrolmentSuspensionSerializer
    filterset_class = EnrolmentSuspensionFilter
    ordering_fields = ["starts_on", "id"]

    @extend_schema(request=s.SuspendSerializer, responses={201: s.EnrolmentSuspensionSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(s.SuspendSerializer)
        enrolment = access.get_visible(request.user, Enrolment, pk=data["enrolment"])
        suspension = services_path.enrolment_suspend(
            actor=request.user, enrolment=enrolment, reason=data["reason"], on=data["on"]
        )
        return self.answer(suspension, status.HTTP_201_CREATED)

    @extend_schema(request=s.ResumeSerializer, responses=s.EnrolmentSuspensionSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def resume(self, request, pk=None):
        suspension = self.get_object()
        if suspension.ends_on is not None:
            raise TransitionNotAllowed(_("This suspension already ended."), field="on")
        data = self.validated(s.ResumeSerializer)
        services_path.enrolment_resume(actor=request.user, enrolment=suspension.enrolment, on=data["on"])
        return self.answer(suspension)


# --- me/path -------------------------------------------------------------------------------------


class MePathView(APIView):
    """The participant's whole picture in one call: for each of their ventures the
    milestones and the time window, progress, next sessions and deadlines, shared
    tutoring notes, open action items, attendance, grants and campaigns, and the
    calendar subscription URL. Another person's data is never in it."""

    @extend_schema(responses=s.MePathSerializer)
    def get(self, request):
        picture = participant_path(request.user)
        serializer = s.MePathSerializer(picture, context={"request": request, "feeds": picture.feeds})
        return Response(serializer.data)


class EnrolmentViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Accompaniment paths of admitted ventures (at most the call's months, 36)."""

    queryset = Enrolment.objects.select_related("application__venture")
    serializer_class = path_serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilter
    ordering_fields = ["starts_on", "ends_on", "id"]

    @extend_schema(request=path_serializers.EnrolmentDatesSerializer, responses=path_serializers.EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def dates(self, request, pk=None):
        """Moves the end date (never beyond the start plus the call's maximum months) and,
        before the path starts, the start date."""
        enrolment = self.get_object()
        data = self.validated(path_serializers.EnrolmentDatesSerializer)
        services.enrolment_update_dates(actor=request.user, enrolment=enrolment, **data)
        return self.answer(enrolment)

    @extend_schema(request=path_serializers.EnrolmentStatusSerializer, responses=path_serializers.EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Suspends, resumes, completes or withdraws the path (withdrawal needs a reason)."""
        enrolment = self.get_object()
        data = self.validated(path_serializers.EnrolmentStatusSerializer)
        services.enrolment_change_status(actor=request.user, enrolment=enrolment, **data)
        return self.answer(enrolment)
