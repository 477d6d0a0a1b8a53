"""Serializers of the applicant portal's API: the applicant's applications with their
answers, budget, team and integration requests; the inputs of the portal's actions; the
coordinators' view of a submission (the frozen snapshot)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.base import VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from incubator.models import ApplicantKind
from incubator.selection.models import (
    Answer,
    Application,
    BudgetCategory,
    BudgetItem,
    Call,
    CoApplicantInvitation,
    IntegrationFile,
    IntegrationRequest,
)


class AnswerSerializer(ModelSerializer):
    field = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = ["question", "field", "value", "file_name", "file_sha256", "updated_at"]

    def get_field(self, obj) -> str:
        return f"q{obj.question_id}"


class BudgetItemSerializer(ModelSerializer):
    class Meta:
        model = BudgetItem
        fields = ["id", "category", "description", "amount"]


class InvitationSerializer(ModelSerializer):
    class Meta:
        model = CoApplicantInvitation
        fields = ["id", "email", "created_at", "accepted_at"]


class IntegrationFileSerializer(ModelSerializer):
    class Meta:
        model = IntegrationFile
        fields = ["id", "file_name", "sha256"]


class IntegrationRequestSerializer(ModelSerializer):
    files = IntegrationFileSerializer(many=True, read_only=True)

    class Meta:
        model = IntegrationRequest
        fields = [
            "id",
            "application",
            "items",
            "deadline",
            "requested_at",
            "state",
            "answer_text",
            "answered_at",
            "files",
        ]


class MyApplicationSerializer(ModelSerializer):
    """The applicant's own application: everything they wrote and what happened to it.
    Score and rank only once the call's ranking is published."""

    call_title = serializers.CharField(source="call.title")
    title = serializers.CharField(source="venture.title")
    applicant_kind = serializers.CharField(source="venture.applicant_kind")
    answers = AnswerSerializer(many=True)
    budget_items = BudgetItemSerializer(many=True)
    invitations = InvitationSerializer(many=True)
    integration_requests = IntegrationRequestSerializer(many=True)
    score = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "call_title",
            "title",
            "applicant_kind",
            "state",
            "created_at",
            "submitted_at",
            "protocol_number",
            "content_sha256",
            "decision_reason",
            "crowdfunding_referral",
            "score",
            "rank",
            "answers",
            "budget_items",
            "invitations",
            "integration_requests",
        ]

    def get_score(self, obj) -> str | None:
        return str(obj.score) if obj.call.ranking_published_at and obj.score is not None else None

    def get_rank(self, obj) -> int | None:
        return obj.rank if obj.call.ranking_published_at else None


class DraftStartSerializer(Serializer):
    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.all())
    title = serializers.CharField(max_length=200)
    applicant_kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    first_name = serializers.CharField(max_length=100, required=False, default="")
    last_name = serializers.CharField(max_length=100, required=False, default="")
    tax_code = serializers.CharField(max_length=16, required=False, default="")


class AnswersSerializer(Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text=_('{"q<question id>": value}: text, number, date, codes, "yes"/"no".')
    )


class AttachmentSerializer(Serializer):
    question = serializers.IntegerField()
    file = serializers.FileField()


class BudgetItemInputSerializer(Serializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    description = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class InviteSerializer(Serializer):
    email = serializers.EmailField()


class MissingSectionSerializer(Serializer):
    section = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())


class IntegrationRequestCreateSerializer(Serializer):
    application = VisibleRelatedField(Application)
    items = serializers.CharField()
    deadline = serializers.DateTimeField()


class IntegrationAnswerSerializer(Serializer):
    answer_text = serializers.CharField(required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class SubmissionSerializer(ModelSerializer):
    """A submitted application as the office reads it: the frozen snapshot."""

    title = serializers.CharField(source="venture.title")
    snapshot = serializers.JSONField(source="snapshot.content", default=None)

    class Meta:
        model = Application
        fields = ["id", "call", "title", "state", "protocol_number", "submitted_at", "content_sha256", "snapshot"]
