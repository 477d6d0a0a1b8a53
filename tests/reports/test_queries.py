"""The cohort report runs a bounded number of queries whatever the cohort's size: the
same ceiling holds for a cohort of 1 extra venture and of 40 (two participants each,
with entry data, marks on every session, tutoring, milestones, grants and results); so
do the dashboard page and the JSON endpoint built on it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cohorts.models import Attendance, Cohort, CohortEnrolment, CurriculumModule, TrainingSession
from cohorts.reports.figures import cohort_report, report_scope
from incubator.funding.models import Grant
from incubator.participants import services as participants
from incubator.path.models import Enrolment, Milestone
from mentoring.models import Assignment, TutoringSession
from tests import factories as f
from tests.reports import dataset

pytestmark = pytest.mark.django_db

# Funnel 2, training 3 + 4 for all the cohorts of the scope (completion: members,
# sessions, marks summed per cohort and person, the single marks of the people whose
# window leaves out some sessions), tutoring 4, milestones 2, funding 3, venture
# outcomes 2, ESF+ output 1, results 1, unit costs 1.
REPORT_QUERIES = 23
# The report, plus the page's own: session, user, roles, whether any programme and the
# first one, the chosen programme and cohort (validated), ready exports, and the two
# select lists of the filter form.
PAGE_QUERIES = REPORT_QUERIES + 10


def grow(world, data, ventures: int) -> None:
    """Adds ``ventures`` enrolled ventures of two participants each to cohort C."""
    sessions = [s for s in data.sessions.values() if s.kind == "training" and not s.cancelled_at]
    tutor = data.tutors["T1"]
    for index in range(ventures):
        people = [f.PersonFactory(programme=world.programme) for _ in range(2)]
        venture, application = dataset._venture(
            world, f"Grown {index}", world.call, "admitted", people=[(p, None, None) for p in people]
        )
        enrolment = Enrolment.objects.create(
            application=application, starts_on=dataset.ENTRY, ends_on=dt.date(2028, 12, 31), max_months=36
        )
        CohortEnrolment.objects.create(cohort=data.cohort, enrolment=enrolment)
        for number, person in enumerate(people):
            participants.entry_data_create(
                actor=world.coordinator,
                person=person,
                entered_on=dataset.ENTRY,
                gender=("female", "male")[number],
                birth_date=dt.date(1985 + index % 20, 1 + number, 10),
                labour_status="unemployed",
                isced="isced_3_4",
            )
            Attendance.objects.bulk_create(
                Attendance(session=s, person=person, status="present", marked_at=s.ends_at) for s in sessions
            )
        assignment = Assignment.objects.create(
            tutor=tutor,
            enrolment=enrolment,
            starts_on=dataset.ENTRY,
            ends_on=dt.date(2026, 12, 31),
            hours_budget=Decimal("10"),
        )
        start = dataset.at("2026-04-01", 8) + dt.timedelta(hours=index)
        TutoringSession.objects.create(
            assignment=assignment,
            tutor=tutor,
            starts_at=start,
            minutes=60,
            ends_at=start + dt.timedelta(minutes=60),
            hourly_rate=tutor.unit_cost_band.hourly_rate,
        )
        Milestone.objects.create(enrolment=enrolment, title="Business plan", due_on=dt.date(2026, 5, 1))
        Grant.objects.create(
            venture=venture,
            application=application,
            undertaking=people[0].tax_code,
            amount=Decimal("30000.00"),
            amount_min=Decimal("25000.00"),
            amount_max=Decimal("140000.00"),
        )
        participants.venture_outcome_record(
            actor=world.coordinator, enrolment=enrolment, observed_on=dt.date(2026, 7, 1), source="survey", jobs_men=1
        )


@pytest.fixture(params=[1, 40], ids=["small", "large"])
def sized(request, world, other):
    data = dataset.build(world)
    grow(world, data, request.param)
    return data, request.param


def test_report_queries_do_not_grow(world, sized, django_assert_max_num_queries):
    data, extra = sized
    scope = report_scope(programme=world.programme, cohort=data.cohort, now=dataset.NOW)
    with django_assert_max_num_queries(REPORT_QUERIES):
        report = cohort_report(scope)
    # The figures did grow: 3 ventures + the extra ones, 5 participants + 2 each.
    assert report.funnel.enrolled == 3 + extra
    assert report.participants == 5 + 2 * extra
    assert report.training.participants_with_figure == 4 + 2 * extra
    assert report.tutoring.sessions == 4 + extra


def test_report_queries_are_the_same_at_both_sizes(world, other):
    data = dataset.build(world)
    counts = []
    for extra in (1, 40):
        grow(world, data, extra if not counts else extra - 1)
        with CaptureQueriesContext(connection) as queries:
            cohort_report(report_scope(programme=world.programme, cohort=data.cohort, now=dataset.NOW))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_programme_report_queries_do_not_grow_with_its_cohorts(world, other, django_assert_max_num_queries):
    """The programme's scope: two cohorts, then eight, in the same number of queries."""
    data = dataset.build(world)
    grow(world, data, 1)
    scope = report_scope(programme=world.programme, now=dataset.NOW)
    with CaptureQueriesContext(connection) as two:
        before = cohort_report(scope)
    for number in range(6):
        cohort = Cohort.objects.create(
            programme=world.programme,
            call=f.CallFactory(programme=world.programme, title=f"Call {number}"),
            name=f"Cohort {number}",
            starts_on=dataset.ENTRY,
            ends_on=dt.date(2026, 12, 31),
            grant_threshold=Decimal("80.00"),
        )
        TrainingSession.objects.create(
            cohort=cohort,
            module=CurriculumModule.objects.create(cohort=cohort, title="Pitch", planned_hours=Decimal("2")),
            topic="Pitch",
            starts_at=dataset.at("2026-03-02"),
            ends_at=dataset.at("2026-03-02") + dt.timedelta(hours=2),
            duration_minutes=120,
            place="Napoli",
        )
    scope = report_scope(programme=world.programme, now=dataset.NOW)
    assert len(scope.cohorts) == 8
    with django_assert_max_num_queries(REPORT_QUERIES):
        after = cohort_report(scope)
    assert len(two) <= REPORT_QUERIES
    assert len(after.training.thresholds) == len(before.training.thresholds) + 6 == 8
    # The new cohorts have no enrolment yet: their sessions trained nobody of the
    # programme and are not credited (docs/reporting.md), but they are counted apart.
    assert after.training.sessions_held == before.training.sessions_held
    assert after.training.sessions_before_enrolment == before.training.sessions_before_enrolment + 6


def test_dashboard_and_json_queries_do_not_grow(world, sized, django_assert_max_num_queries):
    data, _extra = sized
    page = Client()
    page.force_login(world.coordinator)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = page.get("/dashboard/", {"programme": world.programme.pk, "cohort": data.cohort.pk})
    assert response.status_code == 200
    api = APIClient()
    api.force_authenticate(world.coordinator)
    with django_assert_max_num_queries(REPORT_QUERIES + 3):  # roles, the cohort, the programme
        assert api.get(f"/api/v1/reports/cohorts/{data.cohort.pk}/").status_code == 200
