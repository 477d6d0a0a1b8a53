"""Filtersets of cohorts, sessions and marks. Related records are filtered by id with
plain number filters: an id out of reach gives an empty list, the same answer as an id
that does not exist, so a filter cannot be used to probe for records."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cohorts.models import Attendance, AttendanceStatus, Cohort, CurriculumModule, TrainingSession


class CohortFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter()
    call = django_filters.NumberFilter()

    class Meta:
        model = Cohort
        fields = ["programme", "call"]


class ModuleFilter(django_filters.FilterSet):
    cohort = django_filters.NumberFilter()

    class Meta:
        model = CurriculumModule
        fields = ["cohort"]


class TrainingSessionFilter(django_filters.FilterSet):
    cohort = django_filters.NumberFilter()
    module = django_filters.NumberFilter()
    kind = django_filters.ChoiceFilter(choices=TrainingSession.Kind.choices)
    trainer = django_filters.NumberFilter(field_name="trainers", distinct=True, label=_("Trainer (user id)"))
    date_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("Starting on or after (local date)")
    )
    date_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Starting on or before (local date)")
    )
    cancelled = django_filters.BooleanFilter(field_name="cancelled_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = TrainingSession
        fields = ["cohort", "module", "kind", "trainer", "date_from", "date_to", "cancelled"]


class AttendanceFilter(django_filters.FilterSet):
    session = django_filters.NumberFilter()
    person = django_filters.NumberFilter()
    cohort = django_filters.NumberFilter(field_name="session__cohort")
    status = django_filters.ChoiceFilter(choices=AttendanceStatus.choices)

    class Meta:
        model = Attendance
        fields = ["session", "person", "cohort", "status"]
