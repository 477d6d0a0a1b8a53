"""What the funding services share: amounts in euro (Decimal, two decimals, never
negative), who may act on a grant, and the grant row lock."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from incubator import access
from incubator.exceptions import DomainError, NotPermitted
from incubator.funding.models import Grant
from incubator.funding.selectors import CENT
from incubator.models import Role, TeamMember, Venture

MONEY_MAX = Decimal("9999999999.99")  # what a MONEY column (12 digits, 2 decimals) holds
ADVANCE_MAX_PCT = Decimal(30)
INTERIM_SPENDING_PCT = Decimal(30)


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


def eur(amount: Decimal) -> str:
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


def require_coordinator_or_beneficiary(actor, venture: Venture) -> None:
    """The programme's coordinators, or a participant of the venture itself."""
    if access.has_role(actor, venture.programme_id, Role.COORDINATOR):
        return
    if access.has_role(actor, venture.programme_id, Role.PARTICIPANT) and _is_team_member(actor, venture.pk):
        return
    raise NotPermitted()


def locked_grant(grant: Grant) -> Grant:
    return Grant.objects.select_for_update().select_related("venture", "application__call").get(pk=grant.pk)


def stage_date(value: dt.date | None, field: str) -> dt.date:
    if value is None:
        return timezone.localdate()
    if not isinstance(value, dt.date):
        raise DomainError(_("Give a date."), code="invalid", field=field)
    return value
