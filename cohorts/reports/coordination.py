"""Reads of the coordinator's pages beside the back office: the programme at a glance,
its cohorts with their figures, tutoring hours against budgets by tutor, overdue action
items, and grants. A fixed number of queries each, whatever the programme's size.

The figures use the one definition of each (``cohorts.selectors``): sessions held
(``sessions_held_q``), completion (``attendance_by_cohort``); paths completed are
enrolments closed as completed."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import Cohort, TrainingSession
from cohorts.selectors import (
    attendance_by_cohort,
    attendance_warnings,
    sessions_held_q,
    sessions_scheduled_q,
    with_credit,
)
from incubator.funding.models import Grant, GrantState, Tranche, TrancheState
from incubator.models import Programme
from incubator.path.models import Enrolment, EnrolmentStatus
from incubator.selection.models import Application, Call
from mentoring.models import ActionItem, Assignment, TutoringSession
from mentoring.selectors import hours

ZERO = Decimal(0)


def paths_completed_q(prefix: str = "") -> Q:
    """THE definition of "paths completed": enrolments closed as completed."""
    return Q(**{f"{prefix}status": EnrolmentStatus.COMPLETED})


@dataclass(frozen=True)
class ProgrammeOverview:
    programme: Programme
    calls: int
    open_calls: int
    applications: int
    enrolled: int
    active_paths: int
    paths_completed: int
    cohorts: int
    grants: int
    grants_awarded_amount: Decimal


def programme_overview(programme: Programme, *, at: dt.datetime | None = None) -> ProgrammeOverview:
    """Four aggregate queries: calls, applications, enrolments, grants."""
    at = at or timezone.now()
    calls = Call.objects.filter(programme=programme).aggregate(
        calls=Count("pk"), open_calls=Count("pk", filter=Q(opens_at__lte=at, closes_at__gt=at))
    )
    applications = Application.objects.filter(call__programme=programme, submitted_at__isnull=False).count()
    paths = Enrolment.objects.filter(application__call__programme=programme).aggregate(
        enrolled=Count("pk"),
        active_paths=Count("pk", filter=Q(status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED])),
        paths_completed=Count("pk", filter=paths_completed_q()),
    )
    live_grants = Grant.objects.filter(venture__programme=programme).exclude(state=GrantState.REVOKED)
    grants = live_grants.aggregate(
        grants=Count("pk"),
        grants_awarded_amount=Coalesce(
            Sum("amount", filter=~Q(state=GrantState.PROPOSED)), Value(ZERO), output_field=DecimalField()
        ),
    )
    return ProgrammeOverview(
        programme=programme,
        applications=applications,
        cohorts=Cohort.objects.filter(programme=programme).count(),
        **calls,
        **paths,
        **grants,
    )


@dataclass(frozen=True)
class CohortLine:
    cohort: Cohort
    participants: int
    held_sessions: int
    scheduled_sessions: int
    completed: int
    with_figure: int
    warnings: int


def cohort_lines(programme: Programme, *, at: dt.datetime | None = None) -> list[CohortLine]:
    """Each cohort of the programme with its sessions held, completion and warnings: the
    sessions in one query, completion for all the cohorts in three or four, and the
    warnings' sessions left in one per cohort (a programme has a handful)."""
    at = at or timezone.now()
    cohorts = list(Cohort.objects.filter(programme=programme).order_by("-starts_on", "name", "pk"))
    counts = {
        row["cohort_id"]: row
        for row in with_credit(TrainingSession.objects.filter(cohort__in=cohorts))
        .values("cohort_id")
        .annotate(held=Count("pk", filter=sessions_held_q(at)), scheduled=Count("pk", filter=sessions_scheduled_q()))
        .order_by()
    }
    for cohort in cohorts:
        cohort.held = counts.get(cohort.pk, {}).get("held", 0)
        cohort.scheduled = counts.get(cohort.pk, {}).get("scheduled", 0)
    figures = attendance_by_cohort(cohorts, at=at)
    lines = []
    for cohort in cohorts:
        people = figures[cohort.pk]
        with_figure = [p for p in people if p.percent is not None]
        lines.append(
            CohortLine(
                cohort=cohort,
                participants=len({(p.person_id, p.enrolment_id) for p in people}),
                held_sessions=cohort.held,
                scheduled_sessions=cohort.scheduled,
                completed=sum(1 for p in with_figure if p.completed),
                with_figure=len(with_figure),
                warnings=len(attendance_warnings(cohort, at=at)),
            )
        )
    return lines


@dataclass(frozen=True)
class TutorHours:
    tutor_id: int
    name: str
    ventures: int
    hours_budget: Decimal
    hours_used: Decimal

    @property
    def exceeded(self) -> bool:
        return self.hours_used > self.hours_budget


def tutor_hours(programme: Programme) -> list[TutorHours]:
    """Hours logged against the hours budgeted, by tutor, over their live assignments:
    one query."""
    used = (
        TutoringSession.objects.filter(assignment=OuterRef("pk"))
        .order_by()
        .values("assignment")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    rows = (
        Assignment.objects.filter(tutor__programme=programme)
        .live()
        .annotate(minutes_used=Coalesce(Subquery(used), 0))
        .values("tutor_id", "tutor__user__first_name", "tutor__user__last_name", "tutor__user__username")
        .annotate(ventures=Count("enrolment", distinct=True), budget=Sum("hours_budget"), minutes=Sum("minutes_used"))
        .order_by("tutor__user__last_name", "tutor__user__first_name", "tutor_id")
    )
    return [
        TutorHours(
            tutor_id=row["tutor_id"],
            name=f"{row['tutor__user__first_name']} {row['tutor__user__last_name']}".strip()
            or row["tutor__user__username"],
            ventures=row["ventures"],
            hours_budget=row["budget"] or ZERO,
            hours_used=hours(row["minutes"]),
        )
        for row in rows
    ]


def overdue_action_items(programme: Programme, *, day: dt.date | None = None) -> QuerySet:
    """Open action items past their due date, oldest first: one query."""
    return (
        ActionItem.objects.overdue(day)
        .filter(session__tutor__programme=programme)
        .select_related("session__assignment__enrolment__application__venture", "session__tutor__user")
        .order_by("due_on", "pk")
    )


def programme_grants(programme: Programme) -> QuerySet:
    """The programme's grants with the amount paid so far: one query."""
    paid = (
        Tranche.objects.filter(grant=OuterRef("pk"), state=TrancheState.PAID)
        .order_by()
        .values("grant")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Grant.objects.filter(venture__programme=programme)
        .annotate(paid=Coalesce(Subquery(paid, output_field=DecimalField()), Value(ZERO), output_field=DecimalField()))
        .select_related("venture")
        .order_by("venture__title", "pk")
    )


def todays_sessions(programme: Programme, *, at: dt.datetime | None = None) -> QuerySet:
    at = at or timezone.now()
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(at), dt.time.min))
    return (
        TrainingSession.objects.filter(cohort__programme=programme)
        .not_cancelled()
        .between(start, start + dt.timedelta(days=1))
        .select_related("cohort")
        .order_by("starts_at", "pk")
    )
