"""Who sees organisations: the programme's coordinators and evaluators (an evaluator must
know the applicant's organisation to declare a conflict) and the organisation's own
members. Other applicants do not see who else applies."""

from django.db.models import Q

from incubator.access import coordinated, programmes, rule
from incubator.models import Role
from incubator.organisations.models import Organisation, OrganisationMember


def own_organisation_ids(user):
    return OrganisationMember.objects.filter(user=user).values("organisation_id")


@rule(Organisation)
def _organisation(user) -> Q:
    return Q(programme__in=programmes(user, Role.COORDINATOR, Role.EVALUATOR)) | Q(pk__in=own_organisation_ids(user))


@rule(OrganisationMember)
def _member(user) -> Q:
    return Q(organisation__programme__in=coordinated(user)) | Q(user=user)
