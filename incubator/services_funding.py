"""Every write of the funding domain: grants and their life cycle, budget, tranches,
expense reports and their review, the de minimis register, crowdfunding campaigns and
the programme's matching rule. Keyword-only functions taking an ``actor``; each checks
the actor, validates (a ``DomainError`` naming the field), writes atomically, locks the
rows two people may change at once, and records an audit event."""

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from incubator import access, audit, eligibility
from incubator.eligibility import GrantCandidate, Problem, Stage, grant_check
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.models import (
    Application,
    ApplicationState,
    LegalForm,
    LegalFormChange,
    Programme,
    Role,
    TeamMember,
    Venture,
)
from incubator.models_funding import (
    CampaignModel,
    CampaignState,
    CrowdfundingCampaign,
    DeMinimisAid,
    ExpenseCategory,
    ExpenseItem,
    ExpenseItemStatus,
    ExpenseReport,
    ExpenseReportState,
    Grant,
    GrantBudgetLine,
    GrantState,
    MatchingRule,
    Tranche,
    TrancheKind,
    TrancheState,
)
from incubator.selectors_funding import (
    CENT,
    accepted_spending,
    committed_tranches,
    de_minimis_position,
    normalise_undertaking,
)
from incubator.services import _full_clean, _save_new

MONEY_MAX = Decimal("9999999999.99")  # what a MONEY column (12 digits, 2 decimals) holds
ADVANCE_MAX_PCT = Decimal(30)
INTERIM_SPENDING_PCT = Decimal(30)

# Uploaded evidence: size and type are checked on the bytes, not trusted from the client.
DOCUMENT_MAX_BYTES = getattr(settings, "FUNDING_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
DOCUMENT_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


# --- shared checks -----------------------------------------------------------------------


def money(value, field: str, *, positive: bool = False, maximum: Decimal = MONEY_MAX) -> Decimal:
    """A euro amount: a finite number, not negative (or > 0), at most two decimals."""
    if isinstance(value, float):
        raise DomainError(_("Give amounts as decimal numbers, not floats."), code="invalid", field=field)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite():
        raise DomainError(_("“%(value)s” is not an amount in euro.") % {"value": value}, code="invalid", field=field)
    if number < 0:
        raise DomainError(_("The amount cannot be negative."), code="negative", field=field)
    if positive and number == 0:
        raise DomainError(_("The amount must be greater than zero."), code="not_positive", field=field)
    if number != number.quantize(CENT, rounding=ROUND_DOWN):
        raise DomainError(_("Amounts have at most two decimals (cents)."), code="too_many_decimals", field=field)
    if number > maximum:
        raise DomainError(_("The amount cannot exceed %(max)s EUR.") % {"max": maximum}, code="too_large", field=field)
    return number.quantize(CENT)


def percentage(value, field: str) -> Decimal:
    number = money(value, field)
    if number > 100:
        raise DomainError(_("A percentage is between 0 and 100."), code="out_of_range", field=field)
    return number


def _eur(amount: Decimal) -> str:
    """The amount as the reader's language writes it (100.000,00 in Italian)."""
    return number_format(amount, 2, force_grouping=True)


def require_coordinator(actor, programme_id: int) -> None:
    access.require_role(actor, programme_id, Role.COORDINATOR)


def _is_team_member(actor, venture_id: int) -> bool:
    return (
        bool(getattr(actor, "pk", None))
        and TeamMember.objects.filter(
            venture_id=venture_id, person__user_id=actor.pk, person__anonymised_at__isnull=True
        ).exists()
    )


def _require_coordinator_or_beneficiary(actor, venture: Venture) -> None:
    """The programme's coordinators, or a participant of the venture itself."""
    if access.has_role(actor, venture.programme_id, Role.COORDINATOR):
        return
    if access.has_role(actor, venture.programme_id, Role.PARTICIPANT) and _is_team_member(actor, venture.pk):
        return
    raise NotPermitted()


def _locked_grant(grant: Grant) -> Grant:
    return Grant.objects.select_for_update().select_related("venture", "application__call").get(pk=grant.pk)


def _stage_date(value: dt.date | None, field: str) -> dt.date:
    if value is None:
        return timezone.localdate()
    if not isinstance(value, dt.date):
        raise DomainError(_("Give a date."), code="invalid", field=field)
    return value


# --- built-in eligibility checks (other apps add theirs: see incubator.eligibility) -----


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
    position = de_minimis_position(candidate.undertaking, candidate.on, exclude_grant=candidate.grant)
    if position.allows(candidate.amount):
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
                "total": _eur(position.total),
                "start": position.window_start.strftime("%d/%m/%Y"),
                "end": position.window_end.strftime("%d/%m/%Y"),
                "ceiling": _eur(position.ceiling),
                "headroom": _eur(position.headroom),
                "amount": _eur(candidate.amount),
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
            % {"min": _eur(call.grant_min), "max": _eur(call.grant_max)},
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
) -> Grant:
    """A grant proposed for an admitted application, within the call's range. The
    undertaking defaults to the venture's registration number once it has one."""
    application = Application.objects.select_for_update().select_related("call", "venture").get(pk=application.pk)
    venture, call = application.venture, application.call
    require_coordinator(actor, call.programme_id)
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
            on=_stage_date(on, "on"),
        )
    )
    grant = _save_new(
        Grant(
            venture=venture,
            application=application,
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
        after={"amount": amount, "undertaking": undertaking},
    )
    if budget:
        grant_set_budget(actor=actor, grant=grant, lines=budget)
    return grant


def _registration_number(venture: Venture) -> str:
    latest = venture.legal_forms.exclude(registration_number="").order_by("-effective_on").first()
    return normalise_undertaking(latest.registration_number) if latest else ""


@transaction.atomic
def grant_update(
    *, actor, grant: Grant, amount=None, cup: str | None = None, cor: str | None = None, internal_note=None
) -> Grant:
    """The amount changes only while proposed; CUP, COR and the note until the grant ends."""
    grant = _locked_grant(grant)
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
                _("The budget lines total %(budget)s EUR, more than the new amount.") % {"budget": _eur(budgeted)},
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
    grant = _locked_grant(grant)
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
            % {"total": _eur(total), "amount": _eur(grant.amount)},
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


def _lock_undertaking(undertaking: str) -> None:
    """Serialises de minimis decisions about one undertaking: two grants awarded at the
    same moment would otherwise each see the other's aid missing from the total."""
    list(Grant.objects.select_for_update().filter(undertaking=undertaking).values_list("pk", flat=True))


@transaction.atomic
def grant_award(
    *, actor, grant: Grant, decided_on: dt.date | None = None, cup: str | None = None, cor: str | None = None
) -> Grant:
    """The award decision: needs the CUP and the COR; runs every eligibility check and
    records the aid in the de minimis register on the decision date."""
    grant = _locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    decided_on = _stage_date(decided_on, "decided_on")
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
    _lock_undertaking(grant.undertaking)
    eligibility.require_eligible(_candidate(grant, Stage.AWARD, decided_on))
    _move(actor=actor, grant=grant, to=GrantState.AWARDED, decided_on=decided_on, cup=grant.cup, cor=grant.cor)
    aid = _save_new(
        DeMinimisAid(
            undertaking=grant.undertaking,
            programme_id=grant.venture.programme_id,
            venture=grant.venture,
            grant=grant,
            source=DeMinimisAid.Source.OURS,
            granting_body=grant.venture.programme.managing_body or str(grant.venture.programme),
            granted_on=decided_on,
            amount=grant.amount,
            note=f"COR {grant.cor}",
        )
    )
    audit.record(
        actor=actor,
        verb="de_minimis.register",
        target=aid,
        programme_id=grant.venture.programme_id,
        after={"undertaking": aid.undertaking, "amount": aid.amount, "granted_on": decided_on},
    )
    return grant


@transaction.atomic
def grant_sign_contract(
    *, actor, grant: Grant, signed_on: dt.date | None = None, starts_on: dt.date, ends_on: dt.date
) -> Grant:
    """The contract: the venture must be a legal entity on the signing date; the
    eligible-spending period is fixed here."""
    grant = _locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    signed_on = _stage_date(signed_on, "contract_signed_on")
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
    grant = _locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    return _move(actor=actor, grant=grant, to=GrantState.IN_PROGRESS)


@transaction.atomic
def grant_close(*, actor, grant: Grant, closed_on: dt.date | None = None) -> Grant:
    """Closing needs the final report reviewed and no tranche waiting to be paid."""
    grant = _locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    if grant.state != GrantState.IN_PROGRESS:
        raise TransitionNotAllowed(_("Only a grant in progress can be closed."))
    if not grant.expense_reports.filter(is_final=True, state=ExpenseReportState.REVIEWED).exists():
        raise DomainError(_("Review the final expense report first."), code="no_final_report", field="state")
    if grant.tranches.filter(state=TrancheState.REQUESTED).exists():
        raise DomainError(_("Pay or cancel the requested tranches first."), code="tranche_pending", field="state")
    return _move(actor=actor, grant=grant, to=GrantState.CLOSED, closed_on=_stage_date(closed_on, "closed_on"))


@transaction.atomic
def grant_revoke(*, actor, grant: Grant, reason: str, on: dt.date | None = None) -> Grant:
    """Revokes the grant (with a reason); its de minimis aid stops counting from ``on``
    and the tranches not yet paid are cancelled."""
    grant = _locked_grant(grant)
    require_coordinator(actor, grant.venture.programme_id)
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the revocation."), code="reason_required", field="reason")
    on = _stage_date(on, "revoked_on")
    _move(actor=actor, grant=grant, to=GrantState.REVOKED, reason=reason, revoked_on=on, revocation_reason=reason)
    DeMinimisAid.objects.filter(grant=grant, withdrawn_on__isnull=True).update(withdrawn_on=on)
    grant.tranches.filter(state=TrancheState.REQUESTED).update(state=TrancheState.CANCELLED, note=reason[:300])
    return grant


# --- tranches ----------------------------------------------------------------------------


@transaction.atomic
def tranche_request(
    *, actor, grant: Grant, kind: str, amount, guarantee_reference: str = "", note: str = ""
) -> Tranche:
    """A payment request. The grant row is locked first, so two requests at once are
    decided one after the other and their sum can never pass the grant."""
    grant = _locked_grant(grant)
    _require_coordinator_or_beneficiary(actor, grant.venture)
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
            % {"total": _eur(committed + amount), "grant": _eur(grant.amount), "left": _eur(grant.amount - committed)},
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
            _("The advance is at most 30 %% of the grant: %(cap)s EUR.") % {"cap": _eur(cap)},
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
            % {"needed": _eur((grant.amount * INTERIM_SPENDING_PCT / 100).quantize(CENT)), "spent": _eur(spent)},
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
            _("All tranches together cannot exceed the accepted spending (%(spent)s EUR).") % {"spent": _eur(spent)},
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
    tranche.paid_on = _stage_date(paid_on, "paid_on")
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


# --- expense reports ---------------------------------------------------------------------


@transaction.atomic
def expense_report_create(
    *, actor, grant: Grant, period_start: dt.date, period_end: dt.date, is_final: bool = False
) -> ExpenseReport:
    grant = _locked_grant(grant)
    _require_coordinator_or_beneficiary(actor, grant.venture)
    if grant.state not in RUNNING:
        raise DomainError(
            _("Expenses are reported only after the contract is signed."), code="not_running", field="grant"
        )
    if not (isinstance(period_start, dt.date) and isinstance(period_end, dt.date)) or period_end < period_start:
        raise DomainError(_("The period must end on or after its start."), code="date_order", field="period_end")
    if period_start < grant.starts_on or period_end > grant.ends_on:
        raise DomainError(
            _("The period must fall within the grant's eligible period (%(start)s - %(end)s).")
            % {"start": grant.starts_on.strftime("%d/%m/%Y"), "end": grant.ends_on.strftime("%d/%m/%Y")},
            code="outside_grant_period",
            field="period_start",
        )
    if is_final and grant.expense_reports.filter(is_final=True).exists():
        raise DomainError(_("The grant already has a final report."), code="duplicate", field="is_final")
    report = _save_new(
        ExpenseReport(grant=grant, period_start=period_start, period_end=period_end, is_final=bool(is_final))
    )
    audit.record(
        actor=actor,
        verb="expense_report.create",
        target=report,
        programme_id=grant.venture.programme_id,
        after={"grant": grant.pk, "is_final": bool(is_final)},
    )
    return report


def _locked_report(report: ExpenseReport) -> ExpenseReport:
    return ExpenseReport.objects.select_for_update().select_related("grant__venture").get(pk=report.pk)


def validate_document(document: UploadedFile | None, field: str = "document") -> None:
    """A PDF or image (PNG, JPEG), not larger than ``DOCUMENT_MAX_BYTES``: the type is
    read from the file's first bytes, not from its name or the client's content type."""
    if not document:
        raise DomainError(_("Attach the invoice or receipt (PDF or image)."), code="document_missing", field=field)
    if document.size > DOCUMENT_MAX_BYTES:
        raise DomainError(
            _("The document is larger than %(mb)s MB.") % {"mb": DOCUMENT_MAX_BYTES // (1024 * 1024)},
            code="document_too_large",
            field=field,
        )
    name = (document.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    document.seek(0)
    head = document.read(16)
    document.seek(0)
    if suffix not in DOCUMENT_SIGNATURES or not head.startswith(DOCUMENT_SIGNATURES[suffix]):
        raise DomainError(_("Upload a PDF, PNG or JPEG document."), code="document_type", field=field)


@transaction.atomic
def expense_item_add(
    *,
    actor,
    report: ExpenseReport,
    category: str,
    supplier: str,
    supplier_tax_id: str,
    invoice_number: str,
    invoice_date: dt.date,
    amount,
    invoice_has_cup: bool,
    document: UploadedFile | None,
    description: str = "",
) -> ExpenseItem:
    """One invoice in a draft report. Refused with the reason: no CUP on the invoice, a
    date outside the grant's eligible period, an invoice of the same supplier already
    reported, no document (or not a PDF/image), a category outside the budget."""
    report = _locked_report(report)
    grant = report.grant
    _require_coordinator_or_beneficiary(actor, grant.venture)
    if report.state != ExpenseReportState.DRAFT:
        raise DomainError(_("Items are added to a draft report only."), code="report_not_draft", field="report")
    amount = money(amount, "amount", positive=True)
    if category not in ExpenseCategory.values:
        raise DomainError(_("Choose an expense category."), code="invalid", field="category")
    if not grant.budget_lines.filter(category=category).exists():
        raise DomainError(
            _("The grant's budget has no line for “%(category)s”.") % {"category": ExpenseCategory(category).label},
            code="not_in_budget",
            field="category",
        )
    if invoice_has_cup is not True:
        raise DomainError(
            _("The invoice must carry the project's CUP (%(cup)s) to be eligible.") % {"cup": grant.cup},
            code="no_cup",
            field="invoice_has_cup",
        )
    if not isinstance(invoice_date, dt.date):
        raise DomainError(_("Give the invoice date."), code="invalid", field="invoice_date")
    if not (grant.starts_on <= invoice_date <= grant.ends_on):
        raise DomainError(
            _("The invoice date is outside the grant's eligible period (%(start)s - %(end)s).")
            % {"start": grant.starts_on.strftime("%d/%m/%Y"), "end": grant.ends_on.strftime("%d/%m/%Y")},
            code="outside_grant_period",
            field="invoice_date",
        )
    supplier_tax_id = (supplier_tax_id or "").strip().upper()
    invoice_number = (invoice_number or "").strip()
    if not supplier_tax_id:
        raise DomainError(_("Give the supplier's VAT number or tax code."), code="required", field="supplier_tax_id")
    if not invoice_number:
        raise DomainError(_("Give the invoice number."), code="required", field="invoice_number")
    duplicate = (
        ExpenseItem.objects.filter(supplier_tax_id=supplier_tax_id, invoice_number=invoice_number)
        .exclude(status=ExpenseItemStatus.REJECTED)
        .exists()
    )
    if duplicate:
        raise DomainError(
            _("Invoice %(number)s of this supplier has already been reported.") % {"number": invoice_number},
            code="duplicate_invoice",
            field="invoice_number",
        )
    validate_document(document)
    item = ExpenseItem(
        report=report,
        grant=grant,
        category=category,
        description=description,
        supplier=(supplier or "").strip(),
        supplier_tax_id=supplier_tax_id,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        amount=amount,
        invoice_has_cup=True,
        document=document,
    )
    _full_clean(item, exclude=["document"])
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # the same invoice reported by someone else a moment ago
        raise DomainError(
            _("Invoice %(number)s of this supplier has already been reported.") % {"number": invoice_number},
            code="duplicate_invoice",
            field="invoice_number",
        ) from exc
    audit.record(
        actor=actor,
        verb="expense.add",
        target=item,
        programme_id=grant.venture.programme_id,
        after={"report": report.pk, "category": category, "amount": amount, "invoice_number": invoice_number},
    )
    return item


@transaction.atomic
def expense_report_submit(*, actor, report: ExpenseReport) -> ExpenseReport:
    report = _locked_report(report)
    _require_coordinator_or_beneficiary(actor, report.grant.venture)
    if report.state != ExpenseReportState.DRAFT:
        raise TransitionNotAllowed(_("Only a draft report can be submitted."))
    if not report.items.exists():
        raise DomainError(_("Add at least one expense item."), code="empty", field="items")
    report.state = ExpenseReportState.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["state", "submitted_at"])
    audit.record(
        actor=actor,
        verb="expense_report.submit",
        target=report,
        programme_id=report.grant.venture.programme_id,
        before={"state": ExpenseReportState.DRAFT},
        after={"state": ExpenseReportState.SUBMITTED},
    )
    return report


@transaction.atomic
def expense_item_review(*, actor, item: ExpenseItem, accept: bool, reason: str = "") -> ExpenseItem:
    """A coordinator accepts or rejects (with a reason) one item of a submitted report;
    the report becomes reviewed when its last item is decided."""
    report = _locked_report(item.report)
    require_coordinator(actor, report.grant.venture.programme_id)
    item = ExpenseItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ExpenseItemStatus.PENDING:
        raise TransitionNotAllowed(_("This item has already been reviewed."), field="status")
    if report.state != ExpenseReportState.SUBMITTED:
        raise DomainError(
            _("Only items of a submitted report are reviewed."), code="report_not_submitted", field="report"
        )
    if not accept and not (reason or "").strip():
        raise DomainError(_("Give the reason for the rejection."), code="reason_required", field="reason")
    item.status = ExpenseItemStatus.ACCEPTED if accept else ExpenseItemStatus.REJECTED
    item.rejection_reason = "" if accept else reason.strip()[:500]
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        verb=f"expense.{item.status}",
        target=item,
        programme_id=report.grant.venture.programme_id,
        before={"status": ExpenseItemStatus.PENDING},
        after={"status": item.status},
        reason=item.rejection_reason,
    )
    if not report.items.filter(status=ExpenseItemStatus.PENDING).exists():
        report.state = ExpenseReportState.REVIEWED
        report.reviewed_at = timezone.now()
        report.save(update_fields=["state", "reviewed_at"])
        audit.record(
            actor=actor,
            verb="expense_report.reviewed",
            target=report,
            programme_id=report.grant.venture.programme_id,
            before={"state": ExpenseReportState.SUBMITTED},
            after={"state": ExpenseReportState.REVIEWED},
        )
    return item


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
    _require_coordinator_or_beneficiary(actor, venture)
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
    aid.withdrawn_on = _stage_date(on, "withdrawn_on")
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
        closed_on=_stage_date(on, "closed_on"),
    )
