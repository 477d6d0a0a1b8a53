"""Mentoring personas on top of ``tests.conftest.World``: a unit-cost band, the world's
tutor with a profile, the world's venture enrolled and assigned to that tutor.
Imported by the mentoring and API tests (``from tests.mentoring.fixtures import *``)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from incubator import models as m
from incubator.path import models as path_models
from incubator.selection import models as selection_models
from mentoring import services
from mentoring.models import Assignment, TutoringSession, TutorProfile, UnitCostBand
from tests import factories as f
from tests.conftest import World

# Every mentoring test runs on this clock, so that the fixed dates below stay inside the
# enrolment and the assignment whatever the real date is.
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
ENROLMENT_START = dt.date(2026, 1, 1)
ENROLMENT_END = dt.date(2028, 12, 31)


@dataclass
class Mentoring:
    world: World
    band: UnitCostBand
    profile: TutorProfile
    enrolment: path_models.Enrolment
    assignment: Assignment


def aware(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def enrol(world: World, venture: m.Venture | None = None, **fields) -> path_models.Enrolment:
    """An admitted application and its enrolment, for the world's venture by default."""
    if venture is None:
        application = world.application
        application.state = selection_models.ApplicationState.ADMITTED
        application.submitted_at = timezone.now()
        application.save()
    else:
        application = f.ApplicationFactory(
            call=world.call,
            venture=venture,
            state=selection_models.ApplicationState.ADMITTED,
            submitted_at=timezone.now(),
        )
    values = {"starts_on": ENROLMENT_START, "ends_on": ENROLMENT_END, "max_months": 36, **fields}
    return path_models.Enrolment.objects.create(application=application, **values)


def tutor_user(world: World, username: str) -> m.User:
    user = f.UserFactory(username=username, first_name=username.title(), last_name="Tutor")
    m.RoleAssignment.objects.create(user=user, programme=world.programme, role=m.Role.TUTOR)
    return user


def build_mentoring(world: World, rate: str = "50.00") -> Mentoring:
    coordinator = world.coordinator
    band = services.unit_cost_band_create(
        actor=coordinator, programme=world.programme, code="SR", label="Senior", hourly_rate=Decimal(rate)
    )
    world.tutor.first_name, world.tutor.last_name = "Anna", "Tutor"
    world.tutor.save()
    profile = services.tutor_profile_create(
        actor=coordinator,
        programme=world.programme,
        user=world.tutor,
        unit_cost_band=band,
        kind="external",
        capacity=3,
        expertise=["social_cohesion", "marketing"],
        languages=["it", "en"],
    )
    enrolment = enrol(world)
    assignment = services.assignment_create(
        actor=coordinator,
        tutor=profile,
        enrolment=enrolment,
        role="lead",
        hours_budget=Decimal("10"),
        starts_on=ENROLMENT_START,
        ends_on=dt.date(2027, 12, 31),
    )
    return Mentoring(world=world, band=band, profile=profile, enrolment=enrolment, assignment=assignment)


def log(mentoring: Mentoring, starts_at: dt.datetime, minutes: int = 60, actor=None, **fields) -> TutoringSession:
    return services.tutoring_session_log(
        actor=actor or mentoring.world.tutor,
        assignment=fields.pop("assignment", mentoring.assignment),
        starts_at=starts_at,
        minutes=minutes,
        **fields,
    )


@pytest.fixture(autouse=True)
def mentoring_clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def mentoring(world) -> Mentoring:
    return build_mentoring(world)


@pytest.fixture
def other_mentoring(other) -> Mentoring:
    return build_mentoring(other)
