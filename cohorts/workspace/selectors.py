"""Reads of the trainers' and tutors' workspace: the sessions someone takes attendance
for, and the attendance warnings of the participants they follow."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from cohorts.access import session_ids_run_by
from cohorts.models import Cohort, TrainingSession
from cohorts.selectors import AttendanceWarning, attendance_warnings
from incubator import access
from incubator.models import Role
from incubator.path.models import Enrolment

UPCOMING = 10
RECENT = 5


def registers_of(user) -> QuerySet:
    """Sessions whose register ``user`` keeps: the ones they run (while they hold the
    trainer role in the programme) and, for coordinators, every session of their programmes."""
    trained = Q(pk__in=session_ids_run_by(user), cohort__programme__in=access.programmes(user, Role.TUTOR))
    return TrainingSession.objects.filter(trained | Q(cohort__programme__in=access.coordinated(user)))


@dataclass(frozen=True)
class MySessions:
    today: list[TrainingSession]
    upcoming: list[TrainingSession]
    recent: list[TrainingSession]


def my_sessions(user, *, at: dt.datetime | None = None) -> MySessions:
    """Today's sessions, the next ones and the last ones held (to complete or correct a
    register): three queries, each with its cohort and module."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    base = registers_of(user).not_cancelled().select_related("cohort", "module")
    return MySessions(
        today=list(base.between(start, end).order_by("starts_at", "pk")),
        upcoming=list(base.filter(starts_at__gte=end).order_by("starts_at", "pk")[:UPCOMING]),
        recent=list(base.filter(ends_at__lte=start).order_by("-starts_at", "-pk")[:RECENT]),
    )


@dataclass(frozen=True)
class FollowedWarning:
    cohort: Cohort
    enrolment: Enrolment
    warning: AttendanceWarning


def followed_warnings(user, *, at: dt.datetime | None = None) -> list[FollowedWarning]:
    """The attendance warnings of the participants whose paths ``user`` follows as tutor or
    coordinator (their own venture left out): the enrolments they may see, grouped by
    cohort, each cohort's warnings read once."""
    enrolments = {
        e.pk: e
        for e in access.visible(user, Enrolment)
        .exclude(application__venture__in=access.own_venture_ids(user))
        .filter(cohort_membership__isnull=False)
        .select_related("application__venture", "cohort_membership__cohort")
    }
    cohorts = {e.cohort_membership.cohort_id: e.cohort_membership.cohort for e in enrolments.values()}
    found = []
    for cohort in sorted(cohorts.values(), key=lambda c: c.name):
        for warning in attendance_warnings(cohort, at=at):
            enrolment = enrolments.get(warning.attendance.enrolment_id)
            if enrolment is not None:
                found.append(FollowedWarning(cohort=cohort, enrolment=enrolment, warning=warning))
    return found
