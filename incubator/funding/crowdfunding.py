"""Civic crowdfunding: the programme's matching rule and the campaigns, draft -> live ->
succeeded / failed, matched by the rule copied at launch."""

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from incubator import audit
from incubator.exceptions import DomainError, TransitionNotAllowed
from incubator.funding.common import (
    money,
    percentage,
    require_coordinator,
    stage_date,
)
from incubator.funding.models import CampaignModel, CampaignState, CrowdfundingCampaign, MatchingRule
from incubator.funding.selectors import CENT
from incubator.models import Programme, Venture
from incubator.services import _full_clean, _save_new

# --- crowdfunding ------------------------------------------------------------------------


def matched_amount(*, budget: Decimal, raised: Decimal, threshold_pct, match_rate_pct, cap) -> Decimal:
    """DESIGN.md: matched = min(cap, budget x rate) if raised >= threshold x budget, else 0.
    The threshold is compared exactly (no rounding); the match is rounded down to the
    cent, so the city never pays more than the rule."""
    if threshold_pct is None or match_rate_pct is None or cap is None:
        return Decimal("0.00")
    if raised * 100 < Decimal(threshold_pct) * budget:
        return Decimal("0.00")
    return min(Decimal(cap), (budget * Decimal(match_rate_pct) / 100).quantize(CENT, rounding=ROUND_DOWN))


@transaction.atomic
def matching_rule_set(*, actor, programme: Programme, threshold_pct, match_rate_pct, cap) -> MatchingRule:
    """The programme's rule; campaigns already live keep the rule they started with."""
    require_coordinator(actor, programme.pk)
    values = {
        "threshold_pct": percentage(threshold_pct, "threshold_pct"),
        "match_rate_pct": percentage(match_rate_pct, "match_rate_pct"),
        "cap": money(cap, "cap"),
    }
    rule, _created = MatchingRule.objects.select_for_update().update_or_create(programme=programme, defaults=values)
    audit.record(actor=actor, verb="matching_rule.set", target=rule, programme_id=programme.pk, after=values)
    return rule


CAMPAIGN_FIELDS = ("platform", "url", "model", "budget", "goal", "starts_on", "ends_on", "internal_note")
LIVE_EDITABLE = ("url", "ends_on", "internal_note")


def _campaign_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    if "budget" in values:
        values["budget"] = money(values["budget"], "budget")
    if "goal" in values:
        values["goal"] = money(values["goal"], "goal", positive=True)
    if "model" in values and values["model"] not in CampaignModel.values:
        raise DomainError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(CampaignModel.values)},
            code="invalid",
            field="model",
        )
    return values


def _campaign_dates(campaign: CrowdfundingCampaign) -> None:
    if campaign.ends_on < campaign.starts_on:
        raise DomainError(_("The campaign must end on or after its start."), code="date_order", field="ends_on")


@transaction.atomic
def campaign_create(*, actor, venture: Venture, **fields) -> CrowdfundingCampaign:
    require_coordinator(actor, venture.programme_id)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}, code="invalid")
    campaign = CrowdfundingCampaign(venture=venture, **_campaign_values(fields))
    _campaign_dates(campaign)
    campaign = _save_new(campaign)
    audit.record(
        actor=actor,
        verb="campaign.create",
        target=campaign,
        programme_id=venture.programme_id,
        after={k: v for k, v in fields.items() if k != "internal_note"},
    )
    return campaign


def _locked_campaign(campaign: CrowdfundingCampaign) -> CrowdfundingCampaign:
    return CrowdfundingCampaign.objects.select_for_update().select_related("venture").get(pk=campaign.pk)


@transaction.atomic
def campaign_update(*, actor, campaign: CrowdfundingCampaign, **fields) -> CrowdfundingCampaign:
    """Everything while a draft; once live only the URL, the end date and the note."""
    campaign = _locked_campaign(campaign)
    require_coordinator(actor, campaign.venture.programme_id)
    allowed = {
        CampaignState.DRAFT: CAMPAIGN_FIELDS,
        CampaignState.LIVE: LIVE_EDITABLE,
    }.get(campaign.state, ("internal_note",))
    refused = set(fields) - set(allowed)
    if refused:
        field = sorted(refused)[0]
        raise DomainError(
            _("“%(field)s” cannot change while the campaign is “%(state)s”.")
            % {"field": field, "state": CampaignState(campaign.state).label},
            code="locked",
            field=field,
        )
    values = _campaign_values(fields)
    if not values:
        return campaign
    before = {k: getattr(campaign, k) for k in values if k != "internal_note"}
    for name, value in values.items():
        setattr(campaign, name, value)
    _campaign_dates(campaign)
    _full_clean(campaign)
    campaign.save(update_fields=list(values))
    audit.record(
        actor=actor,
        verb="campaign.update",
        target=campaign,
        programme_id=campaign.venture.programme_id,
        before=before,
        after={k: v for k, v in values.items() if k != "internal_note"},
    )
    return campaign


def _campaign_move(*, actor, campaign: CrowdfundingCampaign, to: str, **changes) -> CrowdfundingCampaign:
    current = campaign.state
    campaign.state = to
    for name, value in changes.items():
        setattr(campaign, name, value)
    _full_clean(campaign)
    campaign.save(update_fields=["state", *changes])
    audit.record(
        actor=actor,
        verb=f"campaign.{to}",
        target=campaign,
        programme_id=campaign.venture.programme_id,
        before={"state": current},
        after={"state": to, **{k: v for k, v in changes.items() if k != "internal_note"}},
    )
    return campaign


@transaction.atomic
def campaign_launch(*, actor, campaign: CrowdfundingCampaign) -> CrowdfundingCampaign:
    """draft -> live. The programme's matching rule is copied onto the campaign, so a
    later change of the rule does not move the goalposts of a running campaign."""
    campaign = _locked_campaign(campaign)
    require_coordinator(actor, campaign.venture.programme_id)
    if campaign.state != CampaignState.DRAFT:
        raise TransitionNotAllowed(_("Only a draft campaign can go live."))
    if not campaign.url:
        raise DomainError(_("Give the campaign's URL on the platform."), code="required", field="url")
    rule = MatchingRule.objects.filter(programme_id=campaign.venture.programme_id).first()
    return _campaign_move(
        actor=actor,
        campaign=campaign,
        to=CampaignState.LIVE,
        threshold_pct=rule.threshold_pct if rule else None,
        match_rate_pct=rule.match_rate_pct if rule else None,
        match_cap=rule.cap if rule else None,
    )


def _progress(campaign: CrowdfundingCampaign, raised, backers) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if raised is not None:
        changes["raised"] = money(raised, "raised")
    if backers is not None:
        try:
            backers = int(backers)
        except (TypeError, ValueError):
            backers = -1
        if backers < 0:
            raise DomainError(_("Backers is a whole number, zero or more."), code="invalid", field="backers")
        changes["backers"] = backers
    return changes


@transaction.atomic
def campaign_record_progress(*, actor, campaign: CrowdfundingCampaign, raised=None, backers=None):
    campaign = _locked_campaign(campaign)
    require_coordinator(actor, campaign.venture.programme_id)
    if campaign.state != CampaignState.LIVE:
        raise TransitionNotAllowed(_("Progress is recorded while the campaign is live."))
    changes = _progress(campaign, raised, backers)
    if not changes:
        return campaign
    before = {k: getattr(campaign, k) for k in changes}
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=list(changes))
    audit.record(
        actor=actor,
        verb="campaign.progress",
        target=campaign,
        programme_id=campaign.venture.programme_id,
        before=before,
        after=changes,
    )
    return campaign


@transaction.atomic
def campaign_close(
    *, actor, campaign: CrowdfundingCampaign, raised=None, backers=None, on: dt.date | None = None
) -> CrowdfundingCampaign:
    """live -> succeeded (the goal was reached) or failed. A succeeded campaign gets the
    city's match by the rule copied at launch; a failed one returns its pledges and gets
    nothing."""
    campaign = _locked_campaign(campaign)
    require_coordinator(actor, campaign.venture.programme_id)
    if campaign.state != CampaignState.LIVE:
        raise TransitionNotAllowed(_("Only a live campaign can be closed."))
    for name, value in _progress(campaign, raised, backers).items():
        setattr(campaign, name, value)
    succeeded = campaign.raised >= campaign.goal
    matched = (
        matched_amount(
            budget=campaign.budget,
            raised=campaign.raised,
            threshold_pct=campaign.threshold_pct,
            match_rate_pct=campaign.match_rate_pct,
            cap=campaign.match_cap,
        )
        if succeeded
        else Decimal("0.00")
    )
    return _campaign_move(
        actor=actor,
        campaign=campaign,
        to=CampaignState.SUCCEEDED if succeeded else CampaignState.FAILED,
        raised=campaign.raised,
        backers=campaign.backers,
        matched=matched,
        closed_on=stage_date(on, "closed_on"),
    )
