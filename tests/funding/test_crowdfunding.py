"""Civic crowdfunding: the matching formula at its boundaries, the campaign states,
the rule copied at launch, and the crowdfunding track of ideas not admitted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from incubator import access
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.funding import services
from incubator.funding.models import CampaignState, CrowdfundingCampaign, MatchingRule
from incubator.funding.selectors import crowdfunding_track
from incubator.selection.models import Application, ApplicationState
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (D("7999.99"), D("0.00")),  # one cent under 40 % of 20,000
        (D("8000.00"), D("10000.00")),  # exactly at the threshold: 50 % of the budget
        (D("20000.00"), D("10000.00")),  # raising more does not raise the match
    ],
)
def test_matching_formula_at_the_threshold(raised, expected):
    rule = {"threshold_pct": D("40"), "match_rate_pct": D("50"), "cap": D("15000")}
    assert services.matched_amount(budget=D("20000.00"), raised=raised, **rule) == expected


@pytest.mark.parametrize(
    ("budget", "expected"),
    [(D("30000.00"), D("15000.00")), (D("30000.02"), D("15000.00")), (D("29999.98"), D("14999.99"))],
)
def test_matching_formula_is_capped_and_rounded_down(budget, expected):
    rule = {"threshold_pct": D("40"), "match_rate_pct": D("50"), "cap": D("15000.00")}
    assert services.matched_amount(budget=budget, raised=budget, **rule) == expected


def test_no_rule_no_match():
    assert services.matched_amount(
        budget=D("1000"), raised=D("1000"), threshold_pct=None, match_rate_pct=None, cap=None
    ) == D("0.00")


@pytest.fixture
def rule(world):
    return services.matching_rule_set(
        actor=world.coordinator, programme=world.programme, threshold_pct="40", match_rate_pct="50", cap="15000"
    )


def create(world, **kwargs):
    fields = {
        "platform": "Produzioni dal Basso",
        "url": "https://www.produzionidalbasso.com/project/orto-sociale/",
        "model": "reward",
        "budget": D("20000.00"),
        "goal": D("8000.00"),
        "starts_on": dt.date(2026, 5, 1),
        "ends_on": dt.date(2026, 6, 30),
        "internal_note": "Team needs help with rewards",
    }
    fields.update(kwargs)
    return services.campaign_create(actor=world.coordinator, venture=world.venture, **fields)


def test_life_cycle_matched_at_the_threshold(world, rule):
    campaign = create(world)
    assert campaign.state == CampaignState.DRAFT
    services.campaign_launch(actor=world.coordinator, campaign=campaign)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.threshold_pct, campaign.match_rate_pct, campaign.match_cap) == (
        CampaignState.LIVE,
        D("40.00"),
        D("50.00"),
        D("15000.00"),
    )
    services.campaign_record_progress(actor=world.coordinator, campaign=campaign, raised="5000.00", backers=40)
    services.campaign_close(actor=world.coordinator, campaign=campaign, raised="8000.00", backers=71)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.raised, campaign.backers, campaign.matched) == (
        CampaignState.SUCCEEDED,
        D("8000.00"),
        71,
        D("10000.00"),
    )


def test_succeeded_but_short_of_the_matching_threshold(world, rule):
    campaign = create(world, goal=D("5000.00"))
    services.campaign_launch(actor=world.coordinator, campaign=campaign)
    services.campaign_close(actor=world.coordinator, campaign=campaign, raised="7999.99")
    campaign.refresh_from_db()
    assert (campaign.state, campaign.matched) == (CampaignState.SUCCEEDED, D("0.00"))


def test_failed_campaign_is_not_matched(world, rule):
    campaign = create(world, goal=D("12000.00"))
    services.campaign_launch(actor=world.coordinator, campaign=campaign)
    services.campaign_close(actor=world.coordinator, campaign=campaign, raised="11999.99")
    campaign.refresh_from_db()
    assert (campaign.state, campaign.matched) == (CampaignState.FAILED, D("0.00"))


def test_rule_is_copied_at_launch(world, rule):
    campaign = create(world)
    services.campaign_launch(actor=world.coordinator, campaign=campaign)
    services.matching_rule_set(
        actor=world.coordinator, programme=world.programme, threshold_pct="90", match_rate_pct="10", cap="100"
    )
    services.campaign_close(actor=world.coordinator, campaign=campaign, raised="8000.00")
    campaign.refresh_from_db()
    assert campaign.matched == D("10000.00")
    assert MatchingRule.objects.get(programme=world.programme).cap == D("100.00")


def test_transitions_and_locked_fields(world, rule):
    campaign = create(world)
    with pytest.raises(TransitionNotAllowed):
        services.campaign_close(actor=world.coordinator, campaign=campaign)
    with pytest.raises(TransitionNotAllowed):
        services.campaign_record_progress(actor=world.coordinator, campaign=campaign, raised="1")
    services.campaign_update(actor=world.coordinator, campaign=campaign, goal=D("9000.00"))
    services.campaign_launch(actor=world.coordinator, campaign=campaign)
    with pytest.raises(TransitionNotAllowed):
        services.campaign_launch(actor=world.coordinator, campaign=campaign)
    with pytest.raises(DomainError) as exc:
        services.campaign_update(actor=world.coordinator, campaign=campaign, goal=D("1.00"))
    assert exc.value.field == "goal"
    services.campaign_update(actor=world.coordinator, campaign=campaign, ends_on=dt.date(2026, 7, 15))
    services.campaign_close(actor=world.coordinator, campaign=campaign, raised="9000")
    with pytest.raises(TransitionNotAllowed):
        services.campaign_close(actor=world.coordinator, campaign=campaign)


def test_launch_needs_the_url(world):
    campaign = create(world, url="")
    with pytest.raises(DomainError) as exc:
        services.campaign_launch(actor=world.coordinator, campaign=campaign)
    assert exc.value.field == "url"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("budget", D("-1"), "negative"),
        ("goal", D("0"), "not_positive"),
        ("budget", D("100.123"), "too_many_decimals"),
        ("model", "loan", "invalid"),
        ("ends_on", dt.date(2026, 4, 30), "date_order"),
    ],
)
def test_bad_input_writes_nothing(world, field, value, code):
    with pytest.raises(DomainError) as exc:
        create(world, **{field: value})
    assert (exc.value.field, exc.value.code) == (field, code)
    assert not CrowdfundingCampaign.objects.exists()


def test_bad_rule_is_refused(world):
    with pytest.raises(DomainError) as exc:
        services.matching_rule_set(
            actor=world.coordinator, programme=world.programme, threshold_pct="101", match_rate_pct="50", cap="1"
        )
    assert exc.value.field == "threshold_pct"
    with pytest.raises(DomainError) as exc:
        services.matching_rule_set(
            actor=world.coordinator, programme=world.programme, threshold_pct="10", match_rate_pct="50", cap="-1"
        )
    assert exc.value.field == "cap"
    assert not MatchingRule.objects.exists()


def test_only_coordinators_manage_campaigns(world, other, rule):
    for outsider in (world.participant, world.tutor, world.evaluator, other.coordinator):
        with pytest.raises(NotPermitted):
            services.campaign_create(
                actor=outsider,
                venture=world.venture,
                platform="x",
                model="donation",
                budget=D("1"),
                goal=D("1"),
                starts_on=dt.date(2026, 1, 1),
                ends_on=dt.date(2026, 2, 1),
            )


def test_database_rules(world, rule):
    campaign = create(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        CrowdfundingCampaign.objects.filter(pk=campaign.pk).update(raised=D("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CrowdfundingCampaign.objects.filter(pk=campaign.pk).update(matched=D("10"))  # no cap copied: no match
    with pytest.raises(IntegrityError), transaction.atomic():
        CrowdfundingCampaign.objects.filter(pk=campaign.pk).update(match_cap=D("5"), matched=D("6"))


def test_crowdfunding_track_lists_referred_ideas_with_their_campaign(world, other, rule, django_assert_num_queries):
    world.application.state = ApplicationState.REJECTED
    world.application.submitted_at = world.application.created_at
    world.application.crowdfunding_referral = True
    world.application.save()
    not_referred = f.ApplicationFactory(
        call=world.call, state=ApplicationState.REJECTED, submitted_at=world.application.created_at
    )
    waitlisted = f.ApplicationFactory(
        call=world.call,
        state=ApplicationState.WAITLISTED,
        submitted_at=world.application.created_at,
        crowdfunding_referral=True,
    )
    other.application.state = ApplicationState.REJECTED
    other.application.submitted_at = other.application.created_at
    other.application.crowdfunding_referral = True
    other.application.save()
    campaign = create(world)
    access.forget(world.coordinator)
    with django_assert_num_queries(2):  # the coordinator's roles, then the list
        rows = list(crowdfunding_track(access.visible(world.coordinator, Application)))
    assert {r.pk for r in rows} == {world.application.pk, waitlisted.pk}
    assert not_referred.pk not in {r.pk for r in rows}
    by_pk = {r.pk: r for r in rows}
    assert (by_pk[world.application.pk].campaign_id, by_pk[world.application.pk].campaign_state) == (
        campaign.pk,
        "draft",
    )
    assert by_pk[waitlisted.pk].campaign_id is None
    participant_rows = list(crowdfunding_track(access.visible(world.participant, Application)))
    assert [r.pk for r in participant_rows] == [world.application.pk]
