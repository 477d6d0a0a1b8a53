"""Filtersets of the selection pipeline. Related records are filtered by id with plain
number filters: an id out of reach then gives an empty list, the same answer as an id
that does not exist, so a filter cannot be used to probe for records."""

import django_filters
from django.db.models import F
from rest_framework.filters import OrderingFilter

from incubator.models import ApplicantKind, Fund, Person, Programme, Theme, Venture


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
