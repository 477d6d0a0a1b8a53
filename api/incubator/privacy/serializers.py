"""Serializers of data-subject rights: consent records and erasure requests. Input
serializers only shape the request; the services decide."""

from rest_framework import serializers

from api.representation import ModelSerializer, Serializer
from incubator import access
from incubator.models import Person
from incubator.privacy.models import ConsentPurpose, ConsentRecord, ErasureRequest


class ConsentRecordSerializer(ModelSerializer):
    current = serializers.BooleanField(read_only=True)

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "person",
            "purpose",
            "given",
            "decided_at",
            "note",
            "recorded_at",
            "withdrawn_at",
            "superseded_at",
            "current",
        ]
        read_only_fields = fields


class ConsentRecordCreateSerializer(Serializer):
    """``person`` is looked up among the people the user may see (else: does not exist)."""

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    given = serializers.BooleanField()
    decided_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["person"].queryset = access.visible(request.user, Person)


class ConsentWithdrawSerializer(Serializer):
    withdrawn_at = serializers.DateTimeField(required=False)


class ErasureRequestSerializer(ModelSerializer):
    class Meta:
        model = ErasureRequest
        fields = [
            "id",
            "person",
            "programme",
            "origin",
            "requested_at",
            "outcome",
            "refusal_code",
            "reason",
            "retention_ends_on",
        ]
        read_only_fields = fields
