"""Who sees consent records and erasure requests: the coordinators of the person's
programme and the person themself. Registered from ``IncubatorConfig.ready``."""

from django.db.models import Q

from incubator import access
from incubator.participants.access import own_person_ids
from incubator.privacy.models import ConsentRecord, ErasureRequest


@access.rule(ConsentRecord)
def _consent(user) -> Q:
    return Q(person__programme__in=access.coordinated(user)) | Q(person__in=own_person_ids(user))


@access.rule(ErasureRequest)
def _erasure(user) -> Q:
    return Q(programme__in=access.coordinated(user)) | Q(person__in=own_person_ids(user))
