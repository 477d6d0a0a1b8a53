"""What funding tells the venture's team (``incubator.notifications``): a grant awarded
(and its contract to sign), a tranche paid, an expense item refused. No amounts in the
text: the figures are on the pages behind login."""

from incubator.funding.models import ExpenseItem, Grant, Tranche, TrancheKind
from incubator.notifications import recipients
from incubator.notifications.kinds import Kind
from incubator.notifications.links import page
from incubator.notifications.services import notify


def grant_awarded(grant: Grant) -> None:
    team = recipients.venture_team(grant.venture_id)
    context = {"venture": grant.venture.title}
    notify(Kind.GRANT_AWARDED, team, about=grant, context=context, link=page("cohorts:my-path"))
    notify(Kind.CONTRACT_TO_SIGN, team, about=grant, context=context, link=page("cohorts:my-path"))


def tranche_paid(tranche: Tranche) -> None:
    grant = tranche.grant
    notify(
        Kind.TRANCHE_PAID,
        recipients.venture_team(grant.venture_id),
        about=tranche,
        context={"tranche": TrancheKind(tranche.kind).label, "venture": grant.venture.title, "on": tranche.paid_on},
        link=page("cohorts:my-path"),
    )


def expense_refused(item: ExpenseItem) -> None:
    venture = item.report.grant.venture
    notify(
        Kind.EXPENSE_REFUSED,
        recipients.venture_team(venture.pk),
        about=item,
        context={"venture": venture.title},
        link=page("cohorts:my-path"),
    )
