"""What the negotiation tells each side: the applicant's team hears of a revision request
and of the agreement; the programme's coordinators of a revised proposal. No amounts or
notes in the text: they are on the negotiation page, behind login."""

from incubator.negotiation.models import Negotiation, ProposalVersion
from incubator.notifications import recipients
from incubator.notifications.kinds import Kind
from incubator.notifications.links import page
from incubator.notifications.services import notify


def revision_requested(negotiation: Negotiation) -> None:
    application = negotiation.application
    notify(
        Kind.REVISION_REQUESTED,
        recipients.venture_team(application.venture_id),
        about=negotiation,
        key=f"negotiation:{negotiation.pk}:request:{negotiation.revision_requests.count()}",
        context={"call": application.call.title},
        link=page("negotiation:detail", negotiation.pk),
    )


def proposal_revised(negotiation: Negotiation, version: ProposalVersion) -> None:
    application = negotiation.application
    notify(
        Kind.PROPOSAL_REVISED,
        recipients.coordinators(application.call.programme_id),
        about=version,
        context={"call": application.call.title, "version": version.number},
        link=page("negotiation:detail", negotiation.pk),
    )


def agreed(negotiation: Negotiation) -> None:
    application = negotiation.application
    notify(
        Kind.NEGOTIATION_AGREED,
        recipients.venture_team(application.venture_id),
        about=negotiation,
        context={"call": application.call.title},
        link=page("negotiation:detail", negotiation.pk),
    )
