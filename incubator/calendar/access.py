"""Who sees a calendar feed: its owner (the secret URL itself is the credential of a
calendar client)."""

from django.db.models import Q

from incubator.access import coordinated, rule
from incubator.calendar.models import CalendarFeed


@rule(CalendarFeed)
def _calendar_feed(user) -> Q:
    return Q(user=user) | Q(programme__in=coordinated(user))
