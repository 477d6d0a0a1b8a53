"""Serializers of participants' ESF+ entry data, results, venture outcomes, training unit
costs and the read log. Dedicated to these records: entry data is never nested into the
general person or venture serializers (DESIGN.md, "Sensitive data apart").

Related records are looked up among those the user may see, so an id out of reach is
"does not exist" (400), like an id that does not exist."""

from rest_framework import serializers

from api.base import VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from incubator.models import Person, Programme
from incubator.participants.models import (
    AgeBand,
    Gender,
    IscedBand,
    LabourStatus,
    OutcomeSource,
    ParticipantEntryData,
    ParticipantResult,
    ResultTiming,
    SensitiveDataRead,
    SpecialCategoryAnswer,
    TrainingUnitCost,
    VentureOutcome,
)
from incubator.path.models import Enrolment


class EntryDataSerializer(ModelSerializer):
    person = VisibleRelatedField(Person)
    age_at_entry = serializers.IntegerField(source="age", read_only=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, read_only=True)

    class Meta:
        model = ParticipantEntryData
        fields = [
            "id",
            "person",
            "entered_on",
            "gender",
            "birth_date",
            "age_at_entry",
            "age_band",
            "labour_status",
            "isced",
            "third_country_national",
            "foreign_background",
            "homeless",
            "rural",
            "disability",
            "minority",
            "victim_of_violence",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = ["recorded_at", "updated_at"]


class EntryDataUpdateSerializer(Serializer):
    """A partial update: only the fields given are changed."""

    entered_on = serializers.DateField(required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    birth_date = serializers.DateField(required=False)
    labour_status = serializers.ChoiceField(choices=LabourStatus.choices, required=False)
    isced = serializers.ChoiceField(choices=IscedBand.choices, required=False)
    third_country_national = serializers.BooleanField(required=False)
    foreign_background = serializers.BooleanField(required=False)
    homeless = serializers.BooleanField(required=False)
    rural = serializers.BooleanField(required=False)
    disability = serializers.ChoiceField(choices=SpecialCategoryAnswer.choices, required=False)
    minority = serializers.ChoiceField(choices=SpecialCategoryAnswer.choices, required=False)
    victim_of_violence = serializers.BooleanField(required=False)


class ResultSerializer(ModelSerializer):
    person = VisibleRelatedField(Person)
    enrolment = VisibleRelatedField(Enrolment)

    class Meta:
        model = ParticipantResult
        fields = [
            "id",
            "person",
            "enrolment",
            "timing",
            "left_on",
            "observed_on",
            "job_searching",
            "in_education",
            "qualification_gained",
            "employed",
            "better_situation",
            "source",
            "source_note",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = fields


class ResultInputSerializer(Serializer):
    person = VisibleRelatedField(Person)
    enrolment = VisibleRelatedField(Enrolment)
    timing = serializers.ChoiceField(choices=ResultTiming.choices)
    left_on = serializers.DateField(required=False, allow_null=True)
    observed_on = serializers.DateField()
    source = serializers.ChoiceField(choices=OutcomeSource.choices)
    source_note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    job_searching = serializers.BooleanField(required=False)
    in_education = serializers.BooleanField(required=False)
    qualification_gained = serializers.BooleanField(required=False)
    employed = serializers.BooleanField(required=False)
    better_situation = serializers.BooleanField(required=False)


class VentureOutcomeSerializer(ModelSerializer):
    venture = serializers.IntegerField(source="enrolment.application.venture_id", read_only=True)
    jobs_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = VentureOutcome
        fields = [
            "id",
            "enrolment",
            "venture",
            "observed_on",
            "jobs_women",
            "jobs_men",
            "jobs_non_binary",
            "jobs_total",
            "revenue",
            "funds_raised",
            "source",
            "source_note",
            "updated_at",
        ]
        read_only_fields = fields


class VentureOutcomeInputSerializer(Serializer):
    enrolment = VisibleRelatedField(Enrolment)
    observed_on = serializers.DateField()
    jobs_women = serializers.IntegerField(min_value=0, required=False)
    jobs_men = serializers.IntegerField(min_value=0, required=False)
    jobs_non_binary = serializers.IntegerField(min_value=0, required=False)
    # Strings or numbers; the service checks the euro amount (sign, cents).
    revenue = serializers.CharField(required=False)
    funds_raised = serializers.CharField(required=False)
    source = serializers.ChoiceField(choices=OutcomeSource.choices)
    source_note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class TrainingUnitCostSerializer(ModelSerializer):
    class Meta:
        model = TrainingUnitCost
        fields = ["id", "programme", "course_hour_rate", "participant_hour_rate", "reference", "updated_at"]
        read_only_fields = fields


class TrainingUnitCostInputSerializer(Serializer):
    programme = VisibleRelatedField(Programme)
    course_hour_rate = serializers.CharField()
    participant_hour_rate = serializers.CharField()
    reference = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SensitiveDataReadSerializer(ModelSerializer):
    class Meta:
        model = SensitiveDataRead
        fields = ["id", "at", "reader", "reader_username", "person", "programme", "channel", "detail"]
        read_only_fields = fields
