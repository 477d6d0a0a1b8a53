"""Each person sees their own notifications and nobody else's (not even coordinators)."""

from django.db.models import Q

from incubator import access
from incubator.notifications.models import Notification


@access.rule(Notification)
def _own(user) -> Q:
    return Q(recipient_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
