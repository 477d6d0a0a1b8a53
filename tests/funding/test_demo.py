"""The funding demo step (order 50) after the earlier steps: grants at different stages
with tranches and expenses, a declared de minimis aid, two campaigns (one matched, one
short of its threshold), all written by the services."""

import io

from django.core.management import call_command
from django.test import TestCase

from incubator.funding.aid_shares import grant_aid_shares
from incubator.funding.models import CrowdfundingCampaign, DeMinimisAid, ExpenseItem, Grant, MatchingRule, Tranche
from incubator.models import AuditEvent
from incubator.selection.demo import PROGRAMME_CODE


class FundingDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", seed=2026, stdout=io.StringIO())

    def test_grants_at_different_stages_with_tranches_and_expenses(self):
        # A grant needs the attendance threshold, so how many ventures get one depends on
        # the cohort's registers; each gets a different stage, the first one the fullest.
        # The seed programmes (demo steps 800+) add their own grants; these are INNESCO's.
        innesco = Grant.objects.filter(application__call__programme__code=PROGRAMME_CODE)
        grants = list(innesco.order_by("pk"))
        assert len(grants) >= 2
        expected = ["in_progress", "contract_signed", "awarded", "proposed", "in_progress"][: len(grants)]
        assert sorted(g.state for g in grants) == sorted(expected)
        assert Tranche.objects.filter(kind="advance", state="paid").exists()
        assert Tranche.objects.filter(kind="interim").exists()
        assert set(ExpenseItem.objects.values_list("status", flat=True)) == {"pending", "accepted", "rejected"}
        for grant in innesco:
            assert AuditEvent.objects.filter(verb="grant.propose", target_id=grant.pk).exists()
            assert sum(t.amount for t in grant.tranches.exclude(state="cancelled")) <= grant.amount
        # Each decided grant is in the register: one entry per undertaking (PUGLIA-HUBS's
        # partnership grant one per partner), adding up to the grant.
        decided = Grant.objects.exclude(state="proposed")
        assert DeMinimisAid.objects.filter(source="ours").count() == sum(len(grant_aid_shares(g)) for g in decided)
        partnership = Grant.objects.get(application__call__programme__code="PUGLIA-HUBS", state="awarded")
        assert partnership.de_minimis_aid.count() == 3
        assert sum(aid.amount for aid in partnership.de_minimis_aid.all()) == partnership.amount
        assert DeMinimisAid.objects.filter(source="declared").count() == 1

    def test_two_campaigns_one_matched_one_short_of_the_threshold(self):
        rule = MatchingRule.objects.get()
        campaigns = list(CrowdfundingCampaign.objects.order_by("starts_on"))
        assert len(campaigns) == 2
        matched, short = campaigns
        assert matched.matched == min(rule.cap, matched.budget * rule.match_rate_pct / 100)
        assert matched.raised * 100 >= rule.threshold_pct * matched.budget
        assert short.matched == 0 and short.raised * 100 < rule.threshold_pct * short.budget
        for campaign in campaigns:
            application = campaign.venture.applications.get()
            assert application.crowdfunding_referral and application.state in ("rejected", "waitlisted")
