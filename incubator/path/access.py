"""Who sees the path's own records (registered from ``IncubatorConfig.ready``)."""

from django.db.models import Q

from incubator.access import coordinated, own_venture_ids, programmes, rule, visible
from incubator.path.models import Enrolment, EnrolmentSuspension, Milestone, MilestoneTemplate


@rule(EnrolmentSuspension)
def _suspension(user) -> Q:
    return Q(enrolment__in=visible(user, Enrolment).values("pk"))


@rule(Enrolment)
def _enrolment(user) -> Q:
    return Q(application__call__programme__in=coordinated(user)) | Q(application__venture__in=own_venture_ids(user))


@rule(MilestoneTemplate)
def _milestone_template(user) -> Q:
    return Q(programme__in=programmes(user))


@rule(Milestone)
def _milestone(user) -> Q:
    return Q(enrolment__in=visible(user, Enrolment).values("pk"))
