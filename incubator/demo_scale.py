"""Demo data at scale, step 90: ``seed_demo --scale N`` adds ``10 x N`` regional
programmes shaped like INNESCO, with bulk writes. At N = 1:

=============================  =========
programmes (one call a cohort)        10
cohorts                              100
ventures (24 applying a cohort)    2,400
admitted ventures, enrolments      2,000
participants (teams of 3 to 7)    10,000   (12,000 people with the teams not admitted)
training sessions                 20,000   (200 a cohort over 18 months)
attendance marks                 500,000
tutoring sessions                100,000   (weekly, one lead tutor a venture)
milestones                        16,000
=============================  =========

The timeline is read from ``ctx.today``: cohorts start from 24 months ago to 12 months
ahead, so some have finished their training, most are half way and some have not begun;
registers exist for the sessions already held, tutoring sessions are booked weekly
through each assignment (the past ones with notes and who was there, the coming ones as
appointments), and a tutor whose cohort began two months ago has about 500 events in
their calendar feed.

Why ``bulk_create`` and not the services. The services write one record at a time with
its checks, locks and audit event: building half a million marks that way takes hours,
and the point of this data is to measure reads. So this module writes rows in batches of
``BATCH`` and reproduces here what the services would have produced and checked:

- every database constraint holds (the inserts would fail otherwise), and the rules the
  services check in Python hold too: valid tax codes unique in each programme, calls
  closed before their cohorts start, rankings by score with the earlier submission
  first, enrolments within 36 months, sessions inside their cohort's dates and with a
  place or a link, marks only for people on a held session's roster (``Enrolment
  .active_on`` and the team dates, as ``cohorts.selectors.session_roster``), partial
  marks with their minutes, tutoring sessions inside their assignment and never
  overlapping another of the same tutor, tutors within their capacity, milestones
  copied from the programme's templates (``services_path.milestone_plan_generate``),
  entry data read from each person's tax code (``demo_participants.from_tax_code``);
- there is no audit trail for these rows: they record no one's act. The only figure
  that reads the trail (the funnel's withdrawn applications) has none to count here.

``tests/perf/test_demo_scale.py`` checks these rules on a small build.

Deterministic: the same seed and the same ``ctx.today`` give the same data (``ctx.rng``)."""

import datetime as dt
import itertools
import logging
import math
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from cohorts import demo as cohorts_demo
from cohorts.models import (
    DEFAULT_MODULES,
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortEnrolment,
    CurriculumModule,
    ModuleMode,
    TrainingSession,
)
from incubator import demo as selection_demo
from incubator.dates import add_months
from incubator.demo_context import DemoContext
from incubator.demo_participants import ISCED, LABOUR, SPECIAL, from_tax_code
from incubator.demo_path import INNESCO_TEMPLATES
from incubator.models import (
    ApplicantKind,
    Application,
    ApplicationState,
    Call,
    ChecklistAnswer,
    ChecklistItem,
    Criterion,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    Fund,
    LegalForm,
    LegalFormChange,
    Milestone,
    MilestoneState,
    MilestoneTemplate,
    Person,
    Programme,
    Role,
    RoleAssignment,
    Score,
    TeamMember,
    Theme,
    User,
    Venture,
)
from incubator.models_participants import (
    Gender,
    OutcomeSource,
    ParticipantEntryData,
    ParticipantResult,
    ResultTiming,
    TrainingUnitCost,
    VentureOutcome,
)
from incubator.taxcode import make_tax_code
from mentoring import demo as mentoring_demo
from mentoring.models import (
    ActionItem,
    Assignment,
    AssignmentRole,
    SessionMode,
    TutoringSession,
    TutorKind,
    TutorProfile,
    UnitCostBand,
)

log = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")
CODE_PREFIX = "SCALE-"
# Users of these programmes are removed by ``seed_demo --reset`` with the other demo users.
USERNAME_PREFIX = "demo-s"
BATCH = 2000
REGIONS = (
    ("Campania", "Napoli"),
    ("Puglia", "Bari"),
    ("Piemonte", "Torino"),
    ("Sicilia", "Palermo"),
    ("Lazio", "Roma"),
    ("Calabria", "Reggio Calabria"),
    ("Sardegna", "Cagliari"),
    ("Toscana", "Firenze"),
    ("Lombardia", "Milano"),
    ("Basilicata", "Potenza"),
)
TEAM_SIZES = (3, 4, 5, 6, 7)  # five on average: 2,000 ventures, 10,000 participants
SESSION_MINUTES = (120, 120, 120, 180)
TUTORING_MINUTES = (45, 60, 60, 60, 90, 90)  # at most 90: two slots a morning never meet
TUTORING_HOURS = (9, 11)
MARK_STATUSES = (
    (AttendanceStatus.PRESENT, 82),
    (AttendanceStatus.PARTIAL, 7),
    (AttendanceStatus.JUSTIFIED, 6),
    (AttendanceStatus.ABSENT, 5),
)
WITHDRAWN_SHARE = 0.03
EXIT_REASONS = (
    "Trasferimento in altra città",
    "Il team si è sciolto",
    "Assunzione a tempo pieno della capofila",
    "Motivi familiari",
)


@dataclass(frozen=True)
class Plan:
    """How much to build. ``for_factor(1)`` is the N = 1 table of the module docstring;
    a whole N multiplies the programmes; a fraction (tests, a quick benchmark) shrinks
    the programmes' shape too."""

    programmes: int
    cohorts_per_programme: int = 10
    enrolments_per_cohort: int = 20
    applicants_per_cohort: int = 24
    sessions_per_cohort: int = 200
    tutoring_per_enrolment: int = 53
    marks: int = 500_000
    trainers_per_programme: int = 4
    evaluators_per_programme: int = 3
    ventures_per_tutor: int = 10

    @classmethod
    def for_factor(cls, factor: float) -> "Plan":
        if factor <= 0:
            raise ValueError("The scale factor must be more than 0.")
        if factor >= 0.1:
            return cls(programmes=max(1, round(10 * factor)), marks=round(500_000 * factor))
        shrink = factor * 10  # below 0.1 every programme gets smaller as well
        return cls(
            programmes=1,
            cohorts_per_programme=max(2, round(10 * shrink)),
            enrolments_per_cohort=max(3, round(20 * shrink)),
            applicants_per_cohort=max(4, round(24 * shrink)),
            sessions_per_cohort=max(8, round(200 * shrink)),
            tutoring_per_enrolment=max(4, round(53 * shrink)),
            marks=max(50, round(500_000 * factor)),
            trainers_per_programme=2,
            evaluators_per_programme=2,
            ventures_per_tutor=max(2, round(10 * shrink)),
        )

    @property
    def cohorts(self) -> int:
        return self.programmes * self.cohorts_per_programme


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, model: type[models.Model], n: int) -> None:
        label = model._meta.label
        self.rows[label] = self.rows.get(label, 0) + n


def _insert(model: type[models.Model], rows: Iterable[models.Model], counts: Counts) -> list[models.Model]:
    """Inserts in batches and returns the rows with their primary keys (both databases
    return them from a bulk insert)."""
    done: list[models.Model] = []
    for batch in itertools.batched(rows, BATCH):
        done.extend(model.objects.bulk_create(batch, batch_size=BATCH))
    counts.add(model, len(done))
    return done


def _stream(model: type[models.Model], rows: Iterator[models.Model], counts: Counts) -> None:
    """As ``_insert`` for rows nobody reads back (marks): never more than a batch in memory."""
    n = 0
    for batch in itertools.batched(rows, BATCH):
        model.objects.bulk_create(batch, batch_size=BATCH)
        n += len(batch)
    counts.add(model, n)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weekday(day: dt.date) -> dt.date:
    """The day itself from Monday to Friday, else the Monday after."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _weighted(rng, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _half_points(value: float, max_score: int) -> Decimal:
    return Decimal(min(max_score, max(0, round(value * 2) / 2))).quantize(Decimal("0.01"))


class _People:
    """People with valid tax codes, distinct in their programme (as ``person_create``)."""

    def __init__(self, rng):
        self.rng = rng
        self.n = 0

    def make(self, programme: Programme, taken: set[str], entry_year: int) -> Person:
        rng = self.rng
        self.n += 1
        female = rng.random() < 0.52
        first = rng.choice(selection_demo.FEMALE_NAMES if female else selection_demo.MALE_NAMES)
        last = rng.choice(selection_demo.SURNAMES)
        place = rng.choice(selection_demo.BIRTHPLACES) if rng.random() < 0.93 else rng.choice(("Z330", "Z343", "Z138"))
        birth = dt.date(entry_year - rng.randint(19, 62), rng.randint(1, 12), rng.randint(1, 28))
        code = make_tax_code(last, first, birth, "F" if female else "M", place)
        while code in taken:  # omocodia: another birthday, as a real office would not, but valid
            birth += dt.timedelta(days=1)
            code = make_tax_code(last, first, birth, "F" if female else "M", place)
        taken.add(code)
        return Person(
            programme=programme,
            first_name=first,
            last_name=last,
            tax_code=code,
            email=f"{_ascii(first)}.{_ascii(last)}.{self.n}@example.org",
            phone=f"+39 3{rng.randint(20, 49)} {rng.randint(1000000, 9999999)}",
        )


@dataclass
class _Cohort:
    """What one cohort's build needs later (no model instance is kept past its programme)."""

    cohort: Cohort
    trainers: list[User]
    enrolments: list[Enrolment]
    teams: dict[int, list[int]]  # enrolment id -> person ids
    sessions: list[TrainingSession] = field(default_factory=list)
    session_trainer: dict[int, int] = field(default_factory=dict)  # session id -> who marks it


class _Builder:
    def __init__(self, ctx: DemoContext, plan: Plan):
        self.ctx, self.plan, self.rng = ctx, plan, ctx.rng
        self.today = ctx.today
        # "Now" for this data is the start of ``ctx.today``: what was held, marked and
        # logged before it does not depend on the hour of the run (same day, same data).
        self.now = _at(ctx.today, 0)
        self.counts = Counts()
        self.people = _People(self.rng)
        self.password = make_password(None)  # unusable: these users never log in
        self.persona = ctx.users.get("coordinator") or User.objects.filter(username="coordinator").first()
        first = add_months(self.today, -24)
        span = (add_months(self.today, 12) - first).days
        # Cohort g (0 .. all - 1) starts g/all of the way along the timeline, on a Monday;
        # programmes take turns so that each has early, running and future cohorts.
        self.cohort_starts = [_monday(first + dt.timedelta(days=span * g // plan.cohorts)) for g in range(plan.cohorts)]
        held = self._held_capacity()
        # The share of each held register that is marked, so that the marks reach the plan;
        # an unmarked person counts as absent (cohorts.selectors), as on a paper register
        # where the trainer ticks who came.
        self.mark_share = min(1.0, plan.marks * 1.03 / held) if held else 0.0

    # -- the plan's arithmetic ----------------------------------------------------------

    def _held_capacity(self) -> int:
        """Places on held registers over all cohorts: roster size x held sessions."""
        plan = self.plan
        per_cohort = plan.enrolments_per_cohort * sum(TEAM_SIZES) / len(TEAM_SIZES)
        total = 0.0
        for start in self.cohort_starts:
            days = self._session_days(start)
            held = sum(1 for day in days if _at(day, 17) <= self.now)
            total += held * per_cohort * (1 - WITHDRAWN_SHARE)
        return int(total)

    def _session_days(self, start: dt.date) -> list[dt.date]:
        end = self._cohort_end(start)
        span = (end - start).days + 1
        n = self.plan.sessions_per_cohort
        return [min(_weekday(start + dt.timedelta(days=span * k // n)), end) for k in range(n)]

    @staticmethod
    def _cohort_end(start: dt.date) -> dt.date:
        return add_months(start, 18) - dt.timedelta(days=1)

    # -- users --------------------------------------------------------------------------

    def _users(self, names: list[tuple[str, str, str]]) -> list[User]:
        return _insert(
            User,
            (
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.org",
                    password=self.password,
                    is_staff=username.endswith("-coordinator"),
                )
                for username, first, last in names
            ),
            self.counts,
        )

    def _named(self, prefix: str, n: int) -> list[tuple[str, str, str]]:
        rng = self.rng
        return [
            (
                f"{prefix}-{k + 1:02d}",
                rng.choice(selection_demo.FEMALE_NAMES + selection_demo.MALE_NAMES),
                rng.choice(selection_demo.SURNAMES),
            )
            for k in range(n)
        ]

    # -- the build ----------------------------------------------------------------------

    def build(self) -> Counts:
        if Programme.objects.filter(code__startswith=CODE_PREFIX).exists():
            raise RuntimeError("Scale data is already there: run seed_demo --reset first.")
        started = time.monotonic()
        for p in range(self.plan.programmes):
            self._programme(p)
            log.info("scale data: programme %s of %s built", p + 1, self.plan.programmes)
        # The planner's statistics, so that the first queries on the new rows use the
        # indexes (autovacuum would get there, minutes later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log.info(
            "scale data built in %.0f s: %s",
            time.monotonic() - started,
            ", ".join(f"{label} {n}" for label, n in sorted(self.counts.rows.items())),
        )
        return self.counts

    def _programme(self, p: int) -> None:
        plan, rng, today = self.plan, self.rng, self.today
        region, city = REGIONS[p % len(REGIONS)]
        lot = p // len(REGIONS) + 1
        code = f"{CODE_PREFIX}{p + 1:03d}"
        programme = _insert(
            Programme,
            [
                Programme(
                    name=f"Hub di innovazione sociale {region}" + (f" – lotto {lot}" if lot > 1 else ""),
                    code=code,
                    action="3.3.1",
                    fund=(Fund.FESR, Fund.FSE_PLUS)[p % 2],
                    cup=f"J{p % 10}{rng.randint(10, 99)}E{rng.randint(10000000, 99999999)}"[:15],
                    budget=Decimal(rng.randrange(2_000_000, 6_000_000)),
                    starts_on=add_months(today, -30),
                    ends_on=add_months(today, 60),
                    target_areas=[city, f"Provincia di {city}"],
                    managing_body=f"Regione {region}",
                )
            ],
            self.counts,
        )[0]
        slug = f"{USERNAME_PREFIX}{p + 1:03d}"
        coordinator = self._users([(f"{slug}-coordinator", "Coordinamento", region)])[0]
        evaluators = self._users(self._named(f"{slug}-evaluator", plan.evaluators_per_programme))
        trainers = self._users(self._named(f"{slug}-trainer", plan.trainers_per_programme))
        tutors_needed = plan.cohorts_per_programme * math.ceil(plan.enrolments_per_cohort / plan.ventures_per_tutor)
        tutor_users = self._users(self._named(f"{slug}-tutor", tutors_needed))
        roles = [RoleAssignment(user=coordinator, programme=programme, role=Role.COORDINATOR)]
        if self.persona is not None:
            roles.append(RoleAssignment(user=self.persona, programme=programme, role=Role.COORDINATOR))
        roles += [RoleAssignment(user=u, programme=programme, role=Role.EVALUATOR) for u in evaluators]
        roles += [RoleAssignment(user=u, programme=programme, role=Role.TUTOR) for u in trainers + tutor_users]
        _insert(RoleAssignment, roles, self.counts)
        _insert(
            TrainingUnitCost,
            [
                TrainingUnitCost(
                    programme=programme,
                    course_hour_rate=Decimal("117.00"),
                    participant_hour_rate=Decimal("0.80"),
                    reference="Reg. delegato (UE) 2021/702, UCS formazione fascia B",
                )
            ],
            self.counts,
        )
        templates = _insert(
            MilestoneTemplate,
            [
                MilestoneTemplate(
                    programme=programme,
                    title=title,
                    offset_months=offset,
                    description=description,
                    evidence_required=evidence,
                    order=order,
                    crowdfunding_only=crowdfunding_only,
                )
                for order, (title, offset, description, evidence, crowdfunding_only) in enumerate(
                    INNESCO_TEMPLATES, start=1
                )
            ],
            self.counts,
        )
        taken: set[str] = set()
        cohorts = []
        for k in range(plan.cohorts_per_programme):
            start = self.cohort_starts[k * plan.programmes + p]
            cohorts.append(self._selection(programme, k, start, evaluators, trainers, taken, city))
        self._milestones(cohorts, templates, tutor_users)
        self._sessions(cohorts, city, programme.code)
        self._marks(cohorts)
        self._mentoring(programme, cohorts, tutor_users)
        cohorts.clear()

    # -- selection: call, ventures, applications, evaluations, enrolments ---------------

    def _selection(self, programme, k, start, evaluators, trainers, taken, city) -> _Cohort:
        plan, rng, today = self.plan, self.rng, self.today
        closes = _at(add_months(start, -3), 12)
        call = _insert(
            Call,
            [
                Call(
                    programme=programme,
                    title=f"Avviso {k + 1} – idee di innovazione sociale ({city})",
                    reference=f"{programme.code}/AV{k + 1:02d}",
                    opens_at=_at(add_months(start, -5), 9),
                    closes_at=closes,
                    eligible_applicant_kinds=[ApplicantKind.INDIVIDUAL, ApplicantKind.ASSOCIATION],
                    themes=list(Theme.values),
                    places=plan.enrolments_per_cohort,
                    pass_threshold=selection_demo.PASS_THRESHOLD,
                    ranking_published_at=_at(add_months(start, -2), 10),
                )
            ],
            self.counts,
        )[0]
        criteria = _insert(
            Criterion,
            [Criterion(call=call, order=i, **c) for i, c in enumerate(selection_demo.CRITERIA, start=1)],
            self.counts,
        )
        checklist = _insert(
            ChecklistItem,
            [
                ChecklistItem(call=call, kind=kind, question=question, order=i)
                for i, (_key, kind, question) in enumerate(selection_demo.CHECKLIST, start=1)
            ],
            self.counts,
        )
        n = plan.applicants_per_cohort
        opens = call.opens_at
        submitted = sorted(opens + dt.timedelta(minutes=rng.randint(60, 60 * 24 * 55)) for _ in range(n))
        themes = list(Theme.values)
        ventures = []
        for i in range(n):
            theme = themes[i % len(themes)]
            title = rng.choice(selection_demo.IDEAS[theme])
            ventures.append(
                Venture(
                    programme=programme,
                    title=f"{title} – {city} {k + 1}.{i + 1}",
                    summary=f"{title}: un servizio di prossimità a {city}.",
                    social_need=selection_demo.NEEDS[theme],
                    themes=[theme],
                    target_area=city,
                    applicant_kind=rng.choice((ApplicantKind.INDIVIDUAL, ApplicantKind.ASSOCIATION)),
                )
            )
        ventures = _insert(Venture, ventures, self.counts)
        # Quality bands as in the demo's selection: the strong ideas stay above the pass
        # threshold whatever the evaluators' noise, the weak ones below it.
        strong = plan.enrolments_per_cohort + max(1, (n - plan.enrolments_per_cohort) // 2)
        qualities = [rng.uniform(*selection_demo.STRONG_BAND) for _ in range(min(strong, n))]
        qualities += [rng.uniform(*selection_demo.WEAK_BAND) for _ in range(n - len(qualities))]
        rng.shuffle(qualities)
        applications = _insert(
            Application,
            [
                Application(venture=v, call=call, state=ApplicationState.SUBMITTED, submitted_at=submitted[i])
                for i, v in enumerate(ventures)
            ],
            self.counts,
        )
        _insert(
            ChecklistAnswer,
            [ChecklistAnswer(application=a, item=item, answer=True) for a in applications for item in checklist],
            self.counts,
        )
        evaluations, scores, totals = [], [], {}
        scored_at = closes + dt.timedelta(days=20)
        for i, application in enumerate(applications):
            pair = [evaluators[(i + j) % len(evaluators)] for j in range(2)]
            for evaluator in pair:
                values = [_half_points(qualities[i] * 10 + rng.uniform(-0.6, 0.6), 10) for _ in criteria]
                total = sum((c.weight * v for c, v in zip(criteria, values, strict=True)), Decimal(0))
                total = total.quantize(Decimal("0.001"))
                totals.setdefault(application.pk, []).append(total)
                evaluation = Evaluation(
                    application=application,
                    evaluator=evaluator,
                    submitted_at=scored_at,
                    weighted_total=total,
                    comment="Valutazione conforme ai criteri dell'avviso.",
                )
                evaluations.append(evaluation)
                scores.append((evaluation, values))
        _insert(Evaluation, evaluations, self.counts)
        _insert(
            Score,
            [
                Score(evaluation=e, criterion=c, value=v, max_score=c.max_score)
                for e, values in scores
                for c, v in zip(criteria, values, strict=True)
            ],
            self.counts,
        )
        # The ranking: mean of the weighted totals, ties to the earlier submission.
        for application in applications:
            mine = totals[application.pk]
            application.score = (sum(mine, Decimal(0)) / len(mine)).quantize(Decimal("0.001"), ROUND_HALF_UP)
        ranked = sorted(applications, key=lambda a: (-a.score, a.submitted_at, a.pk))
        admitted = []
        for rank, application in enumerate(ranked, start=1):
            application.rank = rank
            if application.score >= call.pass_threshold and len(admitted) < call.places:
                application.state = ApplicationState.ADMITTED
                admitted.append(application)
            elif application.score >= call.pass_threshold:
                application.state = ApplicationState.WAITLISTED
                application.decision_reason = "Idoneo non finanziato per esaurimento dei posti."
            else:
                application.state = ApplicationState.REJECTED
                application.decision_reason = "Punteggio inferiore alla soglia di ammissione."
                application.crowdfunding_referral = application.score >= selection_demo.CROWDFUNDING_FROM
        Application.objects.bulk_update(
            applications, ["score", "rank", "state", "decision_reason", "crowdfunding_referral"], batch_size=BATCH
        )
        teams_by_venture, codes = self._teams(programme, applications, admitted, taken, start)
        enrolments = []
        for application in admitted:
            enrolment = Enrolment(
                application=application,
                starts_on=start,
                # A day short of the cap: the database's month arithmetic and ours agree.
                ends_on=add_months(start, 36) - dt.timedelta(days=1),
                max_months=36,
            )
            latest_exit = min(today - dt.timedelta(days=1), add_months(start, 16))
            if rng.random() < WITHDRAWN_SHARE and latest_exit > start + dt.timedelta(days=45):
                enrolment.status = EnrolmentStatus.WITHDRAWN
                enrolment.exited_on = start + dt.timedelta(days=rng.randint(45, (latest_exit - start).days))
                enrolment.exit_reason = rng.choice(EXIT_REASONS)
            enrolments.append(enrolment)
        enrolments = _insert(Enrolment, enrolments, self.counts)
        cohort = _insert(
            Cohort,
            [
                Cohort(
                    programme=programme,
                    call=call,
                    name=f"Coorte {k + 1} – {city}",
                    starts_on=start,
                    ends_on=self._cohort_end(start),
                    grant_threshold=call.grant_attendance_threshold,
                )
            ],
            self.counts,
        )[0]
        _insert(CohortEnrolment, [CohortEnrolment(cohort=cohort, enrolment=e) for e in enrolments], self.counts)
        venture_of = {a.pk: a.venture_id for a in admitted}
        teams = {e.pk: teams_by_venture[venture_of[e.application_id]] for e in enrolments}
        self._participants(enrolments, teams, venture_of, codes)
        return _Cohort(cohort=cohort, trainers=trainers, enrolments=enrolments, teams=teams)

    def _teams(self, programme, applications, admitted, taken, start):
        """The teams, five people on average in the admitted ventures (exactly: the plan's
        participants), three to seven in the others; the idea holder first."""
        rng = self.rng
        chosen = {a.pk for a in admitted}
        sizes = {a.pk: rng.choice(TEAM_SIZES) for a in applications}
        target = 5 * len(admitted)
        while admitted and sum(sizes[a.pk] for a in admitted) != target:
            a = rng.choice(admitted)
            step = 1 if sum(sizes[x.pk] for x in admitted) < target else -1
            if min(TEAM_SIZES) <= sizes[a.pk] + step <= max(TEAM_SIZES):
                sizes[a.pk] += step
        people, owners = [], []
        for a in applications:
            for _ in range(sizes[a.pk]):
                people.append(self.people.make(programme, taken, start.year))
                owners.append(a)
        people = _insert(Person, people, self.counts)
        teams: dict[int, list[int]] = {}
        members = []
        for person, a in zip(people, owners, strict=True):
            team = teams.setdefault(a.venture_id, [])
            members.append(
                TeamMember(
                    venture_id=a.venture_id,
                    person=person,
                    role=TeamMember.TeamRole.LEAD if not team else TeamMember.TeamRole.MEMBER,
                    joined_on=timezone.localdate(a.submitted_at),
                )
            )
            team.append(person.pk)
        _insert(TeamMember, members, self.counts)
        _insert(
            LegalFormChange,
            [
                LegalFormChange(
                    venture_id=a.venture_id,
                    legal_form=LegalForm.INFORMAL_GROUP,
                    effective_on=timezone.localdate(a.submitted_at),
                )
                for a in applications
            ],
            self.counts,
        )
        codes = {person.pk: person.tax_code for person, a in zip(people, owners, strict=True) if a.pk in chosen}
        return teams, codes

    def _participants(self, enrolments, teams, venture_of, codes) -> None:
        """ESF+ entry data of every participant, results of the early leavers, legal forms
        and outcomes of the ventures past their first year."""
        rng, today = self.rng, self.today
        entry, results, outcomes, forms = [], [], [], []
        for enrolment in enrolments:
            entered_on = min(enrolment.starts_on, today)
            for person_id in teams[enrolment.pk]:
                gender, birth, abroad = from_tax_code(codes[person_id], entered_on)
                entry.append(
                    ParticipantEntryData(
                        person_id=person_id,
                        entered_on=entered_on,
                        gender=gender,
                        birth_date=birth,
                        labour_status=_weighted(rng, LABOUR),
                        isced=_weighted(rng, ISCED),
                        foreign_background=abroad,
                        third_country_national=abroad and rng.random() < 0.7,
                        homeless=rng.random() < 0.05,
                        rural=rng.random() < 0.1,
                        disability=_weighted(rng, SPECIAL),
                        minority=_weighted(rng, SPECIAL),
                        victim_of_violence=gender == Gender.FEMALE and rng.random() < 0.15,
                    )
                )
                if enrolment.status == EnrolmentStatus.WITHDRAWN:
                    found_work = rng.random() < 0.5
                    results.append(
                        ParticipantResult(
                            person_id=person_id,
                            enrolment=enrolment,
                            timing=ResultTiming.AT_EXIT,
                            left_on=enrolment.exited_on,
                            observed_on=min(enrolment.exited_on + dt.timedelta(days=14), today),
                            employed=found_work,
                            job_searching=not found_work,
                            source=OutcomeSource.SELF_DECLARATION,
                        )
                    )
            if enrolment.status == EnrolmentStatus.ACTIVE and add_months(enrolment.starts_on, 8) <= today:
                if rng.random() < 0.4:
                    forms.append(
                        LegalFormChange(
                            venture_id=venture_of[enrolment.application_id],
                            legal_form=rng.choice(
                                (LegalForm.ASSOCIATION, LegalForm.SOCIAL_COOPERATIVE, LegalForm.SOCIAL_ENTERPRISE)
                            ),
                            effective_on=add_months(enrolment.starts_on, 6),
                            registration_number=f"0{rng.randint(1000000000, 9999999999)}",
                        )
                    )
                if add_months(enrolment.starts_on, 12) <= today:
                    outcomes.append(
                        VentureOutcome(
                            enrolment=enrolment,
                            observed_on=today - dt.timedelta(days=rng.randint(0, 60)),
                            jobs_women=rng.choice((0, 0, 1, 1, 2)),
                            jobs_men=rng.choice((0, 0, 1, 2)),
                            jobs_non_binary=rng.choice((0,) * 9 + (1,)),
                            revenue=Decimal(rng.randrange(0, 4_000_000)) / 100,
                            funds_raised=Decimal(rng.choice((0, 0, 5000, 10000, 25000))),
                            source=rng.choice(
                                (OutcomeSource.SELF_DECLARATION, OutcomeSource.ADMINISTRATIVE, OutcomeSource.SURVEY)
                            ),
                        )
                    )
        _insert(ParticipantEntryData, entry, self.counts)
        _insert(ParticipantResult, results, self.counts)
        _insert(VentureOutcome, outcomes, self.counts)
        _insert(LegalFormChange, forms, self.counts)

    # -- the path -----------------------------------------------------------------------

    def _milestones(self, cohorts: list[_Cohort], templates, tutor_users) -> None:
        """Each enrolment's plan from the templates (not the crowdfunding step: admitted
        ventures are on the grant track); past deadlines mostly achieved and verified."""
        rng, today = self.rng, self.today
        rows = []
        for c in cohorts:
            for enrolment in c.enrolments:
                upcoming_seen = False
                for template in templates:
                    if template.crowdfunding_only:
                        continue
                    due = add_months(enrolment.starts_on, template.offset_months)
                    milestone = Milestone(
                        enrolment=enrolment,
                        template=template,
                        title=template.title,
                        description=template.description,
                        evidence_required=template.evidence_required,
                        order=template.order,
                        due_on=due,
                    )
                    withdrawn = enrolment.status == EnrolmentStatus.WITHDRAWN
                    if withdrawn and due > enrolment.exited_on:
                        milestone.state = MilestoneState.WAIVED
                        milestone.waiver_reason = "Uscita anticipata dal percorso."
                    elif due < today:
                        draw = rng.random()
                        if draw < 0.78:
                            milestone.state = MilestoneState.ACHIEVED
                            milestone.achieved_on = max(
                                enrolment.starts_on, due - dt.timedelta(days=rng.randint(0, 20))
                            )
                            milestone.verified_by = rng.choice(tutor_users)
                            milestone.verified_at = _at(min(today, milestone.achieved_on + dt.timedelta(days=3)), 12)
                            if template.evidence_required:
                                milestone.evidence_url = (
                                    f"https://documenti.example.org/percorsi/{enrolment.pk}/{template.order}"
                                )
                        elif draw < 0.85:
                            milestone.state = MilestoneState.MISSED
                        else:
                            milestone.state = MilestoneState.IN_PROGRESS
                    elif not upcoming_seen:
                        upcoming_seen = True
                        milestone.state = MilestoneState.IN_PROGRESS if rng.random() < 0.4 else MilestoneState.PLANNED
                    rows.append(milestone)
        _insert(Milestone, rows, self.counts)

    # -- training -----------------------------------------------------------------------

    def _sessions(self, cohorts: list[_Cohort], city: str, code: str) -> None:
        """Modules sized to the sessions that teach them; sessions on weekdays through the
        cohort's 18 months, in the hub or online for the e-learning modules."""
        rng, plan = self.rng, self.plan
        total_hours = sum(hours for _title, hours, _mode in DEFAULT_MODULES)
        for n_cohort, c in enumerate(cohorts):
            outreach = max(1, plan.sessions_per_cohort // 25)
            teaching = plan.sessions_per_cohort - outreach
            shares = [max(1, round(teaching * hours / total_hours)) for _t, hours, _m in DEFAULT_MODULES]
            while sum(shares) > teaching and max(shares) > 1:
                shares[shares.index(max(shares))] -= 1
            shares[-1] += max(0, teaching - sum(shares))
            modules = _insert(
                CurriculumModule,
                [
                    CurriculumModule(
                        cohort=c.cohort, title=str(title), planned_hours=Decimal(share * 2), mode=mode, order=order
                    )
                    for order, ((title, _hours, mode), share) in enumerate(
                        zip(DEFAULT_MODULES, shares, strict=True), start=1
                    )
                ],
                self.counts,
            )
            slots = [m for m, share in zip(modules, shares, strict=True) for _ in range(share)]
            # Outreach events are spread through the calendar, not bunched at the end.
            step = max(1, plan.sessions_per_cohort // outreach)
            kinds = [
                None if k % step == step - 1 and k // step < outreach else "t" for k in range(plan.sessions_per_cohort)
            ]
            slots_iter = iter(slots)
            per_day: dict[dt.date, int] = {}
            sessions, trainer_rows = [], []
            for k, day in enumerate(self._session_days(c.cohort.starts_on)):
                module = next(slots_iter, None) if kinds[k] else None
                order_in_day = per_day.get(day, 0)
                per_day[day] = order_in_day + 1
                hour, minute = ((9, 30), (14, 30), (17, 0))[min(order_in_day, 2)]
                minutes = rng.choice(SESSION_MINUTES) if order_in_day < 2 else 60
                starts_at = _at(day, hour, minute)
                online = module is not None and module.mode == ModuleMode.E_LEARNING
                index = module.order if module is not None else 0
                session = TrainingSession(
                    cohort=c.cohort,
                    module=module,
                    kind=TrainingSession.Kind.TRAINING if module else TrainingSession.Kind.OUTREACH,
                    topic=rng.choice(cohorts_demo.TOPICS[index])
                    if module
                    else f"Incontro pubblico: le idee della coorte a {city}",
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=minutes),
                    place="" if online else f"{city}, hub del programma – aula {1 + n_cohort % 4}",
                    online_url=f"https://aula.example.org/{code.lower()}/{c.cohort.pk}" if online else "",
                )
                if rng.random() < 0.02:
                    session.cancelled_at = min(self.now, starts_at - dt.timedelta(days=2))
                    session.cancellation_reason = "Aula non disponibile: lezione da recuperare."
                sessions.append(session)
            c.sessions = _insert(TrainingSession, sessions, self.counts)
            through = TrainingSession.trainers.through
            for k, session in enumerate(c.sessions):
                lead = c.trainers[(n_cohort + k) % len(c.trainers)]
                trainer_rows.append(through(trainingsession_id=session.pk, user_id=lead.pk))
                if rng.random() < 0.1:
                    second = c.trainers[(n_cohort + k + 1) % len(c.trainers)]
                    if second.pk != lead.pk:
                        trainer_rows.append(through(trainingsession_id=session.pk, user_id=second.pk))
            c.session_trainer = {row.trainingsession_id: row.user_id for row in reversed(trainer_rows)}
            _insert(through, trainer_rows, self.counts)

    def _marks(self, cohorts: list[_Cohort]) -> None:
        _stream(Attendance, self._mark_rows(cohorts), self.counts)

    def _mark_rows(self, cohorts: list[_Cohort]) -> Iterator[Attendance]:
        """The registers of the held sessions: the roster of the day (the people of the
        running enrolments, as ``session_roster``), the most regular people marked first,
        with the trainer who ran the session as the one who marked them."""
        rng, now, share = self.rng, self.now, self.mark_share
        statuses, weights = zip(*MARK_STATUSES, strict=True)
        for c in cohorts:
            regular = {pk: rng.uniform(0.35, 1.0) for team in c.teams.values() for pk in team}
            for session in c.sessions:
                if session.cancelled_at is not None or session.ends_at > now:
                    continue
                day = timezone.localdate(session.starts_at)
                roster = [
                    pk
                    for e in c.enrolments
                    if e.starts_on <= day <= e.ends_on and (e.exited_on is None or e.exited_on >= day)
                    for pk in c.teams[e.pk]
                ]
                if not roster:
                    continue
                wanted = min(len(roster), math.ceil(share * len(roster)))
                chosen = sorted(roster, key=lambda pk: regular[pk] + rng.random() * 0.6, reverse=True)[:wanted]
                length = round((session.ends_at - session.starts_at).total_seconds() / 60)
                marked_at = session.ends_at + dt.timedelta(minutes=rng.randint(5, 600))
                for person_id in sorted(chosen):
                    status = rng.choices(statuses, weights=weights)[0]
                    yield Attendance(
                        session_id=session.pk,
                        person_id=person_id,
                        status=status,
                        minutes_attended=rng.randint(30, length - 15) if status == AttendanceStatus.PARTIAL else None,
                        note="Certificato medico"
                        if status == AttendanceStatus.JUSTIFIED and rng.random() < 0.3
                        else "",
                        marked_by_id=c.session_trainer[session.pk],
                        marked_at=min(marked_at, now),
                    )

    # -- mentoring ----------------------------------------------------------------------

    def _mentoring(self, programme, cohorts: list[_Cohort], tutor_users: list[User]) -> None:
        """Lead tutors of ten ventures of one cohort each, meeting each venture weekly at
        its own weekday and hour (so a tutor's sessions never overlap) through a year."""
        rng, plan, now = self.rng, self.plan, self.now
        bands = _insert(
            UnitCostBand,
            [
                UnitCostBand(programme=programme, code=code, label=label, hourly_rate=rate)
                for code, label, rate in mentoring_demo.BANDS
            ],
            self.counts,
        )
        profiles = _insert(
            TutorProfile,
            [
                TutorProfile(
                    programme=programme,
                    user=user,
                    expertise=rng.sample(list(Theme.values) + mentoring_demo.NEEDS, 4),
                    languages=["it", "en"] if rng.random() < 0.6 else ["it"],
                    capacity=plan.ventures_per_tutor + 2,
                    kind=rng.choice((TutorKind.INTERNAL, TutorKind.EXTERNAL)),
                    unit_cost_band=rng.choice(bands),
                )
                for user in tutor_users
            ],
            self.counts,
        )
        profile_of_user = {p.user_id: p for p in profiles}
        band_rate = {b.pk: b.hourly_rate for b in bands}
        weeks = plan.tutoring_per_enrolment
        assignments, plan_rows = [], []
        tutor_iter = iter(tutor_users)
        for c in cohorts:
            for group in itertools.batched(c.enrolments, plan.ventures_per_tutor):
                profile = profile_of_user[next(tutor_iter).pk]
                for slot, enrolment in enumerate(group):
                    ends_on = enrolment.starts_on + dt.timedelta(days=7 * weeks + 6)
                    if enrolment.exited_on is not None:
                        ends_on = min(ends_on, enrolment.exited_on)
                    assignment = Assignment(
                        tutor=profile,
                        enrolment=enrolment,
                        role=AssignmentRole.LEAD,
                        starts_on=enrolment.starts_on,
                        ends_on=ends_on,
                        hours_budget=Decimal("80.00"),
                    )
                    assignments.append(assignment)
                    plan_rows.append((assignment, profile, slot, c.teams[enrolment.pk]))
        _insert(Assignment, assignments, self.counts)
        sessions, present = [], []
        activities = list(mentoring_demo.TOPICS)
        for assignment, profile, slot, team in plan_rows:
            first = _monday(assignment.starts_on) + dt.timedelta(days=slot % 5)
            if first < assignment.starts_on:
                first += dt.timedelta(days=7)
            hour = TUTORING_HOURS[(slot // 5) % len(TUTORING_HOURS)]
            for week in range(weeks):
                day = first + dt.timedelta(days=7 * week)
                if day > assignment.ends_on:
                    break
                minutes = rng.choice(TUTORING_MINUTES)
                starts_at = _at(day, hour)
                activity = rng.choice(activities)
                held = starts_at + dt.timedelta(minutes=minutes) <= now
                session = TutoringSession(
                    assignment=assignment,
                    tutor=profile,
                    starts_at=starts_at,
                    minutes=minutes,
                    ends_at=starts_at + dt.timedelta(minutes=minutes),
                    mode=rng.choice(
                        (SessionMode.IN_PERSON, SessionMode.IN_PERSON, SessionMode.REMOTE, SessionMode.PHONE)
                    ),
                    activity=activity,
                    topics=rng.choice(mentoring_demo.TOPICS[activity]),
                    shared_notes=rng.choice(mentoring_demo.SHARED_NOTES) if held else "",
                    hourly_rate=band_rate[profile.unit_cost_band_id],
                    author=profile.user,
                )
                sessions.append(session)
                if held:
                    present.append((session, rng.sample(team, min(len(team), rng.randint(1, 2)))))
        _insert(TutoringSession, sessions, self.counts)
        through = TutoringSession.participants_present.through
        _insert(
            through,
            (through(tutoringsession_id=s.pk, person_id=pk) for s, people in present for pk in people),
            self.counts,
        )
        _insert(
            ActionItem,
            (
                ActionItem(
                    session=s,
                    text=rng.choice(mentoring_demo.ACTIONS),
                    owner_id=people[0],
                    due_on=timezone.localdate(s.starts_at) + dt.timedelta(days=14),
                    done_at=s.starts_at + dt.timedelta(days=10) if s.starts_at + dt.timedelta(days=10) <= now else None,
                )
                for s, people in present
                if rng.random() < 0.2
            ),
            self.counts,
        )


def build(ctx: DemoContext, factor: float) -> Counts:
    """Builds the scale data for ``factor`` (1 = the N = 1 table) in the current
    transaction; returns the rows written per model."""
    return _Builder(ctx, Plan.for_factor(factor)).build()


def seed_scale(ctx: DemoContext) -> None:
    if ctx.scale:
        ctx.extra["scale_counts"] = build(ctx, ctx.scale).rows


def purge() -> None:
    """Deletes the scale programmes' rows, biggest tables first, with set-based deletes
    (the generic reset would load half a million marks to find what protects what)."""
    programmes = Programme.objects.filter(code__startswith=CODE_PREFIX)
    if not programmes.exists():
        return
    ids = list(programmes.values_list("pk", flat=True))
    sessions = TutoringSession.objects.filter(tutor__programme__in=ids)
    steps: list[models.QuerySet] = [
        Attendance.objects.filter(session__cohort__programme__in=ids),
        TrainingSession.trainers.through.objects.filter(trainingsession__cohort__programme__in=ids),
        ActionItem.objects.filter(session__in=sessions),
        TutoringSession.participants_present.through.objects.filter(tutoringsession__in=sessions),
        TutoringSession.milestones.through.objects.filter(tutoringsession__in=sessions),
        sessions,
    ]
    for queryset in steps:
        queryset.delete()


DEMO_STEPS = [(90, seed_scale)]
DEMO_RESET = [purge]
