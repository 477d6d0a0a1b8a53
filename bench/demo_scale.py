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
import logging
import math
import time
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from bench.scale_activity import ActivityBuilder
from bench.scale_rows import (
    BATCH,
    CODE_PREFIX,
    EXIT_REASONS,
    REGIONS,
    TEAM_SIZES,
    USERNAME_PREFIX,
    WITHDRAWN_SHARE,
    Counts,
    Plan,
    _at,
    _Cohort,
    _half_points,
    _insert,
    _monday,
    _People,
    _weekday,
)
from cohorts.models import (
    Attendance,
    Cohort,
    CohortEnrolment,
    TrainingSession,
)
from incubator.dates import add_months
from incubator.demo_context import DemoContext
from incubator.models import (
    ApplicantKind,
    Fund,
    LegalForm,
    LegalFormChange,
    Person,
    Programme,
    Role,
    RoleAssignment,
    TeamMember,
    Theme,
    User,
    Venture,
)
from incubator.participants.models import (
    TrainingUnitCost,
)
from incubator.path.demo import INNESCO_TEMPLATES
from incubator.path.models import Enrolment, EnrolmentStatus, MilestoneTemplate
from incubator.selection import demo as selection_demo
from incubator.selection.models import (
    Application,
    ApplicationState,
    Call,
    ChecklistAnswer,
    ChecklistItem,
    Criterion,
    Evaluation,
    Score,
)
from mentoring.models import (
    ActionItem,
    TutoringSession,
)

log = logging.getLogger(__name__)


class _Builder(ActivityBuilder):
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
