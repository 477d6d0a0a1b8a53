"""Demo step 40 on fixture data shaped like step 10's output (personas, programme, call,
admitted enrolments that started six months ago)."""

import datetime as dt
import random

import pytest
from django.db import transaction
from django.utils import timezone

from incubator.dates import add_months
from incubator.demo_context import DemoContext
from incubator.path.demo import DEMO_STEPS, INNESCO_TEMPLATES, seed_path
from incubator.path.models import EnrolmentSuspension, Milestone, MilestoneTemplate
from incubator.path.models import MilestoneState as M
from incubator.path.selectors import overdue_q
from tests import factories as f
from tests.path.conftest import make_enrolment

pytestmark = pytest.mark.django_db


def _context(world, seed: int = 2026) -> DemoContext:
    today = timezone.localdate()
    start = add_months(today.replace(day=1), -6)
    ctx = DemoContext(rng=random.Random(seed), today=today)
    ctx.users = {"coordinator": world.coordinator, "tutor": world.tutor, "participant": world.participant}
    ctx.programme, ctx.call = world.programme, world.call
    ctx.enrolments = [make_enrolment(world, start)]
    for _ in range(7):
        venture = f.VentureFactory(programme=world.programme)
        f.TeamMemberFactory(venture=venture, person=f.PersonFactory(programme=world.programme))
        ctx.enrolments.append(make_enrolment(world, start, venture=venture))
    return ctx


def _states() -> list[tuple]:
    return list(
        Milestone.objects.order_by("enrolment__application__venture__title", "title").values_list(
            "enrolment__application__venture__title", "title", "state", "due_on", "verified_by_id"
        )
    )


def test_demo_path_is_realistic(world):
    assert [(40, seed_path)] == DEMO_STEPS
    ctx = _context(world)
    seed_path(ctx)
    today = ctx.today
    assert MilestoneTemplate.objects.filter(programme=world.programme).count() == len(INNESCO_TEMPLATES) == 9
    persona = ctx.enrolments[0].milestones
    assert persona.count() == 8  # not on the crowdfunding track
    assert persona.filter(state=M.ACHIEVED, verified_at__isnull=False, evidence_file__gt="").count() == 1
    assert persona.filter(state=M.ACHIEVED, verified_at__isnull=True).count() == 1
    assert persona.filter(overdue_q(today)).exists()
    campaign_steps = Milestone.objects.filter(template__crowdfunding_only=True)
    assert campaign_steps.count() == 2
    (waived,) = Milestone.objects.filter(state=M.WAIVED)
    assert waived.waiver_reason and waived.enrolment_id in campaign_steps.values_list("enrolment_id", flat=True)
    everything = Milestone.objects.all()
    assert everything.filter(state=M.ACHIEVED, verified_at__isnull=False).exclude(enrolment=ctx.enrolments[0]).exists()
    assert everything.filter(overdue_q(today)).exclude(enrolment=ctx.enrolments[0]).exists()
    (suspension,) = EnrolmentSuspension.objects.all()
    assert suspension.days == 21
    paused = suspension.enrolment
    plan = dict(paused.milestones.values_list("title", "due_on"))
    assert plan["Revisione di metà percorso"] == add_months(paused.starts_on, 18) + dt.timedelta(days=21)
    assert plan["Idea canvas"] == add_months(paused.starts_on, 1)  # due before the pause


def test_demo_path_is_deterministic(world):
    ctx = _context(world)
    with transaction.atomic():
        seed_path(ctx)
        first = _states()
        transaction.set_rollback(True)
    ctx.rng = random.Random(2026)
    seed_path(ctx)
    assert _states() == first
