"""The attendance condition (``cohorts/grant_checks.py``): every participant of the
venture must reach the cohort's grant threshold before a grant is proposed or awarded."""

from decimal import Decimal

import pytest

from cohorts import grant_checks
from incubator.funding import eligibility, services
from incubator.funding.eligibility import NotEligible
from incubator.funding.models import Grant, GrantState
from tests.cohorts.helpers import build_cohort, days_ago
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_attendance_check(without_attendance_check):
    """Registered for the test (the shared fixture sets the cohorts checks aside)."""
    eligibility.grant_check(grant_checks.attendance_reached)
    yield
    eligibility.unregister(grant_checks.attendance_reached)


def test_the_check_is_registered_by_the_cohorts_app(without_attendance_check):
    # What the shared fixture set aside is what the cohorts app registered at start-up.
    assert without_attendance_check == {"cohorts.grant_checks.attendance_reached": grant_checks.attendance_reached}


@pytest.fixture
def cohort(world, with_attendance_check):
    cw = build_cohort(world, extra_people=1)
    cw.cohort.grant_threshold = Decimal("80.00")
    cw.cohort.save(update_fields=["grant_threshold"])
    return cw


def _sessions(cw, n=10):
    return [cw.session(day=days_ago(60 - i), minutes=60) for i in range(n)]


@pytest.mark.parametrize(("present", "allowed"), [(8, True), (7, False)])
def test_grant_needs_the_attendance_threshold(world, cohort, present, allowed):
    participant = world.participant_person
    for i, session in enumerate(_sessions(cohort)):
        cohort.mark(session, (participant, "present" if i < present else "absent"))
    if allowed:
        grant = h.proposed(world, "50000.00")
        assert grant.state == GrantState.PROPOSED
        assert services.grant_eligibility(grant=grant) == []
    else:
        with pytest.raises(NotEligible) as exc:
            h.proposed(world, "50000.00")
        (problem,) = exc.value.problems
        assert (problem.code, problem.field) == ("attendance_below_threshold", "attendance")
        assert "70.00" in problem.message and "80.00" in problem.message
        assert participant.last_name in problem.message
        assert not Grant.objects.exists()


def test_every_participant_of_the_venture_counts(world, cohort):
    from tests import factories as f

    teammate = f.PersonFactory(programme=world.programme)
    f.TeamMemberFactory(venture=world.venture, person=teammate, role="member")
    for session in _sessions(cohort):
        cohort.mark(session, (world.participant_person, "present"), (teammate, "absent"))
    with pytest.raises(NotEligible) as exc:
        h.proposed(world, "50000.00")
    assert teammate.last_name in exc.value.problems[0].message
    assert world.participant_person.last_name not in exc.value.problems[0].message


def test_a_venture_outside_any_cohort_is_not_eligible(world, with_attendance_check):
    h.admitted(world)
    with pytest.raises(NotEligible) as exc:
        h.proposed(world, "50000.00")
    assert [p.code for p in exc.value.problems] == ["no_cohort"]
