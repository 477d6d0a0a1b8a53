"""Filters of the selection's API lists: calls, applications, evaluations."""

import django_filters
from django.utils.translation import gettext_lazy

from api.incubator.filters import _with_theme
from incubator.models import Theme
from incubator.selection.models import Application, ApplicationState, Call, Evaluation
from incubator.selection.selectors_review import overdue_q


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
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=gettext_lazy("Past the call's evaluation deadline, not submitted nor recused")
    )

    class Meta:
        model = Evaluation
        fields = ["application", "call", "evaluator", "submitted", "conflict_declared", "overdue"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
