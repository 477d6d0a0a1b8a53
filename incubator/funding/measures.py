"""Measures and the calls' budget split by measure and fund; which measure a grant commits
against; the award's budget check under the measure's row lock. Figures come from
``incubator.funding.budget`` (one definition)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from incubator import audit
from incubator.exceptions import DomainError
from incubator.funding.budget import figures_of
from incubator.funding.common import eur, money, require_coordinator
from incubator.funding.models import CallBudget, Grant
from incubator.models import Fund, Measure, Programme
from incubator.selection.models import Call
from incubator.services import _full_clean, _save_new


def _locked_measures(programme_id: int) -> list[Measure]:
    # Measures and call shares of one programme change one writer at a time.
    return list(Measure.objects.select_for_update().filter(programme_id=programme_id).order_by("pk"))


@transaction.atomic
def measure_create(
    *,
    actor,
    programme: Programme,
    code: str,
    title: str,
    fund: str,
    budget,
    action: str = "",
    incubation: bool = True,
) -> Measure:
    """A measure within the programme's budget (the measures together at most the programme)."""
    require_coordinator(actor, programme.pk)
    if fund not in Fund.values:
        raise DomainError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(Fund.values)}, code="invalid", field="fund"
        )
    budget = money(budget, "budget")
    existing = _locked_measures(programme.pk)
    total = sum((m.budget for m in existing), Decimal(0)) + budget
    if total > programme.budget:
        raise DomainError(
            _("The measures would total %(total)s EUR, more than the programme's budget (%(budget)s EUR).")
            % {"total": eur(total), "budget": eur(programme.budget)},
            code="over_programme",
            field="budget",
        )
    measure = _save_new(
        Measure(
            programme=programme,
            code=(code or "").strip(),
            title=(title or "").strip(),
            fund=fund,
            action=(action or "").strip(),
            budget=budget,
            incubation=bool(incubation),
        )
    )
    audit.record(
        actor=actor,
        verb="measure.create",
        target=measure,
        programme_id=programme.pk,
        after={"code": measure.code, "fund": fund, "budget": budget, "incubation": measure.incubation},
    )
    return measure


@transaction.atomic
def measure_update(*, actor, measure: Measure, budget=None, title=None, incubation=None) -> Measure:
    """The budget may not drop below what is committed or allocated to calls."""
    require_coordinator(actor, measure.programme_id)
    measure = [m for m in _locked_measures(measure.programme_id) if m.pk == measure.pk][0]
    before = {"budget": measure.budget, "title": measure.title, "incubation": measure.incubation}
    if budget is not None:
        budget = money(budget, "budget")
        figures = figures_of(measure)
        floor = max(figures.committed, figures.allocated)
        if budget < floor:
            raise DomainError(
                _("The budget cannot go below %(floor)s EUR (allocated %(allocated)s, committed %(committed)s).")
                % {"floor": eur(floor), "allocated": eur(figures.allocated), "committed": eur(figures.committed)},
                code="below_commitments",
                field="budget",
            )
        others = Measure.objects.filter(programme_id=measure.programme_id).exclude(pk=measure.pk)
        total = (others.aggregate(t=Sum("budget"))["t"] or Decimal(0)) + budget
        if total > measure.programme.budget:
            raise DomainError(
                _("The measures would total %(total)s EUR, more than the programme's budget (%(budget)s EUR).")
                % {"total": eur(total), "budget": eur(measure.programme.budget)},
                code="over_programme",
                field="budget",
            )
        measure.budget = budget
    if title is not None:
        measure.title = title.strip()
    if incubation is not None:
        measure.incubation = bool(incubation)
    _full_clean(measure)
    measure.save()
    audit.record(
        actor=actor,
        verb="measure.update",
        target=measure,
        programme_id=measure.programme_id,
        before=before,
        after={"budget": measure.budget, "title": measure.title, "incubation": measure.incubation},
    )
    return measure


@transaction.atomic
def call_budget_set(*, actor, call: Call, shares: Mapping[Any, Any]) -> list[CallBudget]:
    """Replaces the call's split: ``{measure (or its id): amount}``. Each measure of the
    call's programme; the shares of all calls on a measure stay within its budget, and a
    share cannot drop below what the call's grants already commit on that measure."""
    require_coordinator(actor, call.programme_id)
    measures = {m.pk: m for m in _locked_measures(call.programme_id)}
    parsed: dict[int, Decimal] = {}
    for key, raw in shares.items():
        measure_id = getattr(key, "pk", key)
        if measure_id not in measures:
            raise DomainError(
                _("“%(measure)s” is not a measure of the call's programme.") % {"measure": key},
                code="invalid",
                field="measures",
            )
        parsed[measure_id] = money(raw, "measures")
    if not parsed:
        raise DomainError(_("A call draws on at least one measure."), code="required", field="measures")
    for measure_id, amount in parsed.items():
        measure = measures[measure_id]
        others = CallBudget.objects.filter(measure=measure).exclude(call=call).aggregate(t=Sum("amount"))[
            "t"
        ] or Decimal(0)
        if others + amount > measure.budget:
            raise DomainError(
                _(
                    "Measure %(code)s: the calls would draw %(total)s EUR, more than its budget (%(budget)s EUR); "
                    "%(left)s EUR is left for this call."
                )
                % {
                    "code": measure.code,
                    "total": eur(others + amount),
                    "budget": eur(measure.budget),
                    "left": eur(measure.budget - others),
                },
                code="over_measure",
                field="measures",
            )
    in_use = set(Grant.objects.filter(application__call=call, measure__isnull=False).values_list("measure", flat=True))
    if in_use - set(parsed):
        raise DomainError(
            _("The call's grants commit against measures it would no longer draw on."),
            code="measure_in_use",
            field="measures",
        )
    CallBudget.objects.filter(call=call).exclude(measure_id__in=parsed).delete()
    saved = []
    for measure_id, amount in parsed.items():
        row, _created = CallBudget.objects.update_or_create(
            call=call, measure_id=measure_id, defaults={"amount": amount, "fund": measures[measure_id].fund}
        )
        saved.append(row)
    audit.record(
        actor=actor,
        verb="call.budget",
        target=call,
        programme_id=call.programme_id,
        after={"measures": {measures[m].code: str(a) for m, a in parsed.items()}},
    )
    return saved


def measure_for_grant(call: Call, measure=None) -> Measure:
    """The measure a grant of ``call`` commits against: the one given (among the call's
    measures, if the call has a split), else the call's only measure, else the
    programme's only measure. A programme without measures gets one from its own fund,
    action and budget, as migration 0022 gave every programme then."""
    call_measures = list(Measure.objects.filter(call_budgets__call=call).order_by("pk"))
    if measure is not None:
        measure_id = getattr(measure, "pk", measure)
        chosen = Measure.objects.filter(pk=measure_id, programme_id=call.programme_id).first()
        if chosen is None or (call_measures and chosen not in call_measures):
            raise DomainError(
                _("Choose one of the measures the call draws on."), code="invalid_measure", field="measure"
            )
        return chosen
    if len(call_measures) == 1:
        return call_measures[0]
    programme_measures = list(Measure.objects.filter(programme_id=call.programme_id).order_by("pk")[:2])
    if not call_measures and len(programme_measures) == 1:
        return programme_measures[0]
    if not call_measures and not programme_measures:
        programme = call.programme
        measure, _created = Measure.objects.get_or_create(
            programme=programme,
            code=(programme.action or programme.code)[:40],
            defaults={
                "title": programme.name[:200],
                "fund": programme.fund,
                "action": programme.action,
                "budget": programme.budget,
            },
        )
        return measure
    raise DomainError(
        _("The call draws on several measures: choose the one the grant commits against."),
        code="required",
        field="measure",
    )


def require_available(*, measure: Measure, amount: Decimal) -> None:
    """Locks the measure's row, then refuses an award above what is available on it: two
    awards at once are decided one after the other, so together they cannot pass it."""
    Measure.objects.select_for_update().filter(pk=measure.pk).values_list("pk", flat=True).get()
    figures = figures_of(measure)
    if amount > figures.available:
        raise DomainError(
            _(
                "Measure %(code)s (%(fund)s): budget %(budget)s EUR, committed %(committed)s EUR, "
                "available %(available)s EUR; %(amount)s EUR does not fit."
            )
            % {
                "code": figures.code,
                "fund": figures.fund,
                "budget": eur(figures.budget),
                "committed": eur(figures.committed),
                "available": eur(figures.available),
                "amount": eur(amount),
            },
            code="over_measure_budget",
            field="amount",
        )
