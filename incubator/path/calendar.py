"""Milestone deadlines in the calendar feeds, as all-day events (``DTEND`` is the day
after: exclusive, RFC 5545 3.6.1). A participant's feed carries their own ventures'
deadlines; a tutor's feed those of the ventures the access policy shows them (their
assignments). Waived milestones leave the feed. Registered from ``IncubatorConfig.ready``."""

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from incubator import access
from incubator.calendar import sources as calendar
from incubator.calendar.models import CalendarFeed
from incubator.path.models import Milestone
from incubator.path.models import MilestoneState as M

UID_KIND = "milestone"


def _deadlines(milestones: QuerySet, feed: CalendarFeed, start: dt.datetime, end: dt.datetime) -> QuerySet:
    return (
        milestones.filter(
            enrolment__application__call__programme_id=feed.programme_id,
            due_on__gte=start.date(),
            due_on__lte=end.date(),
        )
        .exclude(state=M.WAIVED)
        .select_related("enrolment__application__venture")
        .order_by("due_on", "pk")
    )


def _event(milestone: Milestone, summary: str) -> calendar.FeedEvent:
    done = milestone.state == M.ACHIEVED
    description = milestone.evidence_required and _("Evidence: %(what)s") % {"what": milestone.evidence_required}
    return calendar.FeedEvent(
        uid=calendar.uid(UID_KIND, milestone.pk),
        summary=("✓ " if done else "") + summary,
        start=milestone.due_on,
        end=milestone.due_on + dt.timedelta(days=1),
        last_modified=milestone.updated_at,
        description=description or "",
    )


@calendar.source(CalendarFeed.Kind.PARTICIPANT)
def participant_deadlines(feed: CalendarFeed, start: dt.datetime, end: dt.datetime) -> list[calendar.FeedEvent]:
    own = access.visible(feed.user, Milestone).filter(
        enrolment__application__venture__in=access.own_venture_ids(feed.user)
    )
    return [_event(m, _("Deadline: %(title)s") % {"title": m.title}) for m in _deadlines(own, feed, start, end)]


@calendar.source(CalendarFeed.Kind.TUTOR)
def tutor_deadlines(feed: CalendarFeed, start: dt.datetime, end: dt.datetime) -> list[calendar.FeedEvent]:
    seen = access.visible(feed.user, Milestone)
    return [
        _event(
            m,
            _("Deadline: %(title)s (%(venture)s)") % {"title": m.title, "venture": m.enrolment.application.venture},
        )
        for m in _deadlines(seen, feed, start, end)
    ]
