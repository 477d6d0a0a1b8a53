"""The participant's calendar link through the API: ``me/calendar/`` answers the secret
iCalendar URL of each programme the user takes part in (issued on first use, like the
portal's), ``me/calendar/rotate/`` revokes one and issues a new one. Only one's own:
the feeds are looked up by the requesting user, never by an id."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.representation import Serializer
from incubator import access
from incubator.calendar import services
from incubator.calendar.models import CalendarFeed
from incubator.models import Programme, Role


class ParticipantCalendarLinkSerializer(Serializer):
    url = serializers.URLField(read_only=True)
    programme = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


@extend_schema_field(OpenApiTypes.INT)
class ParticipatedProgrammeField(serializers.PrimaryKeyRelatedField):
    """A programme where the requester is a participant; any other is "does not exist"."""

    def get_queryset(self):
        user = self.context["request"].user
        return Programme.objects.filter(pk__in=access.programmes(user, Role.PARTICIPANT))


class CalendarRotateSerializer(Serializer):
    programme = ParticipatedProgrammeField()


def _link(request, feed: CalendarFeed) -> dict:
    url = request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))
    return ParticipantCalendarLinkSerializer(
        {"url": url, "programme": feed.programme_id, "created_at": feed.created_at}
    ).data


def _feed(request, programme: Programme) -> CalendarFeed:
    return services.calendar_feed_get_or_issue(
        actor=request.user, kind=CalendarFeed.Kind.PARTICIPANT, programme=programme, user=request.user
    )


class MeCalendarView(APIView):
    @extend_schema(responses=ParticipantCalendarLinkSerializer(many=True))
    def get(self, request):
        """One link per programme where the user is a participant (none for other roles)."""
        programmes = Programme.objects.filter(pk__in=access.programmes(request.user, Role.PARTICIPANT)).order_by("pk")
        return Response([_link(request, _feed(request, programme)) for programme in programmes])


class MeCalendarRotateView(APIView):
    @extend_schema(request=CalendarRotateSerializer, responses=ParticipantCalendarLinkSerializer)
    def post(self, request):
        """Revokes the current URL of that programme (it answers 404 from now on) and
        issues a new one: for a link shared by mistake."""
        data = CalendarRotateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        feed = _feed(request, data.validated_data["programme"])
        return Response(_link(request, services.calendar_feed_rotate(actor=request.user, feed=feed)))
