"""Two people writing at the same moment (PostgreSQL: real row locks between two
connections): the checks that read other rows hold because the rows they depend on are
locked first (the tutor's profile, the enrolment)."""

import threading
import time

import pytest
from django.db import connection

from incubator.exceptions import DomainError
from mentoring import services
from mentoring.models import Assignment, TutoringSession
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import ENROLMENT_START, aware, enrol, tutor_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def _race(calls, monkeypatch, slow: str) -> tuple[list, list]:
    """Runs ``calls`` in threads released together; the check ``slow`` (run right after
    the lock is taken) lingers so that, without the lock, both would pass it."""
    original = getattr(services, slow)

    def lingering(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, slow, lingering)
    barrier = threading.Barrier(len(calls))
    results, refusals, errors = [], [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except DomainError as exc:
            refusals.append(exc)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results, refusals


def test_two_overlapping_sessions_logged_at_once_one_is_refused(mentoring, monkeypatch):
    world = mentoring.world
    second = services.assignment_create(
        actor=world.coordinator,
        tutor=mentoring.profile,
        enrolment=enrol(world, f.VentureFactory(programme=world.programme)),
        hours_budget=10,
        starts_on=ENROLMENT_START,
    )
    calls = [
        lambda a=assignment: services.tutoring_session_log(
            actor=world.tutor, assignment=a, starts_at=aware(2026, 3, 10, 10), minutes=60
        )
        for assignment in (mentoring.assignment, second)
    ]
    results, refusals = _race(calls, monkeypatch, "_when")
    assert len(results) == 1 and [r.code for r in refusals] == ["overlap"]
    assert TutoringSession.objects.count() == 1


def test_two_lead_tutors_assigned_at_once_one_is_refused(mentoring, monkeypatch):
    world = mentoring.world
    enrolment = enrol(world, f.VentureFactory(programme=world.programme))
    tutors = [
        services.tutor_profile_create(
            actor=world.coordinator,
            programme=world.programme,
            user=tutor_user(world, name),
            unit_cost_band=mentoring.band,
            kind="internal",
        )
        for name in ("bruno", "carla")
    ]
    calls = [
        lambda t=tutor: services.assignment_create(
            actor=world.coordinator, tutor=t, enrolment=enrolment, role="lead", hours_budget=10
        )
        for tutor in tutors
    ]
    results, refusals = _race(calls, monkeypatch, "_assignment_errors")
    assert len(results) == 1 and [r.code for r in refusals] == ["second_lead"]
    assert Assignment.objects.filter(enrolment=enrolment).count() == 1


def test_capacity_holds_when_two_coordinators_assign_at_once(mentoring, monkeypatch):
    world = mentoring.world
    services.tutor_profile_update(actor=world.coordinator, profile=mentoring.profile, capacity=2)  # one taken
    enrolments = [enrol(world, f.VentureFactory(programme=world.programme)) for _ in range(2)]
    calls = [
        lambda e=enrolment: services.assignment_create(
            actor=world.coordinator, tutor=mentoring.profile, enrolment=e, hours_budget=10
        )
        for enrolment in enrolments
    ]
    results, refusals = _race(calls, monkeypatch, "_assignment_errors")
    assert len(results) == 1 and [r.code for r in refusals] == ["over_capacity"]
    assert Assignment.objects.filter(tutor=mentoring.profile).count() == 2
