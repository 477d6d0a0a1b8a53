"""Filtersets of participants' ESF+ records. Related records are filtered by plain ids:
an id out of reach gives an empty list, the same as an id that does not exist."""

import django_filters

from incubator.participants.models import (
    OutcomeSource,
    ParticipantEntryData,
    ParticipantResult,
    ReadChannel,
    ResultTiming,
    SensitiveDataRead,
    VentureOutcome,
)


class EntryDataFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter()
    programme = django_filters.NumberFilter(field_name="person__programme")

    class Meta:
        model = ParticipantEntryData
        fields = ["person", "programme"]


class ResultFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter()
    enrolment = django_filters.NumberFilter()
    timing = django_filters.ChoiceFilter(choices=ResultTiming.choices)
    source = django_filters.ChoiceFilter(choices=OutcomeSource.choices)

    class Meta:
        model = ParticipantResult
        fields = ["person", "enrolment", "timing", "source"]


class VentureOutcomeFilter(django_filters.FilterSet):
    enrolment = django_filters.NumberFilter()
    venture = django_filters.NumberFilter(field_name="enrolment__application__venture")

    class Meta:
        model = VentureOutcome
        fields = ["enrolment", "venture"]


class SensitiveDataReadFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter()
    reader = django_filters.NumberFilter()
    channel = django_filters.ChoiceFilter(choices=ReadChannel.choices)
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = SensitiveDataRead
        fields = ["person", "reader", "channel", "since"]
