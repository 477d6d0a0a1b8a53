"""The whole picture of a venture's path, across apps (cross-app reads live in cohorts,
DESIGN.md): milestones and the time window (incubator), training sessions and attendance
(cohorts), tutoring sessions, shared notes and action items (mentoring), grants and
crowdfunding (incubator's funding selectors). Used by the participant portal, the tutors'
and coordinators' path pages and ``me/path``.

Every record is read through ``incubator.access.visible`` for the viewer, so the same
functions serve each role: a participant gets their own venture only and never a private
note (private notes live in their own model, which nothing here reads); a tutor gets
their assigned ventures; a coordinator their programme. Attendance figures are shown to
the person they are about and to coordinators.

The number of queries is fixed per enrolment, whatever the number of milestones,
sessions, notes or action items (asserted by the tests at 1 and 50 rows)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from cohorts.models import CohortEnrolment, TrainingSession
from cohorts.selectors import PersonAttendance, attendance_by_person, person_attendance
from incubator import access
from incubator.calendar.models import CalendarFeed
from incubator.funding.selectors import FundingStatus, venture_funding_status
from incubator.models import Person, Role, TeamMember
from incubator.path.models import Enrolment
from incubator.path.selectors import EnrolmentPath, enrolment_paths
from incubator.selection.models import Application, ApplicationState
from mentoring.models import ActionItem, TutoringSession
from mentoring.selectors import hours

UPCOMING = 3
NOTES_SHOWN = 5


@dataclass(frozen=True)
class Event:
    """One entry of "what comes next": a training or tutoring session, or a deadline."""

    kind: str  # "training", "tutoring" or "milestone"
    title: str
    starts: dt.datetime | dt.date
    ends: dt.datetime | dt.date | None = None
    place: str = ""
    online_url: str = ""
    cancelled: bool = False

    @property
    def sort_key(self) -> dt.datetime:
        if isinstance(self.starts, dt.datetime):
            return self.starts
        return timezone.make_aware(dt.datetime.combine(self.starts, dt.time.max))

    @property
    def all_day(self) -> bool:
        return not isinstance(self.starts, dt.datetime)


@dataclass(frozen=True)
class Progress:
    """A venture's progress in one place: milestones achieved of those due so far, the
    share of the window elapsed (suspended days excluded), attendance %, tutoring hours
    and the next three events."""

    milestones_achieved: int
    milestones_due: int
    milestones_planned: int
    milestones_overdue: int
    elapsed_pct: int
    elapsed_days: int
    total_days: int
    attendance_pct: Decimal | None
    tutoring_hours: Decimal
    next_events: list[Event]


@dataclass
class VenturePicture:
    path: EnrolmentPath
    cohort: Any | None
    attendance: list[PersonAttendance]
    next_training: list[TrainingSession]
    next_tutoring: list[TutoringSession]
    shared_notes: list[TutoringSession]
    open_actions: list[ActionItem]
    tutoring_minutes: int
    funding: FundingStatus
    is_team: bool
    is_coordinator: bool
    is_tutor: bool
    progress: Progress = field(init=False)

    def __post_init__(self) -> None:
        own = [a for a in self.attendance if a.percent is not None]
        self.progress = Progress(
            milestones_achieved=self.path.counts.achieved,
            milestones_due=self.path.counts.due,
            milestones_planned=self.path.counts.planned,
            milestones_overdue=self.path.counts.overdue,
            elapsed_pct=self.path.window.elapsed_pct,
            elapsed_days=self.path.window.elapsed_days,
            total_days=self.path.window.total_days,
            attendance_pct=own[0].percent if len(own) == 1 else _mean([a.percent for a in own]),
            tutoring_hours=hours(self.tutoring_minutes),
            next_events=self._next_events(),
        )

    @property
    def enrolment(self) -> Enrolment:
        return self.path.enrolment

    @property
    def venture(self):
        return self.path.enrolment.application.venture

    @property
    def can_manage(self) -> bool:
        """Tutors and coordinators change states, verify and reschedule."""
        return self.is_coordinator or self.is_tutor

    def _next_events(self) -> list[Event]:
        events = [
            Event(
                kind="training",
                title=s.topic,
                starts=s.starts_at,
                ends=s.ends_at,
                place=s.place,
                online_url=s.online_url,
                cancelled=s.cancelled_at is not None,
            )
            for s in self.next_training
            if s.cancelled_at is None
        ]
        events += [
            Event(kind="tutoring", title=s.topics, starts=s.starts_at, ends=s.ends_at) for s in self.next_tutoring
        ]
        events += [Event(kind="milestone", title=m.title, starts=m.due_on) for m in self.path.next_milestones]
        return sorted(events, key=lambda e: e.sort_key)[:UPCOMING]


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.01"))


def _attendance(cohort, team: set[int], viewer_people: set[int], coordinator: bool) -> list[PersonAttendance]:
    """The team's completion figures in the cohort: to a coordinator all of the team's,
    to a team member only their own, to anyone else nothing."""
    if cohort is None:
        return []
    if coordinator:
        return [a for a in attendance_by_person(cohort) if a.person_id in team]
    mine = team & viewer_people
    if not mine:
        return []
    # The selector filters by the person's key: no need to load the row.
    figures = person_attendance(Person(pk=next(iter(mine))), cohort)
    return [figures] if figures else []


def venture_picture(viewer, path: EnrolmentPath, now: dt.datetime | None = None) -> VenturePicture:
    """Everything the viewer may see of one enrolment's path, in a fixed number of queries."""
    now = now or timezone.now()
    enrolment = path.enrolment
    programme_id = enrolment.application.call.programme_id
    membership = access.visible(viewer, CohortEnrolment).filter(enrolment=enrolment).select_related("cohort").first()
    cohort = membership.cohort if membership else None
    team = set(
        TeamMember.objects.filter(venture_id=enrolment.application.venture_id).values_list("person_id", flat=True)
    )
    training = (
        list(
            access.visible(viewer, TrainingSession)
            .filter(cohort=cohort, ends_at__gte=now, cancelled_at__isnull=True)
            .order_by("starts_at", "pk")[:UPCOMING]
        )
        if cohort
        else []
    )
    tutoring = access.visible(viewer, TutoringSession).filter(assignment__enrolment=enrolment)
    next_tutoring = list(tutoring.filter(ends_at__gte=now).order_by("starts_at", "pk")[:UPCOMING])
    notes = list(
        tutoring.filter(starts_at__lte=now).exclude(shared_notes="").order_by("-starts_at", "-pk")[:NOTES_SHOWN]
    )
    tutoring_minutes = tutoring.filter(starts_at__lte=now).aggregate(total=Sum("minutes"))["total"] or 0
    actions = list(
        access.visible(viewer, ActionItem)
        .filter(session__assignment__enrolment=enrolment, done_at__isnull=True)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    viewer_people = set(Person.objects.filter(user_id=viewer.pk).values_list("pk", flat=True))
    is_coordinator = access.has_role(viewer, programme_id, Role.COORDINATOR)
    is_tutor = (
        not is_coordinator
        and access.has_role(viewer, programme_id, Role.TUTOR)
        and access.visible(viewer, Enrolment).filter(pk=enrolment.pk).exists()
    )
    return VenturePicture(
        path=path,
        cohort=cohort,
        attendance=_attendance(cohort, team, viewer_people, is_coordinator),
        next_training=training,
        next_tutoring=next_tutoring,
        shared_notes=notes,
        open_actions=actions,
        tutoring_minutes=tutoring_minutes,
        funding=venture_funding_status(enrolment.application.venture),
        is_team=bool(team & viewer_people),
        is_coordinator=is_coordinator,
        is_tutor=is_tutor,
    )


def enrolment_progress(viewer, enrolment: Enrolment, today: dt.date | None = None) -> Progress | None:
    """The progress of one enrolment as ``viewer`` may see it (``None`` out of reach):
    milestones achieved of those due, time elapsed, attendance %, tutoring hours and the
    next three events."""
    paths = enrolment_paths(viewer, Enrolment.objects.filter(pk=enrolment.pk), today)
    return venture_picture(viewer, paths[0]).progress if paths else None


def own_enrolments(user) -> QuerySet:
    """The enrolments of the ventures whose team the user is in (their own path)."""
    return access.visible(user, Enrolment).filter(application__venture__in=access.own_venture_ids(user))


@dataclass
class ParticipantPath:
    """The participant portal and ``me/path``: every own venture's picture, and the
    calendar subscriptions of the programmes they take part in."""

    pictures: list[VenturePicture]
    feeds: dict[int, CalendarFeed]  # programme id -> active participant feed
    today: dt.date


def participant_path(user, today: dt.date | None = None) -> ParticipantPath:
    today = today or timezone.localdate()
    paths = enrolment_paths(user, own_enrolments(user).order_by("-starts_on", "pk"), today)
    feeds = {
        feed.programme_id: feed
        for feed in access.visible(user, CalendarFeed).filter(
            user=user, kind=CalendarFeed.Kind.PARTICIPANT, revoked_at__isnull=True
        )
    }
    return ParticipantPath(pictures=[venture_picture(user, p) for p in paths], feeds=feeds, today=today)


def feed_url(request, feed: CalendarFeed | None) -> str:
    if feed is None:
        return ""
    return request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))


# The outcomes an applicant is told on their path page: a decision that gave no path
# (rejected, waitlisted, ineligible), once the call's ranking is published (ineligibility
# is told when decided), with its reason, the rank and the crowdfunding referral.
TOLD_OUTCOMES = (ApplicationState.REJECTED, ApplicationState.WAITLISTED, ApplicationState.INELIGIBLE)


def own_outcomes(user) -> list[Application]:
    """The user's own applications decided without a path: one query."""
    return list(
        access.visible(user, Application)
        .filter(venture__in=access.own_venture_ids(user), state__in=TOLD_OUTCOMES)
        .filter(Q(call__ranking_published_at__isnull=False) | Q(state=ApplicationState.INELIGIBLE))
        .select_related("venture", "call")
        .order_by("-call__closes_at", "pk")
    )
