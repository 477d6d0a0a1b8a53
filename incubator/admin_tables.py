"""What keeps the back office's changelists cheap on large tables (half a million marks):

- ``CappedCountPaginator``: the page count stops counting at ``CAP`` rows (a count of
  the first ``CAP + 1`` matching rows, without ordering), so opening a list never scans
  a whole large table to print its total; past the cap the list says "more than";
- ``RelatedChoicesFilter``: a foreign-key filter whose choices are the related records
  the user may see (the related model's back-office queryset, joined with what their
  names need), not the distinct values of every row of the list - a scan of the large
  table on each page.

Every ``BackOfficeAdmin`` uses the paginator; ``incubator.admin.RelatedOnly`` is the
filter (``tests/perf/test_admin_tables.py`` checks the changelists)."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    CAP = 10_000

    @cached_property
    def count(self) -> int:
        """The number of rows, counted up to ``CAP + 1`` (then the list says "more than")."""
        queryset = self.object_list
        if hasattr(queryset, "order_by"):
            return queryset.order_by()[: self.CAP + 1].count()
        return len(queryset)

    @property
    def capped(self) -> bool:
        return self.count > self.CAP


class RelatedChoicesFilter(admin.RelatedFieldListFilter):
    """Choices from the related model's admin queryset for this user (bounded by the
    related table, one query); a related model the user may not list in the back office
    (users, for a coordinator) falls back to the values found in the rows."""

    def field_choices(self, field, request, model_admin):
        related_admin = model_admin.admin_site._registry.get(field.remote_field.model)
        if related_admin is None or not related_admin.has_view_permission(request):
            return admin.RelatedOnlyFieldListFilter.field_choices(self, field, request, model_admin)
        queryset = related_admin.get_queryset(request)
        if isinstance(related_admin.list_select_related, list | tuple) and related_admin.list_select_related:
            queryset = queryset.select_related(*related_admin.list_select_related)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]
