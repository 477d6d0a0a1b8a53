"""The mentoring demo step on its own fixtures (the selection step's enrolments are
stood in for by four enrolments that started six months ago)."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from incubator.demo_context import DemoContext
from incubator.models import TeamMember
from mentoring import selectors
from mentoring.demo import DEMO_STEPS, seed_mentoring
from mentoring.models import ActionItem, Assignment, TutorConflict, TutoringSession, TutoringSessionPrivateNote
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import enrol, tutor_user

pytestmark = pytest.mark.django_db


def _context(world, seed=7) -> DemoContext:
    today = timezone.localdate()
    start = today.replace(day=1) - dt.timedelta(days=182)
    enrolments = [enrol(world, starts_on=start, ends_on=start + dt.timedelta(days=3 * 365))]
    for _ in range(3):
        venture = f.VentureFactory(programme=world.programme, themes=["circular_economy"])
        f.TeamMemberFactory(venture=venture)
        f.TeamMemberFactory(venture=venture, role=TeamMember.TeamRole.MEMBER)
        enrolments.append(enrol(world, venture, starts_on=start, ends_on=start + dt.timedelta(days=3 * 365)))
    users = {
        "coordinator": world.coordinator,
        "tutor": world.tutor,
        "tutor2": tutor_user(world, "tutor2"),
        "trainer": tutor_user(world, "trainer"),
        "participant": world.participant,
    }
    return DemoContext(
        rng=random.Random(seed), today=today, users=users, programme=world.programme, enrolments=enrolments
    )


def test_demo_step_builds_months_of_tutoring_through_the_services(world):
    assert [(30, seed_mentoring)] == DEMO_STEPS
    ctx = _context(world)
    seed_mentoring(ctx)
    leads = Assignment.objects.filter(role="lead")
    assert leads.count() == 4  # one per enrolment
    assert leads.get(enrolment=ctx.enrolments[0]).tutor.user == world.tutor  # the participant's venture
    assert Assignment.objects.filter(role="expert", tutor__user=ctx.users["trainer"]).count() == 3
    conflict = TutorConflict.objects.get()
    assert not Assignment.objects.filter(tutor=conflict.tutor, enrolment__application__venture=conflict.venture)
    sessions = TutoringSession.objects.all()
    months = {(s.starts_at.year, s.starts_at.month) for s in sessions}
    assert len(months) >= 5
    assert sessions.filter(starts_at__gt=timezone.now()).exists()  # booked ahead
    assert TutoringSessionPrivateNote.objects.exists()
    assert ActionItem.objects.filter(done_at__isnull=False).exists()
    assert ActionItem.objects.overdue(ctx.today).exists()
    assert all(s.author == s.tutor.user for s in sessions.select_related("tutor"))
    # The participant's venture has shared notes for its team; an expert went over budget.
    assert sessions.filter(assignment__enrolment=ctx.enrolments[0]).exclude(shared_notes="").exists()
    experts = selectors.with_usage(Assignment.objects.filter(role="expert"))
    assert any(selectors.budget_of(a).exceeded for a in experts)
    # Two extra tutors without a usable password.
    extra = [u for name, u in ctx.users.items() if name.startswith("demo-")]
    assert len(extra) == 2 and not any(u.has_usable_password() for u in extra)
