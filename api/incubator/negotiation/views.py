"""Endpoints of organisations, partnerships and the negotiation procedure:
``organisations`` (list, retrieve, create), ``applicants`` (who applies: organisation and
partnership of a draft), ``negotiations`` (list, retrieve, open, and the actions
``meetings``, ``request-revision``, ``revise``, ``agree``, ``grant``, ``compare``).
Querysets start from ``incubator.access.visible`` (others answer 404); every write calls
a service."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedMixin
from api.incubator.negotiation import serializers as s
from incubator.negotiation import selectors, services
from incubator.negotiation.models import Meeting, Negotiation, ProposalVersion, RevisionRequest
from incubator.organisations import services as organisation_services
from incubator.organisations.models import Organisation
from incubator.selection import partnerships


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    create=extend_schema(request=s.OrganisationCreateSerializer, responses={201: s.OrganisationSerializer})
)
class OrganisationViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Organisations: coordinators and evaluators see their programmes'; a member sees
    their own. A coordinator registers any; an applicant registers theirs (and acts for it)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Organisation.objects.all()
    serializer_class = s.OrganisationSerializer
    filterset_fields = ["programme", "kind", "company_size"]
    ordering_fields = ["name", "population", "created_at"]

    def create(self, request, *args, **kwargs):
        data = _valid(s.OrganisationCreateSerializer, request)
        created = organisation_services.organisation_create(actor=request.user, **data)
        return Response(s.OrganisationSerializer(created).data, status=status.HTTP_201_CREATED)


class ApplicantsViewSet(viewsets.GenericViewSet):
    """Who applies to a draft application: the organisation and the partnership."""

    serializer_class = s.ApplicantsSerializer

    @extend_schema(request=s.ApplicantsSerializer, responses=s.ApplicantsResultSerializer)
    def create(self, request, *args, **kwargs):
        data = _valid(s.ApplicantsSerializer, request)
        application = data["application"]
        partnerships.application_set_organisation(
            actor=request.user, application=application, organisation=data["organisation"]
        )
        rows = []
        if data["partners"]:
            rows = partnerships.partnership_set(actor=request.user, application=application, partners=data["partners"])
        payload = {"application": application.pk, "organisation": application.organisation_id, "partners": rows}
        return Response(s.ApplicantsResultSerializer(payload).data)


COMPARE_PARAMETERS = [
    OpenApiParameter("before", OpenApiTypes.INT, description="version number (default: the previous one)"),
    OpenApiParameter("after", OpenApiTypes.INT, description="version number (default: the latest)"),
]


@extend_schema_view(
    create=extend_schema(request=s.OpenSerializer, responses={201: s.NegotiationDetailSerializer}),
    retrieve=extend_schema(responses=s.NegotiationDetailSerializer),
)
class NegotiationViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Negotiations: the coordinators of the programme and the applicant's team see them;
    the coordinator leads each step, the applicant revises the proposal."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Negotiation.objects.all()
    serializer_class = s.NegotiationSerializer
    filterset_fields = ["state", "application", "application__call"]
    ordering_fields = ["opened_at", "agreed_at"]

    def get_queryset(self):
        return selectors.negotiations_for(self.request.user)

    def get_serializer_class(self):
        return s.NegotiationDetailSerializer if self.action != "list" else s.NegotiationSerializer

    def _detail(self, negotiation, status_code=status.HTTP_200_OK) -> Response:
        fresh = (
            self.get_queryset()
            .prefetch_related(
                Prefetch("meetings", Meeting.objects.order_by("held_at", "pk")),
                Prefetch("revision_requests", RevisionRequest.objects.order_by("requested_at", "pk")),
                Prefetch("versions", ProposalVersion.objects.order_by("number")),
            )
            .get(pk=negotiation.pk)
        )
        return Response(s.NegotiationDetailSerializer(fresh).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = _valid(s.OpenSerializer, request)
        negotiation = services.negotiation_open(actor=request.user, **data)
        return self._detail(negotiation, status.HTTP_201_CREATED)

    @extend_schema(request=s.MeetingInputSerializer, responses={201: s.MeetingSerializer})
    @action(detail=True, methods=["post"])
    def meetings(self, request, pk=None):
        negotiation = self.get_object()
        meeting = services.meeting_log(
            actor=request.user, negotiation=negotiation, **_valid(s.MeetingInputSerializer, request)
        )
        return Response(s.MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.NotesSerializer, responses=s.NegotiationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-revision")
    def request_revision(self, request, pk=None):
        negotiation = self.get_object()
        services.revision_request(actor=request.user, negotiation=negotiation, **_valid(s.NotesSerializer, request))
        return self._detail(negotiation)

    @extend_schema(request=s.ReviseSerializer, responses={201: s.VersionSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        negotiation = self.get_object()
        version = services.proposal_revise(
            actor=request.user, negotiation=negotiation, **_valid(s.ReviseSerializer, request)
        )
        return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AgreeSerializer, responses=s.NegotiationDetailSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        negotiation = self.get_object()
        services.negotiation_agree(actor=request.user, negotiation=negotiation, **_valid(s.AgreeSerializer, request))
        return self._detail(negotiation)

    @extend_schema(request=s.GrantInputSerializer, responses={201: s.GrantResultSerializer})
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        negotiation = self.get_object()
        grant = services.negotiation_grant(
            actor=request.user, negotiation=negotiation, **_valid(s.GrantInputSerializer, request)
        )
        payload = {"grant": grant.pk, "amount": grant.amount, "state": grant.state}
        return Response(s.GrantResultSerializer(payload).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, parameters=COMPARE_PARAMETERS, responses=s.ComparisonSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def compare(self, request, pk=None):
        """Two versions side by side (by default the latest and the one before it)."""
        negotiation = self.get_object()
        before, after = selectors.versions_to_compare(
            negotiation, request.query_params.get("before"), request.query_params.get("after")
        )
        if before is None:
            raise Http404()
        return Response(s.ComparisonSerializer(selectors.compare(before, after)).data)
