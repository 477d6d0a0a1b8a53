"""What training tells people (``incubator.notifications``): a session scheduled, moved or
cancelled, with the session as an ``.ics`` attachment (a cancelled one as
``STATUS:CANCELLED``, so calendars drop it), and the reminders of a session tomorrow and of
attendance under the completion line. The people told of a session are its roster (who
have an account) and its trainers; of attendance, the participant alone."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from cohorts.ical import session_event
from cohorts.models import Cohort, CohortEnrolment, TrainingSession
from cohorts.selectors import attendance_by_cohort, session_roster
from incubator.calendar import sources as calendar
from incubator.models import Person, TeamMember
from incubator.notifications.kinds import Kind
from incubator.notifications.links import page
from incubator.notifications.reminders import reminder
from incubator.notifications.services import Event, event_key, notify
from incubator.path.models import EnrolmentStatus


def _recipients(session: TrainingSession) -> list[int]:
    roster = session_roster(session).filter(user__isnull=False, anonymised_at__isnull=True)
    trainers = session.trainers.values_list("pk", flat=True)
    return sorted({*roster.values_list("user_id", flat=True), *trainers})


def _context(session: TrainingSession) -> dict:
    return {
        "topic": session.topic,
        "cohort": session.cohort.name,
        "starts": session.starts_at,
        "place": session.place or session.online_url,
    }


def _ics(session: TrainingSession) -> tuple[str, str, str]:
    body = calendar.build_ics(session.cohort.name, [session_event(session)])
    return (f"session-{session.pk}.ics", "text/calendar", body.decode())


def _tell(kind: str, session: TrainingSession, key: str) -> None:
    if session.ends_at <= timezone.now():
        return  # the past is not news
    notify(
        kind,
        _recipients(session),
        key=key,
        context=_context(session),
        link=page("cohorts:my-path"),
        attachment=_ics(session),
    )


def session_scheduled(session: TrainingSession) -> None:
    _tell(Kind.SESSION_SCHEDULED, session, f"training-session:{session.pk}")


def session_moved(session: TrainingSession) -> None:
    _tell(Kind.SESSION_MOVED, session, f"training-session:{session.pk}:{session.updated_at.isoformat()}")


def session_cancelled(session: TrainingSession) -> None:
    _tell(Kind.SESSION_CANCELLED, session, f"training-session:{session.pk}")


@reminder
def sessions_tomorrow(now: dt.datetime) -> Iterator[Event]:
    """Sessions of tomorrow (local day), not cancelled: three queries whatever the number of
    sessions and people (the sessions, their cohorts' members, their trainers)."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=zone)
    sessions = list(
        TrainingSession.objects.not_cancelled()
        .filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
        .values_list("pk", "cohort_id", "cohort__name", "topic", "starts_at", "place", "online_url")
        .order_by("pk")
    )
    if not sessions:
        return
    members: dict[int, set[int]] = defaultdict(set)
    enrolled = CohortEnrolment.objects.filter(
        cohort_id__in={row[1] for row in sessions},
        enrolment__status=EnrolmentStatus.ACTIVE,
        enrolment__starts_on__lte=tomorrow,
        enrolment__ends_on__gte=tomorrow,
    )
    rows = TeamMember.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=tomorrow),
        venture__applications__enrolment__cohort_membership__in=enrolled,
        person__user__isnull=False,
        person__anonymised_at__isnull=True,
    ).values_list("venture__applications__enrolment__cohort_membership__cohort_id", "person__user_id")
    for cohort_id, user_id in rows:
        members[cohort_id].add(user_id)
    trainers: dict[int, set[int]] = defaultdict(set)
    through = TrainingSession.trainers.through.objects.filter(trainingsession_id__in=[row[0] for row in sessions])
    for session_id, user_id in through.values_list("trainingsession_id", "user_id"):
        trainers[session_id].add(user_id)
    link = page("cohorts:my-path")
    for pk, cohort_id, cohort, topic, starts_at, place, online_url in sessions:
        users = sorted(members[cohort_id] | trainers[pk])
        if users:
            key = event_key(Kind.SESSION_TOMORROW, None, f"training-session:{pk}:{starts_at.isoformat()}")
            context = {"topic": topic, "cohort": cohort, "starts": starts_at, "place": place or online_url}
            yield Event(Kind.SESSION_TOMORROW, key, users, context, link)


WARNING_AFTER_SESSIONS = 4  # fewer held sessions say too little about anyone's attendance


@reminder
def attendance_under_the_line(now: dt.datetime) -> Iterator[Event]:
    """Participants under their cohort's completion line, once per person and cohort, after
    at least four held sessions. Only the cohorts that held a session in the last day are
    looked at (nothing else changed): their figures in three or four queries
    (``attendance_by_cohort``), then the accounts of the people under the line."""
    cohorts = list(
        Cohort.objects.running_on(timezone.localdate(now)).filter(
            pk__in=TrainingSession.objects.not_cancelled()
            .filter(ends_at__gt=now - dt.timedelta(days=1), ends_at__lte=now)
            .values("cohort_id")
        )
    )
    if not cohorts:
        return
    figures = attendance_by_cohort(cohorts, at=now)
    low = [
        (cohort, row.person_id)
        for cohort in cohorts
        for row in figures[cohort.pk]
        if row.held_sessions >= WARNING_AFTER_SESSIONS and row.counted_minutes > 0 and not row.completed
    ]
    if not low:
        return
    accounts = dict(
        Person.objects.filter(
            pk__in={person_id for _cohort, person_id in low}, user__isnull=False, anonymised_at__isnull=True
        ).values_list("pk", "user_id")
    )
    for cohort, person_id in low:
        if person_id in accounts:
            key = event_key(Kind.ATTENDANCE_WARNING, None, f"attendance:{cohort.pk}:{person_id}")
            link = page("cohorts:participant-attendance", cohort.pk, person_id)
            yield Event(Kind.ATTENDANCE_WARNING, key, [accounts[person_id]], {"cohort": cohort.name}, link)
