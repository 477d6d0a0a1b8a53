"""Each partner of a partnership is its own single undertaking for de minimis (Reg. EU
2023/2831): a grant to a partnership is refused when a partner's share of it would exceed
that partner's headroom, with the partner's figures. The split of the amount is
``incubator.funding.aid_shares`` (the same the award writes in the register); the lead's
share is the grant's undertaking, which ``incubator.funding`` checks already; this adds the
others. Registered as a grant check (``incubator.funding.eligibility``) when the
negotiation's services are imported; it lives here because selection may not import funding."""

from django.utils.translation import gettext as _

from incubator.funding.aid_shares import aid_shares
from incubator.funding.common import eur
from incubator.funding.eligibility import GrantCandidate, Problem, Stage, grant_check
from incubator.funding.selectors import de_minimis_position


@grant_check
def partners_de_minimis(candidate: GrantCandidate) -> list[Problem]:
    if candidate.stage == Stage.CONTRACT:
        return []
    found = []
    shares = aid_shares(application=candidate.application, undertaking=candidate.undertaking, amount=candidate.amount)
    for share in shares:
        if share.lead:
            continue  # the grant's own undertaking: the built-in check counts the lead's share
        position = de_minimis_position(share.undertaking, candidate.on, exclude_grant=candidate.grant)
        if position.allows(share.amount):
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
                    "partner": share.name,
                    "undertaking": share.undertaking,
                    "share": share.share,
                    "amount": eur(share.amount),
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
