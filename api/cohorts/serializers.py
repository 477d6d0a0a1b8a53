"""Serializers of cohorts, sessions and attendance. They shape input and output only:
writes go through ``cohorts.services`` (called by the views), and every record a client
names is looked up among those ``incubator.access`` lets the user see, so an id out of
reach answers 400 "does not exist" like an id that does not exist.

People appear in registers and summaries by name only: never tax code or contacts (a
trainer reads the register of the sessions they run and nothing else about the people)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.base import RoleHolderField, VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from cohorts.models import (
    AttendanceStatus,
    Cohort,
    CurriculumModule,
    ModuleMode,
    TrainingSession,
)
from incubator.models import Programme, Role, User
from incubator.path.models import Enrolment
from incubator.selection.models import Call


def _percent_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, **kwargs)


# --- cohorts and modules -------------------------------------------------------------------


class ModuleSerializer(ModelSerializer):
    class Meta:
        model = CurriculumModule
        fields = ["id", "cohort", "title", "planned_hours", "mode", "order"]


class ModuleInputSerializer(Serializer):
    title = serializers.CharField(max_length=200)
    planned_hours = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    mode = serializers.ChoiceField(choices=ModuleMode.choices, default=ModuleMode.IN_PRESENCE)


class ModuleCreateSerializer(ModuleInputSerializer):
    cohort = VisibleRelatedField(queryset=Cohort.objects.all())
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class ModuleUpdateSerializer(Serializer):
    title = serializers.CharField(max_length=200, required=False)
    planned_hours = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False)
    mode = serializers.ChoiceField(choices=ModuleMode.choices, required=False)
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class CohortModuleBriefSerializer(ModelSerializer):
    class Meta:
        model = CurriculumModule
        fields = ["id", "title", "planned_hours", "mode", "order"]


class CohortSerializer(ModelSerializer):
    modules = CohortModuleBriefSerializer(many=True, read_only=True)
    enrolment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "programme",
            "call",
            "name",
            "starts_on",
            "ends_on",
            "completion_threshold",
            "grant_threshold",
            "warning_threshold",
            "enrolment_count",
            "modules",
            "created_at",
            "updated_at",
        ]


class CohortCreateSerializer(Serializer):
    programme = VisibleRelatedField(queryset=Programme.objects.all())
    call = VisibleRelatedField(queryset=Call.objects.all())
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    completion_threshold = _percent_field(required=False, help_text=_("Default 70."))
    grant_threshold = _percent_field(required=False, help_text=_("Default: the call's threshold for grants."))
    warning_threshold = _percent_field(
        required=False, help_text=_("Attendance warning line. Default 80: participants below it are warned.")
    )
    modules = ModuleInputSerializer(
        many=True, required=False, help_text=_("Leave out to start from the seven INNESCO modules.")
    )


class CohortUpdateSerializer(Serializer):
    name = serializers.CharField(max_length=200, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    completion_threshold = _percent_field(required=False)
    grant_threshold = _percent_field(required=False)
    warning_threshold = _percent_field(required=False)


class EnrolmentInputSerializer(Serializer):
    enrolment = VisibleRelatedField(queryset=Enrolment.objects.all())


class EnrolmentRemoveSerializer(EnrolmentInputSerializer):
    reason = serializers.CharField(max_length=500)


class CalendarLinkSerializer(Serializer):
    url = serializers.CharField(help_text=_("Subscribe to it in a calendar app; keep it secret."))
    created_at = serializers.DateTimeField()


# --- sessions ------------------------------------------------------------------------------


class TrainerSerializer(ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "name"]

    def get_name(self, user: User) -> str:
        return user.get_full_name() or user.username


class TrainingSessionSerializer(ModelSerializer):
    module_title = serializers.CharField(source="module.title", read_only=True, allow_null=True, default=None)
    trainers = TrainerSerializer(many=True, read_only=True)
    is_cancelled = serializers.BooleanField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "cohort",
            "module",
            "module_title",
            "kind",
            "topic",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "place",
            "online_url",
            "trainers",
            "is_cancelled",
            "cancelled_at",
            "cancellation_reason",
            "updated_at",
        ]


class TrainingSessionCreateSerializer(Serializer):
    cohort = VisibleRelatedField(queryset=Cohort.objects.all())
    module = VisibleRelatedField(
        queryset=CurriculumModule.objects.all(),
        allow_null=True,
        help_text=_("The curriculum module; null only for an outreach event."),
    )
    kind = serializers.ChoiceField(choices=TrainingSession.Kind.choices, default=TrainingSession.Kind.TRAINING)
    topic = serializers.CharField(max_length=300)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    online_url = serializers.URLField(required=False, allow_blank=True, default="")
    trainers = RoleHolderField(Role.TUTOR, many=True, required=False, default=list)


class TrainingSessionUpdateSerializer(Serializer):
    module = VisibleRelatedField(queryset=CurriculumModule.objects.all(), required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=TrainingSession.Kind.choices, required=False)
    topic = serializers.CharField(max_length=300, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(required=False, allow_blank=True)
    trainers = RoleHolderField(Role.TUTOR, many=True, required=False)


class CancelSerializer(Serializer):
    reason = serializers.CharField(max_length=300)


# --- registers ----------------------------------------------------------------------------


class RegisterRowSerializer(Serializer):
    """A register line: the person by name, whether they are on today's roster, the mark."""

    person = serializers.IntegerField(source="pk")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    on_roster = serializers.BooleanField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, source="mark_status", allow_null=True)
    minutes_attended = serializers.IntegerField(source="mark_minutes", allow_null=True)
    note = serializers.CharField(source="mark_note", allow_null=True)
    marked_at = serializers.DateTimeField(source="mark_marked_at", allow_null=True)


class MarkInputSerializer(Serializer):
    person = serializers.IntegerField(help_text=_("Person id, from the register."))
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    minutes_attended = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text=_("Only for a partial attendance.")
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BulkMarkSerializer(Serializer):
    marks = MarkInputSerializer(many=True, allow_empty=False)


class BulkMarkResultSerializer(Serializer):
    created = serializers.ListField(child=serializers.IntegerField(), help_text=_("Person ids newly marked."))
    updated = serializers.ListField(child=serializers.IntegerField(), help_text=_("Person ids whose mark changed."))
    unchanged = serializers.ListField(child=serializers.IntegerField(), help_text=_("Person ids already so marked."))
    register = RegisterRowSerializer(many=True)


class AttendanceMarkSerializer(Serializer):
    """A mark in the attendance list (a participant sees only their own)."""

    id = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    cohort = serializers.IntegerField(source="session.cohort_id")
    session_starts_at = serializers.DateTimeField(source="session.starts_at")
    person = serializers.IntegerField(source="person_id")
    first_name = serializers.CharField(source="person.first_name")
    last_name = serializers.CharField(source="person.last_name")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    minutes_attended = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    marked_at = serializers.DateTimeField()


# --- completion ----------------------------------------------------------------------------


class PersonAttendanceSerializer(Serializer):
    """One participant's completion figures (rule: ``cohorts.selectors``)."""

    person = serializers.IntegerField(source="person_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    enrolment = serializers.IntegerField(source="enrolment_id")
    held_sessions = serializers.IntegerField()
    scheduled_minutes = serializers.IntegerField()
    attended_minutes = serializers.IntegerField()
    justified_minutes = serializers.IntegerField()
    counted_minutes = serializers.IntegerField(help_text=_("Scheduled minus justified: the denominator."))
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    completed = serializers.BooleanField()
    grant_eligible = serializers.BooleanField()


class CohortAttendanceSerializer(Serializer):
    cohort = serializers.IntegerField()
    completion_threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    grant_threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    held_sessions = serializers.IntegerField()
    held_minutes = serializers.IntegerField()
    participants = PersonAttendanceSerializer(many=True)


class SessionMarkSerializer(Serializer):
    session = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=TrainingSession.Kind.choices)
    module_title = serializers.CharField(source="module.title", allow_null=True, default=None)
    topic = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    is_cancelled = serializers.BooleanField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, source="mark_status", allow_null=True)
    minutes_attended = serializers.IntegerField(source="mark_minutes", allow_null=True)


class ParticipantAttendanceSerializer(Serializer):
    summary = PersonAttendanceSerializer()
    completion_threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    grant_threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    sessions = SessionMarkSerializer(many=True)
