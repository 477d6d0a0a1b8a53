"""API of mentoring: unit-cost bands, tutors (with their calendar link), conflicts of
interest, venture needs, assignments (with matching suggestions), tutoring sessions,
action items and monthly timesheets.

Every queryset starts from ``incubator.access.visible`` (``ScopedMixin``), so a record
out of reach answers 404, also for the actions on it. Every write calls a service with the
request's user as actor (403 when the record is visible but the act is not theirs; 400
JSON naming the field for domain errors). Lists prefetch what their serializer reads, so
their query count does not grow with the rows."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.base import ScopedViewSet
from api.mentoring import filters
from api.mentoring import serializers as s
from api.pagination import LargeTableCursorPagination
from incubator import access
from incubator.calendar import services as incubator_services
from incubator.calendar.models import CalendarFeed
from incubator.models import Role
from incubator.path.models import Enrolment
from mentoring import selectors, services
from mentoring.models import (
    ActionItem,
    Assignment,
    TutorConflict,
    TutoringSession,
    TutoringSessionPrivateNote,
    TutorProfile,
    UnitCostBand,
    VentureNeeds,
)


class ServiceWriteMixin:
    """Input is validated by a dedicated serializer, the write is a service call, and the
    answer is the record re-read through ``get_queryset`` (same shape and visibility as a
    GET of it)."""

    def validated(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def answer(self, instance, status_code=status.HTTP_200_OK, serializer_class=None) -> Response:
        instance = self.get_queryset().get(pk=instance.pk)
        serializer_class = serializer_class or self.get_serializer_class()
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=status_code)


def _sees_private_notes(user) -> bool:
    """Tutors and coordinators get the serializer that has a private-notes field at all."""
    return access.is_admin(user) or bool(access.programmes(user, Role.COORDINATOR, Role.TUTOR))


# --- bands, tutors, conflicts, needs -------------------------------------------------


@extend_schema_view(
    partial_update=extend_schema(request=s.UnitCostBandUpdateSerializer, responses=s.UnitCostBandSerializer)
)
class UnitCostBandViewSet(ServiceWriteMixin, ScopedViewSet):
    """Hourly unit costs (euro per hour) of a programme: coordinators, and a tutor their own."""

    queryset = UnitCostBand.objects.all()
    serializer_class = s.UnitCostBandSerializer
    filterset_fields = ["programme"]
    ordering_fields = ["code", "hourly_rate", "id"]

    def create(self, request, *args, **kwargs):
        band = services.unit_cost_band_create(actor=request.user, **self.validated(s.UnitCostBandSerializer))
        return self.answer(band, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        band = self.get_object()
        data = self.validated(s.UnitCostBandUpdateSerializer, partial=True)
        return self.answer(services.unit_cost_band_update(actor=request.user, band=band, **data))


@extend_schema_view(
    create=extend_schema(request=s.TutorProfileCreateSerializer, responses={201: s.TutorProfileSerializer}),
    partial_update=extend_schema(request=s.TutorProfileUpdateSerializer, responses=s.TutorProfileSerializer),
)
class TutorViewSet(ServiceWriteMixin, ScopedViewSet):
    """Tutor profiles: coordinators see their programmes' tutors, a tutor their own
    profile. A tutor may change their own expertise and languages."""

    # A password hash has no business in a list request.
    queryset = TutorProfile.objects.select_related("user", "unit_cost_band").defer("user__password")
    serializer_class = s.TutorProfileSerializer
    filterset_class = filters.TutorProfileFilter
    ordering_fields = ["id", "capacity", "created_at"]

    def create(self, request, *args, **kwargs):
        profile = services.tutor_profile_create(actor=request.user, **self.validated(s.TutorProfileCreateSerializer))
        return self.answer(profile, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        profile = self.get_object()
        data = self.validated(s.TutorProfileUpdateSerializer, partial=True)
        return self.answer(services.tutor_profile_update(actor=request.user, profile=profile, **data))

    def _link(self, feed: CalendarFeed) -> Response:
        url = self.request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))
        return Response(
            s.TutorCalendarLinkSerializer(
                {"url": url, "programme": feed.programme_id, "created_at": feed.created_at}
            ).data
        )

    def _feed(self, profile: TutorProfile) -> CalendarFeed:
        return incubator_services.calendar_feed_get_or_issue(
            actor=self.request.user, kind=CalendarFeed.Kind.TUTOR, programme=profile.programme, user=profile.user
        )

    @extend_schema(request=None, responses=s.TutorCalendarLinkSerializer)
    @action(detail=True, methods=["get"], url_path="calendar-feed", url_name="calendar-feed", filter_backends=[])
    def calendar_feed(self, request, pk=None):
        """The tutor's secret iCalendar URL (issued on first use): their tutoring
        sessions and the training sessions they run."""
        return self._link(self._feed(self.get_object()))

    @extend_schema(request=None, responses=s.TutorCalendarLinkSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="calendar-feed/rotate",
        url_name="calendar-feed-rotate",
        filter_backends=[],
    )
    def rotate_calendar_feed(self, request, pk=None):
        """Revokes the current URL (it answers 404 from now on) and issues a new one."""
        feed = self._feed(self.get_object())
        return self._link(incubator_services.calendar_feed_rotate(actor=request.user, feed=feed))


class TutorConflictViewSet(ServiceWriteMixin, ScopedViewSet):
    """Conflicts of interest declared by tutors (or by coordinators for them)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = TutorConflict.objects.all()
    serializer_class = s.TutorConflictSerializer
    filterset_fields = ["tutor", "venture"]
    ordering_fields = ["declared_at", "id"]

    def create(self, request, *args, **kwargs):
        conflict = services.tutor_conflict_declare(actor=request.user, **self.validated(s.TutorConflictSerializer))
        return self.answer(conflict, status.HTTP_201_CREATED)


class VentureNeedsViewSet(ServiceWriteMixin, ScopedViewSet):
    """What a venture asks of its tutors (keywords, languages), read by the matching.
    POST sets them (creating or replacing); coordinators only."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = VentureNeeds.objects.order_by("venture_id")
    serializer_class = s.VentureNeedsSerializer
    filterset_fields = ["venture"]
    ordering_fields = ["updated_at", "id"]

    def create(self, request, *args, **kwargs):
        needs = services.venture_needs_set(actor=request.user, **self.validated(s.VentureNeedsSerializer))
        return self.answer(needs, status.HTTP_201_CREATED)


# --- assignments ---------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=s.AssignmentCreateSerializer, responses={201: s.AssignmentSerializer}),
    partial_update=extend_schema(request=s.AssignmentUpdateSerializer, responses=s.AssignmentSerializer),
)
class AssignmentViewSet(ServiceWriteMixin, ScopedViewSet):
    """Tutors assigned to enrolments, with the hours used of each budget. Coordinators
    assign (also from ``suggestions``); refused over capacity, outside the enrolment and
    for a second lead tutor in the same period."""

    queryset = Assignment.objects.select_related("tutor__user", "enrolment__application__venture").defer(
        "tutor__user__password"
    )
    serializer_class = s.AssignmentSerializer
    filterset_class = filters.AssignmentFilter
    ordering_fields = ["starts_on", "ends_on", "id"]

    def get_queryset(self):
        return selectors.with_usage(super().get_queryset())

    def create(self, request, *args, **kwargs):
        assignment = services.assignment_create(actor=request.user, **self.validated(s.AssignmentCreateSerializer))
        return self.answer(assignment, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        assignment = self.get_object()
        data = self.validated(s.AssignmentUpdateSerializer, partial=True)
        return self.answer(services.assignment_update(actor=request.user, assignment=assignment, **data))

    @extend_schema(
        parameters=[OpenApiParameter("enrolment", OpenApiTypes.INT, required=True)],
        responses=s.TutorSuggestionSerializer(many=True),
        description=selectors.SCORE_FORMULA,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def suggestions(self, request):
        """Tutors for an enrolment ranked by the matching score, each with the parts of
        its score (coordinators of the enrolment's programme)."""
        raw = request.query_params.get("enrolment", "")
        if not raw.isdigit():
            raise ValidationError({"enrolment": [_("Give the enrolment's id.")]})
        enrolment = access.get_visible(
            request.user, Enrolment.objects.select_related("application__venture"), pk=int(raw)
        )
        access.require_role(request.user, enrolment.application.venture.programme_id, Role.COORDINATOR)
        suggestions = selectors.assignment_suggestions(enrolment=enrolment)
        return Response(s.TutorSuggestionSerializer(suggestions, many=True).data)


# --- tutoring sessions and action items ----------------------------------------------


class SessionPagination(LargeTableCursorPagination):
    ordering = ("-starts_at", "-id")


@extend_schema_view(
    list=extend_schema(responses=s.TutoringSessionStaffSerializer(many=True)),
    retrieve=extend_schema(responses=s.TutoringSessionStaffSerializer),
    create=extend_schema(request=s.TutoringSessionWriteSerializer, responses={201: s.TutoringSessionLoggedSerializer}),
    partial_update=extend_schema(
        request=s.TutoringSessionUpdateSerializer, responses=s.TutoringSessionLoggedSerializer
    ),
)
class TutoringSessionViewSet(ServiceWriteMixin, ScopedViewSet):
    """Tutoring session logs. Participants see their venture's sessions without private
    notes (the field is absent); a tutor sees the private notes of their own sessions.
    Writes answer with the assignment's hours budget and a warning once exceeded.
    The author edits or deletes for 30 days; then only a coordinator."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = TutoringSession.objects.select_related(
        "tutor__user", "assignment__enrolment__application__venture"
    ).defer("tutor__user__password")
    filterset_class = filters.TutoringSessionFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = SessionPagination

    def get_queryset(self):
        user = self.request.user
        qs = (
            super()
            .get_queryset()
            .prefetch_related(
                "participants_present",
                "milestones",
                Prefetch("action_items", queryset=ActionItem.objects.select_related("owner").order_by("pk")),
            )
        )
        if _sees_private_notes(user):
            qs = qs.prefetch_related(
                Prefetch(
                    "private_note",
                    queryset=access.visible(user, TutoringSessionPrivateNote),
                    to_attr="visible_private_note",
                )
            )
        return qs

    def get_serializer_class(self):
        if _sees_private_notes(self.request.user):
            return s.TutoringSessionStaffSerializer
        return s.TutoringSessionSerializer

    def create(self, request, *args, **kwargs):
        data = self.validated(s.TutoringSessionWriteSerializer)
        data["action_items"] = [dict(item) for item in data["action_items"]]
        session = services.tutoring_session_log(actor=request.user, **data)
        return self.answer(session, status.HTTP_201_CREATED, s.TutoringSessionLoggedSerializer)

    def partial_update(self, request, *args, **kwargs):
        session = self.get_object()
        data = self.validated(s.TutoringSessionUpdateSerializer, partial=True)
        session = services.tutoring_session_update(actor=request.user, session=session, **data)
        return self.answer(session, serializer_class=s.TutoringSessionLoggedSerializer)

    def destroy(self, request, *args, **kwargs):
        services.tutoring_session_delete(actor=request.user, session=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    create=extend_schema(request=s.ActionItemCreateSerializer, responses={201: s.ActionItemSerializer}),
    partial_update=extend_schema(request=s.ActionItemUpdateSerializer, responses=s.ActionItemSerializer),
)
class ActionItemViewSet(ServiceWriteMixin, ScopedViewSet):
    """Action items of the sessions the user sees. The venture's team, its tutors and
    coordinators tick them done (``done``); the session's author changes them."""

    queryset = ActionItem.objects.select_related("owner", "session__assignment__enrolment__application__venture")
    serializer_class = s.ActionItemSerializer
    filterset_class = filters.ActionItemFilter
    ordering_fields = ["due_on", "created_at", "id"]

    def create(self, request, *args, **kwargs):
        item = services.action_item_add(actor=request.user, **self.validated(s.ActionItemCreateSerializer))
        return self.answer(item, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        data = self.validated(s.ActionItemUpdateSerializer, partial=True)
        done = data.pop("done", None)
        if data:
            item = services.action_item_update(actor=request.user, item=item, **data)
        if done is not None:
            item = services.action_item_set_done(actor=request.user, item=item, done=done)
        return self.answer(item)


# --- timesheets ----------------------------------------------------------------------


class TimesheetViewSet(viewsets.ViewSet):
    """A tutor's monthly timesheet: hours by venture and activity valued at the unit
    cost, and the sessions it sums. The tutor themselves and their coordinators."""

    @extend_schema(
        parameters=[
            OpenApiParameter("tutor", OpenApiTypes.INT, required=True, description="Tutor profile id."),
            OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM"),
        ],
        responses=s.TimesheetSerializer,
    )
    def list(self, request):
        errors = {}
        raw = request.query_params.get("tutor", "")
        if not raw.isdigit():
            errors["tutor"] = [_("Give the tutor's id.")]
        month = selectors.parse_month(request.query_params.get("month"))
        if month is None:
            errors["month"] = [_("Give the month as YYYY-MM.")]
        if errors:
            raise ValidationError(errors)
        tutor = access.get_visible(
            request.user, TutorProfile.objects.select_related("user").defer("user__password"), pk=int(raw)
        )
        return Response(s.TimesheetSerializer(selectors.timesheet(tutor=tutor, year=month[0], month=month[1])).data)
