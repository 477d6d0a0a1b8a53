"""Filtersets of the selection pipeline. Related records are filtered by id with plain
number filters: an id out of reach then gives an empty list, the same answer as an id
that does not exist, so a filter cannot be used to probe for records."""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy
from rest_framework.filters import OrderingFilter

from incubator.models import (
    ApplicantKind,
    Application,
    ApplicationState,
    Call,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    Fund,
    Person,
    Programme,
    Theme,
    Venture,
)


def _with_theme(queryset, field_name: str, theme: str):
    # Themes are a JSON list. SQLite has no JSON "contains", so match the quoted value in
    # the list's text on every database; ChoiceFilter admits only known theme values,
    # none of which is a substring of another once quoted.
    return queryset.filter(**{f"{field_name}__icontains": f'"{theme}"'})


class NullsLastOrderingFilter(OrderingFilter):
    """``?ordering=`` where rows without a value (not yet submitted, scored or ranked)
    come last in either direction: SQLite and PostgreSQL disagree on where NULLs sort."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(
            *[
                F(term[1:]).desc(nulls_last=True) if term.startswith("-") else F(term).asc(nulls_last=True)
                for term in ordering
            ]
        )


class ProgrammeFilter(django_filters.FilterSet):
    fund = django_filters.ChoiceFilter(choices=Fund.choices)

    class Meta:
        model = Programme
        fields = ["fund"]


class CallFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter()
    open = django_filters.BooleanFilter(method="filter_open", label=gettext_lazy("Open now"))

    class Meta:
        model = Call
        fields = ["programme", "open"]

    def filter_open(self, queryset, name, value):
        if value:
            return queryset.open()
        return queryset.exclude(pk__in=Call.objects.open().values("pk"))


class ApplicationFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter()
    venture = django_filters.NumberFilter()
    programme = django_filters.NumberFilter(field_name="call__programme")
    state = django_filters.MultipleChoiceFilter(choices=ApplicationState.choices)
    theme = django_filters.ChoiceFilter(choices=Theme.choices, method="filter_theme")
    target_area = django_filters.CharFilter(field_name="venture__target_area", lookup_expr="iexact")

    class Meta:
        model = Application
        fields = ["call", "venture", "programme", "state", "theme", "target_area"]

    def filter_theme(self, queryset, name, value):
        return _with_theme(queryset, "venture__themes", value)


class EvaluationFilter(django_filters.FilterSet):
    application = django_filters.NumberFilter()
    call = django_filters.NumberFilter(field_name="application__call")
    evaluator = django_filters.NumberFilter()
    submitted = django_filters.BooleanFilter(field_name="submitted_at", lookup_expr="isnull", exclude=True)
    conflict_declared = django_filters.BooleanFilter()

    class Meta:
        model = Evaluation
        fields = ["application", "call", "evaluator", "submitted", "conflict_declared"]


class VentureFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter()
    theme = django_filters.ChoiceFilter(choices=Theme.choices, method="filter_theme")
    target_area = django_filters.CharFilter(lookup_expr="iexact")
    applicant_kind = django_filters.ChoiceFilter(choices=ApplicantKind.choices)

    class Meta:
        model = Venture
        fields = ["programme", "theme", "target_area", "applicant_kind"]

    def filter_theme(self, queryset, name, value):
        return _with_theme(queryset, "themes", value)


class PersonFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter()
    tax_code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Person
        fields = ["programme", "tax_code"]


class EnrolmentFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter(field_name="application__call")
    programme = django_filters.NumberFilter(field_name="application__call__programme")
    venture = django_filters.NumberFilter(field_name="application__venture")
    status = django_filters.MultipleChoiceFilter(choices=EnrolmentStatus.choices)

    class Meta:
        model = Enrolment
        fields = ["call", "programme", "venture", "status"]
