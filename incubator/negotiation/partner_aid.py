"""Each partner of a partnership is its own single undertaking for de minimis (Reg. EU
2023/2831): a grant to a partnership is refused when a partner's share of it would exceed
that partner's headroom, with the partner's figures. The lead's own position is the
grant's undertaking, which ``incubator.funding`` checks already; this adds the others.
Registered as a grant check (``incubator.funding.eligibility``) when the negotiation's
services are imported; it lives here because selection may not import funding."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from incubator.funding.common import eur
from incubator.funding.eligibility import GrantCandidate, Problem, Stage, grant_check
from incubator.funding.selectors import de_minimis_position, normalise_undertaking
from incubator.selection.models import ApplicationPartner

CENT = Decimal("0.01")


def partner_amount(amount: Decimal, share: Decimal) -> Decimal:
    return (amount * share / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


@grant_check
def partners_de_minimis(candidate: GrantCandidate) -> list[Problem]:
    if candidate.stage == Stage.CONTRACT:
        return []
    found = []
    partners = ApplicationPartner.objects.filter(application=candidate.application).select_related("organisation")
    for partner in partners:
        code = normalise_undertaking(partner.organisation.tax_code)
        if code == normalise_undertaking(candidate.undertaking):
            continue  # the grant's own undertaking: the built-in check counts the whole amount
        amount = partner_amount(candidate.amount, partner.budget_share)
        position = de_minimis_position(code, candidate.on)
        if position.allows(amount):
            continue
        found.append(
            Problem(
                "partner_de_minimis_exceeded",
                _(
                    "De minimis ceiling exceeded for the partner %(partner)s (%(undertaking)s): its share "
                    "%(share)s %% is %(amount)s EUR, its headroom %(headroom)s EUR (received %(total)s EUR "
                    "from %(start)s to %(end)s; ceiling %(ceiling)s EUR)."
                )
                % {
                    "partner": partner.organisation.name,
                    "undertaking": code,
                    "share": partner.budget_share,
                    "amount": eur(amount),
                    "headroom": eur(position.headroom),
                    "total": eur(position.total),
                    "start": position.window_start.strftime("%d/%m/%Y"),
                    "end": position.window_end.strftime("%d/%m/%Y"),
                    "ceiling": eur(position.ceiling),
                },
                "amount",
            )
        )
    return found
