"""Grants: the built-in eligibility checks, the life cycle proposed -> awarded ->
contract signed -> in progress -> closed / revoked, the budget, and the de minimis
register (our grants enter it when awarded; other aid is declared)."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import audit
from incubator.exceptions import DomainError, TransitionNotAllowed
from incubator.funding import eligibility, notices
from incubator.funding.aid_register import (
    lock_undertakings,
    record_de_minimis_checks,
    register_grant_aid,
    require_new_covar,
    vary_grant_aid,
)
from incubator.funding.aid_shares import ZERO, aid_shares, grant_aid_shares, lead_amount
from incubator.funding.common import (
    eur,
    locked_grant,
    money,
    require_coordinator,
    require_coordinator_or_beneficiary,
    stage_date,
)
from incubator.funding.eligibility import GrantCandidate, Problem, Stage, grant_check
from incubator.funding.measures import measure_for_grant, require_available
from incubator.funding.models import (
    AidVariation,
    DeMinimisAid,
    ExpenseCategory,
    ExpenseItemStatus,
    ExpenseReportState,
    Grant,
    GrantBudgetLine,
    GrantState,
    TrancheState,
)
from incubator.funding.selectors import de_minimis_position, normalise_undertaking
from incubator.models import LegalForm, LegalFormChange, Venture
from incubator.selection.models import Application, ApplicationState
from incubator.services import _full_clean, _save_new

# --- built-in eligibility checks (other apps add theirs: see incubator.funding.eligibility) -----


@grant_check
def _application_admitted(candidate: GrantCandidate) -> list[Problem]:
    if candidate.application.state != ApplicationState.ADMITTED:
        return [
            Problem(
                "not_admitted",
                _("Only admitted applications receive a grant (this one is “%(state)s”).")
                % {"state": ApplicationState(candidate.application.state).label},
                "application",
            )
        ]
    return []


@grant_check
def _de_minimis_headroom(candidate: GrantCandidate) -> list[Problem]:
    if candidate.stage == Stage.CONTRACT:
        return []  # the aid was registered, and counted, when the grant was awarded
    # The grant's undertaking receives the whole amount, or with partners the lead's share
    # (incubator.negotiation.partner_aid checks the partners').
    amount = lead_amount(
        aid_shares(application=candidate.application, undertaking=candidate.undertaking, amount=candidate.amount)
    )
    position = de_minimis_position(candidate.undertaking, candidate.on, exclude_grant=candidate.grant)
    if position.allows(amount):
        return []
    return [
        Problem(
            "de_minimis_exceeded",
            _(
                "De minimis ceiling exceeded: %(undertaking)s received %(total)s EUR from %(start)s to %(end)s; "
                "the ceiling is %(ceiling)s EUR, so the headroom is %(headroom)s EUR and %(amount)s EUR does not fit."
            )
            % {
                "undertaking": position.undertaking,
                "total": eur(position.total),
                "start": position.window_start.strftime("%d/%m/%Y"),
                "end": position.window_end.strftime("%d/%m/%Y"),
                "ceiling": eur(position.ceiling),
                "headroom": eur(position.headroom),
                "amount": eur(amount),
            },
            "amount",
        )
    ]


def legal_form_on(venture: Venture, day: dt.date) -> str | None:
    change = LegalFormChange.objects.filter(venture=venture, effective_on__lte=day).order_by("-effective_on").first()
    return change.legal_form if change else None


@grant_check
def _legal_entity_before_contract(candidate: GrantCandidate) -> list[Problem]:
    if candidate.stage != Stage.CONTRACT:
        return []
    form = legal_form_on(candidate.venture, candidate.on)
    if form in (None, LegalForm.INFORMAL_GROUP):
        return [
            Problem(
                "no_legal_entity",
                _(
                    "On %(date)s the venture is not yet a legal entity: record its incorporation "
                    "(association, social cooperative, social enterprise or company) before the contract."
                )
                % {"date": candidate.on.strftime("%d/%m/%Y")},
                "contract_signed_on",
            )
        ]
    return []


def next_stage(grant: Grant) -> str:
    return {GrantState.PROPOSED: Stage.AWARD, GrantState.AWARDED: Stage.CONTRACT}.get(grant.state, Stage.PROPOSE)


def grant_eligibility(*, grant: Grant, stage: str | None = None, on: dt.date | None = None) -> list[Problem]:
    """The problems that would stop ``grant`` at ``stage`` (by default its next one); read-only."""
    stage = stage or next_stage(grant)
    return eligibility.problems(_candidate(grant, stage, on or timezone.localdate()))


def _candidate(grant: Grant, stage: str, on: dt.date) -> GrantCandidate:
    return GrantCandidate(
        application=grant.application,
        venture=grant.venture,
        amount=grant.amount,
        undertaking=grant.undertaking,
        stage=stage,
        on=on,
        grant=grant,
        incubation=grant.measure.incubation if grant.measure_id else True,
    )


# --- grants ------------------------------------------------------------------------------

GRANT_TRANSITIONS: dict[str, frozenset[str]] = {
    GrantState.PROPOSED: frozenset({GrantState.AWARDED, GrantState.REVOKED}),
    GrantState.AWARDED: frozenset({GrantState.CONTRACT_SIGNED, GrantState.REVOKED}),
    GrantState.CONTRACT_SIGNED: frozenset({GrantState.IN_PROGRESS, GrantState.REVOKED}),
    GrantState.IN_PROGRESS: frozenset({GrantState.CLOSED, GrantState.REVOKED}),
    GrantState.CLOSED: frozenset(),
    GrantState.REVOKED: frozenset(),
}
# States in which money moves and expenses are reported.
RUNNING = (GrantState.CONTRACT_SIGNED, GrantState.IN_PROGRESS)


def _move(*, actor, grant: Grant, to: str, reason: str = "", **changes) -> Grant:
    current = grant.state
    if to not in GRANT_TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("A grant cannot go from “%(from)s” to “%(to)s”.")
            % {"from": GrantState(current).label, "to": GrantState(to).label}
        )
    grant.state = to
    for name, value in changes.items():
        setattr(grant, name, value)
    _full_clean(grant)
    grant.save(update_fields=["state", *changes])
    audit.record(
        actor=actor,
        verb=f"grant.{to}",
        target=grant,
        programme_id=grant.venture.programme_id,
        before={"state": current},
        after={"state": to, **changes},
        reason=reason,
    )
    return grant


def _amount_in_call_range(amount, call, field: str = "amount") -> Decimal:
    amount = money(amount, field)
    if not (call.grant_min <= amount <= call.grant_max):
        raise DomainError(
            _("The grant must be between %(min)s and %(max)s EUR (the call's range).")
            % {"min": eur(call.grant_min), "max": eur(call.grant_max)},
            code="out_of_range",
            field=field,
        )
    return amount


@transaction.atomic
def grant_propose(
    *,
    actor,
    application: Application,
    amount,
    undertaking: str = "",
    cup: str = "",
    cor: str = "",
    internal_note: str = "",
    budget: Mapping[str, Any] | None = None,
    on: dt.date | None = None,
    measure=None,
) -> Grant:
    """A grant proposed for an admitted application, within the call's range, against a
    measure of the call (``incubator.funding.measures.measure_for_grant``). The
    undertaking defaults to the venture's registration number once it has one."""
    application = Application.objects.select_for_update().select_related("call", "venture").get(pk=application.pk)
    venture, call = application.venture, application.call
    require_coordinator(actor, call.programme_id)
    measure = measure_for_grant(call, measure)
    amount = _amount_in_call_range(amount, call)
    undertaking = normalise_undertaking(undertaking) or _registration_number(venture)
    if not undertaking:
        raise DomainError(
            _("Give the tax code or VAT number of the single undertaking receiving the aid."),
            code="required",
            field="undertaking",
        )
    if Grant.objects.filter(application=application).exclude(state=GrantState.REVOKED).exists():
        raise DomainError(_("This application already has a grant."), code="duplicate", field="application")
    eligibility.require_eligible(
        GrantCandidate(
            application=application,
            venture=venture,
            amount=amount,
            undertaking=undertaking,
            stage=Stage.PROPOSE,
            on=stage_date(on, "on"),
            incubation=measure.incubation,
        )
    )
    grant = _save_new(
        Grant(
            venture=venture,
            application=application,
            measure=measure,
            fund=measure.fund,
            undertaking=undertaking,
            amount=amount,
            amount_min=call.grant_min,
            amount_max=call.grant_max,
            cup=(cup or "").strip().upper(),
            cor=(cor or "").strip(),
            internal_note=internal_note,
        )
    )
    audit.record(
        actor=actor,
        verb="grant.propose",
        target=grant,
        programme_id=call.programme_id,
        after={"amount": amount, "undertaking": undertaking, "measure": measure.code},
    )
    if budget:
        grant_set_budget(actor=actor, grant=grant, lines=budget)
    return grant


def _registration_number(venture: Venture) -> str:
    latest = venture.legal_forms.in_force().exclude(registration_number="").order_by("-effective_on").first()
    return normalise_undertaking(latest.registration_number) if latest else ""


@transaction.atomic
def grant_update(
    *, actor, grant: Grant, amount=None, cup: str | None = None, cor: str | None = None, internal_note=None
) -> Grant:
    """The amount changes only while proposed; CUP, COR and the note until the grant ends."""
    grant = locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    if grant.state in (GrantState.CLOSED, GrantState.REVOKED):
        raise TransitionNotAllowed(_("A closed or revoked grant cannot be changed."))
    changes: dict[str, Any] = {}
    if amount is not None:
        if grant.state != GrantState.PROPOSED:
            raise DomainError(
                _("The amount can change only while the grant is proposed."), code="amount_locked", field="amount"
            )
        changes["amount"] = _amount_in_call_range(amount, grant.application.call)
        budgeted = sum(grant.budget_lines.values_list("amount", flat=True), Decimal(0))
        if budgeted > changes["amount"]:
            raise DomainError(
                _("The budget lines total %(budget)s EUR, more than the new amount.") % {"budget": eur(budgeted)},
                code="below_budget",
                field="amount",
            )
    if cup is not None:
        changes["cup"] = cup.strip().upper()
    if cor is not None:
        changes["cor"] = cor.strip()
    if internal_note is not None:
        changes["internal_note"] = internal_note
    if not changes:
        return grant
    before = {name: getattr(grant, name) for name in changes}
    for name, value in changes.items():
        setattr(grant, name, value)
    _full_clean(grant)
    grant.save(update_fields=list(changes))
    audit.record(
        actor=actor,
        verb="grant.update",
        target=grant,
        programme_id=grant.venture.programme_id,
        before={k: v for k, v in before.items() if k != "internal_note"},
        after={k: v for k, v in changes.items() if k != "internal_note"},
    )
    return grant


@transaction.atomic
def grant_set_budget(*, actor, grant: Grant, lines: Mapping[str, Any]) -> list[GrantBudgetLine]:
    """Replaces the budget: one amount per category, together at most the grant. A
    category that already has reported spending cannot drop below it."""
    grant = locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    if grant.state in (GrantState.CLOSED, GrantState.REVOKED):
        raise TransitionNotAllowed(_("A closed or revoked grant cannot be changed."))
    parsed: dict[str, Decimal] = {}
    for category, raw in lines.items():
        if category not in ExpenseCategory.values:
            raise DomainError(
                _("“%(category)s” is not an expense category.") % {"category": category},
                code="invalid",
                field="budget",
            )
        parsed[category] = money(raw, "budget")
    total = sum(parsed.values(), Decimal(0))
    if total > grant.amount:
        raise DomainError(
            _("The budget totals %(total)s EUR, more than the grant (%(amount)s EUR).")
            % {"total": eur(total), "amount": eur(grant.amount)},
            code="over_grant",
            field="budget",
        )
    reported = set(
        grant.expense_items.exclude(status=ExpenseItemStatus.REJECTED).values_list("category", flat=True).distinct()
    )
    if reported - set(parsed):
        raise DomainError(
            _("Categories with reported spending must keep a budget line: %(list)s.")
            % {"list": ", ".join(sorted(str(ExpenseCategory(c).label) for c in reported - set(parsed)))},
            code="category_in_use",
            field="budget",
        )
    grant.budget_lines.exclude(category__in=parsed).delete()
    saved = []
    for category, amount in parsed.items():
        line, _created = GrantBudgetLine.objects.update_or_create(
            grant=grant, category=category, defaults={"amount": amount}
        )
        saved.append(line)
    audit.record(
        actor=actor,
        verb="grant.budget",
        target=grant,
        programme_id=grant.venture.programme_id,
        after={"budget": {c: str(a) for c, a in parsed.items()}},
    )
    return saved


@transaction.atomic
def grant_award(
    *, actor, grant: Grant, decided_on: dt.date | None = None, cup: str | None = None, cor: str | None = None
) -> Grant:
    """The award decision: needs the CUP and the COR; runs every eligibility check and
    records the aid in the de minimis register on the decision date."""
    grant = locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    decided_on = stage_date(decided_on, "decided_on")
    if cup is not None:
        grant.cup = cup.strip().upper()
    if cor is not None:
        grant.cor = cor.strip()
    if not grant.cup:
        raise DomainError(_("The CUP is required to award the grant."), code="required", field="cup")
    if not grant.cor:
        raise DomainError(
            _("The COR (state-aid register code) is required to award the grant."), code="required", field="cor"
        )
    if grant.state != GrantState.PROPOSED:
        raise TransitionNotAllowed(_("Only a proposed grant can be awarded."))
    if grant.measure_id is None:  # created before measures existed, or outside the services
        grant.measure = measure_for_grant(grant.application.call)
        grant.fund = grant.measure.fund
        grant.save(update_fields=["measure", "fund"])
    shares = grant_aid_shares(grant)
    lock_undertakings([share.undertaking for share in shares])
    eligibility.require_eligible(_candidate(grant, Stage.AWARD, decided_on))
    require_available(measure=grant.measure, amount=grant.amount)
    checks = record_de_minimis_checks(actor=actor, grant=grant, shares=shares, on=decided_on)
    _move(
        actor=actor,
        grant=grant,
        to=GrantState.AWARDED,
        decided_on=decided_on,
        cup=grant.cup,
        cor=grant.cor,
    )
    register_grant_aid(actor=actor, grant=grant, shares=shares, checks=checks, on=decided_on)
    notices.grant_awarded(grant)
    return grant


@transaction.atomic
def grant_sign_contract(
    *, actor, grant: Grant, signed_on: dt.date | None = None, starts_on: dt.date, ends_on: dt.date
) -> Grant:
    """The contract: the venture must be a legal entity on the signing date; the
    eligible-spending period is fixed here."""
    grant = locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    signed_on = stage_date(signed_on, "contract_signed_on")
    if grant.state != GrantState.AWARDED:
        raise TransitionNotAllowed(_("Only an awarded grant can be contracted."))
    if grant.decided_on and signed_on < grant.decided_on:
        raise DomainError(
            _("The contract cannot precede the decision (%(date)s).") % {"date": grant.decided_on.strftime("%d/%m/%Y")},
            code="date_order",
            field="contract_signed_on",
        )
    if not (isinstance(starts_on, dt.date) and isinstance(ends_on, dt.date)) or ends_on <= starts_on:
        raise DomainError(_("The eligible period must end after it starts."), code="date_order", field="ends_on")
    eligibility.require_eligible(_candidate(grant, Stage.CONTRACT, signed_on))
    return _move(
        actor=actor,
        grant=grant,
        to=GrantState.CONTRACT_SIGNED,
        contract_signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
    )


@transaction.atomic
def grant_start(*, actor, grant: Grant) -> Grant:
    grant = locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    return _move(actor=actor, grant=grant, to=GrantState.IN_PROGRESS)


@transaction.atomic
def grant_close(*, actor, grant: Grant, closed_on: dt.date | None = None) -> Grant:
    """Closing needs the final report reviewed and no tranche waiting to be paid."""
    grant = locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    if grant.state != GrantState.IN_PROGRESS:
        raise TransitionNotAllowed(_("Only a grant in progress can be closed."))
    if not grant.expense_reports.filter(is_final=True, state=ExpenseReportState.REVIEWED).exists():
        raise DomainError(_("Review the final expense report first."), code="no_final_report", field="state")
    if grant.tranches.filter(state=TrancheState.REQUESTED).exists():
        raise DomainError(_("Pay or cancel the requested tranches first."), code="tranche_pending", field="state")
    return _move(actor=actor, grant=grant, to=GrantState.CLOSED, closed_on=stage_date(closed_on, "closed_on"))


@transaction.atomic
def grant_revoke(*, actor, grant: Grant, reason: str, on: dt.date | None = None, covar: str = "") -> Grant:
    """Revokes the grant (with a reason); its de minimis aid stops counting from ``on``
    (recorded as a variation when the register's COVAR is given) and the tranches not
    yet paid are cancelled."""
    grant = locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the revocation."), code="reason_required", field="reason")
    on = stage_date(on, "revoked_on")
    _move(actor=actor, grant=grant, to=GrantState.REVOKED, reason=reason, revoked_on=on, revocation_reason=reason)
    if (covar or "").strip():  # every entry of the grant (a partnership has one per undertaking)
        vary_grant_aid(actor=actor, grant=grant, covar=covar, varied_on=on, amount_after=ZERO, reason=reason)
    DeMinimisAid.objects.filter(grant=grant, withdrawn_on__isnull=True).update(withdrawn_on=on)
    grant.tranches.filter(state=TrancheState.REQUESTED).update(state=TrancheState.CANCELLED, note=reason[:300])
    return grant


# --- de minimis register -----------------------------------------------------------------


@transaction.atomic
def de_minimis_declare(
    *,
    actor,
    venture: Venture,
    undertaking: str,
    granting_body: str,
    granted_on: dt.date,
    amount,
    note: str = "",
) -> DeMinimisAid:
    """Other de minimis aid the single undertaking declares having received."""
    require_coordinator_or_beneficiary(actor, venture)
    undertaking = normalise_undertaking(undertaking)
    if not undertaking:
        raise DomainError(_("Give the undertaking's tax code or VAT number."), code="required", field="undertaking")
    if not (granting_body or "").strip():
        raise DomainError(_("Name the body that granted the aid."), code="required", field="granting_body")
    if not isinstance(granted_on, dt.date):
        raise DomainError(_("Give the date the aid was granted."), code="invalid", field="granted_on")
    if granted_on > timezone.localdate():
        raise DomainError(_("Aid cannot be declared with a future date."), code="future", field="granted_on")
    aid = _save_new(
        DeMinimisAid(
            undertaking=undertaking,
            programme_id=venture.programme_id,
            venture=venture,
            source=DeMinimisAid.Source.DECLARED,
            granting_body=granting_body.strip(),
            granted_on=granted_on,
            amount=money(amount, "amount", positive=True),
            note=note,
        )
    )
    audit.record(
        actor=actor,
        verb="de_minimis.declare",
        target=aid,
        programme_id=venture.programme_id,
        after={"undertaking": undertaking, "amount": aid.amount, "granted_on": granted_on},
    )
    return aid


@transaction.atomic
def de_minimis_withdraw(*, actor, aid: DeMinimisAid, on: dt.date | None = None, reason: str) -> DeMinimisAid:
    """Corrects the register (a declaration made in error, aid renounced). Our own
    grants leave it only by being revoked."""
    aid = DeMinimisAid.objects.select_for_update().get(pk=aid.pk)
    require_coordinator(actor, aid.programme_id)
    if aid.source == DeMinimisAid.Source.OURS:
        raise DomainError(_("Revoke the grant instead."), code="ours", field="source")
    if aid.withdrawn_on:
        raise DomainError(_("Already withdrawn."), code="withdrawn", field="withdrawn_on")
    if not (reason or "").strip():
        raise DomainError(_("Give the reason."), code="reason_required", field="reason")
    aid.withdrawn_on = stage_date(on, "withdrawn_on")
    aid.save(update_fields=["withdrawn_on"])
    audit.record(
        actor=actor,
        verb="de_minimis.withdraw",
        target=aid,
        programme_id=aid.programme_id,
        after={"withdrawn_on": aid.withdrawn_on},
        reason=reason,
    )
    return aid


@transaction.atomic
def de_minimis_vary(
    *, actor, aid: DeMinimisAid, covar: str, amount_after, reason: str, varied_on: dt.date | None = None
) -> AidVariation:
    """A change to our aid in the state-aid register (e.g. reduced at closing to what was
    spent), with the register's variation code (COVAR); the aid counts for the new amount.
    ``amount_after`` is the new amount of the grant's aid: with partners every entry of the
    grant is reduced in proportion (``incubator.funding.aid_register.vary_grant_aid``).
    Answers the variation of ``aid``."""
    aid = DeMinimisAid.objects.get(pk=aid.pk)
    require_coordinator(actor, aid.programme_id)
    if aid.source != DeMinimisAid.Source.OURS:
        raise DomainError(_("Only this programme's aid has register codes."), code="declared", field="aid")
    grant = locked_grant(aid.grant)  # the grant first, then its entries, as the revocation does
    aid = DeMinimisAid.objects.select_for_update().get(pk=aid.pk)
    if aid.withdrawn_on:
        raise DomainError(_("Already withdrawn."), code="withdrawn", field="withdrawn_on")
    covar = require_new_covar(covar)
    if not (reason or "").strip():
        raise DomainError(_("Give the reason."), code="reason_required", field="reason")
    variations = vary_grant_aid(
        actor=actor,
        grant=grant,
        covar=covar,
        varied_on=stage_date(varied_on, "varied_on"),
        amount_after=money(amount_after, "amount_after"),
        reason=reason,
    )
    return next(variation for variation in variations if variation.aid_id == aid.pk)
