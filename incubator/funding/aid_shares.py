"""Who receives a grant's de minimis aid, and how much each: the one definition used by
the eligibility checks (the built-in one counts the lead's share against the grant's
undertaking, ``incubator.negotiation.partner_aid`` the partners'), by the award (one
register entry per undertaking) and by the variations (each entry varied in proportion).

Without partners the grant's undertaking receives the whole amount. With a partnership
(``ApplicationPartner``: the lead and its partners, shares adding up to 100 %) each
partner is its own single undertaking (Reg. EU 2023/2831) and receives its share of the
amount, rounded to the cent (ROUND_HALF_UP); the lead - the grant's undertaking - receives
the rest, so that the shares add up exactly to the amount. A partner whose code is the
grant's undertaking counts with the lead; a share of 0 is no aid."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from incubator.funding.selectors import normalise_undertaking
from incubator.selection.models import Application, ApplicationPartner, PartnerRole

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class AidShare:
    """What one undertaking receives. ``share`` is its budget share in percent (100 without
    partners); ``name`` the partner organisation's name ("" for the grant's undertaking)."""

    undertaking: str
    amount: Decimal
    share: Decimal
    name: str = ""
    lead: bool = False


def proportion(amount: Decimal, numerator: Decimal, denominator: Decimal) -> Decimal:
    """``amount`` x numerator / denominator, to the cent, half up."""
    return (amount * numerator / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


def split_with_remainder(total: Decimal, parts: Sequence[Decimal], lead: int) -> list[Decimal]:
    """``parts`` (already rounded) with the part at index ``lead`` replaced by what is left
    of ``total``, so that they add up to it exactly. Should rounding up leave the lead below
    nothing (a lead with a share near 0), the largest other part gives up the difference."""
    result = list(parts)
    result[lead] = total - sum((p for i, p in enumerate(parts) if i != lead), ZERO)
    if result[lead] < 0:
        largest = max((i for i in range(len(result)) if i != lead), key=lambda i: result[i])
        result[largest] += result[lead]
        result[lead] = ZERO
    return result


def aid_shares(*, application: Application, undertaking: str, amount: Decimal) -> list[AidShare]:
    """The (undertaking, amount) split of a grant of ``amount`` to ``application`` whose own
    undertaking (the lead's) is ``undertaking``: the lead first, then the partners in the
    partnership's order; undertakings with no amount are left out. One query."""
    undertaking = normalise_undertaking(undertaking)
    partners = list(
        ApplicationPartner.objects.filter(application=application).select_related("organisation").order_by("id")
    )
    if not partners:
        return [AidShare(undertaking=undertaking, amount=amount, share=HUNDRED, lead=True)]
    lead_share = ZERO
    others: dict[str, tuple[Decimal, str]] = {}
    for partner in partners:
        code = normalise_undertaking(partner.organisation.tax_code)
        if partner.role == PartnerRole.LEAD or code == undertaking:
            lead_share += partner.budget_share
            continue
        share, _name = others.get(code, (ZERO, ""))
        others[code] = (share + partner.budget_share, partner.organisation.name)
    codes = list(others)
    amounts = split_with_remainder(
        amount, [ZERO, *(proportion(amount, others[code][0], HUNDRED) for code in codes)], lead=0
    )
    shares = [AidShare(undertaking=undertaking, amount=amounts[0], share=lead_share, lead=True)]
    shares += [
        AidShare(undertaking=code, amount=value, share=others[code][0], name=others[code][1])
        for code, value in zip(codes, amounts[1:], strict=True)
    ]
    return [share for share in shares if share.amount > 0]


def grant_aid_shares(grant) -> list[AidShare]:
    return aid_shares(application=grant.application, undertaking=grant.undertaking, amount=grant.amount)


def lead_amount(shares: Sequence[AidShare]) -> Decimal:
    return sum((share.amount for share in shares if share.lead), ZERO)
