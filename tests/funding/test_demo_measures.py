"""The measures demo step (order 790): the three seed programmes with their measures and
funds, the coordinator persona coordinating each, INNESCO's call drawing on its measure,
and committed and paid figures on INNESCO's budget page."""

import io
from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from incubator.funding.budget import programme_budget
from incubator.funding.models import CallBudget, Grant
from incubator.models import Measure, Programme, RoleAssignment


class MeasuresDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", seed=2026, stdout=io.StringIO())

    def test_the_three_programmes_with_their_measures_and_funds(self):
        innesco = Programme.objects.get(code="CT3.3.1.a")
        (measure,) = Measure.objects.filter(programme=innesco)
        assert (measure.code, measure.fund, measure.action, measure.budget) == (
            "3.3.1",
            "FESR",
            "3.3.1",
            Decimal("2668337.00"),
        )
        assert CallBudget.objects.filter(call__programme=innesco, measure=measure).exists()
        assert not Grant.objects.filter(venture__programme=innesco, measure__isnull=True).exists()
        hubs = {m.code: (m.fund, m.budget) for m in Measure.objects.filter(programme__code="PUGLIA-HUBS")}
        assert hubs == {"3.2": ("FESR", Decimal("12000000.00")), "9.3": ("FSE", Decimal("5400000.00"))}
        wecare = Measure.objects.filter(programme__code="WECARE")
        assert wecare.count() == 5
        by_fund = {}
        for m in wecare:
            by_fund[m.fund] = by_fund.get(m.fund, Decimal(0)) + m.budget
        assert by_fund == {"FSE": Decimal("15000000.00"), "FESR": Decimal("5000000.00")}
        for code in ("CT3.3.1.a", "PUGLIA-HUBS", "WECARE"):
            assert RoleAssignment.objects.filter(
                user__username="coordinator", programme__code=code, role="coordinator"
            ).exists(), code

    def test_the_budget_page_shows_committed_and_paid(self):
        innesco = Programme.objects.get(code="CT3.3.1.a")
        budget = programme_budget(innesco)
        assert budget.total.committed > 0 and budget.total.paid > 0
        self.client.force_login(RoleAssignment.objects.filter(user__username="coordinator").first().user)
        response = self.client.get(reverse("cohorts:coordinator-budget"), {"programme": innesco.pk})
        assert response.status_code == 200
        assert response.context["budget"].total.paid == budget.total.paid
