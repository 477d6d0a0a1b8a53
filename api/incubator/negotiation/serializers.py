"""Serializers of organisations, partnerships and the negotiation procedure. Shape only:
the rules are in the services (``incubator.organisations``, ``incubator.selection.
partnerships``, ``incubator.negotiation``)."""

from rest_framework import serializers

from api.base import VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from incubator.models import Programme
from incubator.negotiation.models import Meeting, Negotiation, ProposalVersion, RevisionRequest
from incubator.organisations.models import CompanySize, Organisation, OrganisationKind
from incubator.selection.models import Application, ApplicationPartner


class OrganisationSerializer(ModelSerializer):
    # Declared: a read-only field built from the model loses allow_blank, and the schema
    # would then deny the empty size of every organisation that is not a company.
    company_size = serializers.ChoiceField(choices=CompanySize.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "programme",
            "kind",
            "name",
            "tax_code",
            "istat_code",
            "population",
            "runts_number",
            "company_size",
            "created_at",
        ]
        read_only_fields = fields


class OrganisationCreateSerializer(Serializer):
    programme = VisibleRelatedField(Programme)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    name = serializers.CharField(max_length=200)
    tax_code = serializers.CharField(max_length=16)
    istat_code = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    population = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    runts_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    company_size = serializers.ChoiceField(choices=CompanySize.choices, required=False, allow_blank=True, default="")


class PartnerSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = ApplicationPartner
        fields = ["id", "organisation", "organisation_name", "role", "activity", "budget_share"]
        read_only_fields = fields


class PartnerInputSerializer(Serializer):
    organisation = VisibleRelatedField(Organisation)
    budget_share = serializers.DecimalField(max_digits=5, decimal_places=2)
    activity = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ApplicantsSerializer(Serializer):
    """Who applies: the organisation (null: the venture's people) and, for a partnership,
    every member with its share (the lead included); empty list: no partnership."""

    application = VisibleRelatedField(Application)
    organisation = VisibleRelatedField(Organisation, allow_null=True)
    partners = PartnerInputSerializer(many=True, required=False, default=list)


class ApplicantsResultSerializer(Serializer):
    application = serializers.IntegerField()
    organisation = serializers.IntegerField(allow_null=True)
    partners = PartnerSerializer(many=True)


class MeetingSerializer(ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "held_at", "participants", "notes", "recorded_at"]
        read_only_fields = fields


class RevisionRequestSerializer(ModelSerializer):
    class Meta:
        model = RevisionRequest
        fields = ["id", "notes", "requested_at", "answered_at"]
        read_only_fields = fields


class VersionSerializer(ModelSerializer):
    class Meta:
        model = ProposalVersion
        fields = ["id", "number", "content", "note", "submitted_at"]
        read_only_fields = fields


class NegotiationSerializer(ModelSerializer):
    call = serializers.IntegerField(source="application.call_id", read_only=True)
    venture = serializers.CharField(source="application.venture.title", read_only=True)
    organisation = serializers.IntegerField(source="application.organisation_id", read_only=True, allow_null=True)
    version_count = serializers.IntegerField(read_only=True)
    meeting_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Negotiation
        fields = [
            "id",
            "application",
            "call",
            "venture",
            "organisation",
            "state",
            "opened_at",
            "agreed_at",
            "agreed_amount",
            "agreement_note",
            "version_count",
            "meeting_count",
        ]
        read_only_fields = fields


class NegotiationDetailSerializer(NegotiationSerializer):
    meetings = MeetingSerializer(many=True, read_only=True)
    revision_requests = RevisionRequestSerializer(many=True, read_only=True)
    versions = VersionSerializer(many=True, read_only=True)

    class Meta(NegotiationSerializer.Meta):
        fields = [*NegotiationSerializer.Meta.fields, "meetings", "revision_requests", "versions"]
        read_only_fields = fields


class OpenSerializer(Serializer):
    application = VisibleRelatedField(Application)


class MeetingInputSerializer(Serializer):
    held_at = serializers.DateTimeField()
    participants = serializers.CharField()
    notes = serializers.CharField()


class NotesSerializer(Serializer):
    notes = serializers.CharField(allow_blank=True)


class BudgetLineSerializer(Serializer):
    category = serializers.CharField()
    description = serializers.CharField(allow_blank=True, required=False, default="")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReviseSerializer(Serializer):
    answers = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)
    budget = BudgetLineSerializer(many=True, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AgreeSerializer(Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    note = serializers.CharField(allow_blank=True)


class GrantInputSerializer(Serializer):
    undertaking = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    cup = serializers.CharField(max_length=15, required=False, allow_blank=True, default="")
    cor = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class GrantResultSerializer(Serializer):
    grant = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    state = serializers.CharField()


class AnswerRowSerializer(Serializer):
    question = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()
    changed = serializers.BooleanField()


class VersionBudgetRowSerializer(Serializer):
    category = serializers.CharField()
    before = serializers.DecimalField(max_digits=12, decimal_places=2)
    after = serializers.DecimalField(max_digits=12, decimal_places=2)
    difference = serializers.DecimalField(max_digits=13, decimal_places=2)


class ComparisonSerializer(Serializer):
    before = serializers.IntegerField(source="before.number")
    after = serializers.IntegerField(source="after.number")
    answers = AnswerRowSerializer(many=True)
    budget = VersionBudgetRowSerializer(many=True)
    total_before = serializers.DecimalField(max_digits=13, decimal_places=2)
    total_after = serializers.DecimalField(max_digits=13, decimal_places=2)
