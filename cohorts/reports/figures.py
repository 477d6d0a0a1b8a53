"""The cohort report: funnel, training, tutoring, milestones, funding, venture outcomes and
unit-cost value of a scope (a cohort or a programme, a period), computed by the database in
a bounded number of queries."""

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Attendance, AttendanceStatus, Cohort, TrainingSession
from cohorts.reports.coordination import paths_completed_q
from cohorts.reports.indicators import IndicatorRow, _output_indicators, _result_indicators
from cohorts.selectors import attendance_by_cohort, sessions_held_q, with_credit
from incubator.funding.models import CampaignState, CrowdfundingCampaign, Grant, GrantState, Tranche, TrancheState
from incubator.models import AuditEvent, LegalForm, LegalFormChange, Programme, TeamMember
from incubator.participants.models import (
    TrainingUnitCost,
)
from incubator.path.models import Enrolment, EnrolmentStatus, Milestone, MilestoneState
from incubator.path.selectors import overdue_q
from incubator.selection.models import Application, ApplicationState
from mentoring.models import TutoringSession

CENT = Decimal("0.01")


ZERO = Decimal("0.00")


HUNDRED = Decimal(100)


AWARDED_STATES = (GrantState.AWARDED, GrantState.CONTRACT_SIGNED, GrantState.IN_PROGRESS, GrantState.CLOSED)


# Attendance distribution: ten bands of ten points; 100 % falls in the last one.
ATTENDANCE_BANDS = tuple((low, low + 10) for low in range(0, 100, 10))


def hours(minutes: int | Decimal) -> Decimal:
    return (Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def euro(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scope:
    programme: Programme
    cohorts: tuple[Cohort, ...]
    date_from: dt.date | None
    date_to: dt.date | None
    today: dt.date
    at: dt.datetime  # "held" means ended by this moment: now, or the end of a past period

    @property
    def cohort_ids(self) -> list[int]:
        return [c.pk for c in self.cohorts]

    @property
    def call_ids(self) -> list[int]:
        return sorted({c.call_id for c in self.cohorts})

    def window(self, field_name: str, *, dates: bool = False) -> Q:
        """The period as a filter on a date (``dates``) or an aware datetime field."""
        q = Q()
        if self.date_from:
            start = self.date_from if dates else _day_start(self.date_from)
            q &= Q(**{f"{field_name}__gte": start})
        if self.date_to:
            if dates:
                q &= Q(**{f"{field_name}__lte": self.date_to})
            else:
                q &= Q(**{f"{field_name}__lt": _day_start(self.date_to + dt.timedelta(days=1))})
        return q


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Funnel:
    applications: int
    eligible: int
    evaluated: int
    admitted: int
    enrolled: int
    completed: int
    withdrawn: int
    ineligible: int
    waitlisted: int
    rejected: int
    applications_withdrawn: int
    referred_to_crowdfunding: int
    active: int
    suspended: int

    STEPS = ("applications", "eligible", "evaluated", "admitted", "enrolled", "completed", "withdrawn")

    def steps(self) -> list[tuple[str, int]]:
        return [(name, getattr(self, name)) for name in self.STEPS]


@dataclass(frozen=True)
class Training:
    sessions_held: int
    sessions_cancelled: int
    sessions_upcoming: int
    outreach_events_held: int
    minutes_delivered: int
    participant_minutes: int
    marks: dict[str, int]
    participants: int
    participants_with_figure: int
    average_attendance_pct: Decimal | None
    completed: int
    grant_eligible: int
    thresholds: list[dict[str, Any]]
    distribution: list[dict[str, Any]]
    # Held before any of the cohort's paths had started: not credited (docs/reporting.md).
    sessions_before_enrolment: int = 0

    @property
    def hours_delivered(self) -> Decimal:
        return hours(self.minutes_delivered)

    @property
    def participant_hours(self) -> Decimal:
        return hours(self.participant_minutes)

    @property
    def not_completed(self) -> int:
        return self.participants_with_figure - self.completed


@dataclass(frozen=True)
class Tutoring:
    sessions: int
    minutes: int
    value: Decimal
    per_venture: list[dict[str, Any]]
    per_tutor: list[dict[str, Any]]

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


@dataclass(frozen=True)
class Milestones:
    total: int
    by_state: dict[str, int]
    overdue: int
    due: int
    by_template: list[dict[str, Any]]

    @property
    def achieved(self) -> int:
        return self.by_state.get(MilestoneState.ACHIEVED, 0)


@dataclass(frozen=True)
class Funding:
    grants_proposed: int
    grants_awarded: int
    grants_awarded_amount: Decimal
    grants_revoked: int
    tranches_paid: int
    paid_amount: Decimal
    requested_amount: Decimal
    campaigns: int
    campaigns_by_state: dict[str, int]
    campaigns_matched: int
    crowdfunding_goal: Decimal
    crowdfunding_raised: Decimal
    crowdfunding_matched: Decimal
    backers: int


@dataclass(frozen=True)
class VentureOutcomes:
    ventures: int
    legal_forms: dict[str, int]
    legal_entities: int
    reported: int
    jobs_women: int
    jobs_men: int
    jobs_non_binary: int
    revenue: Decimal
    funds_raised: Decimal

    @property
    def jobs_total(self) -> int:
        return self.jobs_women + self.jobs_men + self.jobs_non_binary


@dataclass(frozen=True)
class UnitCosts:
    rates_set: bool
    course_hour_rate: Decimal
    participant_hour_rate: Decimal
    course_hours: Decimal
    participant_hours: Decimal
    training_course_value: Decimal
    training_participant_value: Decimal
    tutoring_hours: Decimal
    tutoring_value: Decimal
    tutoring_by_rate: list[dict[str, Any]]

    @property
    def total(self) -> Decimal:
        return self.training_course_value + self.training_participant_value + self.tutoring_value


@dataclass(frozen=True)
class CohortReport:
    scope: Scope
    funnel: Funnel
    training: Training
    tutoring: Tutoring
    months: list[dict[str, Any]]
    milestones: Milestones
    funding: Funding
    ventures: VentureOutcomes
    participants: int
    participants_without_entry_data: int
    output_indicators: list[IndicatorRow]
    result_indicators: list[IndicatorRow]
    results_recorded: dict[str, int]
    unit_costs: UnitCosts
    # Project-specific and the most restricted figure: shown on the coordinators'
    # dashboard only, never in an export (``as_dict`` leaves it out).
    women_victims_of_violence: int = field(repr=False, default=0)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, without the restricted figure."""
        scope = self.scope
        return _jsonable(
            {
                "scope": {
                    "programme": {"id": scope.programme.pk, "code": scope.programme.code},
                    "cohorts": [{"id": c.pk, "name": c.name} for c in scope.cohorts],
                    "date_from": scope.date_from,
                    "date_to": scope.date_to,
                    "computed_on": scope.today,
                },
                "funnel": asdict(self.funnel),
                "training": {
                    **asdict(self.training),
                    "hours_delivered": self.training.hours_delivered,
                    "participant_hours": self.training.participant_hours,
                    "not_completed": self.training.not_completed,
                },
                "tutoring": {**asdict(self.tutoring), "hours": self.tutoring.hours},
                "hours_per_month": self.months,
                "milestones": {**asdict(self.milestones), "achieved": self.milestones.achieved},
                "funding": asdict(self.funding),
                "venture_outcomes": {**asdict(self.ventures), "jobs_total": self.ventures.jobs_total},
                "participants": {
                    "total": self.participants,
                    "without_entry_data": self.participants_without_entry_data,
                },
                "output_indicators": [asdict(row) for row in self.output_indicators],
                "result_indicators": [asdict(row) for row in self.result_indicators],
                "results_recorded": self.results_recorded,
                "unit_costs": {**asdict(self.unit_costs), "total": self.unit_costs.total},
            }
        )


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def report_scope(
    *,
    programme: Programme,
    cohort: Cohort | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Scope:
    """One cohort, or every cohort of the programme (one query for the cohorts)."""
    now = now or timezone.now()
    cohorts = (cohort,) if cohort is not None else tuple(Cohort.objects.filter(programme=programme).order_by("pk"))
    at = now
    if date_to and _day_start(date_to + dt.timedelta(days=1)) < now:
        at = _day_start(date_to + dt.timedelta(days=1))
    return Scope(
        programme=programme,
        cohorts=cohorts,
        date_from=date_from,
        date_to=date_to,
        today=timezone.localdate(now),
        at=at,
    )


def cohort_report(scope: Scope) -> CohortReport:
    enrolments = Enrolment.objects.filter(cohort_membership__cohort__in=scope.cohort_ids)
    participant_ids = TeamMember.objects.filter(venture__applications__enrolment__in=enrolments.values("pk")).values(
        "person_id"
    )
    training, months_training = _training(scope)
    tutoring, months_tutoring, by_rate = _tutoring(scope, enrolments)
    participants, without, indicators, victims = _output_indicators(participant_ids)
    results, recorded = _result_indicators(participant_ids, enrolments)
    return CohortReport(
        scope=scope,
        funnel=_funnel(scope, enrolments),
        training=training,
        tutoring=tutoring,
        months=_months(months_training, months_tutoring),
        milestones=_milestones(scope, enrolments),
        funding=_funding(scope, enrolments),
        ventures=_venture_outcomes(enrolments, timezone.localdate(scope.at)),
        participants=participants,
        participants_without_entry_data=without,
        output_indicators=indicators,
        result_indicators=results,
        results_recorded=recorded,
        unit_costs=_unit_costs(scope, training, tutoring, by_rate),
        women_victims_of_violence=victims,
    )


def participant_count(scope: Scope) -> int:
    """How many participants the scope has: what decides whether an export runs in the
    background (one query)."""
    enrolments = Enrolment.objects.filter(cohort_membership__cohort__in=scope.cohort_ids)
    return (
        TeamMember.objects.filter(venture__applications__enrolment__in=enrolments.values("pk"))
        .values("person_id")
        .distinct()
        .count()
    )


def _counts(**conditions: Q) -> dict[str, Count]:
    return {name: Count("pk", filter=condition) for name, condition in conditions.items()}


def _funnel(scope: Scope, enrolments: QuerySet) -> Funnel:
    """Two queries: the calls' applications, the cohorts' enrolments."""
    s = ApplicationState
    passed = AuditEvent.objects.filter(
        target_type__app_label="incubator", target_type__model="application", target_id=OuterRef("pk")
    )
    was_eligible = Q(state=s.WITHDRAWN) & Exists(passed.filter(verb="application.eligible"))
    was_evaluated = Q(state=s.WITHDRAWN) & Exists(passed.filter(verb="application.evaluated"))
    after_check = (s.ELIGIBLE, s.UNDER_EVALUATION, s.EVALUATED, s.ADMITTED, s.WAITLISTED, s.REJECTED)
    after_evaluation = (s.EVALUATED, s.ADMITTED, s.WAITLISTED, s.REJECTED)
    applications = Application.objects.filter(call__in=scope.call_ids).aggregate(
        **_counts(
            applications=Q(submitted_at__isnull=False),
            eligible=Q(state__in=after_check) | was_eligible,
            evaluated=Q(state__in=after_evaluation) | was_evaluated,
            admitted=Q(state=s.ADMITTED),
            ineligible=Q(state=s.INELIGIBLE),
            waitlisted=Q(state=s.WAITLISTED),
            rejected=Q(state=s.REJECTED),
            applications_withdrawn=Q(state=s.WITHDRAWN, submitted_at__isnull=False),
            referred_to_crowdfunding=Q(crowdfunding_referral=True),
        )
    )
    e = EnrolmentStatus
    paths = enrolments.aggregate(
        enrolled=Count("pk"),
        **_counts(
            completed=paths_completed_q(),
            withdrawn=Q(status=e.WITHDRAWN),
            active=Q(status=e.ACTIVE),
            suspended=Q(status=e.SUSPENDED),
        ),
    )
    return Funnel(**applications, **paths)


def _training(scope: Scope) -> tuple[Training, dict[str, int]]:
    """Sessions (one query), register marks (one), hours per month (one), and the
    completion rule for all the cohorts at once (three or four)."""
    # A training session is credited to the cohort only when, on its day, at least one of
    # the cohort's paths had started: a lesson before anyone was enrolled trained no
    # participant of the programme (docs/reporting.md, "What counts").
    # One definition of "sessions held" for every page, export and the API
    # (cohorts.selectors.sessions_held_q on sessions annotated by with_credit).
    sessions = with_credit(TrainingSession.objects.filter(scope.window("starts_at"), cohort__in=scope.cohort_ids))
    live = Q(cancelled_at__isnull=True)
    held = live & Q(ends_at__lte=scope.at)
    training = Q(kind=TrainingSession.Kind.TRAINING)
    credited = sessions_held_q(scope.at)
    figures = sessions.aggregate(
        **_counts(
            sessions_held=credited,
            sessions_cancelled=~live,
            sessions_upcoming=live & Q(ends_at__gt=scope.at),
            outreach_events_held=held & ~training,
            sessions_before_enrolment=held & training & Q(path_started=False),
        ),
        minutes_delivered=Coalesce(Sum("duration_minutes", filter=credited), 0),
    )
    held_training = sessions.filter(credited)
    attended = Case(
        When(status=AttendanceStatus.PRESENT, then=F("session__duration_minutes")),
        When(status=AttendanceStatus.PARTIAL, then=F("minutes_attended")),
        default=0,
        output_field=IntegerField(),
    )
    marks = Attendance.objects.filter(session__in=held_training.values("pk")).aggregate(
        participant_minutes=Coalesce(Sum(attended), 0),
        **{status: Count("pk", filter=Q(status=status)) for status in AttendanceStatus.values},
    )
    participant_minutes = marks.pop("participant_minutes")
    per_month = {
        row["month"]: row["minutes"]
        for row in held_training.annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(minutes=Sum("duration_minutes"))
        .order_by("month")
    }
    people = []
    thresholds = []
    by_cohort = attendance_by_cohort(scope.cohorts, at=scope.at)
    for cohort in scope.cohorts:
        people.extend(by_cohort[cohort.pk])
        thresholds.append(
            {
                "cohort": cohort.pk,
                "name": cohort.name,
                "completion_threshold": cohort.completion_threshold,
                "grant_threshold": cohort.grant_threshold,
            }
        )
    with_figure = [p for p in people if p.percent is not None]
    average = (
        (sum((p.percent for p in with_figure), ZERO) / len(with_figure)).quantize(CENT, rounding=ROUND_HALF_UP)
        if with_figure
        else None
    )
    distribution = []
    for low, high in ATTENDANCE_BANDS:
        in_band = [p for p in with_figure if low <= p.percent < high or (high == 100 and p.percent >= 100)]
        distribution.append({"from": low, "to": high, "participants": len(in_band)})
    return (
        Training(
            **figures,
            participant_minutes=participant_minutes,
            marks=marks,
            participants=len({(p.person_id, p.enrolment_id) for p in people}),
            participants_with_figure=len(with_figure),
            average_attendance_pct=average,
            completed=sum(1 for p in with_figure if p.completed),
            grant_eligible=sum(1 for p in with_figure if p.grant_eligible),
            thresholds=thresholds,
            distribution=distribution,
        ),
        {_month_key(month): minutes for month, minutes in per_month.items()},
    )


def _month_key(month) -> str:
    if isinstance(month, dt.datetime):
        month = timezone.localtime(month) if timezone.is_aware(month) else month
    return f"{month.year:04d}-{month.month:02d}"


def _tutoring(scope: Scope, enrolments: QuerySet) -> tuple[Tutoring, dict[str, int], list[dict[str, Any]]]:
    """By rate (one query), per venture (one), per tutor (one), per month (one). Sessions
    held by the report's moment only, as for training: a booked session is not delivered."""
    sessions = TutoringSession.objects.filter(scope.window("starts_at"), assignment__enrolment__in=enrolments).held(
        scope.at
    )
    by_rate = list(
        sessions.values("hourly_rate").annotate(sessions=Count("pk"), minutes=Sum("minutes")).order_by("hourly_rate")
    )
    rates = [
        {
            "hourly_rate": row["hourly_rate"],
            "sessions": row["sessions"],
            "minutes": row["minutes"],
            "hours": hours(row["minutes"]),
            "value": euro(Decimal(row["minutes"]) * row["hourly_rate"] / 60),
        }
        for row in by_rate
    ]
    venture = "assignment__enrolment__application__venture"
    per_venture = [
        {
            "venture": row[f"{venture}_id"],
            "title": row[f"{venture}__title"],
            "sessions": row["sessions"],
            "minutes": row["minutes"],
            "hours": hours(row["minutes"]),
        }
        for row in sessions.values(f"{venture}_id", f"{venture}__title")
        .annotate(sessions=Count("pk"), minutes=Sum("minutes"))
        .order_by(f"{venture}__title", f"{venture}_id")
    ]
    tutors: dict[int, dict[str, Any]] = {}
    for row in (
        sessions.values(
            "tutor_id", "tutor__user__first_name", "tutor__user__last_name", "tutor__user__username", "hourly_rate"
        )
        .annotate(sessions=Count("pk"), minutes=Sum("minutes"))
        .order_by("tutor__user__last_name", "tutor__user__first_name", "tutor_id", "hourly_rate")
    ):
        name = f"{row['tutor__user__first_name']} {row['tutor__user__last_name']}".strip()
        tutor = tutors.setdefault(
            row["tutor_id"],
            {"tutor": row["tutor_id"], "name": name or row["tutor__user__username"], "sessions": 0, "minutes": 0},
        )
        tutor["sessions"] += row["sessions"]
        tutor["minutes"] += row["minutes"]
        tutor["value"] = tutor.get("value", ZERO) + Decimal(row["minutes"]) * row["hourly_rate"] / 60
    per_tutor = [{**t, "hours": hours(t["minutes"]), "value": euro(t["value"])} for t in tutors.values()]
    per_month = {
        _month_key(row["month"]): (row["sessions"], row["minutes"])
        for row in sessions.annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(sessions=Count("pk"), minutes=Sum("minutes"))
        .order_by("month")
    }
    total_minutes = sum(r["minutes"] for r in rates)
    return (
        Tutoring(
            sessions=sum(r["sessions"] for r in rates),
            minutes=total_minutes,
            value=euro(sum((Decimal(r["minutes"]) * r["hourly_rate"] / 60 for r in rates), ZERO)),
            per_venture=per_venture,
            per_tutor=per_tutor,
        ),
        per_month,
        rates,
    )


def _months(training: dict[str, int], tutoring: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {
            "month": month,
            "training_hours": hours(training.get(month, 0)),
            "tutoring_sessions": tutoring.get(month, (0, 0))[0],
            "tutoring_hours": hours(tutoring.get(month, (0, 0))[1]),
        }
        for month in sorted(set(training) | set(tutoring))
    ]


def _milestones(scope: Scope, enrolments: QuerySet) -> Milestones:
    """Totals (one query) and per template (one)."""
    milestones = Milestone.objects.filter(scope.window("due_on", dates=True), enrolment__in=enrolments)
    overdue = overdue_q(scope.today)
    totals = milestones.aggregate(
        total=Count("pk"),
        **_counts(overdue=overdue, due=Q(due_on__lte=scope.today) & ~Q(state=MilestoneState.WAIVED)),
        **{state: Count("pk", filter=Q(state=state)) for state in MilestoneState.values},
    )
    by_template = [
        {
            "template": row["template_id"],
            "title": row["template__title"] or str(_("(not from a template)")),
            "total": row["total"],
            "achieved": row["achieved"],
            "overdue": row["overdue"],
            "missed": row["missed"],
            "waived": row["waived"],
        }
        for row in milestones.values("template_id", "template__title")
        .annotate(
            total=Count("pk"),
            order=Max("template__order"),
            **_counts(
                achieved=Q(state=MilestoneState.ACHIEVED),
                overdue=overdue,
                missed=Q(state=MilestoneState.MISSED),
                waived=Q(state=MilestoneState.WAIVED),
            ),
        )
        .order_by(F("order").asc(nulls_last=True), "template__title", "template_id")
    ]
    return Milestones(
        total=totals.pop("total"),
        overdue=totals.pop("overdue"),
        due=totals.pop("due"),
        by_state=totals,
        by_template=by_template,
    )


def _funding(scope: Scope, enrolments: QuerySet) -> Funding:
    """Grants (one query), tranches (one), campaigns (one)."""
    grants = Grant.objects.filter(application__enrolment__in=enrolments)
    decided = scope.window("decided_on", dates=True)
    awarded = Q(state__in=AWARDED_STATES) & decided
    grant_figures = grants.aggregate(
        **_counts(grants_proposed=Q(state=GrantState.PROPOSED), grants_awarded=awarded),
        grants_revoked=Count("pk", filter=Q(state=GrantState.REVOKED) & decided),
        grants_awarded_amount=Coalesce(Sum("amount", filter=awarded), ZERO),
    )
    paid = Q(state=TrancheState.PAID) & scope.window("paid_on", dates=True)
    tranche_figures = Tranche.objects.filter(grant__in=grants.values("pk")).aggregate(
        tranches_paid=Count("pk", filter=paid),
        paid_amount=Coalesce(Sum("amount", filter=paid), ZERO),
        requested_amount=Coalesce(Sum("amount", filter=Q(state=TrancheState.REQUESTED)), ZERO),
    )
    referred = Application.objects.filter(call__in=scope.call_ids, crowdfunding_referral=True).values("venture_id")
    campaigns = CrowdfundingCampaign.objects.filter(
        Q(venture__in=enrolments.values("application__venture_id")) | Q(venture__in=referred),
        scope.window("starts_on", dates=True),
    ).aggregate(
        campaigns=Count("pk"),
        campaigns_matched=Count("pk", filter=Q(matched__gt=0)),
        crowdfunding_goal=Coalesce(Sum("goal"), ZERO),
        crowdfunding_raised=Coalesce(Sum("raised"), ZERO),
        crowdfunding_matched=Coalesce(Sum("matched"), ZERO),
        backers=Coalesce(Sum("backers"), 0),
        **{f"state_{state}": Count("pk", filter=Q(state=state)) for state in CampaignState.values},
    )
    by_state = {state: campaigns.pop(f"state_{state}") for state in CampaignState.values}
    return Funding(**grant_figures, **tranche_figures, **campaigns, campaigns_by_state=by_state)


def _venture_outcomes(enrolments: QuerySet, today: dt.date) -> VentureOutcomes:
    """Legal forms in force on the report's day (one query) and the recorded outcomes (one)."""
    latest_form = (
        LegalFormChange.objects.in_force(today)
        .filter(venture=OuterRef("application__venture"))
        .order_by("-effective_on", "-pk")
    )
    forms = enrolments.annotate(form=Subquery(latest_form.values("legal_form")[:1])).aggregate(
        ventures=Count("pk"), **{form: Count("pk", filter=Q(form=form)) for form in LegalForm.values}
    )
    ventures = forms.pop("ventures")
    outcomes = enrolments.aggregate(
        reported=Count("venture_outcome"),
        jobs_women=Coalesce(Sum("venture_outcome__jobs_women"), 0),
        jobs_men=Coalesce(Sum("venture_outcome__jobs_men"), 0),
        jobs_non_binary=Coalesce(Sum("venture_outcome__jobs_non_binary"), 0),
        revenue=Coalesce(Sum("venture_outcome__revenue"), ZERO),
        funds_raised=Coalesce(Sum("venture_outcome__funds_raised"), ZERO),
    )
    return VentureOutcomes(
        ventures=ventures,
        legal_forms=forms,
        legal_entities=sum(count for form, count in forms.items() if form != LegalForm.INFORMAL_GROUP),
        **outcomes,
    )


def _unit_costs(scope: Scope, training: Training, tutoring: Tutoring, by_rate: list[dict[str, Any]]) -> UnitCosts:
    """The programme's rates (one query) applied to the figures above."""
    rates = TrainingUnitCost.objects.filter(programme=scope.programme).first()
    course_rate = rates.course_hour_rate if rates else ZERO
    participant_rate = rates.participant_hour_rate if rates else ZERO
    return UnitCosts(
        rates_set=rates is not None,
        course_hour_rate=course_rate,
        participant_hour_rate=participant_rate,
        course_hours=training.hours_delivered,
        participant_hours=training.participant_hours,
        training_course_value=euro(Decimal(training.minutes_delivered) * course_rate / 60),
        training_participant_value=euro(Decimal(training.participant_minutes) * participant_rate / 60),
        tutoring_hours=tutoring.hours,
        tutoring_value=tutoring.value,
        tutoring_by_rate=by_rate,
    )
