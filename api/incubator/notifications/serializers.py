"""Serializers of the notification centre: a person's own notifications, their
preferences, and (for administrators) the e-mail delivery state. Input serializers only
shape the request; ``incubator.notifications.services`` decides."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from api.representation import ModelSerializer, Serializer
from incubator.notifications.kinds import TEXTS, Channel, Kind
from incubator.notifications.models import Notification


class NotificationSerializer(ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "body",
            "link",
            "language",
            "created_at",
            "read_at",
            "unread",
            "attachment_name",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj: Notification) -> str:
        return str(Kind(obj.kind).label) if obj.kind in Kind.values else obj.kind

    def get_unread(self, obj: Notification) -> bool:
        return obj.read_at is None


class UnreadCountSerializer(Serializer):
    unread = serializers.IntegerField(read_only=True)


class MarkedSerializer(Serializer):
    marked = serializers.IntegerField(read_only=True, help_text="How many notifications were unread and are now read.")


class KindChannelSerializer(Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    default = serializers.ChoiceField(choices=Channel.choices, read_only=True)


class PreferencesSerializer(Serializer):
    """What a person chose: the language of their notifications and e-mails, the switch
    that stops every e-mail, and how each kind reaches them."""

    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    emails_off = serializers.BooleanField(read_only=True)
    kinds = KindChannelSerializer(many=True, read_only=True)


def preferences_data(current, channels: dict[str, str]) -> dict:
    return {
        "language": current.language,
        "emails_off": current.emails_off,
        "kinds": [
            {
                "kind": kind.value,
                "label": str(kind.label),
                "channel": channels[kind.value],
                "default": TEXTS[kind].default,
            }
            for kind in Kind
        ],
    }


class PreferencesUpdateSerializer(Serializer):
    """Any of the three; what is left out stays as it is. ``channels`` maps a kind to
    ``instant``, ``digest`` or ``off``."""

    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    emails_off = serializers.BooleanField(required=False)
    channels = serializers.DictField(child=serializers.ChoiceField(choices=Channel.choices), required=False)

    def validate_channels(self, value: dict) -> dict:
        unknown = {kind: [_("Unknown kind of notification.")] for kind in value if kind not in Kind.values}
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class DeliverySerializer(ModelSerializer):
    """The e-mail side of a notification, for administrators: no subject or text (those
    are the recipient's), only what tells whether and why a message did not go out."""

    class Meta:
        model = Notification
        fields = [
            "id",
            "recipient",
            "kind",
            "created_at",
            "email_state",
            "email_attempts",
            "email_next_at",
            "email_sent_at",
            "email_error",
        ]
        read_only_fields = fields
