"""Reads across models: hours budgets, the tutor's "my ventures", matching suggestions
and monthly timesheets. Figures are aggregated by the database in a bounded number of
queries; only the final division of euro-minutes into euro-hours is done in Python, with
``Decimal``, so that SQLite (which has no exact decimals) gives the same cents."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access
from incubator.models import Role, RoleAssignment
from incubator.path.models import Enrolment
from mentoring.models import (
    ActionItem,
    Activity,
    Assignment,
    SessionMode,
    TutoringSession,
    TutorProfile,
    VentureNeeds,
)

CENT = Decimal("0.01")
EURO_MINUTES = DecimalField(max_digits=16, decimal_places=4)


def hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def euro(euro_minutes: Decimal | None) -> Decimal:
    """Sum of minutes x hourly rate, as euro (rounded half up to the cent)."""
    return (Decimal(euro_minutes or 0) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def _count(qs: QuerySet, group: str) -> Coalesce:
    """A correlated COUNT subquery (no GROUP BY on the outer query, so no duplicates)."""
    sub = qs.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def _sum(qs: QuerySet, group: str, expression) -> Coalesce:
    sub = qs.order_by().values(group).annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


# --- hours budget --------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetStatus:
    hours_budget: Decimal
    hours_used: Decimal

    @property
    def hours_remaining(self) -> Decimal:
        """Negative when the budget is exceeded."""
        return self.hours_budget - self.hours_used

    @property
    def exceeded(self) -> bool:
        return self.hours_used > self.hours_budget

    @property
    def warning(self) -> str:
        if not self.exceeded:
            return ""
        return _("The hours budget is exceeded: %(used)s hours used of %(budget)s.") % {
            "used": self.hours_used,
            "budget": self.hours_budget,
        }

    def as_dict(self) -> dict:
        return {
            "hours_budget": self.hours_budget,
            "hours_used": self.hours_used,
            "hours_remaining": self.hours_remaining,
            "exceeded": self.exceeded,
            "warning": self.warning,
        }


def with_usage(assignments: QuerySet) -> QuerySet:
    """Annotates ``minutes_used`` (all sessions logged on each assignment)."""
    return assignments.annotate(
        minutes_used=_sum(TutoringSession.objects.filter(assignment=OuterRef("pk")), "assignment", "minutes")
    )


def budget_status(assignment: Assignment) -> BudgetStatus:
    used = assignment.sessions.aggregate(m=Sum("minutes"))["m"]
    return BudgetStatus(hours_budget=assignment.hours_budget, hours_used=hours(used))


def budget_of(assignment: Assignment) -> BudgetStatus:
    """From an assignment annotated by ``with_usage`` (no query)."""
    return BudgetStatus(hours_budget=assignment.hours_budget, hours_used=hours(assignment.minutes_used))


# --- my ventures ---------------------------------------------------------------------


def my_assignments(user, today: dt.date | None = None) -> QuerySet:
    """The tutor's current and coming assignments, with what the "my ventures" page
    shows: last session, minutes used, open and overdue action items of the venture.
    One query."""
    today = today or timezone.localdate()
    enrolment_items = ActionItem.objects.filter(session__assignment__enrolment=OuterRef("enrolment")).open()
    return (
        with_usage(
            access.visible(user, Assignment)
            .filter(tutor__user=user, tutor__programme__in=access.programmes(user, Role.TUTOR), ends_on__gte=today)
            .live()
        )
        .annotate(
            last_session_at=Subquery(
                TutoringSession.objects.filter(assignment=OuterRef("pk"), starts_at__lte=timezone.now())
                .order_by("-starts_at")
                .values("starts_at")[:1]
            ),
            open_items=_count(enrolment_items, "session__assignment__enrolment"),
            overdue_items=_count(enrolment_items.filter(due_on__lt=today), "session__assignment__enrolment"),
        )
        .select_related("enrolment__application__venture", "tutor__programme")
        .order_by("enrolment__application__venture__title", "starts_on", "pk")
    )


# --- matching ------------------------------------------------------------------------

# The matching score, out of 100 (documented in the API schema too):
#   expertise  50 x |tutor tags ∩ venture tags| / |venture tags|, venture tags being the
#                 venture's themes plus its needs' keywords (0 when it has none);
#   language   15 if the tutor speaks one of the venture's languages (Italian by default);
#   capacity   20 x free places / capacity, where the places taken are the other
#                 ventures the tutor accompanies at any time from the later of today and
#                 the enrolment's start to its end (tutors with no free place are left out);
#   load       15 x (1 - min(1, hours the tutor logged in the last 30 days / 40)).
# Tutors with a declared conflict of interest with the venture, tutors already assigned to
# it in that period and tutors who lost the tutor role are left out. Ties: fewer ventures
# first, then by name.
WEIGHTS = {"expertise": 50, "language": 15, "capacity": 20, "load": 15}
LOAD_WINDOW = dt.timedelta(days=30)
LOAD_REFERENCE_HOURS = Decimal(40)
DEFAULT_LANGUAGES = ("it",)
SCORE_FORMULA = (
    "score (0-100) = expertise + language + capacity + load, where "
    "expertise = 50 x matched tags / venture tags (venture themes + needs keywords); "
    "language = 15 if a language is shared (default Italian); "
    "capacity = 20 x free places / capacity (other ventures accompanied in the period); "
    "load = 15 x (1 - min(1, hours logged in the last 30 days / 40)). "
    "Conflicts of interest, tutors already assigned and tutors without free places are excluded."
)


@dataclass(frozen=True)
class ScorePart:
    name: str
    points: Decimal
    max_points: int
    explanation: str


@dataclass(frozen=True)
class Suggestion:
    tutor: TutorProfile
    score: Decimal
    parts: list[ScorePart]
    matched_tags: list[str]
    active_ventures: int
    free_places: int
    recent_hours: Decimal
    period_starts_on: dt.date
    period_ends_on: dt.date


def _points(weight: int, fraction: Decimal) -> Decimal:
    return (Decimal(weight) * max(Decimal(0), min(Decimal(1), fraction))).quantize(CENT, rounding=ROUND_HALF_UP)


def suggestion_period(enrolment: Enrolment, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return max(enrolment.starts_on, today), enrolment.ends_on


def assignment_suggestions(
    *, enrolment: Enrolment, now: dt.datetime | None = None, limit: int | None = None
) -> list[Suggestion]:
    """Tutors of the enrolment's programme ranked by the score above, each with the
    parts of its score. Two queries (the venture's needs, the annotated tutors)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    venture = enrolment.application.venture
    programme_id = venture.programme_id
    needs = VentureNeeds.objects.filter(venture=venture).first()
    wanted: list[str] = []
    for tag in [*(venture.themes or []), *(needs.keywords if needs else [])]:
        tag = " ".join(str(tag).split()).lower()
        if tag and tag not in wanted:
            wanted.append(tag)
    languages = [lang.lower() for lang in (needs.languages if needs and needs.languages else DEFAULT_LANGUAGES)]
    start, end = suggestion_period(enrolment, today)

    period = Assignment.objects.overlapping(start, end).live()
    taken = period.filter(tutor=OuterRef("pk")).exclude(enrolment=enrolment)
    tutors = (
        TutorProfile.objects.filter(
            programme_id=programme_id,
            user__is_active=True,
            user__in=RoleAssignment.objects.filter(programme_id=programme_id, role=Role.TUTOR).values("user_id"),
        )
        .exclude(conflicts__venture=venture)
        .exclude(pk__in=period.filter(enrolment=enrolment).values("tutor_id"))
        .annotate(
            active_ventures=Coalesce(
                Subquery(
                    taken.order_by().values("tutor").annotate(n=Count("enrolment", distinct=True)).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            recent_minutes=_sum(
                TutoringSession.objects.filter(
                    tutor=OuterRef("pk"), starts_at__gte=now - LOAD_WINDOW, starts_at__lte=now
                ),
                "tutor",
                "minutes",
            ),
        )
        .select_related("user")
    )
    suggestions = []
    for tutor in tutors:
        free = tutor.capacity - tutor.active_ventures
        if free <= 0:
            continue
        matched = [tag for tag in wanted if tag in {t.lower() for t in tutor.expertise or []}]
        shared = [lang for lang in languages if lang in {x.lower() for x in tutor.languages or []}]
        recent = hours(tutor.recent_minutes)
        parts = [
            ScorePart(
                "expertise",
                _points(WEIGHTS["expertise"], Decimal(len(matched)) / len(wanted)) if wanted else Decimal("0.00"),
                WEIGHTS["expertise"],
                _("%(n)s of %(total)s needs matched: %(tags)s")
                % {"n": len(matched), "total": len(wanted), "tags": ", ".join(matched) or "-"},
            ),
            ScorePart(
                "language",
                _points(WEIGHTS["language"], Decimal(1 if shared else 0)),
                WEIGHTS["language"],
                _("Shared language: %(langs)s") % {"langs": ", ".join(shared)}
                if shared
                else _("No shared language (venture: %(langs)s)") % {"langs": ", ".join(languages)},
            ),
            ScorePart(
                "capacity",
                _points(WEIGHTS["capacity"], Decimal(free) / tutor.capacity),
                WEIGHTS["capacity"],
                _("%(free)s of %(capacity)s places free") % {"free": free, "capacity": tutor.capacity},
            ),
            ScorePart(
                "load",
                _points(WEIGHTS["load"], 1 - recent / LOAD_REFERENCE_HOURS),
                WEIGHTS["load"],
                _("%(hours)s hours logged in the last 30 days") % {"hours": recent},
            ),
        ]
        suggestions.append(
            Suggestion(
                tutor=tutor,
                score=sum((p.points for p in parts), Decimal("0.00")),
                parts=parts,
                matched_tags=matched,
                active_ventures=tutor.active_ventures,
                free_places=free,
                recent_hours=recent,
                period_starts_on=start,
                period_ends_on=end,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.active_ventures, s.tutor.display_name.lower(), s.tutor.pk))
    return suggestions[:limit] if limit else suggestions


# --- timesheets ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimesheetRow:
    venture_id: int
    venture: str
    activity: str
    activity_label: str
    minutes: int
    hours: Decimal
    value: Decimal


@dataclass(frozen=True)
class TimesheetEntry:
    starts_at: dt.datetime
    ends_at: dt.datetime
    venture: str
    activity_label: str
    mode_label: str
    topics: str
    minutes: int
    hours: Decimal
    hourly_rate: Decimal


@dataclass(frozen=True)
class Timesheet:
    tutor: TutorProfile
    year: int
    month: int
    rows: list[TimesheetRow]
    entries: list[TimesheetEntry]
    total_minutes: int
    total_hours: Decimal
    total_value: Decimal
    rates: list[Decimal]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


def parse_month(value: str | None) -> tuple[int, int] | None:
    """'2026-03' -> (2026, 3); None when absent or malformed."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        dt.date(year, month, 1)
    except (TypeError, ValueError):
        return None
    return year, month


def visible_timesheet(user, *, tutor_pk: int, year: int, month: int) -> Timesheet:
    """The monthly timesheet of the tutor profile ``tutor_pk`` for ``user``: the access
    check the timesheet's page, exports and PDF share. A profile out of the user's reach,
    or a month out of range, is not found (Http404)."""
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Http404()
    profile = access.get_visible(user, TutorProfile.objects.select_related("user", "programme"), pk=tutor_pk)
    return timesheet(tutor=profile, year=year, month=month)


def timesheet(*, tutor: TutorProfile, year: int, month: int, at: dt.datetime | None = None) -> Timesheet:
    """Hours of one tutor in one month by venture and activity, valued at the unit cost
    each session was logged at. A row's value is its euro-minutes / 60 rounded to the cent;
    the total is the sum of the rows, so the printed table adds up. Only sessions held by
    ``at`` (now) count: one booked for later in the month is not yet delivered. Two queries."""
    sessions = TutoringSession.objects.filter(tutor=tutor).in_month(year, month).held(at)
    venture = "assignment__enrolment__application__venture"
    grouped = (
        sessions.order_by()
        .values(f"{venture}_id", f"{venture}__title", "activity")
        .annotate(
            minutes_sum=Sum("minutes"),
            euro_minutes=Sum(ExpressionWrapper(F("minutes") * F("hourly_rate"), output_field=EURO_MINUTES)),
        )
        .order_by(f"{venture}__title", f"{venture}_id", "activity")
    )
    rows = [
        TimesheetRow(
            venture_id=g[f"{venture}_id"],
            venture=g[f"{venture}__title"],
            activity=g["activity"],
            activity_label=str(Activity(g["activity"]).label),
            minutes=g["minutes_sum"],
            hours=hours(g["minutes_sum"]),
            value=euro(g["euro_minutes"]),
        )
        for g in grouped
    ]
    entries = [
        TimesheetEntry(
            starts_at=timezone.localtime(s["starts_at"]),
            ends_at=timezone.localtime(s["ends_at"]),
            venture=s[f"{venture}__title"],
            activity_label=str(Activity(s["activity"]).label),
            mode_label=str(SessionMode(s["mode"]).label),
            topics=s["topics"],
            minutes=s["minutes"],
            hours=hours(s["minutes"]),
            hourly_rate=s["hourly_rate"],
        )
        for s in sessions.order_by("starts_at", "pk").values(
            "starts_at", "ends_at", f"{venture}__title", "activity", "mode", "topics", "minutes", "hourly_rate"
        )
    ]
    total_minutes = sum(r.minutes for r in rows)
    return Timesheet(
        tutor=tutor,
        year=year,
        month=month,
        rows=rows,
        entries=entries,
        total_minutes=total_minutes,
        total_hours=hours(total_minutes),
        total_value=sum((r.value for r in rows), Decimal("0.00")),
        rates=sorted({e.hourly_rate for e in entries}),
    )


def open_items_count(qs: QuerySet) -> dict[str, int]:
    """Open and overdue counts of an action-item queryset, in one query."""
    today = timezone.localdate()
    return qs.aggregate(
        open=Count("pk", filter=Q(done_at__isnull=True)),
        overdue=Count("pk", filter=Q(done_at__isnull=True, due_on__lt=today)),
    )


def latest_session_of(user) -> TutoringSession | None:
    """The tutor's most recent session (the session form defaults to its venture)."""
    return (
        TutoringSession.objects.filter(tutor__user=user, starts_at__lte=timezone.now())
        .order_by("-starts_at")
        .only("assignment_id", "starts_at")
        .first()
    )
