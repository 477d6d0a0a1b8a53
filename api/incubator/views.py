"""API of the selection pipeline: programmes, calls and their ranking, applications,
evaluations, ventures, people and enrolments.

Every queryset starts from ``incubator.access.visible`` (``ScopedMixin``), so a record out
of reach answers 404, also for the actions on it. Every write calls a service with the
request's user as actor; the service decides whether that user may act (403 when the
record is visible but the act is not theirs) and raises domain errors that
``api.exceptions`` turns into 400 JSON naming the field. Lists prefetch what their
serializer reads, so their query count does not grow with the rows."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api.base import ScopedReadOnlyViewSet
from api.incubator import filters, staffing
from api.incubator import serializers as s
from api.representation import Serializer
from incubator import services
from incubator.models import Person, Programme, TeamMember, Venture


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


def team_prefetch(lookup: str) -> Prefetch:
    # Idea holders first; the person is joined for the member's name.
    return Prefetch(lookup, queryset=TeamMember.objects.select_related("person").order_by("role", "pk"))


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


@extend_schema_view(create=extend_schema(request=s.VentureCreateSerializer, responses={201: s.VentureSerializer}))
class VentureViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Ventures (ideas) with their team, as names and roles, and legal-form history."""

    queryset = Venture.objects.prefetch_related(team_prefetch("team"), "legal_forms")
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

    @extend_schema(methods=["POST"], request=s.TeamMemberAddSerializer, responses=s.VentureSerializer)
    @extend_schema(methods=["PATCH"], request=s.TeamMemberChangeSerializer, responses=s.VentureSerializer)
    @action(detail=True, methods=["post", "patch"], filter_backends=[])
    def team(self, request, pk=None):
        """POST adds a person to the team; PATCH changes a member's role or dates (``left_on``
        when they leave: the team's history is kept)."""
        venture = self.get_object()
        if request.method == "POST":
            services.team_member_add(actor=request.user, venture=venture, **self.validated(s.TeamMemberAddSerializer))
            return self.answer(venture)
        data = dict(self.validated(s.TeamMemberChangeSerializer))
        member = venture.team.filter(person_id=data.pop("person")).first()
        if member is None:
            raise ValidationError({"person": [_("This person is not in the venture's team.")]})
        services.team_member_update(actor=request.user, member=member, **data)
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

    @extend_schema(request=staffing.LoginCreateSerializer, responses={201: staffing.UserSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def login(self, request, pk=None):
        """A login for the person (no password: they set it through the password reset
        e-mail); then grant roles with ``role-assignments``."""
        person = self.get_object()
        data = self.validated(staffing.LoginCreateSerializer)
        user = services.person_create_login(actor=request.user, person=person, **data)
        user.visible_roles = []
        return Response(staffing.UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenSerializer(Serializer):
    token = serializers.CharField(read_only=True)


class TokenObtainView(ObtainAuthToken):
    """POST username and password, get the user's API token (the same one until revoked)."""

    # ObtainAuthToken turns throttling off; a password endpoint keeps the default rates.
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES
    # JSON like every other body (ObtainAuthToken also takes forms).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

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
