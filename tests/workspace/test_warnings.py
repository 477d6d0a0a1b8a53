"""Absence warnings: under the cohort's warning line, or unable to reach the completion
threshold with the sessions left; seen by the participant and by their tutor."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cohorts import services
from cohorts.selectors import attendance_warnings, person_attendance_warning
from mentoring import services as mentoring_services
from tests.cohorts.helpers import build_cohort, days_ago, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    """Four held lessons of 120 minutes and two to come; warning line 80 %, completion 70 %."""
    cw = build_cohort(world, extra_people=1)
    services.cohort_update(actor=world.coordinator, cohort=cw.cohort, warning_threshold=Decimal("80"))
    cw.cohort.refresh_from_db()
    cw.held = [cw.session(day=days_ago(10 - i)) for i in range(4)]
    cw.ahead = [cw.session(day=today() + dt.timedelta(days=5 + i)) for i in range(2)]
    return cw


def test_above_the_line_no_warning(cw, world):
    anna, bruno = cw.people
    for session in cw.held:
        cw.mark(session, (anna, "present"), (bruno, "present"))
    assert attendance_warnings(cw.cohort) == []
    assert person_attendance_warning(anna, cw.cohort) is None


def test_under_the_line_but_still_reachable(cw, world):
    anna, bruno = cw.people
    for session in cw.held[:3]:
        cw.mark(session, (anna, "present"), (bruno, "present"))
    cw.mark(cw.held[3], (anna, "absent"), (bruno, "present"))
    (warning,) = attendance_warnings(cw.cohort)
    # 360 / 480 = 75 % < 80 %; with the two lessons left at most 600 / 720 = 83.33 % >= 70 %.
    assert (warning.person_id, warning.percent, warning.below_warning, warning.out_of_reach) == (
        anna.pk,
        Decimal("75.00"),
        True,
        False,
    )
    assert warning.best_percent == Decimal("83.33")


def test_out_of_reach_even_above_the_line_is_warned(cw, world):
    services.cohort_update(actor=world.coordinator, cohort=cw.cohort, warning_threshold=Decimal("20"))
    cw.cohort.refresh_from_db()
    anna, bruno = cw.people
    cw.mark(cw.held[0], (anna, "present"), (bruno, "present"))
    for session in cw.held[1:]:
        cw.mark(session, (anna, "absent"), (bruno, "present"))
    (warning,) = attendance_warnings(cw.cohort)
    # 120 / 480 = 25 % (above a 20 % line), but at most 360 / 720 = 50 % < 70 %.
    assert (warning.person_id, warning.below_warning, warning.out_of_reach) == (anna.pk, False, True)
    assert warning.best_percent == Decimal("50.00")


def test_the_participant_and_their_tutor_see_the_warning_others_do_not(client, cw, world, other):
    anna, bruno = cw.people
    for session in cw.held:
        cw.mark(session, (anna, "absent"), (bruno, "present"))
    band = mentoring_services.unit_cost_band_create(
        actor=world.coordinator, programme=world.programme, code="SR", label="Senior", hourly_rate=Decimal("50")
    )
    profile = mentoring_services.tutor_profile_create(
        actor=world.coordinator, programme=world.programme, user=world.tutor, unit_cost_band=band, kind="external"
    )
    mentoring_services.assignment_create(
        actor=world.coordinator, tutor=profile, enrolment=cw.enrolment, hours_budget=Decimal("20")
    )
    client.force_login(world.participant)
    portal = client.get(reverse("cohorts:my-path")).content.decode()
    assert 'data-testid="attendance-warning"' in portal and "0.00 %" in portal
    client.force_login(world.tutor)
    sessions = client.get(reverse("cohorts:my-sessions"))
    assert [w.warning.person_id for w in sessions.context["warnings"]] == [anna.pk]
    assert anna.last_name in sessions.content.decode()
    client.force_login(other.tutor)
    assert anna.last_name not in client.get(reverse("cohorts:my-sessions")).content.decode()
