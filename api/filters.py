"""The filter backend of every API list: django-filter, refusing numbers that no database
column can hold. An id or amount in a query string is compared with a 64-bit column; a
larger one made SQLite raise ``OverflowError`` and PostgreSQL a numeric-range error (a
500) where the client deserves a 400 naming the parameter."""

from decimal import Decimal, InvalidOperation

import django_filters
from django.utils.translation import gettext as _
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


class BoundedFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {
                name: [_("Ensure this value is at most %(max)s.") % {"max": BIGINT_MAX}]
                for name, found in filterset.filters.items()
                if isinstance(found, NUMERIC_FILTERS)
                and any(_out_of_range(value) for value in request.query_params.getlist(name))
            }
            if errors:
                raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)
