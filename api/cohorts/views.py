"""API of cohorts, curriculum modules, training sessions, attendance registers and
completion figures.

Every queryset starts from ``incubator.access.visible`` (``ScopedMixin``), so a record out
of reach answers 404, also for the actions on it; a sub-resource the user may not read
(a register for a participant, the whole cohort's figures for a trainer) answers 404 too.
Writes call ``cohorts.services`` with the request's user as actor: the service decides
whether that user may act (403 when the record is visible but the act is not theirs) and
raises domain errors that ``api.exceptions`` turns into 400 JSON naming the field. Lists
prefetch what their serializer reads, so their query count does not grow with the rows."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedMixin, ScopedReadOnlyViewSet
from api.cohorts import filters
from api.cohorts import serializers as s
from api.pagination import LargeTableCursorPagination
from cohorts import access as cohort_access
from cohorts import selectors, services
from cohorts.models import Attendance, Cohort, CurriculumModule, TrainingSession
from incubator import access
from incubator.models import Person, User


class ServiceWriteMixin:
    """Input validated by a dedicated serializer, the write a service call, and the answer
    the record re-read through ``get_queryset`` (same shape and visibility as a GET)."""

    def validated(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def answer(self, instance, status_code=status.HTTP_200_OK) -> Response:
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status_code)


class ScopedWriteViewSet(
    ServiceWriteMixin,
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


# --- cohorts -------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=s.CohortCreateSerializer, responses={201: s.CohortSerializer}),
    partial_update=extend_schema(request=s.CohortUpdateSerializer, responses=s.CohortSerializer),
)
class CohortViewSet(ScopedWriteViewSet):
    """Cohorts: coordinators see their programmes', trainers those whose sessions they
    run, participants their own. Coordinators create and edit them (a new cohort starts
    with the seven INNESCO modules unless others are given)."""

    # GROUP BY drops Meta.ordering: the order is spelled out for stable pages.
    queryset = (
        Cohort.objects.annotate(enrolment_count=Count("memberships"))
        .prefetch_related(Prefetch("modules", queryset=CurriculumModule.objects.order_by("order", "pk")))
        .order_by("-starts_on", "name", "pk")
    )
    serializer_class = s.CohortSerializer
    filterset_class = filters.CohortFilter
    ordering_fields = ["starts_on", "name", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = self.validated(s.CohortCreateSerializer)
        modules = data.pop("modules", None)
        cohort = services.cohort_create(
            actor=request.user, modules=[dict(m) for m in modules] if modules is not None else None, **data
        )
        return self.answer(cohort, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        cohort = self.get_object()
        cohort = services.cohort_update(actor=request.user, cohort=cohort, **self.validated(s.CohortUpdateSerializer))
        return self.answer(cohort)

    @extend_schema(request=s.EnrolmentInputSerializer, responses=s.CohortSerializer)
    @action(detail=True, methods=["post"], url_path="add-enrolment")
    def add_enrolment(self, request, pk=None):
        """Places an admitted venture's enrolment in this cohort (coordinators)."""
        cohort = self.get_object()
        services.cohort_add_enrolment(actor=request.user, cohort=cohort, **self.validated(s.EnrolmentInputSerializer))
        return self.answer(cohort)

    @extend_schema(request=s.EnrolmentRemoveSerializer, responses=s.CohortSerializer)
    @action(detail=True, methods=["post"], url_path="remove-enrolment")
    def remove_enrolment(self, request, pk=None):
        """Takes an enrolment out of this cohort, before any of its people is on a register."""
        cohort = self.get_object()
        services.cohort_remove_enrolment(
            actor=request.user, cohort=cohort, **self.validated(s.EnrolmentRemoveSerializer)
        )
        return self.answer(cohort)

    @extend_schema(responses=s.CohortAttendanceSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None, queryset=Cohort.objects.all())
    def attendance(self, request, pk=None):
        """Every participant's completion figures. Coordinators see the whole cohort; a
        participant sees only their own line; anyone else gets 404."""
        cohort = self.get_object()
        if cohort_access.may_see_all_attendance(request.user, cohort):
            rows = selectors.attendance_by_person(cohort)
        else:
            own = Person.objects.filter(user=request.user, anonymised_at__isnull=True).first()
            row = selectors.person_attendance(own, cohort) if own else None
            if row is None:
                raise Http404()
            rows = [row]
        figures = selectors.cohort_figures(cohort)
        data = {
            "cohort": cohort.pk,
            "completion_threshold": cohort.completion_threshold,
            "grant_threshold": cohort.grant_threshold,
            "held_sessions": figures.held_sessions,
            "held_minutes": figures.held_minutes,
            "participants": rows,
        }
        return Response(s.CohortAttendanceSerializer(data).data)

    @extend_schema(
        operation_id="cohorts_attendance_person_retrieve",
        parameters=[
            OpenApiParameter("person_pk", int, OpenApiParameter.PATH, description="The participant (person id).")
        ],
        responses=s.ParticipantAttendanceSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attendance/(?P<person_pk>\d+)",
        filter_backends=[],
        pagination_class=None,
        queryset=Cohort.objects.all(),
    )
    def person_attendance(self, request, pk=None, person_pk=None):
        """One participant's figures and their mark on every session of the cohort: for
        the programme's coordinators and the participant themselves."""
        cohort = self.get_object()
        person = get_object_or_404(access.visible(request.user, Person), pk=person_pk)
        if not (cohort_access.may_see_all_attendance(request.user, cohort) or person.user_id == request.user.pk):
            raise Http404()
        summary = selectors.person_attendance(person, cohort)
        if summary is None:
            raise Http404()
        data = {
            "summary": summary,
            "completion_threshold": cohort.completion_threshold,
            "grant_threshold": cohort.grant_threshold,
            "sessions": selectors.person_session_marks(person, cohort),
        }
        return Response(s.ParticipantAttendanceSerializer(data).data)

    def _link(self, request, feed) -> Response:
        url = request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": feed.token}))
        return Response(s.CalendarLinkSerializer({"url": url, "created_at": feed.created_at}).data)

    @extend_schema(request=None, responses=s.CalendarLinkSerializer)
    @action(detail=True, methods=["post"], url_path="calendar-feed", queryset=Cohort.objects.all())
    def calendar_feed(self, request, pk=None):
        """The cohort's calendar subscription link (issued on first request): for its
        coordinators, trainers and participants."""
        feed = services.cohort_calendar_feed(actor=request.user, cohort=self.get_object())
        return self._link(request, feed)

    @extend_schema(request=None, responses=s.CalendarLinkSerializer)
    @action(detail=True, methods=["post"], url_path="calendar-feed/rotate", queryset=Cohort.objects.all())
    def calendar_feed_rotate(self, request, pk=None):
        """Revokes the cohort's link (it answers 404 from now on) and issues a new one:
        coordinators and the cohort's trainers."""
        feed = services.cohort_calendar_feed_rotate(actor=request.user, cohort=self.get_object())
        return self._link(request, feed)


# --- modules -------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=s.ModuleCreateSerializer, responses={201: s.ModuleSerializer}),
    partial_update=extend_schema(request=s.ModuleUpdateSerializer, responses=s.ModuleSerializer),
)
class CohortModuleViewSet(ScopedWriteViewSet):
    """A cohort's curriculum: modules with planned hours and mode. Coordinators edit it;
    a module with sessions cannot be deleted."""

    queryset = CurriculumModule.objects.all()
    serializer_class = s.ModuleSerializer
    filterset_class = filters.ModuleFilter
    ordering_fields = ["order", "title", "id"]

    def create(self, request, *args, **kwargs):
        module = services.module_create(actor=request.user, **self.validated(s.ModuleCreateSerializer))
        return self.answer(module, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        module = services.module_update(
            actor=request.user, module=self.get_object(), **self.validated(s.ModuleUpdateSerializer)
        )
        return self.answer(module)

    def destroy(self, request, *args, **kwargs):
        services.module_delete(actor=request.user, module=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- training sessions and registers -------------------------------------------------------


def _register(session: TrainingSession) -> list:
    return s.RegisterRowSerializer(selectors.session_register(session), many=True).data


class TrainingSessionPagination(LargeTableCursorPagination):
    # A programme's calendar grows without bound: pages by cursor, in time order, so the
    # last page costs what the first does (an index on starts_at, id serves both).
    ordering = ("starts_at", "id")


@extend_schema_view(
    create=extend_schema(request=s.TrainingSessionCreateSerializer, responses={201: s.TrainingSessionSerializer}),
    partial_update=extend_schema(request=s.TrainingSessionUpdateSerializer, responses=s.TrainingSessionSerializer),
)
class TrainingSessionViewSet(ScopedWriteViewSet):
    """Training sessions and outreach events: coordinators see their programmes', trainers
    the sessions they run, participants their cohort's. Filter by cohort, module, kind,
    trainer and a date range (local dates); coordinators create, edit and cancel them.
    Pages are cursor-based (``next`` / ``previous`` links, no total count)."""

    queryset = TrainingSession.objects.select_related("module").prefetch_related(
        Prefetch("trainers", queryset=User.objects.defer("password"))
    )
    serializer_class = s.TrainingSessionSerializer
    filterset_class = filters.TrainingSessionFilter
    pagination_class = TrainingSessionPagination
    ordering_fields = ["starts_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        session = services.session_create(actor=request.user, **self.validated(s.TrainingSessionCreateSerializer))
        return self.answer(session, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        session = services.session_update(
            actor=request.user, session=self.get_object(), **self.validated(s.TrainingSessionUpdateSerializer)
        )
        return self.answer(session)

    @extend_schema(request=s.CancelSerializer, responses=s.TrainingSessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancels the session: it stays, marked cancelled (and so in calendars)."""
        session = services.session_cancel(
            actor=request.user, session=self.get_object(), **self.validated(s.CancelSerializer)
        )
        return self.answer(session)

    def _register_session(self) -> TrainingSession:
        session = self.get_object()
        if not cohort_access.may_take_attendance(self.request.user, session):
            raise Http404()
        return session

    @extend_schema(
        methods=["get"],
        responses=s.RegisterRowSerializer(many=True),
        description="The register: the roster of the session's day with each person's mark.",
    )
    @extend_schema(methods=["post"], request=s.BulkMarkSerializer, responses=s.BulkMarkResultSerializer)
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=None,
        queryset=TrainingSession.objects.select_related("cohort"),
    )
    def attendance(self, request, pk=None):
        """The session's register (GET) and bulk marking (POST), for the programme's
        coordinators and the session's trainers. Marking again is idempotent; one bad
        mark refuses the whole request, naming its row."""
        session = self._register_session()
        if request.method == "GET":
            return Response(_register(session))
        marks = self.validated(s.BulkMarkSerializer)["marks"]
        result = services.attendance_mark_bulk(actor=request.user, session=session, marks=[dict(m) for m in marks])
        data = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "register": selectors.session_register(session),
        }
        return Response(s.BulkMarkResultSerializer(data).data)


# --- marks -------------------------------------------------------------------------------


class AttendanceViewSet(ScopedReadOnlyViewSet):
    """Attendance marks: coordinators see their programmes', trainers those of the sessions
    they run, a participant only their own. Filter by session, person, cohort, status."""

    # Only the columns the list serialises: not the people's tax codes, e-mail addresses
    # and phone numbers (and 6 % less time for a 50-row page than every column).
    queryset = Attendance.objects.select_related("session", "person").only(
        *("id", "session", "person", "status", "minutes_attended", "note", "marked_at"),
        *("session__cohort", "session__starts_at", "person__first_name", "person__last_name"),
    )
    serializer_class = s.AttendanceMarkSerializer
    filterset_class = filters.AttendanceFilter
    pagination_class = LargeTableCursorPagination
    ordering_fields = ["id"]
