"""Demo step 20 on fixture data shaped like step 10's output (personas, programme, call,
admitted enrolments that started six months ago)."""

import datetime as dt
import random

import pytest
from django.db import transaction
from django.utils import timezone

from cohorts import selectors
from cohorts.demo import DEMO_STEPS, LESSONS, seed_cohorts
from cohorts.models import Attendance, Cohort, TrainingSession
from incubator import access
from incubator.dates import add_months
from incubator.demo_context import DemoContext
from incubator.models import AuditEvent
from tests import factories as f
from tests.cohorts.helpers import enrol, new_enrolment

pytestmark = pytest.mark.django_db


def _context(world, admin_user, seed: int = 2026) -> DemoContext:
    today = timezone.localdate()
    start = add_months(today.replace(day=1), -6)
    trainer = f.UserFactory(username="trainer-demo", first_name="Sara", last_name="Conti")
    ctx = DemoContext(rng=random.Random(seed), today=today)
    ctx.users = {"admin": admin_user, "coordinator": world.coordinator, "tutor": world.tutor, "trainer": trainer}
    ctx.programme, ctx.call = world.programme, world.call
    ctx.enrolments = [enrol(world.application, starts_on=start)]
    for _ in range(5):
        enrolment, _people = new_enrolment(world, people=2, starts_on=start)
        ctx.enrolments.append(enrolment)
    return ctx


def test_demo_cohort_is_realistic(world, admin_user):
    assert [(20, seed_cohorts)] == DEMO_STEPS
    ctx = _context(world, admin_user)
    seed_cohorts(ctx)
    cohort = Cohort.objects.get()
    assert ctx.extra["cohort"] == cohort
    assert cohort.modules.count() == 7
    assert cohort.memberships.count() == len(ctx.enrolments)
    sessions = cohort.sessions.all()
    training = sessions.filter(kind=TrainingSession.Kind.TRAINING)
    assert training.count() == LESSONS
    assert sessions.filter(kind=TrainingSession.Kind.OUTREACH).count() == 1
    assert sessions.filter(cancelled_at__isnull=False).count() == 1
    now = timezone.now()
    assert training.upcoming(now).count() == 4
    assert training.held(now).count() == LESSONS - 4 - 1
    first, last = training.order_by("starts_at").first(), training.order_by("starts_at").last()
    assert (last.starts_at - first.starts_at) > dt.timedelta(days=150)  # about six months
    assert all(s.starts_at.astimezone(timezone.get_current_timezone()).weekday() < 5 for s in training)
    # Every module has lessons; the trainer persona and the tutor both teach.
    assert set(training.values_list("module__order", flat=True)) == set(range(1, 8))
    assert {u for s in training for u in s.trainers.all()} == {ctx.users["trainer"], ctx.users["tutor"]}

    held = sessions.held(now)
    marked = set(Attendance.objects.values_list("session_id", flat=True))
    assert marked == set(held.values_list("pk", flat=True))
    people = 1 + 5 * 2
    assert Attendance.objects.count() == people * held.count()
    statuses = set(Attendance.objects.values_list("status", flat=True))
    assert {"present", "absent", "justified", "partial"} <= statuses
    rows = selectors.attendance_by_person(cohort)
    assert len(rows) == people
    below = [r for r in rows if not r.completed]
    assert 1 <= len(below) < people
    assert any(r.completed for r in rows)
    assert AuditEvent.objects.filter(verb="attendance.mark").count() == held.count()


def test_demo_is_deterministic(world, admin_user):
    ctx = _context(world, admin_user)

    def registers(seed: int) -> list[tuple]:
        with transaction.atomic():
            ctx.rng, ctx.extra = random.Random(seed), {}
            access.forget(ctx.users["trainer"])  # its role grant was rolled back with the last run
            seed_cohorts(ctx)
            found = sorted(
                Attendance.objects.values_list("session__starts_at", "person__tax_code", "status", "minutes_attended")
            )
            transaction.set_rollback(True)
        return found

    first = registers(7)
    assert first and registers(7) == first
    assert registers(8) != first
