"""Who sees the path's own records (registered from ``IncubatorConfig.ready``)."""

from django.db.models import Q

from incubator.access import rule, visible
from incubator.models import Enrolment, EnrolmentSuspension


@rule(EnrolmentSuspension)
def _suspension(user) -> Q:
    return Q(enrolment__in=visible(user, Enrolment).values("pk"))
