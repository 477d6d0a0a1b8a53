"""Who sees a negotiation: the coordinators of the call's programme and the applicant's
team (the meetings, requests and versions are shared between the two sides). Evaluators,
tutors and other applicants do not."""

from django.db.models import Q

from incubator.access import coordinated, own_venture_ids, rule
from incubator.negotiation.models import Meeting, Negotiation, ProposalVersion, RevisionRequest


def _negotiation_q(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}application__call__programme__in": coordinated(user)}) | Q(
        **{f"{prefix}application__venture__in": own_venture_ids(user)}
    )


@rule(Negotiation)
def _negotiation(user) -> Q:
    return _negotiation_q(user)


@rule(Meeting)
def _meeting(user) -> Q:
    return _negotiation_q(user, "negotiation__")


@rule(RevisionRequest)
def _revision_request(user) -> Q:
    return _negotiation_q(user, "negotiation__")


@rule(ProposalVersion)
def _version(user) -> Q:
    return _negotiation_q(user, "negotiation__")
