"""Filtersets of mentoring. Related records are filtered by id with plain number
filters on querysets already limited to what the user may see: an id out of reach gives
an empty list, as one that does not exist does."""

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mentoring.models import (
    ActionItem,
    Activity,
    Assignment,
    AssignmentRole,
    SessionMode,
    TutoringSession,
    TutorProfile,
)

VENTURE = "assignment__enrolment__application__venture"


class TutorProfileFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter()
    user = django_filters.NumberFilter()

    class Meta:
        model = TutorProfile
        fields = ["programme", "user", "kind"]


class AssignmentFilter(django_filters.FilterSet):
    tutor = django_filters.NumberFilter()
    enrolment = django_filters.NumberFilter()
    venture = django_filters.NumberFilter(field_name="enrolment__application__venture")
    role = django_filters.ChoiceFilter(choices=AssignmentRole.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label=gettext_lazy("Active on (date)"))

    class Meta:
        model = Assignment
        fields = ["tutor", "enrolment", "venture", "role", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class TutoringSessionFilter(django_filters.FilterSet):
    venture = django_filters.NumberFilter(field_name=VENTURE)
    tutor = django_filters.NumberFilter()
    assignment = django_filters.NumberFilter()
    enrolment = django_filters.NumberFilter(field_name="assignment__enrolment")
    date_from = django_filters.DateFilter(method="filter_date_from", label=gettext_lazy("From (date, Europe/Rome)"))
    date_to = django_filters.DateFilter(method="filter_date_to", label=gettext_lazy("To (date included, Europe/Rome)"))
    mode = django_filters.ChoiceFilter(choices=SessionMode.choices)
    activity = django_filters.ChoiceFilter(choices=Activity.choices)

    class Meta:
        model = TutoringSession
        fields = ["venture", "tutor", "assignment", "enrolment", "date_from", "date_to", "mode", "activity"]

    # Whole local days, compared on the indexed start column rather than a date cast.
    def filter_date_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=timezone.make_aware(dt.datetime.combine(value, dt.time())))

    def filter_date_to(self, queryset, name, value):
        following = timezone.make_aware(dt.datetime.combine(value + dt.timedelta(days=1), dt.time()))
        return queryset.filter(starts_at__lt=following)


class ActionItemFilter(django_filters.FilterSet):
    session = django_filters.NumberFilter()
    venture = django_filters.NumberFilter(field_name=f"session__{VENTURE}")
    open = django_filters.BooleanFilter(method="filter_open", label=gettext_lazy("Open (not done)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("Overdue"))

    class Meta:
        model = ActionItem
        fields = ["session", "venture", "open", "overdue"]

    def filter_open(self, queryset, name, value):
        return queryset.filter(done_at__isnull=value)

    def filter_overdue(self, queryset, name, value):
        overdue = ActionItem.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
