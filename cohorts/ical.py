"""Training sessions in the calendar feeds (``incubator.calendar.sources``): a cohort's feed shows
its sessions, a participant's feed the sessions of their cohorts, a trainer's feed the
sessions they run. Cancelled sessions stay in the feed as ``STATUS:CANCELLED`` so that
subscribed calendars drop them instead of keeping a stale event."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cohorts.access import own_cohort_ids, session_ids_run_by
from cohorts.models import TrainingSession
from incubator.calendar import sources as calendar
from incubator.calendar.models import CalendarFeed
from incubator.models import Role


def session_event(session: TrainingSession) -> calendar.FeedEvent:
    if session.kind == TrainingSession.Kind.OUTREACH:
        summary = _("Event: %(topic)s") % {"topic": session.topic}
    else:
        summary = f"{session.module.title}: {session.topic}"
    trainers = ", ".join(t.get_full_name() or t.username for t in session.trainers.all())
    lines = [session.cohort.name]
    if session.module_id:
        lines.append(f"{session.module.title} ({session.module.get_mode_display()})")
    if trainers:
        lines.append(_("Trainers: %(names)s") % {"names": trainers})
    if session.online_url:
        lines.append(session.online_url)
    if session.is_cancelled:
        lines.append(_("Cancelled: %(reason)s") % {"reason": session.cancellation_reason})
    return calendar.FeedEvent(
        uid=calendar.uid("training-session", session.pk),
        summary=summary,
        start=session.starts_at,
        end=session.ends_at,
        last_modified=session.updated_at,
        location=session.place or session.online_url,
        description="\n".join(lines),
        url=session.online_url,
        cancelled=session.is_cancelled,
    )


def _events(sessions: QuerySet, start: dt.datetime, end: dt.datetime) -> Iterable[calendar.FeedEvent]:
    rows = (
        sessions.between(start, end)
        .select_related("cohort", "module")
        .prefetch_related("trainers")
        .order_by("starts_at", "pk")
    )
    return [session_event(session) for session in rows]


@calendar.source(CalendarFeed.Kind.COHORT)
def cohort_sessions(feed: CalendarFeed, start: dt.datetime, end: dt.datetime) -> Iterable[calendar.FeedEvent]:
    return _events(
        TrainingSession.objects.filter(cohort_id=feed.subject_id, cohort__programme_id=feed.programme_id), start, end
    )


@calendar.source(CalendarFeed.Kind.PARTICIPANT)
def participant_sessions(feed: CalendarFeed, start: dt.datetime, end: dt.datetime) -> Iterable[calendar.FeedEvent]:
    return _events(
        TrainingSession.objects.filter(cohort__in=own_cohort_ids(feed.user), cohort__programme_id=feed.programme_id),
        start,
        end,
    )


@calendar.source(CalendarFeed.Kind.TUTOR)
def trainer_sessions(feed: CalendarFeed, start: dt.datetime, end: dt.datetime) -> Iterable[calendar.FeedEvent]:
    # A trainer whose role in the programme was revoked stops seeing its sessions.
    if not feed.user.roles.filter(programme_id=feed.programme_id, role=Role.TUTOR).exists():
        return []
    return _events(
        TrainingSession.objects.filter(pk__in=session_ids_run_by(feed.user), cohort__programme_id=feed.programme_id),
        start,
        end,
    )
