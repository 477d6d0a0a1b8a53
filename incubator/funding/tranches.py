"""Tranches: advance (<= 30 %, with a guarantee), interim (accepted spending >= 30 %),
balance (after the final report); never more than the grant in total."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from incubator import audit
from incubator.exceptions import DomainError, TransitionNotAllowed
from incubator.funding import notices
from incubator.funding.common import (
    ADVANCE_MAX_PCT,
    INTERIM_SPENDING_PCT,
    eur,
    locked_grant,
    money,
    require_coordinator,
    require_coordinator_or_beneficiary,
    stage_date,
)
from incubator.funding.grants import RUNNING
from incubator.funding.models import ExpenseReportState, Grant, GrantState, Tranche, TrancheKind, TrancheState
from incubator.funding.selectors import CENT, accepted_spending, committed_tranches
from incubator.services import _full_clean, _save_new

# --- tranches ----------------------------------------------------------------------------


@transaction.atomic
def tranche_request(
    *, actor, grant: Grant, kind: str, amount, guarantee_reference: str = "", note: str = ""
) -> Tranche:
    """A payment request. The grant row is locked first, so two requests at once are
    decided one after the other and their sum can never pass the grant."""
    grant = locked_grant(grant)
    require_coordinator_or_beneficiary(actor, grant.venture)
    if kind not in TrancheKind.values:
        raise DomainError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(TrancheKind.values)}, code="invalid", field="kind"
        )
    amount = money(amount, "amount", positive=True)
    if grant.state not in RUNNING:
        raise DomainError(
            _("Tranches are paid only after the contract is signed (the grant is “%(state)s”).")
            % {"state": GrantState(grant.state).label},
            code="not_running",
            field="grant",
        )
    committed = committed_tranches(grant)
    if committed + amount > grant.amount:
        raise DomainError(
            _("Tranches would total %(total)s EUR, more than the grant (%(grant)s EUR): at most %(left)s EUR is left.")
            % {"total": eur(committed + amount), "grant": eur(grant.amount), "left": eur(grant.amount - committed)},
            code="over_grant",
            field="amount",
        )
    guarantee_reference = (guarantee_reference or "").strip()
    if kind == TrancheKind.ADVANCE:
        _check_advance(grant, amount, guarantee_reference)
    elif kind == TrancheKind.INTERIM:
        _check_interim(grant)
    else:
        _check_balance(grant, committed + amount)
    tranche = _save_new(
        Tranche(
            grant=grant,
            kind=kind,
            amount=amount,
            grant_amount=grant.amount,
            guarantee_reference=guarantee_reference,
            requested_by=actor if getattr(actor, "pk", None) else None,
            note=note,
        )
    )
    audit.record(
        actor=actor,
        verb="tranche.request",
        target=tranche,
        programme_id=grant.venture.programme_id,
        after={"grant": grant.pk, "kind": kind, "amount": amount},
    )
    return tranche


def _check_advance(grant: Grant, amount: Decimal, guarantee_reference: str) -> None:
    cap = (grant.amount * ADVANCE_MAX_PCT / 100).quantize(CENT, rounding=ROUND_DOWN)
    if amount > cap:
        raise DomainError(
            _("The advance is at most 30 %% of the grant: %(cap)s EUR.") % {"cap": eur(cap)},
            code="advance_over_30",
            field="amount",
        )
    if not guarantee_reference:
        raise DomainError(
            _("An advance needs a guarantee (surety or insurance policy reference)."),
            code="guarantee_required",
            field="guarantee_reference",
        )
    if grant.tranches.exclude(state=TrancheState.CANCELLED).exists():
        raise DomainError(_("The advance can only be the first tranche."), code="advance_not_first", field="kind")


def _check_interim(grant: Grant) -> None:
    spent = accepted_spending(grant)
    if spent * 100 < grant.amount * INTERIM_SPENDING_PCT:
        raise DomainError(
            _(
                "An interim payment needs accepted eligible spending of at least 30 %% of the grant "
                "(%(needed)s EUR); accepted so far: %(spent)s EUR."
            )
            % {"needed": eur((grant.amount * INTERIM_SPENDING_PCT / 100).quantize(CENT)), "spent": eur(spent)},
            code="spending_below_30",
            field="kind",
        )
    if grant.tranches.filter(kind=TrancheKind.BALANCE).exclude(state=TrancheState.CANCELLED).exists():
        raise DomainError(_("The balance was already requested."), code="after_balance", field="kind")


def _check_balance(grant: Grant, total_after: Decimal) -> None:
    if not grant.expense_reports.filter(is_final=True, state=ExpenseReportState.REVIEWED).exists():
        raise DomainError(
            _("The balance is paid after the final expense report has been reviewed."),
            code="no_final_report",
            field="kind",
        )
    spent = accepted_spending(grant)
    if total_after > spent:
        raise DomainError(
            _("All tranches together cannot exceed the accepted spending (%(spent)s EUR).") % {"spent": eur(spent)},
            code="over_spending",
            field="amount",
        )


def _locked_tranche(tranche: Tranche) -> Tranche:
    return Tranche.objects.select_for_update().select_related("grant__venture").get(pk=tranche.pk)


@transaction.atomic
def tranche_pay(*, actor, tranche: Tranche, paid_on: dt.date | None = None) -> Tranche:
    tranche = _locked_tranche(tranche)
    require_coordinator(actor, tranche.grant.venture.programme_id)
    if tranche.state != TrancheState.REQUESTED:
        raise TransitionNotAllowed(_("Only a requested tranche can be paid."))
    if tranche.grant.state not in RUNNING:
        raise DomainError(_("The grant is not running."), code="not_running", field="grant")
    tranche.state = TrancheState.PAID
    tranche.paid_on = stage_date(paid_on, "paid_on")
    _full_clean(tranche)
    tranche.save(update_fields=["state", "paid_on"])
    audit.record(
        actor=actor,
        verb="tranche.pay",
        target=tranche,
        programme_id=tranche.grant.venture.programme_id,
        before={"state": TrancheState.REQUESTED},
        after={"state": TrancheState.PAID, "paid_on": tranche.paid_on},
    )
    notices.tranche_paid(tranche)
    return tranche


@transaction.atomic
def tranche_cancel(*, actor, tranche: Tranche, reason: str) -> Tranche:
    tranche = _locked_tranche(tranche)
    require_coordinator(actor, tranche.grant.venture.programme_id)
    if tranche.state != TrancheState.REQUESTED:
        raise TransitionNotAllowed(_("Only a requested tranche can be cancelled."))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the cancellation."), code="reason_required", field="reason")
    tranche.state = TrancheState.CANCELLED
    tranche.note = reason[:300]
    tranche.save(update_fields=["state", "note"])
    audit.record(
        actor=actor,
        verb="tranche.cancel",
        target=tranche,
        programme_id=tranche.grant.venture.programme_id,
        before={"state": TrancheState.REQUESTED},
        after={"state": TrancheState.CANCELLED},
        reason=reason,
    )
    return tranche
