"""The filter backend of every API list: django-filter, refusing numbers that no database
column can hold. An id or amount in a query string is compared with a 64-bit column; a
larger one made SQLite raise ``OverflowError`` and PostgreSQL a numeric-range error (a
500) where the client deserves a 400 naming the parameter.

Filters by a related record's id compare the id only (``NumberFilter``), never look the
record up: django-filter's generated ``ModelChoiceFilter`` answered 400 for an id that
does not exist and 200 with an empty list for another programme's, telling a client which
ids exist. Every filterset the API uses passes through ``ids_not_rows``."""

import functools
from decimal import Decimal, InvalidOperation

import django_filters
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BIGINT_MAX = 2**63 - 1
NUMERIC_FILTERS = (
    django_filters.NumberFilter,
    django_filters.ModelChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)


def _out_of_range(value: str) -> bool:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return False  # not a number: the filter's own form says so
    return number.is_finite() and abs(number) > BIGINT_MAX


@functools.cache
def ids_not_rows(filterset_class: type[django_filters.FilterSet]) -> type[django_filters.FilterSet]:
    """The same filterset, with each filter that looks a related row up by its id
    replaced by one that compares the id: a foreign id and a missing one answer alike."""
    replaced = {}
    for name, found in filterset_class.base_filters.items():
        if isinstance(found, django_filters.ModelChoiceFilter) and not isinstance(
            found, django_filters.ModelMultipleChoiceFilter
        ):
            replaced[name] = django_filters.NumberFilter(
                field_name=found.field_name, lookup_expr=found.lookup_expr, label=found.label, distinct=found.distinct
            )
    if not replaced:
        return filterset_class
    by_id = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
    by_id.base_filters = {**filterset_class.base_filters, **replaced}
    return by_id


@functools.cache
def _filter_names(filterset_class: type[django_filters.FilterSet]) -> tuple[tuple[str, ...], bool]:
    """The parameter names the filterset reads (a range filter reads ``<name>_after`` and
    the like, so a name is a prefix), and whether one of them is required."""
    filters = filterset_class.base_filters
    return tuple(filters), any(f.extra.get("required") for f in filters.values())


def _asks_for_filters(params, filterset_class: type[django_filters.FilterSet]) -> bool:
    names, required = _filter_names(filterset_class)
    return required or any(key == name or key.startswith(name + "_") for key in params for name in names)


class BoundedFilterBackend(DjangoFilterBackend):
    """django-filter's backend with the checks above; a view's filterset class is built
    once per process (django-filter builds an ``AutoFilterSet`` class from
    ``filterset_fields`` on every call, which here also grew ``ids_not_rows``'s cache by a
    class per request), and a request's filterset is built once, not twice."""

    _auto: dict[tuple, type[django_filters.FilterSet] | None] = {}

    def get_filterset_class(self, view, queryset=None):
        if getattr(view, "filterset_class", None) is None and queryset is not None:
            key = (type(view), queryset.model, repr(getattr(view, "filterset_fields", None)))
            if key not in self._auto:
                found = super().get_filterset_class(view, queryset)
                self._auto[key] = None if found is None else ids_not_rows(found)
            return self._auto[key]
        found = super().get_filterset_class(view, queryset)
        return None if found is None else ids_not_rows(found)

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not _asks_for_filters(request.query_params, filterset_class):
            # No parameter names a filter (nor a range filter's suffixed half): every
            # filter would see an empty value and return the rows unchanged, so the
            # filterset and its form are not built (a third of a bare list's time).
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = {
            name: [_("Ensure this value is at most %(max)s.") % {"max": BIGINT_MAX}]
            for name, found in filterset.filters.items()
            if isinstance(found, NUMERIC_FILTERS)
            and any(_out_of_range(value) for value in request.query_params.getlist(name))
        }
        if errors:
            raise ValidationError(errors)
        # What DjangoFilterBackend.filter_queryset does, on the filterset built above.
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs
