"""Serializers of the participant's path: milestones (with their derived flags),
templates, suspensions, the inputs of the path's actions, and ``me/path``.

Output only: every write is a service call fed by an input serializer's validated data."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from api.representation import ModelSerializer, Serializer
from incubator.path.models import (
    Enrolment,
    EnrolmentStatus,
    EnrolmentSuspension,
    Milestone,
    MilestoneState,
    MilestoneTemplate,
)


class MilestoneTemplateSerializer(ModelSerializer):
    class Meta:
        model = MilestoneTemplate
        fields = [
            "id",
            "programme",
            "title",
            "description",
            "offset_months",
            "evidence_required",
            "order",
            "crowdfunding_only",
        ]
        read_only_fields = ["id"]


class MilestoneTemplateInputSerializer(Serializer):
    programme = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    offset_months = serializers.IntegerField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_required = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    crowdfunding_only = serializers.BooleanField(required=False, default=False)


class MilestoneTemplateUpdateSerializer(Serializer):
    title = serializers.CharField(max_length=200, required=False)
    offset_months = serializers.IntegerField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    evidence_required = serializers.CharField(required=False, allow_blank=True, max_length=300)
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    crowdfunding_only = serializers.BooleanField(required=False)


class PathVentureSerializer(Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class MilestoneSerializer(ModelSerializer):
    """``is_overdue`` and ``after_end`` are derived by the query (never stored); the
    evidence file is reachable only through ``evidence_download``, which checks access."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    venture = PathVentureSerializer(source="enrolment.application.venture", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    after_end = serializers.BooleanField(read_only=True)
    verified_by = serializers.SerializerMethodField()
    evidence_download = serializers.SerializerMethodField()
    # Empty when no link was given: a plain string in the schema ("" is not a URI).
    evidence_url = serializers.CharField(read_only=True, help_text="A link to the evidence, or empty.")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "enrolment",
            "venture",
            "template",
            "title",
            "description",
            "evidence_required",
            "order",
            "due_on",
            "state",
            "state_label",
            "is_overdue",
            "after_end",
            "achieved_on",
            "waiver_reason",
            "verified_by",
            "verified_at",
            "evidence_url",
            "evidence_download",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_verified_by(self, milestone: Milestone) -> str | None:
        user = milestone.verified_by
        return (user.get_full_name() or user.username) if user else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_download(self, milestone: Milestone) -> str | None:
        if not milestone.evidence_file:
            return None
        return reverse("api:milestone-evidence", args=[milestone.pk], request=self.context.get("request"))


class MilestoneCreateSerializer(Serializer):
    enrolment = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_required = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class MilestoneTransitionSerializer(Serializer):
    state = serializers.ChoiceField(choices=MilestoneState.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    achieved_on = serializers.DateField(required=False, allow_null=True, default=None)


class MilestoneRescheduleSerializer(Serializer):
    due_on = serializers.DateField()
    reason = serializers.CharField(max_length=500, allow_blank=True)


class EvidenceUploadSerializer(Serializer):
    """A file (PDF, PNG, JPEG, ODT, DOCX up to 5 MB) or a link; the service checks both."""

    file = serializers.FileField(required=False, allow_empty_file=True, use_url=False)
    url = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EnrolmentSuspensionSerializer(ModelSerializer):
    days = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = EnrolmentSuspension
        fields = ["id", "enrolment", "starts_on", "ends_on", "days", "reason", "created_at"]
        read_only_fields = fields


class SuspendSerializer(Serializer):
    enrolment = serializers.IntegerField()
    reason = serializers.CharField(max_length=500, allow_blank=True)
    on = serializers.DateField(required=False, allow_null=True, default=None)


class ResumeSerializer(Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


# --- me/path -------------------------------------------------------------------------------------

MONEY = {"max_digits": 12, "decimal_places": 2}


class GrantStatusSerializer(Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    accepted_spending = serializers.DecimalField(**MONEY)
    pending_spending = serializers.DecimalField(**MONEY)
    decided_on = serializers.DateField(allow_null=True)
    contract_signed_on = serializers.DateField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    cup = serializers.CharField()


class CampaignStatusSerializer(Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    url = serializers.CharField()
    model = serializers.CharField()
    model_label = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    goal = serializers.DecimalField(**MONEY)
    raised = serializers.DecimalField(**MONEY)
    backers = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    matched = serializers.DecimalField(**MONEY)


class FundingSerializer(Serializer):
    grants = GrantStatusSerializer(many=True)
    campaigns = CampaignStatusSerializer(many=True)


class EventSerializer(Serializer):
    kind = serializers.ChoiceField(choices=["training", "tutoring", "milestone"])
    title = serializers.CharField()
    starts = serializers.SerializerMethodField()
    ends = serializers.SerializerMethodField()
    all_day = serializers.BooleanField()
    place = serializers.CharField()
    online_url = serializers.CharField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_starts(self, event) -> str:
        return serializers.DateTimeField().to_representation(event.starts) if not event.all_day else str(event.starts)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text=_("Null when the event has no end.")))
    def get_ends(self, event) -> str | None:
        if event.ends is None:
            return None
        return serializers.DateTimeField().to_representation(event.ends) if not event.all_day else str(event.ends)


class ProgressSerializer(Serializer):
    milestones_achieved = serializers.IntegerField()
    milestones_due = serializers.IntegerField()
    milestones_planned = serializers.IntegerField()
    milestones_overdue = serializers.IntegerField()
    elapsed_pct = serializers.IntegerField()
    elapsed_days = serializers.IntegerField()
    total_days = serializers.IntegerField()
    attendance_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    tutoring_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    next_events = EventSerializer(many=True)


class AttendanceFiguresSerializer(Serializer):
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    held_sessions = serializers.IntegerField()
    attended_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    counted_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    completion_threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    grant_threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    completed = serializers.BooleanField()
    grant_eligible = serializers.BooleanField()


class TrainingSessionBriefSerializer(Serializer):
    id = serializers.IntegerField()
    topic = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    online_url = serializers.CharField()


class TutoringSessionBriefSerializer(Serializer):
    """Shared notes only: private notes live in another model that nothing here reads."""

    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    mode = serializers.CharField()
    topics = serializers.CharField()
    shared_notes = serializers.CharField()


class ActionItemBriefSerializer(Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    owner = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner(self, item) -> str | None:
        return str(item.owner) if item.owner_id else None


class WindowSerializer(Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    cap = serializers.DateField()
    suspended_days = serializers.IntegerField()
    suspended_now = serializers.BooleanField()
    days_left = serializers.IntegerField()


class VenturePathSerializer(Serializer):
    enrolment = serializers.IntegerField(source="enrolment.pk")
    status = serializers.CharField(source="enrolment.status")
    venture = PathVentureSerializer()
    programme = serializers.CharField(source="enrolment.application.call.programme.code")
    window = WindowSerializer(source="path.window")
    progress = ProgressSerializer()
    milestones = MilestoneSerializer(source="path.milestones", many=True)
    suspensions = EnrolmentSuspensionSerializer(source="path.suspensions", many=True)
    cohort = serializers.CharField(source="cohort.name", allow_null=True, default=None)
    attendance = AttendanceFiguresSerializer(many=True)
    next_training = TrainingSessionBriefSerializer(many=True)
    next_tutoring = TutoringSessionBriefSerializer(many=True)
    shared_notes = TutoringSessionBriefSerializer(many=True)
    open_action_items = ActionItemBriefSerializer(source="open_actions", many=True)
    funding = FundingSerializer()
    calendar_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_calendar_url(self, picture) -> str | None:
        feed = self.context.get("feeds", {}).get(picture.enrolment.application.call.programme_id)
        if feed is None:
            return None
        return reverse("calendar-feed", args=[feed.token], request=self.context.get("request"))


class MePathSerializer(Serializer):
    today = serializers.DateField()
    ventures = VenturePathSerializer(source="pictures", many=True)


class EnrolmentSerializer(ModelSerializer):
    call = serializers.IntegerField(source="application.call_id", read_only=True)
    venture = serializers.IntegerField(source="application.venture_id", read_only=True)
    venture_title = serializers.CharField(source="application.venture.title", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "application",
            "call",
            "venture",
            "venture_title",
            "starts_on",
            "ends_on",
            "max_months",
            "status",
            "exited_on",
            "exit_reason",
        ]
        read_only_fields = fields


class EnrolmentDatesSerializer(Serializer):
    starts_on = serializers.DateField(
        required=False, help_text=_("Before the path starts only; the end and open milestones move with it.")
    )
    ends_on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if "starts_on" not in attrs and "ends_on" not in attrs:
            raise serializers.ValidationError({"ends_on": [_("Give a new start, a new end or both.")]})
        return attrs


class EnrolmentStatusSerializer(Serializer):
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True, default=None)
