"""Reads across models: registers, rosters and completion figures.

Completion (the rule other features rely on: grant eligibility, reports, the portal)
---------------------------------------------------------------------------------
For one participant of one cohort, at a moment ``at``:

- the sessions that count are the cohort's **held training sessions inside the
  participant's window**: held = not cancelled and ended at or before ``at``; training =
  outreach events keep a register but are not curriculum hours; the window runs from the
  later of the enrolment's start and the day the person joined the team, to the earlier
  of the enrolment's exit (or end) and the day they left the team (local dates);
- each such session is worth its full length in minutes (``duration_minutes``);
- attended minutes per mark: present = the session's full minutes, partial = the minutes
  recorded, absent = 0, and **no mark at all counts as absent** (0);
- a **justified** absence attends 0 minutes AND removes that session's minutes from the
  participant's denominator, so it neither helps nor hurts;
- completion % = attended minutes / (scheduled minutes - justified minutes) x 100, or
  ``None`` while that denominator is 0 (nothing held yet, or everything justified);
- completed when % >= the cohort's completion threshold, grant-eligible when % >= the
  cohort's grant threshold (both compared exactly, before any rounding for display).

Example: sessions of 120, 120, 60 and 180 minutes; present, partial 90, justified, absent
-> attended 120 + 90 = 210, denominator 480 - 60 = 420, completion 50.00 %.

The sums take three queries per cohort whatever its size (see ``_attendance_rows``): the
members with their windows, the cohort's held sessions (a few hundred rows, added up per
window here) and the marks summed per person by the database; only the marks of people
whose window leaves out some held sessions are read one by one. The ratio is exact
``Decimal`` arithmetic on those integers.
"""

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.utils import timezone

from cohorts.models import Attendance, AttendanceStatus, Cohort, CohortEnrolment, TrainingSession
from incubator.models import Person, TeamMember
from incubator.path.models import Enrolment

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PersonAttendance:
    """One participant's figures in one cohort (see the module docstring for the rule)."""

    person_id: int
    first_name: str
    last_name: str
    enrolment_id: int
    held_sessions: int
    scheduled_minutes: int
    attended_minutes: int
    justified_minutes: int
    completion_threshold: Decimal
    grant_threshold: Decimal

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def counted_minutes(self) -> int:
        """The denominator: scheduled minutes less the justified ones."""
        return self.scheduled_minutes - self.justified_minutes

    @property
    def percent(self) -> Decimal | None:
        if self.counted_minutes <= 0:
            return None
        return (Decimal(self.attended_minutes) * HUNDRED / Decimal(self.counted_minutes)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )

    def _reaches(self, threshold: Decimal) -> bool:
        # attended / counted >= threshold / 100, without rounding either side.
        return self.counted_minutes > 0 and Decimal(self.attended_minutes) * HUNDRED >= threshold * Decimal(
            self.counted_minutes
        )

    @property
    def completed(self) -> bool:
        return self._reaches(self.completion_threshold)

    @property
    def grant_eligible(self) -> bool:
        return self._reaches(self.grant_threshold)

    @property
    def attended_hours(self) -> Decimal:
        return (Decimal(self.attended_minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def counted_hours(self) -> Decimal:
        return (Decimal(self.counted_minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


# --- rosters and registers ---------------------------------------------------------------


def session_day(session: TrainingSession) -> dt.date:
    return timezone.localdate(session.starts_at)


def session_roster(session: TrainingSession) -> QuerySet:
    """The people expected at a session: the team members of the cohort's enrolments
    that are active on the session's (local) date and were in the team that day."""
    day = session_day(session)
    enrolments = Enrolment.objects.active_on(day).filter(cohort_membership__cohort_id=session.cohort_id)
    members = TeamMember.objects.filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=day),
        Q(left_on__isnull=True) | Q(left_on__gte=day),
        venture__applications__enrolment__in=enrolments,
    )
    return Person.objects.filter(pk__in=members.values("person_id")).order_by("last_name", "first_name", "pk")


def session_rosters(sessions: Iterable[TrainingSession]) -> dict[tuple[int, dt.date], set[int]]:
    """The rosters of many sessions in one query, keyed by (cohort, local day): the same
    people as ``session_roster`` for each (sessions of a cohort on one day share it). The
    rule of ``Enrolment.objects.active_on`` and of the team dates is applied here in
    Python to the candidates the query fetches: the members of the cohorts' active
    enrolments, with their dates."""
    keys = {(session.cohort_id, session_day(session)) for session in sessions}
    rosters: dict[tuple[int, dt.date], set[int]] = {key: set() for key in keys}
    if not keys:
        return rosters
    days_of: dict[int, list[dt.date]] = {}
    for cohort_id, day in keys:
        days_of.setdefault(cohort_id, []).append(day)
    first, last = min(day for _c, day in keys), max(day for _c, day in keys)
    enrolment = "venture__applications__enrolment"
    candidates = (
        TeamMember.objects.filter(
            Q(joined_on__isnull=True) | Q(joined_on__lte=last),
            Q(left_on__isnull=True) | Q(left_on__gte=first),
            **{
                f"{enrolment}__cohort_membership__cohort_id__in": list(days_of),
                f"{enrolment}__status": "active",
                f"{enrolment}__starts_on__lte": last,
                f"{enrolment}__ends_on__gte": first,
            },
        )
        .values_list(
            f"{enrolment}__cohort_membership__cohort_id",
            "person_id",
            "joined_on",
            "left_on",
            f"{enrolment}__starts_on",
            f"{enrolment}__ends_on",
            f"{enrolment}__exited_on",
        )
        .order_by()
    )
    for cohort_id, person_id, joined_on, left_on, starts_on, ends_on, exited_on in candidates:
        for day in days_of[cohort_id]:
            if (
                starts_on <= day <= ends_on
                and (exited_on is None or exited_on >= day)
                and (joined_on is None or joined_on <= day)
                and (left_on is None or left_on >= day)
            ):
                rosters[(cohort_id, day)].add(person_id)
    return rosters


def session_register(session: TrainingSession) -> QuerySet:
    """The register's rows: the roster plus anyone already marked (an enrolment that ended
    after the lesson keeps its mark on the printed register), each with their mark."""
    roster_ids = session_roster(session).values("pk")
    marked_ids = Attendance.objects.filter(session=session).values("person_id")
    return (
        Person.objects.filter(Q(pk__in=roster_ids) | Q(pk__in=marked_ids))
        .annotate(
            mark=FilteredRelation("attendance", condition=Q(attendance__session=session)),
            on_roster=Exists(roster_ids.filter(pk=OuterRef("pk"))),
        )
        .annotate(
            mark_id=F("mark__id"),
            mark_status=F("mark__status"),
            mark_minutes=F("mark__minutes_attended"),
            mark_note=F("mark__note"),
            mark_marked_at=F("mark__marked_at"),
        )
        .only("pk", "first_name", "last_name")
        .order_by("last_name", "first_name", "pk")
    )


# --- completion --------------------------------------------------------------------------


# From a team member to its venture's enrolments (one a row once filtered by cohort).
ENROLMENT = "venture__applications__enrolment"


def cohort_members(cohort_ids: Sequence[int]) -> QuerySet:
    """One row per team member of each enrolment of the cohorts. Annotations on
    ``ENROLMENT`` reuse this filter's join (one enrolment a row)."""
    return TeamMember.objects.filter(**{f"{ENROLMENT}__cohort_membership__cohort__in": cohort_ids})


def _window() -> tuple[Greatest, Least]:
    """A participant's window as expressions on a team-member row: from the later of the
    enrolment's start and the day they joined the team, to the earlier of the enrolment's
    exit (or end) and the day they left it."""
    enrolment = f"{ENROLMENT}__"
    return (
        Greatest(F(f"{enrolment}starts_on"), Coalesce("joined_on", F(f"{enrolment}starts_on"))),
        Least(
            Coalesce(F(f"{enrolment}exited_on"), F(f"{enrolment}ends_on")),
            Coalesce("left_on", F(f"{enrolment}ends_on")),
        ),
    )


def _attendance_rows(
    cohorts: Sequence[Cohort], at: dt.datetime | None = None, person: Person | None = None
) -> list[dict]:
    """The four sums of every team member of the cohorts (or of ``person``'s rows only).

    Three queries whatever the number and size of the cohorts: the members with their
    windows; the cohorts' counted, held sessions (id, day, minutes: a few hundred rows a
    cohort, added up per window here); the marks of those sessions summed per cohort and
    person by the database. A fourth reads the single marks of the people whose window
    leaves out some of their cohort's held sessions (joined the team late, left it, exited
    the enrolment), summed here within their window; most cohorts have none."""
    at = at or timezone.now()
    cohort_ids = [cohort.pk for cohort in cohorts]
    window_start, window_end = _window()
    members = cohort_members(cohort_ids)
    if person is not None:
        members = members.filter(person=person)
    rows = list(
        members.annotate(
            cohort_ref=F(f"{ENROLMENT}__cohort_membership__cohort_id"),
            enrolment_ref=F(f"{ENROLMENT}__id"),
            window_start=window_start,
            window_end=window_end,
        )
        .values(
            "cohort_ref",
            "person_id",
            "person__first_name",
            "person__last_name",
            "enrolment_ref",
            "window_start",
            "window_end",
        )
        .order_by("person__last_name", "person__first_name", "person_id", "pk")
    )
    if not rows:
        return rows

    held = TrainingSession.objects.filter(cohort__in=cohort_ids).counting().held(at)
    sessions: dict[int, list[tuple[int, dt.date, int]]] = {pk: [] for pk in cohort_ids}
    for pk, cohort_id, day, minutes in (
        held.annotate(day=TruncDate("starts_at"))
        .order_by("day", "pk")
        .values_list("pk", "cohort_id", "day", "duration_minutes")
    ):
        sessions[cohort_id].append((pk, day, minutes))
    days = {cohort_id: [day for _pk, day, _minutes in held_ones] for cohort_id, held_ones in sessions.items()}
    minutes_before = {
        cohort_id: [0, *accumulate(minutes for _pk, _day, minutes in held_ones)]
        for cohort_id, held_ones in sessions.items()
    }
    minutes_of = {pk: minutes for held_ones in sessions.values() for pk, _day, minutes in held_ones}

    partial = set()
    for row in rows:
        cohort_days, start, end = days[row["cohort_ref"]], row["window_start"], row["window_end"]
        row["first"] = bisect_left(cohort_days, start) if start else len(cohort_days)
        row["last"] = max(bisect_right(cohort_days, end) if end else 0, row["first"])
        row["held_sessions"] = row["last"] - row["first"]
        before = minutes_before[row["cohort_ref"]]
        row["scheduled_minutes"] = before[row["last"]] - before[row["first"]]
        if row["held_sessions"] < len(cohort_days):
            partial.add(row["person_id"])

    marks = Attendance.objects.filter(session__in=held, person_id__in={row["person_id"] for row in rows})
    attended = Case(
        When(status=AttendanceStatus.PRESENT, then=F("session__duration_minutes")),
        When(status=AttendanceStatus.PARTIAL, then=F("minutes_attended")),
        default=0,
        output_field=IntegerField(),
    )
    whole = {
        (mark["session__cohort_id"], mark["person_id"]): (mark["attended"] or 0, mark["justified"] or 0)
        for mark in marks.values("session__cohort_id", "person_id")
        .annotate(
            attended=Sum(attended),
            justified=Sum("session__duration_minutes", filter=Q(status=AttendanceStatus.JUSTIFIED)),
        )
        .order_by()
    }
    single: dict[int, list[tuple[int, str, int | None]]] = {}
    if partial:
        for person_id, session_id, status, minutes in marks.filter(person_id__in=partial).values_list(
            "person_id", "session_id", "status", "minutes_attended"
        ):
            single.setdefault(person_id, []).append((session_id, status, minutes))

    for row in rows:
        cohort_id = row["cohort_ref"]
        if row["held_sessions"] == len(days[cohort_id]):
            row["attended_minutes"], row["justified_minutes"] = whole.get((cohort_id, row["person_id"]), (0, 0))
            continue
        in_window = {pk for pk, _day, _minutes in sessions[cohort_id][row["first"] : row["last"]]}
        row["attended_minutes"] = row["justified_minutes"] = 0
        for session_id, status, minutes in single.get(row["person_id"], ()):
            if session_id not in in_window:
                continue
            if status == AttendanceStatus.PRESENT:
                row["attended_minutes"] += minutes_of[session_id]
            elif status == AttendanceStatus.PARTIAL:
                row["attended_minutes"] += minutes or 0
            elif status == AttendanceStatus.JUSTIFIED:
                row["justified_minutes"] += minutes_of[session_id]
    return rows


def _figures(cohort: Cohort, row: dict) -> PersonAttendance:
    return PersonAttendance(
        person_id=row["person_id"],
        first_name=row["person__first_name"],
        last_name=row["person__last_name"],
        enrolment_id=row["enrolment_ref"],
        held_sessions=row["held_sessions"],
        scheduled_minutes=row["scheduled_minutes"],
        attended_minutes=row["attended_minutes"],
        justified_minutes=row["justified_minutes"],
        completion_threshold=cohort.completion_threshold,
        grant_threshold=cohort.grant_threshold,
    )


def attendance_by_cohort(
    cohorts: Sequence[Cohort], *, at: dt.datetime | None = None
) -> dict[int, list[PersonAttendance]]:
    """Every participant's completion figures in each cohort, by cohort id: three queries
    for any number of cohorts (four when someone's window leaves out some held sessions)."""
    by_id = {cohort.pk: cohort for cohort in cohorts}
    figures: dict[int, list[PersonAttendance]] = {pk: [] for pk in by_id}
    for row in _attendance_rows(cohorts, at):
        figures[row["cohort_ref"]].append(_figures(by_id[row["cohort_ref"]], row))
    return figures


def attendance_by_person(cohort: Cohort, *, at: dt.datetime | None = None) -> list[PersonAttendance]:
    """Every participant's completion figures in the cohort: three queries (four when
    someone's window leaves out some held sessions)."""
    return attendance_by_cohort([cohort], at=at)[cohort.pk]


def person_attendance(person: Person, cohort: Cohort, *, at: dt.datetime | None = None) -> PersonAttendance | None:
    """One participant's figures (``None`` if they are not in the cohort): at most four
    queries."""
    rows = _attendance_rows([cohort], at, person=person)
    return _figures(cohort, rows[0]) if rows else None


def person_session_marks(person: Person, cohort: Cohort) -> QuerySet:
    """The cohort's sessions (all of them, cancelled included) with this person's mark,
    for the per-participant summary page."""
    return (
        TrainingSession.objects.filter(cohort=cohort)
        .select_related("module")
        .annotate(mark=FilteredRelation("attendance", condition=Q(attendance__person=person)))
        .annotate(mark_status=F("mark__status"), mark_minutes=F("mark__minutes_attended"))
        .order_by("starts_at", "pk")
    )


# --- one definition per figure ------------------------------------------------------------


def with_credit(sessions: QuerySet) -> QuerySet:
    """Annotates ``path_started``: on the session's day at least one of the cohort's paths
    had started (a lesson before anyone was enrolled trained no participant of the
    programme, docs/reporting.md "What counts"). ``sessions_held_q`` needs it."""
    started = CohortEnrolment.objects.filter(cohort=OuterRef("cohort_id"), enrolment__starts_on__lte=OuterRef("day"))
    return sessions.annotate(day=TruncDate("starts_at")).annotate(path_started=Exists(started))


def sessions_held_q(at: dt.datetime) -> Q:
    """THE definition of "sessions held", used by every page, export and the API: training
    sessions (outreach events are not curriculum hours), not cancelled, ended by ``at``,
    on a day when one of the cohort's paths had started (on sessions ``with_credit``)."""
    return Q(kind=TrainingSession.Kind.TRAINING, cancelled_at__isnull=True, ends_at__lte=at, path_started=True)


def sessions_scheduled_q(prefix: str = "") -> Q:
    """The training sessions on the calendar (held or to come), cancelled ones left out:
    the "of N" beside sessions held."""
    return Q(**{f"{prefix}kind": TrainingSession.Kind.TRAINING, f"{prefix}cancelled_at__isnull": True})


@dataclass(frozen=True)
class CohortFigures:
    sessions: int
    scheduled_sessions: int
    held_sessions: int
    cancelled_sessions: int
    upcoming_sessions: int
    outreach_events: int
    held_minutes: int
    planned_hours: Decimal


def cohort_figures(cohort: Cohort, *, at: dt.datetime | None = None) -> CohortFigures:
    """The cohort's calendar in numbers (two aggregate queries: sessions, modules).
    ``held_sessions`` is ``sessions_held_q``, as on the dashboard, its exports and the API."""
    at = at or timezone.now()
    live = Q(cancelled_at__isnull=True)
    row = with_credit(TrainingSession.objects.filter(cohort=cohort)).aggregate(
        sessions=Count("pk"),
        scheduled_sessions=Count("pk", filter=sessions_scheduled_q()),
        held_sessions=Count("pk", filter=sessions_held_q(at)),
        cancelled_sessions=Count("pk", filter=~live),
        upcoming_sessions=Count("pk", filter=live & Q(starts_at__gt=at)),
        outreach_events=Count("pk", filter=live & Q(kind=TrainingSession.Kind.OUTREACH)),
        held_minutes=Coalesce(Sum("duration_minutes", filter=sessions_held_q(at)), 0),
    )
    planned = cohort.modules.aggregate(total=Coalesce(Sum("planned_hours"), Decimal(0)))["total"]
    return CohortFigures(planned_hours=Decimal(planned), **row)


# --- absence warnings -----------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceWarning:
    """A participant under the cohort's warning line, or who can no longer reach the
    completion threshold even by attending every training session left."""

    attendance: PersonAttendance
    warning_threshold: Decimal
    remaining_minutes: int
    below_warning: bool
    out_of_reach: bool

    @property
    def person_id(self) -> int:
        return self.attendance.person_id

    @property
    def percent(self) -> Decimal | None:
        return self.attendance.percent

    @property
    def best_percent(self) -> Decimal:
        """The completion reachable by attending every session left."""
        a = self.attendance
        counted = a.counted_minutes + self.remaining_minutes
        if counted <= 0:
            return Decimal(0)
        return (Decimal(a.attended_minutes + self.remaining_minutes) * HUNDRED / Decimal(counted)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )


def remaining_minutes(cohort: Cohort, *, at: dt.datetime | None = None) -> int:
    """Minutes of the cohort's training sessions still to end (not cancelled): one query."""
    at = at or timezone.now()
    return (
        TrainingSession.objects.filter(cohort=cohort, ends_at__gt=at)
        .filter(sessions_scheduled_q())
        .aggregate(total=Coalesce(Sum("duration_minutes"), 0))["total"]
    )


def _warning(cohort: Cohort, figures: PersonAttendance, remaining: int) -> AttendanceWarning | None:
    if figures.counted_minutes <= 0:
        return None
    attended, counted = Decimal(figures.attended_minutes), Decimal(figures.counted_minutes)
    below = attended * HUNDRED < cohort.warning_threshold * counted
    # Exact comparison, as for completion: (attended + left) / (counted + left) < threshold.
    out_of_reach = (attended + remaining) * HUNDRED < cohort.completion_threshold * (counted + remaining)
    if not (below or out_of_reach):
        return None
    return AttendanceWarning(
        attendance=figures,
        warning_threshold=cohort.warning_threshold,
        remaining_minutes=remaining,
        below_warning=below,
        out_of_reach=out_of_reach,
    )


def attendance_warnings(cohort: Cohort, *, at: dt.datetime | None = None) -> list[AttendanceWarning]:
    """Every participant of the cohort to warn (for pages and the notifications): below
    ``cohort.warning_threshold``, or unable to reach ``cohort.completion_threshold`` with the
    training sessions left. Four or five queries whatever the cohort's size. The sessions
    left are the cohort's (a participant whose path ends earlier is judged generously)."""
    remaining = remaining_minutes(cohort, at=at)
    warnings = (_warning(cohort, row, remaining) for row in attendance_by_person(cohort, at=at))
    return [w for w in warnings if w is not None]


def person_attendance_warning(
    person: Person, cohort: Cohort, *, at: dt.datetime | None = None
) -> AttendanceWarning | None:
    """The warning for one participant (``None`` when there is nothing to warn about)."""
    figures = person_attendance(person, cohort, at=at)
    if figures is None:
        return None
    return warning_for(cohort, figures, at=at)


def warning_for(
    cohort: Cohort, figures: PersonAttendance, *, at: dt.datetime | None = None
) -> AttendanceWarning | None:
    """The warning for figures already read (one query: the sessions left)."""
    return _warning(cohort, figures, remaining_minutes(cohort, at=at))
