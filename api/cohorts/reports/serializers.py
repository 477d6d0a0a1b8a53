"""The shape of the cohort report's JSON (``cohorts.reports.figures.CohortReport.as_dict``)
for the schema: its sections by name, so that a client knows what it receives. Figures
inside a section are named by the report's dataclasses; money and hours are decimal
strings."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.representation import Serializer

SECTION = {"help_text": _("Figures of the section by name (see the README's report).")}


class _IdCode(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()


class _IdName(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReportScopeSerializer(Serializer):
    programme = _IdCode()
    cohorts = _IdName(many=True)
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    computed_on = serializers.DateField()


class ReportParticipantsSerializer(Serializer):
    total = serializers.IntegerField()
    without_entry_data = serializers.IntegerField()


class CohortReportSerializer(Serializer):
    scope = ReportScopeSerializer()
    funnel = serializers.DictField(**SECTION)
    training = serializers.DictField(**SECTION)
    tutoring = serializers.DictField(**SECTION)
    hours_per_month = serializers.ListField(child=serializers.DictField())
    milestones = serializers.DictField(**SECTION)
    funding = serializers.DictField(**SECTION)
    venture_outcomes = serializers.DictField(**SECTION)
    participants = ReportParticipantsSerializer()
    output_indicators = serializers.ListField(child=serializers.DictField(), help_text=_("ESF+ output indicators."))
    result_indicators = serializers.ListField(child=serializers.DictField(), help_text=_("ESF+ result indicators."))
    results_recorded = serializers.DictField(child=serializers.IntegerField())
    unit_costs = serializers.DictField(**SECTION)
