"""Serializers of mentoring. They shape input and output only: every write goes through
``mentoring.services`` (called by the views), and every record a client may name is
looked up among those ``incubator.access`` lets the user see, so an id out of reach
answers 400 "does not exist" like one that does not exist.

People appear by name only (never tax code or contacts). Private notes exist only in
``TutoringSessionStaffSerializer``, used for tutors and coordinators, and even there the
value comes from a prefetch filtered by the private notes' own access rule: a
participant's request never selects the table."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.base import RoleHolderField, VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from incubator.models import Person, Programme, Role, Venture
from incubator.path.models import Enrolment
from mentoring import selectors, services
from mentoring.models import (
    ActionItem,
    Activity,
    Assignment,
    AssignmentRole,
    SessionMode,
    TutorConflict,
    TutoringSession,
    TutorKind,
    TutorProfile,
    UnitCostBand,
    VentureNeeds,
)


def _user(context):
    return context["request"].user


def person_name(person: Person | None) -> str:
    return f"{person.first_name} {person.last_name}" if person else ""


class TutoringPersonSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, person: Person) -> str:
        return person_name(person)


class TutoringVentureSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


# --- bands and tutors ----------------------------------------------------------------


class UnitCostBandSerializer(ModelSerializer):
    programme = VisibleRelatedField(Programme)

    class Meta:
        model = UnitCostBand
        fields = ["id", "programme", "code", "label", "hourly_rate"]


class UnitCostBandUpdateSerializer(ModelSerializer):
    class Meta:
        model = UnitCostBand
        fields = ["code", "label", "hourly_rate"]
        extra_kwargs = {"code": {"required": False}, "label": {"required": False}, "hourly_rate": {"required": False}}


class TutorProfileSerializer(ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    hourly_rate = serializers.DecimalField(
        source="unit_cost_band.hourly_rate", max_digits=8, decimal_places=2, read_only=True
    )

    class Meta:
        model = TutorProfile
        fields = [
            "id",
            "programme",
            "user",
            "name",
            "expertise",
            "languages",
            "capacity",
            "kind",
            "unit_cost_band",
            "hourly_rate",
            "created_at",
        ]
        read_only_fields = fields


class TutorProfileCreateSerializer(Serializer):
    programme = VisibleRelatedField(Programme)
    user = RoleHolderField(Role.TUTOR)
    unit_cost_band = VisibleRelatedField(UnitCostBand)
    kind = serializers.ChoiceField(choices=TutorKind.choices)
    capacity = serializers.IntegerField(min_value=0, default=5)
    expertise = serializers.ListField(child=serializers.CharField(max_length=60), default=list)
    languages = serializers.ListField(child=serializers.CharField(max_length=8), default=list)


class TutorProfileUpdateSerializer(Serializer):
    unit_cost_band = VisibleRelatedField(UnitCostBand, required=False)
    kind = serializers.ChoiceField(choices=TutorKind.choices, required=False)
    capacity = serializers.IntegerField(min_value=0, required=False)
    expertise = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False)


class TutorConflictSerializer(ModelSerializer):
    tutor = VisibleRelatedField(TutorProfile)
    venture = VisibleRelatedField(Venture)

    class Meta:
        model = TutorConflict
        fields = ["id", "tutor", "venture", "note", "declared_at"]
        read_only_fields = ["declared_at"]


class VentureNeedsSerializer(ModelSerializer):
    venture = VisibleRelatedField(Venture)

    class Meta:
        model = VentureNeeds
        fields = ["id", "venture", "keywords", "languages", "note", "updated_at"]
        read_only_fields = ["updated_at"]


class TutorCalendarLinkSerializer(Serializer):
    url = serializers.URLField(read_only=True)
    programme = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


# --- assignments and matching --------------------------------------------------------


class HoursBudgetSerializer(Serializer):
    hours_budget = serializers.DecimalField(max_digits=7, decimal_places=2)
    hours_used = serializers.DecimalField(max_digits=9, decimal_places=2)
    hours_remaining = serializers.DecimalField(
        max_digits=9, decimal_places=2, help_text=_("Negative when the budget is exceeded.")
    )
    exceeded = serializers.BooleanField()
    warning = serializers.CharField(help_text=_("Empty unless the budget is exceeded."))


class AssignmentSerializer(ModelSerializer):
    tutor_name = serializers.CharField(source="tutor.display_name", read_only=True)
    venture = TutoringVentureSerializer(source="enrolment.application.venture", read_only=True)
    budget = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "tutor",
            "tutor_name",
            "enrolment",
            "venture",
            "role",
            "starts_on",
            "ends_on",
            "hours_budget",
            "budget",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(HoursBudgetSerializer)
    def get_budget(self, assignment: Assignment) -> dict:
        return HoursBudgetSerializer(selectors.budget_of(assignment).as_dict()).data


class AssignmentCreateSerializer(Serializer):
    tutor = VisibleRelatedField(TutorProfile)
    enrolment = VisibleRelatedField(Enrolment)
    role = serializers.ChoiceField(choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    hours_budget = serializers.DecimalField(max_digits=7, decimal_places=2)


class AssignmentUpdateSerializer(Serializer):
    role = serializers.ChoiceField(choices=AssignmentRole.choices, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    hours_budget = serializers.DecimalField(max_digits=7, decimal_places=2, required=False)


class MatchingScorePartSerializer(Serializer):
    name = serializers.ChoiceField(choices=list(selectors.WEIGHTS), help_text=_("The part of the score."))
    points = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_points = serializers.IntegerField()
    explanation = serializers.CharField()


class TutorSuggestionSerializer(Serializer):
    tutor = serializers.IntegerField(source="tutor.pk")
    tutor_name = serializers.CharField(source="tutor.display_name")
    score = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=selectors.SCORE_FORMULA)
    parts = MatchingScorePartSerializer(
        many=True, help_text=_("expertise, language, capacity and load, in this order.")
    )
    matched_tags = serializers.ListField(child=serializers.CharField())
    active_ventures = serializers.IntegerField(help_text=_("Other ventures the tutor accompanies in the period."))
    free_places = serializers.IntegerField()
    recent_hours = serializers.DecimalField(max_digits=7, decimal_places=2, help_text=_("Logged in the last 30 days."))
    period_starts_on = serializers.DateField()
    period_ends_on = serializers.DateField()


# --- tutoring sessions and action items ----------------------------------------------


class ActionItemSerializer(ModelSerializer):
    owner = TutoringPersonSerializer(read_only=True, allow_null=True, help_text=_("Empty means the tutor."))
    done = serializers.BooleanField(read_only=True)
    overdue = serializers.SerializerMethodField()
    venture = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = ["id", "session", "venture", "text", "owner", "due_on", "done", "done_at", "overdue", "created_at"]
        read_only_fields = fields

    def get_overdue(self, item: ActionItem) -> bool:
        return item.done_at is None and item.due_on is not None and item.due_on < timezone.localdate()

    @extend_schema_field(TutoringVentureSerializer)
    def get_venture(self, item: ActionItem) -> dict:
        venture = item.session.assignment.enrolment.application.venture
        return {"id": venture.pk, "title": venture.title}


class SessionActionItemSerializer(ModelSerializer):
    owner = TutoringPersonSerializer(read_only=True, allow_null=True)
    done = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "text", "owner", "due_on", "done", "done_at"]
        read_only_fields = fields


class ActionItemInputSerializer(Serializer):
    text = serializers.CharField(max_length=300)
    owner = serializers.IntegerField(required=False, allow_null=True, default=None, help_text=_("A team member."))
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class ActionItemCreateSerializer(ActionItemInputSerializer):
    session = VisibleRelatedField(TutoringSession)


class ActionItemUpdateSerializer(Serializer):
    text = serializers.CharField(max_length=300, required=False)
    owner = serializers.IntegerField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    done = serializers.BooleanField(required=False)


class TutoringMilestoneSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True)


class TutoringSessionSerializer(ModelSerializer):
    """What everyone who sees a session sees, participants included: no private notes."""

    tutor_name = serializers.CharField(source="tutor.display_name", read_only=True)
    venture = TutoringVentureSerializer(source="assignment.enrolment.application.venture", read_only=True)
    enrolment = serializers.IntegerField(source="assignment.enrolment_id", read_only=True)
    participants_present = TutoringPersonSerializer(many=True, read_only=True)
    milestones = TutoringMilestoneSerializer(many=True, read_only=True)
    action_items = SessionActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = TutoringSession
        fields = [
            "id",
            "assignment",
            "enrolment",
            "venture",
            "tutor",
            "tutor_name",
            "starts_at",
            "ends_at",
            "minutes",
            "mode",
            "activity",
            "topics",
            "shared_notes",
            "participants_present",
            "milestones",
            "action_items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TutoringSessionStaffSerializer(TutoringSessionSerializer):
    """For tutors and coordinators: adds the private notes the user may see (their own
    sessions' for a tutor) and until when the author may edit."""

    private_notes = serializers.SerializerMethodField(help_text=_("Absent for participants."))
    editable_until = serializers.SerializerMethodField()
    # Participants get TutoringSessionSerializer, without these.
    omitted_for_some_readers = ("private_notes", "editable_until")

    class Meta(TutoringSessionSerializer.Meta):
        fields = [*TutoringSessionSerializer.Meta.fields, "private_notes", "editable_until"]
        read_only_fields = fields

    def get_private_notes(self, session: TutoringSession) -> str | None:
        # Set by the view's prefetch filtered through the private notes' access rule.
        note = getattr(session, "visible_private_note", None)
        return note.text if note is not None else None

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_editable_until(self, session: TutoringSession) -> str:
        return serializers.DateTimeField().to_representation(services.edit_deadline(session))


class TutoringSessionWriteSerializer(Serializer):
    assignment = VisibleRelatedField(Assignment)
    starts_at = serializers.DateTimeField()
    minutes = serializers.IntegerField(default=60)
    mode = serializers.ChoiceField(choices=SessionMode.choices, default=SessionMode.IN_PERSON)
    activity = serializers.ChoiceField(choices=Activity.choices, default=Activity.TUTORING)
    topics = serializers.CharField(max_length=300, allow_blank=True, default="")
    shared_notes = serializers.CharField(allow_blank=True, default="", help_text=_("The participants see these."))
    private_notes = serializers.CharField(
        allow_blank=True, default="", help_text=_("Only the tutor and the coordinators see these.")
    )
    participants_present = serializers.ListField(child=serializers.IntegerField(), default=list)
    milestones = serializers.ListField(child=serializers.IntegerField(), default=list)
    action_items = ActionItemInputSerializer(many=True, default=list)


class TutoringSessionUpdateSerializer(Serializer):
    starts_at = serializers.DateTimeField(required=False)
    minutes = serializers.IntegerField(required=False)
    mode = serializers.ChoiceField(choices=SessionMode.choices, required=False)
    activity = serializers.ChoiceField(choices=Activity.choices, required=False)
    topics = serializers.CharField(max_length=300, allow_blank=True, required=False)
    shared_notes = serializers.CharField(allow_blank=True, required=False)
    private_notes = serializers.CharField(allow_blank=True, required=False)
    participants_present = serializers.ListField(child=serializers.IntegerField(), required=False)
    milestones = serializers.ListField(child=serializers.IntegerField(), required=False)


class TutoringSessionLoggedSerializer(TutoringSessionStaffSerializer):
    """The answer to a write: the session and its assignment's hours budget."""

    budget = serializers.SerializerMethodField()

    class Meta(TutoringSessionStaffSerializer.Meta):
        fields = [*TutoringSessionStaffSerializer.Meta.fields, "budget"]
        read_only_fields = fields

    @extend_schema_field(HoursBudgetSerializer)
    def get_budget(self, session: TutoringSession) -> dict:
        return HoursBudgetSerializer(selectors.budget_status(session.assignment).as_dict()).data


# --- timesheets ----------------------------------------------------------------------


class TimesheetRowSerializer(Serializer):
    venture_id = serializers.IntegerField()
    venture = serializers.CharField()
    activity = serializers.ChoiceField(choices=Activity.choices)
    activity_label = serializers.CharField()
    minutes = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    value = serializers.DecimalField(max_digits=12, decimal_places=2, help_text=_("Euro at the unit cost."))


class TimesheetEntrySerializer(Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    venture = serializers.CharField()
    activity_label = serializers.CharField()
    mode_label = serializers.CharField()
    topics = serializers.CharField()
    minutes = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    hourly_rate = serializers.DecimalField(max_digits=8, decimal_places=2)


class TimesheetSerializer(Serializer):
    tutor = serializers.IntegerField(source="tutor.pk")
    tutor_name = serializers.CharField(source="tutor.display_name")
    month = serializers.SerializerMethodField()
    rows = TimesheetRowSerializer(many=True)
    entries = TimesheetEntrySerializer(many=True)
    total_minutes = serializers.IntegerField()
    total_hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    total_value = serializers.DecimalField(max_digits=12, decimal_places=2)
    rates = serializers.ListField(child=serializers.DecimalField(max_digits=8, decimal_places=2))

    def get_month(self, sheet: selectors.Timesheet) -> str:
        return f"{sheet.year:04d}-{sheet.month:02d}"
