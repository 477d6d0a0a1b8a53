"""Funding figures, computed by the database in a bounded number of queries: the de
minimis position of an undertaking, a grant's budget against actual spending, the
totals shown in grant lists, the participant's funding status and the crowdfunding
track."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from incubator.dates import add_months
from incubator.funding.models import (
    CrowdfundingCampaign,
    DeMinimisAid,
    ExpenseCategory,
    ExpenseItem,
    ExpenseItemStatus,
    Grant,
    GrantBudgetLine,
    GrantState,
    Tranche,
    TrancheState,
)
from incubator.models import Venture
from incubator.selection.models import ApplicationState

# Regulation (EU) 2023/2831, art. 3(2): per single undertaking, over any three years.
DE_MINIMIS_CEILING = Decimal("300000.00")
DE_MINIMIS_WINDOW_MONTHS = 36
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _zero():
    return Value(ZERO, output_field=_MONEY)


def normalise_undertaking(code: str) -> str:
    return (code or "").strip().upper()


# --- de minimis --------------------------------------------------------------------------


@dataclass(frozen=True)
class DeMinimisPosition:
    """The rolling three-year total of one undertaking on ``on`` and the room left.
    The window is ``window_start`` .. ``window_end`` inclusive: aid granted exactly three
    years before ``on`` has just left it."""

    undertaking: str
    on: dt.date
    window_start: dt.date
    window_end: dt.date
    total: Decimal
    ceiling: Decimal
    headroom: Decimal

    def allows(self, amount: Decimal) -> bool:
        return self.total + amount <= self.ceiling


def de_minimis_window(on: dt.date) -> tuple[dt.date, dt.date]:
    return add_months(on, -DE_MINIMIS_WINDOW_MONTHS) + dt.timedelta(days=1), on


def de_minimis_aid_in_window(undertaking: str, on: dt.date) -> QuerySet:
    start, end = de_minimis_window(on)
    return DeMinimisAid.objects.filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on),
        undertaking=normalise_undertaking(undertaking),
        granted_on__gte=start,
        granted_on__lte=end,
    )


def de_minimis_position(undertaking: str, on: dt.date | None = None, *, exclude_grant=None) -> DeMinimisPosition:
    """One aggregate query. ``exclude_grant`` leaves out a grant's own register entry
    (when that grant is being re-checked)."""
    on = on or timezone.localdate()
    rows = de_minimis_aid_in_window(undertaking, on)
    if exclude_grant is not None:
        rows = rows.exclude(grant=exclude_grant)
    total = rows.aggregate(total=Coalesce(Sum("amount"), _zero()))["total"]
    start, end = de_minimis_window(on)
    return DeMinimisPosition(
        undertaking=normalise_undertaking(undertaking),
        on=on,
        window_start=start,
        window_end=end,
        total=total,
        ceiling=DE_MINIMIS_CEILING,
        headroom=max(ZERO, DE_MINIMIS_CEILING - total),
    )


# --- grants ------------------------------------------------------------------------------


def _item_sum(status_filter: Q, **outer) -> Subquery:
    rows = (
        ExpenseItem.objects.filter(status_filter, **{k: OuterRef(v) for k, v in outer.items()})
        .order_by()
        .values(*outer)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), _zero())


def _tranche_sum(states: list[str]) -> Subquery:
    rows = (
        Tranche.objects.filter(grant=OuterRef("pk"), state__in=states)
        .order_by()
        .values("grant")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), _zero())


def with_totals(grants: QuerySet) -> QuerySet:
    """Grants annotated with ``paid``, ``committed`` (requested or paid),
    ``accepted_spending`` and ``pending_spending`` - subqueries, so a list costs one query."""
    return grants.annotate(
        paid=_tranche_sum([TrancheState.PAID]),
        committed=_tranche_sum([TrancheState.REQUESTED, TrancheState.PAID]),
        accepted_spending=_item_sum(Q(status=ExpenseItemStatus.ACCEPTED), grant="pk"),
        pending_spending=_item_sum(Q(status=ExpenseItemStatus.PENDING), grant="pk"),
    )


def accepted_spending(grant: Grant) -> Decimal:
    return grant.expense_items.filter(status=ExpenseItemStatus.ACCEPTED).aggregate(
        total=Coalesce(Sum("amount"), _zero())
    )["total"]


def committed_tranches(grant: Grant) -> Decimal:
    """Requested or paid (a cancelled tranche frees its amount)."""
    return grant.tranches.exclude(state=TrancheState.CANCELLED).aggregate(total=Coalesce(Sum("amount"), _zero()))[
        "total"
    ]


@dataclass(frozen=True)
class BudgetRow:
    category: str
    label: str
    budget: Decimal
    accepted: Decimal
    pending: Decimal
    remaining: Decimal

    @property
    def used_pct(self) -> Decimal:
        if not self.budget:
            return ZERO
        return (self.accepted * 100 / self.budget).quantize(CENT, rounding=ROUND_DOWN)


def budget_vs_actual(grant: Grant) -> list[BudgetRow]:
    """Budget against accepted and pending spending per category, in one query (every
    expense item belongs to a budget line's category: the service refuses others)."""
    lines = GrantBudgetLine.objects.filter(grant=grant).annotate(
        accepted=_item_sum(Q(status=ExpenseItemStatus.ACCEPTED), grant="grant", category="category"),
        pending=_item_sum(Q(status=ExpenseItemStatus.PENDING), grant="grant", category="category"),
    )
    return [
        BudgetRow(
            category=line.category,
            label=str(ExpenseCategory(line.category).label),
            budget=line.amount,
            accepted=line.accepted,
            pending=line.pending,
            remaining=line.amount - line.accepted,
        )
        for line in lines.order_by("category")
    ]


# --- the participant portal --------------------------------------------------------------


@dataclass(frozen=True)
class GrantStatus:
    """What a participant may see of their grant (no internal notes)."""

    id: int
    state: str
    state_label: str
    amount: Decimal
    paid: Decimal
    accepted_spending: Decimal
    pending_spending: Decimal
    decided_on: dt.date | None
    contract_signed_on: dt.date | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    cup: str


@dataclass(frozen=True)
class CampaignStatus:
    id: int
    platform: str
    url: str
    model: str
    model_label: str
    state: str
    state_label: str
    goal: Decimal
    raised: Decimal
    backers: int
    starts_on: dt.date
    ends_on: dt.date
    matched: Decimal


@dataclass(frozen=True)
class FundingStatus:
    grants: list[GrantStatus]
    campaigns: list[CampaignStatus]


def venture_funding_status(venture: Venture) -> FundingStatus:
    """The venture's grants (revoked ones included, so a participant learns of it) and
    campaigns, for the participant portal. Two queries. The caller has already decided
    that the viewer may see ``venture``."""
    grants = with_totals(Grant.objects.filter(venture=venture)).order_by("-created_at", "-id")
    campaigns = CrowdfundingCampaign.objects.filter(venture=venture).order_by("-starts_on", "-id")
    return FundingStatus(
        grants=[
            GrantStatus(
                id=g.pk,
                state=g.state,
                state_label=str(GrantState(g.state).label),
                amount=g.amount,
                paid=g.paid,
                accepted_spending=g.accepted_spending,
                pending_spending=g.pending_spending,
                decided_on=g.decided_on,
                contract_signed_on=g.contract_signed_on,
                starts_on=g.starts_on,
                ends_on=g.ends_on,
                cup=g.cup,
            )
            for g in grants
        ],
        campaigns=[
            CampaignStatus(
                id=c.pk,
                platform=c.platform,
                url=c.url,
                model=c.model,
                model_label=c.get_model_display(),
                state=c.state,
                state_label=c.get_state_display(),
                goal=c.goal,
                raised=c.raised,
                backers=c.backers,
                starts_on=c.starts_on,
                ends_on=c.ends_on,
                matched=c.matched,
            )
            for c in campaigns
        ],
    )


# --- crowdfunding track ------------------------------------------------------------------


def crowdfunding_track(applications: QuerySet) -> QuerySet:
    """Ideas not admitted (rejected or waitlisted) but referred to crowdfunding tutoring,
    with their latest campaign's state and raised amount (null when none yet). One query.
    ``applications`` is already limited to what the viewer may see."""
    latest = CrowdfundingCampaign.objects.filter(venture=OuterRef("venture")).order_by("-starts_on", "-id")
    return (
        applications.filter(
            crowdfunding_referral=True, state__in=[ApplicationState.REJECTED, ApplicationState.WAITLISTED]
        )
        .select_related("venture", "call")
        .annotate(
            campaign_id=Subquery(latest.values("pk")[:1]),
            campaign_state=Subquery(latest.values("state")[:1]),
            campaign_raised=Subquery(latest.values("raised")[:1], output_field=_MONEY),
        )
        .order_by("call", "rank", "venture__title", "pk")
    )
