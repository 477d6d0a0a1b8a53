"""API of the notification centre: ``notifications`` (the requesting person's own, with an
``unread`` filter; actions to mark one or all read and the unread count),
``me/notification-preferences`` (read and change how each kind reaches them) and, for
administrators, ``notification-deliveries`` (the e-mail state of every notification, to
see what failed and why).

A person reaches only their own notifications, whatever their roles (an administrator's
``access.visible`` sees every row, so the queryset also names the recipient): someone
else's id answers 404. Writes call ``incubator.notifications.services``."""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ScopedReadOnlyViewSet
from api.incubator.notifications import serializers as s
from incubator import access
from incubator.notifications import services
from incubator.notifications.kinds import Kind
from incubator.notifications.models import EmailState, Notification


class NotificationFilter(django_filters.FilterSet):
    # A choice, not a BooleanFilter: that one ignores a value it cannot read ("perhaps")
    # and answers everything, where the client deserves a 400 naming the parameter.
    unread = django_filters.ChoiceFilter(
        choices=(("true", "true"), ("false", "false")),
        method="filter_unread",
        label=gettext_lazy("Unread only (true) or read only (false)"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "true")


class NotificationViewSet(ScopedReadOnlyViewSet):
    """The requesting person's notifications, newest first."""

    queryset = Notification.objects.only(
        "pk", "kind", "subject", "body", "link", "language", "created_at", "read_at", "attachment_name", "recipient_id"
    )
    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return super().get_queryset().filter(recipient=self.request.user)

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        """Marks it read (already read: unchanged)."""
        notification = services.notification_mark_read(actor=request.user, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=s.MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request):
        """Marks every unread notification of the person read."""
        return Response({"marked": services.notifications_mark_all_read(actor=request.user)})

    @extend_schema(responses=s.UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        """The number shown on the bell: one query."""
        return Response({"unread": self.get_queryset().filter(read_at__isnull=True).count()})


class MeNotificationPreferencesView(APIView):
    """How each kind of notification reaches the requesting person: an e-mail at once, in
    the daily digest, or the inbox only; the language of their notifications and e-mails;
    and the switch that stops every e-mail. Only one's own: looked up by the user."""

    http_method_names = ["get", "patch", "head", "options"]

    def _answer(self, user) -> Response:
        current = services.recipient_settings(user)
        return Response(s.preferences_data(current, services.channels_of(user)))

    @extend_schema(responses=s.PreferencesSerializer)
    def get(self, request):
        return self._answer(request.user)

    @extend_schema(request=s.PreferencesUpdateSerializer, responses=s.PreferencesSerializer)
    def patch(self, request):
        data = s.PreferencesUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = services.recipient_settings(request.user)
        services.preferences_set(
            actor=request.user,
            channels=data.validated_data.get("channels", {}),
            language=data.validated_data.get("language", current.language),
            emails_off=data.validated_data.get("emails_off", current.emails_off),
        )
        return self._answer(request.user)


class DeliveryFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(field_name="email_state", choices=EmailState.choices)
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    recipient = django_filters.NumberFilter()

    class Meta:
        model = Notification
        fields = ["state", "kind", "recipient"]


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Administrators only (others find no row, like the back office): the e-mail state of
    each notification, e.g. ``?state=failed`` with the attempts and the last error. Read
    only; "send again" is the back office's action."""

    queryset = Notification.objects.only(
        "pk",
        "recipient_id",
        "kind",
        "created_at",
        "email_state",
        "email_attempts",
        "email_next_at",
        "email_sent_at",
        "email_error",
    )
    serializer_class = s.DeliverySerializer
    filterset_class = DeliveryFilter
    ordering_fields = ["created_at", "email_next_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if access.is_admin(self.request.user) else queryset.none()
