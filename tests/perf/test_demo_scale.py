"""The scale data (``seed_demo --scale N``, ``bench.demo_scale``) is written in bulk,
so these tests check that it is what the services would have produced: valid records,
marks only for people on a held session's roster, tutors' sessions that never overlap,
rankings by the call's rules; that the plan's sizes hold; that it is deterministic; and
that ``--reset`` removes it."""

import datetime as dt
import hashlib
import random
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bench import demo_scale
from cohorts.models import Attendance, Cohort, CurriculumModule, TrainingSession
from cohorts.reports.figures import cohort_report, report_scope
from cohorts.selectors import attendance_by_person
from incubator.calendar import sources as calendar
from incubator.dates import add_months
from incubator.demo_context import DemoContext
from incubator.models import Person, Programme, TeamMember, User, Venture
from incubator.participants.models import ParticipantEntryData
from incubator.path.models import Enrolment, Milestone
from incubator.selection.models import Application, ApplicationState
from mentoring.models import Assignment, TutoringSession, TutorProfile

pytestmark = pytest.mark.django_db
FACTOR = 0.03
SCALE = Programme.objects.filter(code__startswith=demo_scale.CODE_PREFIX)


def _build(seed: int = 11, today: dt.date | None = None) -> demo_scale.Counts:
    ctx = DemoContext(rng=random.Random(seed), today=today or timezone.localdate())
    return demo_scale.build(ctx, FACTOR)


def test_the_plan_at_scale_1_is_the_issues_table():
    plan = demo_scale.Plan.for_factor(1)
    enrolments = plan.cohorts * plan.enrolments_per_cohort
    assert plan.cohorts == 100 and enrolments == 2000
    assert plan.programmes * plan.cohorts_per_programme * plan.applicants_per_cohort >= 2000  # ventures
    assert enrolments * 5 >= 10_000  # participants: teams of five on average
    assert plan.cohorts * plan.sessions_per_cohort >= 20_000
    assert enrolments * plan.tutoring_per_enrolment >= 100_000
    assert plan.marks >= 500_000
    assert demo_scale.Plan.for_factor(2).programmes == 20
    with pytest.raises(ValueError):
        demo_scale.Plan.for_factor(0)


def test_sizes_follow_the_plan():
    counts = _build().rows
    plan = demo_scale.Plan.for_factor(FACTOR)
    assert SCALE.count() == plan.programmes
    assert Cohort.objects.filter(programme__in=SCALE).count() == plan.cohorts
    enrolments = Enrolment.objects.filter(application__call__programme__in=SCALE)
    assert enrolments.count() == plan.cohorts * plan.enrolments_per_cohort
    participants = TeamMember.objects.filter(venture__applications__enrolment__in=enrolments).count()
    assert participants == 5 * enrolments.count()  # five on average, exactly
    assert ParticipantEntryData.objects.filter(person__programme__in=SCALE).count() == participants
    assert (
        TrainingSession.objects.filter(cohort__programme__in=SCALE).count() == plan.cohorts * plan.sessions_per_cohort
    )
    assert counts["cohorts.Attendance"] == Attendance.objects.filter(session__cohort__programme__in=SCALE).count() > 0
    assert counts["mentoring.TutoringSession"] > 0


def test_every_record_passes_its_model_validation():
    """Constraints hold by construction (the database refused nothing); validators that live
    only in Python (tax codes, URLs, ranges) are checked on a sample of every model."""
    _build()
    for model in (Person, Venture, Application, Enrolment, Milestone, Cohort, CurriculumModule, TrainingSession):
        for record in model.objects.order_by("?")[:40]:
            record.full_clean(validate_constraints=True)
    for model in (Attendance, TutoringSession, Assignment, TutorProfile, ParticipantEntryData):
        for record in model.objects.order_by("?")[:40]:
            record.full_clean(validate_constraints=True)


def test_marks_are_only_for_the_roster_of_held_sessions():
    _build()
    today_start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    marks = Attendance.objects.filter(session__cohort__programme__in=SCALE).select_related("session")
    assert marks.exists()
    teams = {
        (e.pk): (e, set(TeamMember.objects.filter(venture__applications__enrolment=e).values_list("person", flat=True)))
        for e in Enrolment.objects.filter(application__call__programme__in=SCALE)
    }
    cohort_of = dict(Enrolment.objects.filter(pk__in=teams).values_list("pk", "cohort_membership__cohort"))
    for mark in marks:
        session = mark.session
        assert session.cancelled_at is None and session.ends_at <= today_start
        day = timezone.localdate(session.starts_at)
        on_roster = any(
            cohort_of[pk] == session.cohort_id
            and mark.person_id in people
            and e.starts_on <= day <= e.ends_on
            and (e.exited_on is None or e.exited_on >= day)
            for pk, (e, people) in teams.items()
        )
        assert on_roster, mark
        assert (mark.status == "partial") == (mark.minutes_attended is not None)
        assert mark.marked_at >= session.ends_at and mark.marked_by_id is not None
        assert session.trainers.filter(pk=mark.marked_by_id).exists()


def test_completion_and_the_report_read_the_data():
    _build()
    cohort = Cohort.objects.filter(programme__in=SCALE).annotate(n=Count("sessions__attendance")).order_by("-n")[0]
    figures = attendance_by_person(cohort)
    assert figures and any(f.percent is not None for f in figures)
    report = cohort_report(report_scope(programme=cohort.programme, cohort=cohort))
    assert report.training.sessions_held > 0 and report.participants == len(figures)


def test_tutors_sessions_never_overlap_and_stay_in_their_assignment():
    _build()
    for tutor in TutorProfile.objects.filter(programme__in=SCALE):
        sessions = list(TutoringSession.objects.filter(tutor=tutor).order_by("starts_at"))
        for earlier, later in pairwise(sessions):
            assert earlier.ends_at <= later.starts_at
        ventures = Assignment.objects.filter(tutor=tutor).values("enrolment").distinct().count()
        assert ventures <= tutor.capacity
    for session in TutoringSession.objects.filter(tutor__programme__in=SCALE).select_related("assignment"):
        assert session.assignment.starts_on <= timezone.localdate(session.starts_at) <= session.assignment.ends_on
        assert session.ends_at == session.starts_at + dt.timedelta(minutes=session.minutes)
    for assignment in Assignment.objects.filter(tutor__programme__in=SCALE).select_related("enrolment"):
        enrolment = assignment.enrolment
        assert enrolment.starts_on <= assignment.starts_on <= assignment.ends_on
        assert assignment.ends_on <= (enrolment.exited_on or enrolment.ends_on)


def test_selection_follows_the_calls_rules():
    _build()
    for cohort in Cohort.objects.filter(programme__in=SCALE).select_related("call"):
        call = cohort.call
        assert call.closes_at.date() < cohort.starts_on
        ranked = list(Application.objects.filter(call=call).order_by("rank"))
        assert [a.rank for a in ranked] == list(range(1, len(ranked) + 1))
        for better, worse in pairwise(ranked):
            assert (better.score, -better.submitted_at.timestamp()) >= (worse.score, -worse.submitted_at.timestamp())
        admitted = [a for a in ranked if a.state == ApplicationState.ADMITTED]
        assert admitted == ranked[: len(admitted)] and len(admitted) == call.places
        assert all(a.score >= call.pass_threshold for a in admitted)
        for enrolment in Enrolment.objects.filter(application__call=call):
            assert enrolment.ends_on <= add_months(enrolment.starts_on, enrolment.max_months)


def _fingerprint() -> str:
    rows = [
        *Person.objects.filter(programme__in=SCALE).order_by("pk").values_list("tax_code", "last_name"),
        *Attendance.objects.filter(session__cohort__programme__in=SCALE)
        .order_by("session__starts_at", "person__tax_code")
        .values_list("person__tax_code", "status", "minutes_attended"),
        *TutoringSession.objects.filter(tutor__programme__in=SCALE)
        .order_by("starts_at", "tutor__user__username")
        .values_list("starts_at", "minutes", "topics"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_same_day_same_data():
    day = timezone.localdate()
    with transaction.atomic():
        _build(seed=3, today=day)
        first = _fingerprint()
        transaction.set_rollback(True)
    _build(seed=3, today=day)
    assert _fingerprint() == first


def test_the_step_builds_only_when_asked_and_only_once():
    demo_scale.seed_scale(DemoContext(rng=random.Random(1), today=timezone.localdate(), scale=0))
    assert not SCALE.exists()
    _build()
    with pytest.raises(RuntimeError):
        _build()


def test_reset_removes_the_scale_data_and_its_users():
    call_command("seed_demo", verbosity=0)
    _build()
    assert User.objects.filter(username__startswith=demo_scale.USERNAME_PREFIX).exists()
    call_command("seed_demo", reset=True, verbosity=0)
    assert not SCALE.exists()
    assert not User.objects.filter(username__startswith=demo_scale.USERNAME_PREFIX).exists()
    assert not Attendance.objects.filter(session__cohort__programme__code__startswith="SCALE-").exists()


def test_a_small_build_has_tutoring_in_the_calendar_feeds_window():
    """A small build's few tutoring sessions are spread over the year as the full build's
    weekly ones are: the benchmark's feed section has a scale tutor to measure."""
    ctx = DemoContext(rng=random.Random(11), today=timezone.localdate())
    demo_scale.build(ctx, 0.02)
    start, end = calendar.window()
    in_window = TutoringSession.objects.filter(tutor__programme__in=SCALE).overlapping(start, end)
    busiest = in_window.values("tutor_id").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest is not None and busiest["n"] >= 5, busiest
