"""Our grants in the de minimis register: when a grant is awarded, one entry per single
undertaking receiving its aid (``incubator.funding.aid_shares``: the grant's undertaking,
or with a partnership the lead and each partner with its share), each with the de minimis
check made for it before the concession and the grant's COR; a variation of the grant's
aid (a reduction, a revocation with the register's COVAR) varies every live entry of the
grant in proportion, each with its own ``AidVariation``. Called by ``incubator.funding.grants``
inside its transactions."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from incubator import audit
from incubator.exceptions import DomainError
from incubator.funding.aid_shares import ZERO, AidShare, proportion, split_with_remainder
from incubator.funding.common import eur
from incubator.funding.models import AidVariation, DeMinimisAid, DeMinimisCheck, Grant
from incubator.funding.selectors import de_minimis_position
from incubator.services import _save_new


def lock_undertakings(undertakings: Sequence[str]) -> None:
    """Serialises de minimis decisions about these undertakings: two grants awarded at the
    same moment (to the same undertaking, or to partnerships sharing a partner) would
    otherwise each see the other's aid missing from the total. PostgreSQL: a transaction
    advisory lock per undertaking, taken in one order, so no deadlock with the grant and
    call rows the award has locked already; SQLite writes one transaction at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for code in sorted(set(undertakings)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"de_minimis:{code}"])


def record_de_minimis_checks(
    *, actor, grant: Grant, shares: Sequence[AidShare], on: dt.date
) -> dict[str, DeMinimisCheck]:
    """The check before the concession, one per undertaking with its figures and the amount
    it receives; its register entry refers to it. The eligibility checks have refused an
    award that does not fit; this re-reads the positions under the locks."""
    checks = {}
    for share in shares:
        position = de_minimis_position(share.undertaking, on, exclude_grant=grant)
        if not position.allows(share.amount):
            raise DomainError(
                _("De minimis ceiling exceeded for %(undertaking)s: the headroom is %(headroom)s EUR.")
                % {"undertaking": position.undertaking, "headroom": eur(position.headroom)},
                code="de_minimis_exceeded",
                field="amount",
            )
        checks[share.undertaking] = _save_new(
            DeMinimisCheck(
                grant=grant,
                undertaking=position.undertaking,
                on=on,
                window_start=position.window_start,
                window_end=position.window_end,
                total=position.total,
                ceiling=position.ceiling,
                headroom=position.headroom,
                amount=share.amount,
                passed=True,
                checked_by=actor if getattr(actor, "pk", None) else None,
            )
        )
    return checks


def register_grant_aid(
    *, actor, grant: Grant, shares: Sequence[AidShare], checks: dict[str, DeMinimisCheck], on: dt.date
) -> list[DeMinimisAid]:
    """One entry per undertaking (source "ours"), adding up to the grant's amount."""
    body = grant.venture.programme.managing_body or str(grant.venture.programme)
    partnership = len(shares) > 1
    entries = []
    for share in shares:
        note = f"COR {grant.cor}"
        if partnership:
            note = f"{note} - {share.name or grant.venture.title} {share.share} %"[:300]
        aid = _save_new(
            DeMinimisAid(
                undertaking=share.undertaking,
                programme_id=grant.venture.programme_id,
                venture=grant.venture,
                grant=grant,
                source=DeMinimisAid.Source.OURS,
                granting_body=body,
                granted_on=on,
                amount=share.amount,
                note=note,
                cor=grant.cor,
                check_record=checks[share.undertaking],
            )
        )
        audit.record(
            actor=actor,
            verb="de_minimis.register",
            target=aid,
            programme_id=grant.venture.programme_id,
            after={"undertaking": aid.undertaking, "amount": aid.amount, "granted_on": on},
        )
        entries.append(aid)
    return entries


def live_entries(grant: Grant) -> list[DeMinimisAid]:
    """The grant's entries still counting, locked, the grant's own undertaking (the lead) first."""
    rows = list(DeMinimisAid.objects.select_for_update().filter(grant=grant, withdrawn_on__isnull=True).order_by("pk"))
    return sorted(rows, key=lambda aid: aid.undertaking != grant.undertaking)


def require_new_covar(covar: str) -> str:
    covar = (covar or "").strip()
    if not covar:
        raise DomainError(_("Give the variation code (COVAR) from the register."), code="required", field="covar")
    if AidVariation.objects.filter(covar=covar).exists():
        raise DomainError(
            _("The variation code %(covar)s is already recorded.") % {"covar": covar}, code="duplicate", field="covar"
        )
    return covar


def vary_grant_aid(
    *, actor, grant: Grant, covar: str, varied_on: dt.date, amount_after: Decimal, reason: str
) -> list[AidVariation]:
    """The grant's aid reduced to ``amount_after`` (0: revoked) under one COVAR: each live
    entry to its proportion of it (rounded to the cent half up, the rest to the lead's
    entry), each with its own variation; an entry reduced to nothing is withdrawn. Refused
    when it would not reduce the aid."""
    covar = require_new_covar(covar)
    entries = live_entries(grant)
    if not entries:
        return []
    total = sum((aid.amount for aid in entries), ZERO)
    if amount_after >= total:
        raise DomainError(
            _("A variation reduces the aid (now %(amount)s EUR).") % {"amount": eur(total)},
            code="not_reduced",
            field="amount_after",
        )
    amounts = split_with_remainder(
        amount_after, [proportion(amount_after, aid.amount, total) for aid in entries], lead=0
    )
    variations = []
    for aid, after in zip(entries, amounts, strict=True):
        variation = _save_new(
            AidVariation(
                aid=aid,
                covar=covar,
                varied_on=varied_on,
                amount_before=aid.amount,
                amount_after=after,
                reason=reason[:300],
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
        )
        audit.record(
            actor=actor,
            verb="de_minimis.vary",
            target=aid,
            programme_id=aid.programme_id,
            before={"amount": aid.amount},
            after={"amount": after, "covar": covar},
            reason=reason,
        )
        if after == 0:
            aid.withdrawn_on = varied_on
        else:
            aid.amount = after
        aid.save(update_fields=["amount", "withdrawn_on"])
        variations.append(variation)
    return variations
