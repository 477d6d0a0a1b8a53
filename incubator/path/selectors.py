"""Reads of the participant's path across models: derived milestone flags (overdue, due
after the end), the time window of an enrolment net of its suspensions, the plan as a
36-month timeline, and the overdue list of everything a user may see.

Overdue is derived, never stored: an open milestone (planned or in progress) due before
today. The attendance and tutoring parts of a venture's progress come from the cohorts
and mentoring apps, which this app does not import: ``cohorts.portal.selectors`` adds them."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.utils import timezone

from incubator import access
from incubator.dates import add_months
from incubator.path.models import Enrolment, EnrolmentSuspension, Milestone
from incubator.path.models import MilestoneState as M

OPEN_STATES = (M.PLANNED, M.IN_PROGRESS)


def overdue_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state__in": OPEN_STATES, f"{prefix}due_on__lt": today})


def with_flags(milestones: QuerySet, today: dt.date | None = None) -> QuerySet:
    """Annotates ``is_overdue`` and ``after_end`` (due after the enrolment's end)."""
    today = today or timezone.localdate()
    return milestones.annotate(
        is_overdue=Case(When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()),
        after_end=ExpressionWrapper(Q(due_on__gt=F("enrolment__ends_on")), output_field=BooleanField()),
    )


def milestones_for(user, today: dt.date | None = None) -> QuerySet:
    """The milestones ``user`` may see, flagged, with what a list shows beside each."""
    return with_flags(access.visible(user, Milestone), today).select_related(
        "enrolment__application__venture", "enrolment__application__call", "verified_by"
    )


def overdue_milestones(user, today: dt.date | None = None) -> QuerySet:
    """Every overdue milestone of every venture ``user`` may see, oldest first: the
    tutor's and the coordinator's one list."""
    today = today or timezone.localdate()
    return (
        milestones_for(user, today)
        .filter(overdue_q(today), enrolment__status__in=["active", "suspended"])
        .order_by("due_on", "enrolment_id", "order", "pk")
    )


@dataclass(frozen=True)
class MilestoneCounts:
    planned: int = 0  # every milestone of the plan except the waived ones
    due: int = 0  # of those, due by today
    achieved: int = 0
    verified: int = 0
    overdue: int = 0
    missed: int = 0
    waived: int = 0
    after_end: int = 0

    @property
    def achieved_pct(self) -> int:
        return round(100 * self.achieved / self.planned) if self.planned else 0


def milestone_counts(enrolment_ids, today: dt.date | None = None) -> dict[int, MilestoneCounts]:
    """Per enrolment, counted by the database in one query."""
    today = today or timezone.localdate()
    not_waived = ~Q(state=M.WAIVED)
    rows = (
        Milestone.objects.filter(enrolment_id__in=enrolment_ids)
        .values("enrolment_id")
        .annotate(
            planned=Count("pk", filter=not_waived),
            due=Count("pk", filter=not_waived & Q(due_on__lte=today)),
            achieved=Count("pk", filter=Q(state=M.ACHIEVED)),
            verified=Count("pk", filter=Q(state=M.ACHIEVED, verified_at__isnull=False)),
            overdue=Count("pk", filter=overdue_q(today)),
            missed=Count("pk", filter=Q(state=M.MISSED)),
            waived=Count("pk", filter=Q(state=M.WAIVED)),
            after_end=Count("pk", filter=not_waived & Q(due_on__gt=F("enrolment__ends_on"))),
        )
        .order_by()
    )
    return {row.pop("enrolment_id"): MilestoneCounts(**row) for row in rows}


@dataclass(frozen=True)
class PathWindow:
    """The enrolment's time: its span, how much of it has run (suspended days do not
    count) and the cap its end can never pass."""

    starts_on: dt.date
    ends_on: dt.date
    cap: dt.date
    today: dt.date
    suspended_days: int
    suspended_now: bool

    @property
    def total_days(self) -> int:
        return max((self.ends_on - self.starts_on).days, 1)

    @property
    def elapsed_days(self) -> int:
        running_until = min(max(self.today, self.starts_on), self.ends_on)
        return max((running_until - self.starts_on).days - self.suspended_days, 0)

    @property
    def elapsed_pct(self) -> int:
        return min(round(100 * self.elapsed_days / self.total_days), 100)

    @property
    def days_left(self) -> int:
        return max((self.ends_on - max(self.today, self.starts_on)).days, 0)


def path_window(enrolment: Enrolment, suspensions: list[EnrolmentSuspension], today: dt.date) -> PathWindow:
    suspended = 0
    for s in suspensions:
        until = min(s.ends_on or today, today, enrolment.ends_on)
        if until > s.starts_on:
            suspended += (until - s.starts_on).days
    return PathWindow(
        starts_on=enrolment.starts_on,
        ends_on=enrolment.ends_on,
        cap=add_months(enrolment.starts_on, enrolment.max_months),
        today=today,
        suspended_days=suspended,
        suspended_now=any(s.ends_on is None and s.starts_on <= today for s in suspensions),
    )


@dataclass
class TimelineMonth:
    number: int  # 1-based month of the path
    starts_on: dt.date
    current: bool
    past: bool
    after_end: bool  # beyond the enrolment's end, up to the cap
    milestones: list[Milestone] = field(default_factory=list)


def timeline(enrolment: Enrolment, milestones: list[Milestone], today: dt.date) -> list[TimelineMonth]:
    """The path month by month up to the cap (36 months for INNESCO), each with the
    milestones due in it; a milestone due after the cap goes in the last month."""
    months = []
    for index in range(enrolment.max_months):
        first = add_months(enrolment.starts_on, index)
        following = add_months(enrolment.starts_on, index + 1)
        months.append(
            TimelineMonth(
                number=index + 1,
                starts_on=first,
                current=first <= today < following,
                past=following <= today,
                after_end=first > enrolment.ends_on,
            )
        )
    for milestone in milestones:
        index = 0
        while index + 1 < len(months) and months[index + 1].starts_on <= milestone.due_on:
            index += 1
        months[index].milestones.append(milestone)
    return months


@dataclass
class EnrolmentPath:
    """What the path pages and ``me/path`` show of one enrolment (incubator's part)."""

    enrolment: Enrolment
    milestones: list[Milestone]
    counts: MilestoneCounts
    window: PathWindow
    suspensions: list[EnrolmentSuspension]
    today: dt.date

    @property
    def timeline(self) -> list[TimelineMonth]:
        return timeline(self.enrolment, self.milestones, self.today)

    @property
    def overdue(self) -> list[Milestone]:
        return [m for m in self.milestones if m.is_overdue]

    @property
    def next_milestones(self) -> list[Milestone]:
        return [m for m in self.milestones if m.state in OPEN_STATES and m.due_on >= self.today][:3]


def enrolment_paths(user, enrolments: QuerySet, today: dt.date | None = None) -> list[EnrolmentPath]:
    """The path of each enrolment ``user`` may see in ``enrolments``, in a fixed number
    of queries whatever their size: enrolments, milestones, suspensions, counts."""
    today = today or timezone.localdate()
    rows = list(access.visible(user, enrolments).select_related("application__venture", "application__call__programme"))
    ids = [e.pk for e in rows]
    by_enrolment: dict[int, list[Milestone]] = {pk: [] for pk in ids}
    for milestone in with_flags(Milestone.objects.filter(enrolment_id__in=ids), today).select_related("verified_by"):
        by_enrolment[milestone.enrolment_id].append(milestone)
    suspensions: dict[int, list[EnrolmentSuspension]] = {pk: [] for pk in ids}
    for suspension in EnrolmentSuspension.objects.filter(enrolment_id__in=ids):
        suspensions[suspension.enrolment_id].append(suspension)
    counts = milestone_counts(ids, today)
    paths = []
    for enrolment in rows:
        for milestone in by_enrolment[enrolment.pk]:
            milestone.enrolment = enrolment  # already loaded: templates and links read it
        paths.append(
            EnrolmentPath(
                enrolment=enrolment,
                milestones=by_enrolment[enrolment.pk],
                counts=counts.get(enrolment.pk, MilestoneCounts()),
                window=path_window(enrolment, suspensions[enrolment.pk], today),
                suspensions=suspensions[enrolment.pk],
                today=today,
            )
        )
    return paths
