"""EU reporting never counts what did not happen (issue 20, items 1 and 2): a tutoring
session counts in a timesheet, the cohort report and the API only once held, as training
sessions already did; a training session held before any of the cohort's paths started
is not credited to the cohort (docs/reporting.md)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from cohorts.reports.figures import cohort_report, report_scope
from mentoring import selectors
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import aware, log
from tests.reports import dataset

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_booked_tutoring_session_is_not_in_the_timesheet_until_held(mentoring):
    # The clock is 22 November 2026, noon (tests.mentoring.fixtures.NOW).
    log(mentoring, aware(2026, 11, 10, 10), 60)
    log(mentoring, aware(2026, 11, 25, 10), 90, participants_present=[mentoring.world.participant_person.pk])
    sheet = selectors.timesheet(tutor=mentoring.profile, year=2026, month=11)
    assert (sheet.total_minutes, sheet.total_value) == (60, D("50.00"))
    assert len(sheet.entries) == 1
    # On the 26th the second one has been held: both count.
    later = selectors.timesheet(tutor=mentoring.profile, year=2026, month=11, at=aware(2026, 11, 26, 9))
    assert (later.total_minutes, later.total_value) == (150, D("125.00"))

    client = APIClient()
    client.force_authenticate(mentoring.world.coordinator)
    answer = client.get("/api/v1/timesheets/", {"tutor": mentoring.profile.pk, "month": "2026-11"}).json()
    assert answer["total_minutes"] == 60 and D(answer["total_value"]) == D("50.00")


@pytest.fixture
def data(world, other):
    with time_machine.travel(dataset.NOW, tick=False):
        yield dataset.build(world)


def _report(world, data, now=dataset.NOW):
    with translation.override("en"):
        return cohort_report(report_scope(programme=world.programme, cohort=data.cohort, now=now))


def test_the_cohort_report_counts_tutoring_once_held(world, data):
    before = _report(world, data)
    assignment = data.tutors["T1"].assignments.first()
    dataset._tutoring(assignment, dataset.at("2026-10-20"), 120)  # booked for next month
    after = _report(world, data)
    assert (after.tutoring.sessions, after.tutoring.minutes, after.tutoring.value) == (
        before.tutoring.sessions,
        before.tutoring.minutes,
        before.tutoring.value,
    )
    assert after.unit_costs.total == before.unit_costs.total
    held = _report(world, data, now=dt.datetime(2026, 10, 21, tzinfo=dt.UTC))
    assert held.tutoring.sessions == before.tutoring.sessions + 1
    assert held.tutoring.minutes == before.tutoring.minutes + 120


def test_training_before_any_path_started_is_not_credited(world, data):
    before = _report(world, data)
    # Every path of the cohort starts on 1 January 2026 (dataset.ENTRY): a lesson in
    # December, with a participant marked present, trained nobody of the programme yet.
    early = dataset._session(data.cohort, data.sessions["S1"].module, dataset.at("2025-12-15"), 180)
    dataset._mark(early, data.people["P1"], "present")
    after = _report(world, data)
    assert after.training.sessions_held == before.training.sessions_held
    assert after.training.minutes_delivered == before.training.minutes_delivered
    assert after.training.participant_minutes == before.training.participant_minutes
    assert after.unit_costs.total == before.unit_costs.total
    assert after.training.sessions_before_enrolment == before.training.sessions_before_enrolment + 1
    # A lesson on the first day of the paths is credited.
    first_day = dataset._session(data.cohort, data.sessions["S1"].module, dataset.at("2026-01-01", 15), 60)
    assert first_day.starts_at.date() == dataset.ENTRY
    assert _report(world, data).training.minutes_delivered == before.training.minutes_delivered + 60
