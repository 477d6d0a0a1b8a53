"""The money of a programme by measure and fund: the one definition of each figure, read
by the budget page, the API, the monitoring exports and the grant-award service.

- **budget**: the measure's envelope.
- **allocated**: what its calls draw on it (``CallBudget`` rows).
- **committed**: the grants awarded against it (awarded, contract signed, in progress,
  closed: their amount), plus what was already paid on grants later revoked (money
  gone out stays committed). Proposed grants commit nothing yet.
- **paid**: the paid tranches of its grants.
- **available**: budget - committed: what a new award may still take.

One query for every measure of a programme (subqueries per figure)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from incubator.funding.models import CallBudget, Grant, GrantState, Tranche, TrancheState
from incubator.models import Measure, Programme

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_MONEY = DecimalField(max_digits=14, decimal_places=2)
# States in which a grant's whole amount is committed against its measure.
COMMITTING = (GrantState.AWARDED, GrantState.CONTRACT_SIGNED, GrantState.IN_PROGRESS, GrantState.CLOSED)


def _sum(queryset: QuerySet, field: str = "amount") -> Coalesce:
    rows = queryset.order_by().values("measure_ref").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(ZERO, output_field=_MONEY))


def with_figures(measures: QuerySet) -> QuerySet:
    """Measures annotated with ``allocated``, ``committed_grants``, ``paid_revoked``,
    ``paid`` (use ``MeasureFigures`` or ``figures_of`` for ``committed`` and ``available``)."""

    return measures.annotate(
        allocated=_sum(CallBudget.objects.filter(measure=OuterRef("pk")).annotate(measure_ref=F("measure"))),
        committed_grants=_sum(
            Grant.objects.filter(measure=OuterRef("pk"), state__in=COMMITTING).annotate(measure_ref=F("measure"))
        ),
        paid_revoked=_sum(
            Tranche.objects.filter(
                grant__measure=OuterRef("pk"), grant__state=GrantState.REVOKED, state=TrancheState.PAID
            ).annotate(measure_ref=F("grant__measure"))
        ),
        paid=_sum(
            Tranche.objects.filter(grant__measure=OuterRef("pk"), state=TrancheState.PAID).annotate(
                measure_ref=F("grant__measure")
            )
        ),
    )


@dataclass(frozen=True)
class MeasureFigures:
    measure_id: int
    code: str
    title: str
    fund: str
    action: str
    incubation: bool
    budget: Decimal
    allocated: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def available(self) -> Decimal:
        return self.budget - self.committed

    @property
    def unallocated(self) -> Decimal:
        return self.budget - self.allocated


def _figures(measure: Measure) -> MeasureFigures:
    return MeasureFigures(
        measure_id=measure.pk,
        code=measure.code,
        title=measure.title,
        fund=measure.fund,
        action=measure.action,
        incubation=measure.incubation,
        budget=measure.budget,
        # SQLite's sums come back without the scale: two decimals, as every amount.
        allocated=measure.allocated.quantize(CENT),
        committed=(measure.committed_grants + measure.paid_revoked).quantize(CENT),
        paid=measure.paid.quantize(CENT),
    )


def figures_of(measure: Measure) -> MeasureFigures:
    """One measure's figures (one query): what the award service checks against."""
    return _figures(with_figures(Measure.objects.filter(pk=measure.pk)).get())


@dataclass(frozen=True)
class Totals:
    label: str
    budget: Decimal
    allocated: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def available(self) -> Decimal:
        return self.budget - self.committed


def _total(label: str, rows: list[MeasureFigures]) -> Totals:
    return Totals(
        label=label,
        budget=sum((r.budget for r in rows), ZERO),
        allocated=sum((r.allocated for r in rows), ZERO),
        committed=sum((r.committed for r in rows), ZERO),
        paid=sum((r.paid for r in rows), ZERO),
    )


@dataclass(frozen=True)
class ProgrammeBudget:
    programme: Programme
    measures: list[MeasureFigures]
    by_fund: list[Totals]
    total: Totals


def programme_budget(programme: Programme) -> ProgrammeBudget:
    """The budget page, the API and the exports: per measure, per fund and in total."""
    rows = [_figures(m) for m in with_figures(Measure.objects.filter(programme=programme).order_by("code", "pk"))]
    funds = sorted({r.fund for r in rows})
    return ProgrammeBudget(
        programme=programme,
        measures=rows,
        by_fund=[_total(fund, [r for r in rows if r.fund == fund]) for fund in funds],
        total=_total(programme.code, rows),
    )
