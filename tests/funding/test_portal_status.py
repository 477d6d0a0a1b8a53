"""``venture_funding_status``: what the participant portal renders (no internal notes)."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from incubator.funding import services
from incubator.funding.selectors import CampaignStatus, GrantStatus, venture_funding_status
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


def test_status_of_grant_and_campaign(world, django_assert_num_queries):
    h.admitted(world)
    grant = h.running(world, "100000.00", internal_note="Beneficiary flagged by social services")
    tranche = services.tranche_request(
        actor=world.participant, grant=grant, kind="advance", amount=Decimal("30000.00"), guarantee_reference="G"
    )
    services.tranche_pay(actor=world.coordinator, tranche=tranche, paid_on=dt.date(2026, 4, 20))
    h.accepted_spending(world, grant, ["1200.00"])
    services.campaign_create(
        actor=world.coordinator,
        venture=world.venture,
        platform="Eppela",
        url="https://www.eppela.com/orto",
        model="donation",
        budget=Decimal("10000"),
        goal=Decimal("3000"),
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 6, 1),
        internal_note="secret",
    )
    with django_assert_num_queries(2):
        status = venture_funding_status(world.venture)
    (g,) = status.grants
    assert isinstance(g, GrantStatus)
    assert (g.state, g.amount, g.paid, g.accepted_spending, g.pending_spending) == (
        "in_progress",
        Decimal("100000.00"),
        Decimal("30000.00"),
        Decimal("1200.00"),
        Decimal("0.00"),
    )
    (c,) = status.campaigns
    assert isinstance(c, CampaignStatus)
    assert (c.platform, c.state, c.goal, c.matched) == ("Eppela", "draft", Decimal("3000.00"), Decimal("0.00"))
    fields = {f.name for f in dataclasses.fields(GrantStatus)} | {f.name for f in dataclasses.fields(CampaignStatus)}
    assert "internal_note" not in fields
    assert "secret" not in repr(status) and "social services" not in repr(status)


def test_status_without_funding(world):
    status = venture_funding_status(world.venture)
    assert (status.grants, status.campaigns) == ([], [])
