"""Filters of the funding endpoints (django-filter)."""

import django_filters

from incubator.funding.models import CrowdfundingCampaign, DeMinimisAid, ExpenseItem, Grant, Tranche


class GrantFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter(field_name="venture__programme")

    class Meta:
        model = Grant
        fields = ["state", "venture", "application", "programme", "undertaking"]


class TrancheFilter(django_filters.FilterSet):
    class Meta:
        model = Tranche
        fields = ["kind", "state"]


class ExpenseItemFilter(django_filters.FilterSet):
    invoice_after = django_filters.DateFilter(field_name="invoice_date", lookup_expr="gte")
    invoice_before = django_filters.DateFilter(field_name="invoice_date", lookup_expr="lte")

    class Meta:
        model = ExpenseItem
        fields = ["report", "status", "category", "invoice_after", "invoice_before"]


class DeMinimisAidFilter(django_filters.FilterSet):
    # By id (not a choice among every grant): a grant you do not see lists nothing.
    grant = django_filters.NumberFilter(field_name="grant", help_text="The grant's entries (one per undertaking).")

    class Meta:
        model = DeMinimisAid
        fields = ["undertaking", "source", "venture", "programme", "grant"]


class CampaignFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter(field_name="venture__programme")

    class Meta:
        model = CrowdfundingCampaign
        fields = ["state", "model", "venture", "programme"]
