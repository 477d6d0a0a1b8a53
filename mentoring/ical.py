"""Tutoring sessions in the calendar feeds (``incubator.calendar.sources``).

- tutor feed: the tutor's own sessions, with the venture, mode and topics;
- participant feed: the sessions of the participant's venture with a title, the time and
  the mode only. Its query selects those columns and nothing else, so neither the notes
  nor the topics can reach a participant's calendar.
Private notes live in another table that no source reads."""

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext as _

from incubator import access
from incubator.calendar import sources as calendar
from incubator.calendar.models import CalendarFeed
from incubator.models import Role, TeamMember
from mentoring.models import SessionMode, TutoringSession

UID_KIND = "tutoring-session"


@calendar.source(CalendarFeed.Kind.TUTOR)
def tutor_sessions(feed: CalendarFeed, start: dt.datetime, end: dt.datetime) -> Iterator[calendar.FeedEvent]:
    if feed.programme_id not in access.programmes(feed.user, Role.TUTOR):
        return
    sessions = (
        TutoringSession.objects.filter(tutor__user_id=feed.user_id, tutor__programme_id=feed.programme_id)
        .overlapping(start, end)
        .order_by("starts_at", "pk")
        .values(
            "pk",
            "starts_at",
            "ends_at",
            "mode",
            "topics",
            "updated_at",
            "assignment__enrolment__application__venture__title",
        )
    )
    for row in sessions:
        mode = str(SessionMode(row["mode"]).label)
        yield calendar.FeedEvent(
            uid=calendar.uid(UID_KIND, row["pk"]),
            summary=_("Tutoring: %(venture)s") % {"venture": row["assignment__enrolment__application__venture__title"]},
            start=row["starts_at"],
            end=row["ends_at"],
            last_modified=row["updated_at"],
            description="\n".join(filter(None, [mode, row["topics"]])),
        )


@calendar.source(CalendarFeed.Kind.PARTICIPANT)
def participant_sessions(feed: CalendarFeed, start: dt.datetime, end: dt.datetime) -> Iterator[calendar.FeedEvent]:
    ventures = TeamMember.objects.filter(
        person__user_id=feed.user_id, person__anonymised_at__isnull=True, venture__programme_id=feed.programme_id
    ).values("venture_id")
    sessions = (
        TutoringSession.objects.filter(assignment__enrolment__application__venture__in=ventures)
        .overlapping(start, end)
        .order_by("starts_at", "pk")
        .values("pk", "starts_at", "ends_at", "mode", "updated_at")
    )
    for row in sessions:
        mode = str(SessionMode(row["mode"]).label)
        yield calendar.FeedEvent(
            uid=calendar.uid(UID_KIND, row["pk"]),
            summary=_("Tutoring session (%(mode)s)") % {"mode": mode},
            start=row["starts_at"],
            end=row["ends_at"],
            last_modified=row["updated_at"],
            description=mode,
        )
