"""Serializers of the selection's API: calls, criteria, checklists, applications,
evaluations, scores, ranking and decisions."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.base import RoleHolderField, VisibleRelatedField
from api.incubator.serializers import TeamMemberSerializer, choice_list, viewer
from api.representation import ModelSerializer, Serializer
from incubator.models import (
    ApplicantKind,
    Programme,
    Role,
    Theme,
    User,
    Venture,
)
from incubator.selection.blind import application_label
from incubator.selection.models import (
    Application,
    Call,
    ChecklistAnswer,
    ChecklistItem,
    Criterion,
    Evaluation,
    Moderation,
    QuestionKind,
    Score,
    ScoreBand,
)
from incubator.selection.selectors_review import is_overdue, neutral_file_name
from incubator.selection.services import Decision


class ScoreBandSerializer(ModelSerializer):
    class Meta:
        model = ScoreBand
        fields = ["low", "high", "description"]


class CriterionSerializer(ModelSerializer):
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    bands = ScoreBandSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "name", "weight", "max_score", "order", "guidance", "bands"]

    def validate_weight(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("The weight must be greater than zero."))
        return value

    def validate_max_score(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("The maximum score must be greater than zero."))
        return value


class ChecklistItemSerializer(ModelSerializer):
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)

    class Meta:
        model = ChecklistItem
        fields = ["id", "kind", "question", "order"]


class CallSerializer(ModelSerializer):
    programme = VisibleRelatedField(queryset=Programme.objects.all())
    eligible_applicant_kinds = choice_list(ApplicantKind.choices, required=False)
    themes = choice_list(Theme.choices, required=False)
    criteria = CriterionSerializer(many=True, allow_empty=False)
    checklist = ChecklistItemSerializer(many=True, required=False)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "programme",
            "title",
            "reference",
            "opens_at",
            "closes_at",
            "is_open",
            "eligible_applicant_kinds",
            "themes",
            "places",
            "pass_threshold",
            "grant_min",
            "grant_max",
            "max_months",
            "grant_attendance_threshold",
            "evaluation_deadline",
            "blind_review",
            "disagreement_threshold",
            "ranking_published_at",
            "criteria",
            "checklist",
        ]
        read_only_fields = ["ranking_published_at"]

    def get_is_open(self, call: Call) -> bool:
        return call.opens_at <= timezone.now() < call.closes_at

    def validate_max_months(self, value):
        if not 1 <= value <= 36:
            raise serializers.ValidationError(_("Between 1 and 36 months."))
        return value

    def validate_criteria(self, value):
        names = [c["name"] for c in value]
        if len(set(names)) != len(names):
            raise serializers.ValidationError(_("Criterion names must be unique."))
        return value

    def validate_checklist(self, value):
        questions = [c["question"] for c in value]
        if len(set(questions)) != len(questions):
            raise serializers.ValidationError(_("Checklist questions must be unique."))
        return value

    def validate(self, attrs):
        # These are database rules too; checked here so that the error names the field.
        if attrs["closes_at"] <= attrs["opens_at"]:
            raise serializers.ValidationError({"closes_at": _("The call must close after it opens.")})
        deadline = attrs.get("evaluation_deadline")
        if deadline and deadline <= attrs["closes_at"]:
            raise serializers.ValidationError(
                {"evaluation_deadline": _("The evaluation deadline must come after the call closes.")}
            )
        if attrs.get("disagreement_threshold") is not None and attrs["disagreement_threshold"] < 0:
            raise serializers.ValidationError({"disagreement_threshold": _("The threshold must not be negative.")})
        grant_min = attrs.get("grant_min", Call._meta.get_field("grant_min").default)
        if attrs.get("grant_max", Call._meta.get_field("grant_max").default) < grant_min:
            raise serializers.ValidationError({"grant_max": _("The maximum grant must not be below the minimum.")})
        return attrs


class RankingEntrySerializer(ModelSerializer):
    application = serializers.IntegerField(source="pk", read_only=True)
    venture_title = serializers.CharField(source="venture.title", read_only=True)
    moderated = serializers.SerializerMethodField()
    moderation_reason = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "rank",
            "score",
            "application",
            "venture",
            "venture_title",
            "state",
            "submitted_at",
            "moderated",
            "moderation_reason",
        ]
        read_only_fields = fields

    def get_moderated(self, application: Application) -> bool:
        return getattr(application, "moderation", None) is not None

    def get_moderation_reason(self, application: Application) -> str:
        """Why the panel agreed this score instead of the evaluators' mean ("" when not moderated)."""
        moderation = getattr(application, "moderation", None)
        return moderation.reason if moderation else ""


class CallUpdateSerializer(ModelSerializer):
    """What may change depends on where the call stands (``call_editable_fields``): before
    it opens, everything but the criteria; while open, the deadline only later; once the
    ranking is published, labels and the attendance threshold."""

    eligible_applicant_kinds = choice_list(ApplicantKind.choices, required=False)
    themes = choice_list(Theme.choices, required=False)

    class Meta:
        model = Call
        fields = [
            "title",
            "reference",
            "opens_at",
            "closes_at",
            "eligible_applicant_kinds",
            "themes",
            "places",
            "pass_threshold",
            "grant_min",
            "grant_max",
            "max_months",
            "grant_attendance_threshold",
        ]
        extra_kwargs = {name: {"required": False} for name in fields}


class CallCloseSerializer(Serializer):
    reason = serializers.CharField(max_length=500)


class CallDecideSerializer(Serializer):
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)


class DecisionOutcomeSerializer(Serializer):
    admitted = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    rejected = serializers.IntegerField()


class ChecklistAnswerSerializer(ModelSerializer):
    question = serializers.CharField(source="item.question", read_only=True)
    kind = serializers.CharField(source="item.kind", read_only=True)

    class Meta:
        model = ChecklistAnswer
        fields = ["item", "kind", "question", "answer", "note"]
        read_only_fields = fields


class ApplicationSerializer(ModelSerializer):
    """Never nests evaluations: scores are read through ``evaluations`` (access rule).
    On a blind call an evaluator gets no team and no venture title (``blind``)."""

    venture_title = serializers.CharField(source="venture.title", read_only=True)
    team = TeamMemberSerializer(source="venture.team", many=True, read_only=True)
    checklist_answers = ChecklistAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "venture",
            "venture_title",
            "team",
            "state",
            "submitted_at",
            "protocol_number",
            "content_sha256",
            "score",
            "rank",
            "decision_reason",
            "crowdfunding_referral",
            "checklist_answers",
            "created_at",
            "blind",
        ]
        read_only_fields = fields

    blind = serializers.SerializerMethodField()

    def get_blind(self, application: Application) -> bool:
        """True when the viewer evaluates under blind review: team and title are withheld."""
        return viewer(self.context).blind(application)

    def to_representation(self, application):
        data = super().to_representation(application)
        looking = viewer(self.context)
        if not looking.sees_scores(application):
            data["score"] = data["rank"] = None
        if data["blind"]:
            data["team"] = []
            data["venture_title"] = application_label(application, blind=True)
            data["venture"] = None
        return data


class ApplicationCreateSerializer(Serializer):
    call = VisibleRelatedField(queryset=Call.objects.all())
    venture = VisibleRelatedField(queryset=Venture.objects.all())


class ChecklistAnswerInputSerializer(Serializer):
    item = VisibleRelatedField(queryset=ChecklistItem.objects.all())
    answer = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ApplicationCheckSerializer(Serializer):
    answers = ChecklistAnswerInputSerializer(many=True)
    eligible = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_answers(self, value):
        items = [answer["item"].pk for answer in value]
        if len(set(items)) != len(items):
            raise serializers.ValidationError(_("Answer each checklist item once."))
        return value


class ApplicationDecideSerializer(Serializer):
    decision = serializers.ChoiceField(choices=[(c, c) for c in Decision.CHOICES])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    crowdfunding_referral = serializers.BooleanField(required=False, default=False)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class AssignEvaluatorSerializer(Serializer):
    evaluator = RoleHolderField(Role.EVALUATOR, queryset=User.objects.all())


class CrowdfundingReferralSerializer(Serializer):
    referred = serializers.BooleanField(required=False, default=True)


class ScoreSerializer(ModelSerializer):
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)

    class Meta:
        model = Score
        fields = ["criterion", "criterion_name", "value", "max_score", "comment"]
        read_only_fields = fields


class EvaluationSerializer(ModelSerializer):
    """One evaluator's work and only its own scores. The conflict note is the
    evaluator's declaration: shown to them and to coordinators only."""

    call = serializers.IntegerField(source="application.call_id", read_only=True)
    venture_title = serializers.CharField(source="application.venture.title", read_only=True)
    evaluator_name = serializers.SerializerMethodField()
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "application",
            "call",
            "venture_title",
            "evaluator",
            "evaluator_name",
            "assigned_at",
            "progress",
            "deadline",
            "overdue",
            "conflict_declared",
            "conflict_note",
            "draft_saved_at",
            "submitted_at",
            "weighted_total",
            "comment",
            "scores",
        ]
        read_only_fields = fields

    progress = serializers.ChoiceField(
        choices=[("todo", "todo"), ("draft", "draft"), ("submitted", "submitted"), ("recused", "recused")],
        read_only=True,
    )
    deadline = serializers.DateTimeField(source="application.call.evaluation_deadline", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, evaluation: Evaluation) -> bool:
        """The call's evaluation deadline has passed and this one is neither submitted nor recused."""
        return is_overdue(evaluation)

    def get_evaluator_name(self, evaluation: Evaluation) -> str:
        return evaluation.evaluator.get_full_name() or evaluation.evaluator.get_username()

    def to_representation(self, evaluation):
        data = super().to_representation(evaluation)
        looking = viewer(self.context)
        application = evaluation.application
        if evaluation.evaluator_id != looking.user.pk and not looking.coordinates(application.call.programme_id):
            data["conflict_note"] = ""
            if not evaluation.submitted_at:
                # Another evaluator's draft is theirs alone.
                data["scores"], data["comment"] = [], ""
        if looking.blind(application):
            data["venture_title"] = application_label(application, blind=True)
        return data


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "additionalProperties": {"type": "string", "format": "decimal"},
                "description": "criterion id -> score",
            },
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"criterion": {"type": "integer"}, "value": {"type": "string", "format": "decimal"}},
                    "required": ["criterion", "value"],
                },
            },
        ]
    }
)
class ScoresField(serializers.Field):
    """``{criterion_id: value}`` or ``[{"criterion": id, "value": v}]``. Only the shape
    is checked here; the service checks the criteria, the numbers and their range."""

    default_error_messages = {
        "shape": _("Give the scores as {{criterion id: score}} or as a list of {{criterion, value}}."),
        "not_a_criterion": _("“{value}” is not a criterion id."),
        "duplicate": _("Criterion {value} is scored twice."),
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            pairs = list(data.items())
        elif isinstance(data, list) and all(isinstance(i, dict) and {"criterion", "value"} <= i.keys() for i in data):
            pairs = [(i["criterion"], i["value"]) for i in data]
        else:
            self.fail("shape")
        scores = {}
        for key, value in pairs:
            if isinstance(key, bool) or isinstance(value, (dict, list, bool)) or value is None:
                self.fail("shape")
            try:
                criterion_id = int(key)
            except (TypeError, ValueError):
                self.fail("not_a_criterion", value=key)
            if criterion_id in scores:
                self.fail("duplicate", value=criterion_id)
            scores[criterion_id] = value
        return scores

    def to_representation(self, value):
        return {str(k): str(v) for k, v in value.items()}


class ScoreInputSerializer(Serializer):
    scores = ScoresField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    criterion_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="criterion id -> comment",
    )


class ReassignSerializer(Serializer):
    evaluator = RoleHolderField(Role.EVALUATOR, queryset=User.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignEvaluatorsSerializer(Serializer):
    per_application = serializers.IntegerField(min_value=1, max_value=10)


class EvaluatorAssignmentSerializer(Serializer):
    application = serializers.IntegerField()
    evaluator = serializers.IntegerField()


class AssignOutcomeSerializer(Serializer):
    assigned = EvaluatorAssignmentSerializer(many=True)
    short = serializers.ListField(child=serializers.IntegerField(), help_text="applications still short of evaluators")


class RubricSerializer(Serializer):
    criterion = VisibleRelatedField(queryset=Criterion.objects.all())
    guidance = serializers.CharField(required=False, allow_blank=True, default="")
    bands = ScoreBandSerializer(many=True, required=False, default=list)


class ModerationInputSerializer(Serializer):
    agreed_score = serializers.DecimalField(max_digits=9, decimal_places=3, min_value=0)
    reason = serializers.CharField()


class ModerationSerializer(ModelSerializer):
    class Meta:
        model = Moderation
        fields = ["application", "agreed_score", "reason", "moderated_by", "moderated_at"]
        read_only_fields = fields


# --- the selection board (coordinators) ----------------------------------------------------


class FunnelStepSerializer(Serializer):
    state = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class PanelUserSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class EvaluatorProgressSerializer(Serializer):
    evaluator = PanelUserSerializer()
    assigned = serializers.IntegerField()
    submitted = serializers.IntegerField()
    draft = serializers.IntegerField()
    todo = serializers.IntegerField()
    recused = serializers.IntegerField()
    overdue = serializers.IntegerField()


class CriterionSpreadSerializer(Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    name = serializers.CharField(source="criterion.name")
    low = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    high = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    spread = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class DisagreementSerializer(Serializer):
    application = serializers.IntegerField(source="application.pk")
    venture_title = serializers.CharField(source="application.venture.title")
    totals = serializers.ListField(child=serializers.DecimalField(max_digits=9, decimal_places=3))
    spread = serializers.DecimalField(max_digits=9, decimal_places=3)
    flagged = serializers.BooleanField()
    criteria = CriterionSpreadSerializer(many=True)
    agreed_score = serializers.DecimalField(
        source="moderation.agreed_score", max_digits=9, decimal_places=3, allow_null=True, default=None
    )


class CalibrationSerializer(Serializer):
    evaluator = PanelUserSerializer()
    evaluations = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=9, decimal_places=3)
    spread = serializers.DecimalField(max_digits=9, decimal_places=3)
    bias = serializers.DecimalField(max_digits=9, decimal_places=3)
    tendency = serializers.ChoiceField(choices=[("lenient", "lenient"), ("severe", "severe"), ("in_line", "in_line")])


class RankingPreviewSerializer(Serializer):
    position = serializers.IntegerField()
    application = serializers.IntegerField(source="application.pk")
    venture_title = serializers.CharField(source="application.venture.title")
    submitted_at = serializers.DateTimeField(source="application.submitted_at")
    score = serializers.DecimalField(max_digits=9, decimal_places=3)
    mean = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    agreed_score = serializers.DecimalField(
        source="moderation.agreed_score", max_digits=9, decimal_places=3, allow_null=True, default=None
    )
    moderation_reason = serializers.CharField(source="moderation.reason", allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=[("admit", "admit"), ("waitlist", "waitlist"), ("below", "below")])
    tie_note = serializers.CharField()


class BoardSerializer(Serializer):
    funnel = FunnelStepSerializer(many=True)
    progress = EvaluatorProgressSerializer(many=True)
    disagreements = DisagreementSerializer(many=True)
    calibration = CalibrationSerializer(many=True)
    ranking = RankingPreviewSerializer(many=True)


class ConflictSerializer(Serializer):
    note = serializers.CharField(max_length=500)


# --- an application as its evaluator reads it ----------------------------------------------


class ReadAnswerSerializer(Serializer):
    """One question of the call's form and its answer. On a blind call an identifying
    question keeps its label and loses its answer (``hidden``); a file comes under a
    neutral name, downloaded from ``file_url`` (the evaluation's own ``files`` action)."""

    question = serializers.IntegerField(source="question.pk")
    label = serializers.CharField(source="question.label")
    help = serializers.CharField(source="question.help")
    kind = serializers.ChoiceField(source="question.kind", choices=QuestionKind.choices)
    hidden = serializers.BooleanField()
    value = serializers.SerializerMethodField()
    text = serializers.CharField()
    file_name = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()

    def _file(self, row):
        answer = None if row.hidden else row.answer
        return answer if answer is not None and answer.file else None

    @extend_schema_field(
        {"nullable": True, "description": "The typed value: text, number or amount as a string, ISO date, choice codes"}
    )
    def get_value(self, row):
        return None if row.hidden or row.answer is None else row.answer.value

    def get_file_name(self, row) -> str | None:
        answer = self._file(row)
        if answer is None:
            return None
        reading = self.context["reading"]
        return neutral_file_name(reading.evaluation.application, answer, blind=reading.blind)

    def get_file_url(self, row) -> str | None:
        if self._file(row) is None:
            return None
        url = reverse("api:evaluation-file", args=[self.context["reading"].evaluation.pk, row.question.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def to_representation(self, row):
        data = super().to_representation(row)
        if row.hidden:
            data["text"] = ""
        return data


class ReadSectionSerializer(Serializer):
    title = serializers.CharField()
    answers = ReadAnswerSerializer(many=True)


class ReadBudgetItemSerializer(Serializer):
    category = serializers.CharField()
    description = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReadingSerializer(Serializer):
    evaluation = serializers.IntegerField(source="evaluation.pk")
    application = serializers.IntegerField(source="evaluation.application_id")
    label = serializers.CharField(help_text="The venture's title, or on a blind call only the application's number.")
    blind = serializers.BooleanField()
    sections = ReadSectionSerializer(many=True)
    budget = ReadBudgetItemSerializer(many=True)
