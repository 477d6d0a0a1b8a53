"""Filters of the path's API lists (enrolments)."""

import django_filters

from incubator.path.models import Enrolment, EnrolmentStatus


class EnrolmentFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter(field_name="application__call")
    programme = django_filters.NumberFilter(field_name="application__call__programme")
    venture = django_filters.NumberFilter(field_name="application__venture")
    status = django_filters.MultipleChoiceFilter(choices=EnrolmentStatus.choices)

    class Meta:
        model = Enrolment
        fields = ["call", "programme", "venture", "status"]
