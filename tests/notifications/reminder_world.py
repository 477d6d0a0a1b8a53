"""One of each reminder due now, for the scheduler tests: a session tomorrow, a milestone due
in ten days and one two days overdue, an action item due tomorrow, an evaluation past its
days."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from incubator.path import services as path_services
from incubator.path.models import Milestone
from incubator.selection.models import Application, ApplicationState, Evaluation
from mentoring import services as mentoring
from mentoring.models import ActionItem
from tests import factories as f
from tests.cohorts.helpers import build_cohort, today
from tests.path.conftest import make_templates


@dataclass
class Due:
    session: object
    milestones: list
    action_item: ActionItem
    evaluation: Evaluation


def build(world) -> Due:
    cw = build_cohort(world, extra_people=1)
    session = cw.session(day=today() + dt.timedelta(days=1), hour=10, topic="Accesso al credito")
    make_templates(world)
    plan = path_services.milestone_plan_generate(actor=world.coordinator, enrolment=cw.enrolment)
    soon, late = plan[0], plan[1]
    Milestone.objects.filter(pk=soon.pk).update(due_on=today() + dt.timedelta(days=10))
    Milestone.objects.filter(pk=late.pk).update(due_on=today() - dt.timedelta(days=2))
    tutoring = _tutoring_session(world, cw.enrolment)
    item = ActionItem.objects.create(session=tutoring, text="Chiamare la banca", due_on=today() + dt.timedelta(days=1))
    other = f.ApplicationFactory(
        call=world.call, state=ApplicationState.UNDER_EVALUATION, submitted_at=timezone.now() - dt.timedelta(days=30)
    )
    evaluation = Evaluation.objects.create(application=other, evaluator=world.evaluator)
    Evaluation.objects.filter(pk=evaluation.pk).update(assigned_at=timezone.now() - dt.timedelta(days=20))
    assert Application.objects.filter(pk=other.pk, state=ApplicationState.UNDER_EVALUATION).exists()
    return Due(session=session, milestones=[soon, late], action_item=item, evaluation=evaluation)


def _tutoring_session(world, enrolment):
    coordinator = world.coordinator
    band = mentoring.unit_cost_band_create(
        actor=coordinator, programme=world.programme, code="SR", label="Senior", hourly_rate=Decimal("50")
    )
    profile = mentoring.tutor_profile_create(
        actor=coordinator, programme=world.programme, user=world.tutor, unit_cost_band=band, kind="external"
    )
    assignment = mentoring.assignment_create(
        actor=coordinator,
        tutor=profile,
        enrolment=enrolment,
        role="lead",
        hours_budget=Decimal("10"),
        starts_on=enrolment.starts_on,
        ends_on=enrolment.ends_on,
    )
    return mentoring.tutoring_session_log(
        actor=world.tutor, assignment=assignment, starts_at=timezone.now() - dt.timedelta(days=3), minutes=60
    )
