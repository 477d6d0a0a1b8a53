"""Rules on money records and on what a venture is (issue 20, items 3 and 4): expense
reports of one grant may not overlap (the service, and on PostgreSQL an exclusion
constraint under every write); a legal-form change dated in the future takes effect on
its date, not at once."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from cohorts.reports.figures import cohort_report, report_scope
from incubator import services as core_services
from incubator.exceptions import DomainError
from incubator.funding import services
from incubator.funding.models import ExpenseReport
from incubator.models import LegalForm
from tests.funding import helpers as h
from tests.funding.fixtures import without_attendance_check  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(world):
    h.admitted(world)
    return h.running(world, "100000.00")


def _create(world, grant, start, end):
    return services.expense_report_create(actor=world.participant, grant=grant, period_start=start, period_end=end)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 4, 1), dt.date(2026, 9, 30)),  # the same period twice
        (dt.date(2026, 9, 30), dt.date(2026, 12, 31)),  # sharing its last day
        (dt.date(2026, 5, 1), dt.date(2026, 6, 30)),  # inside it
        (dt.date(2026, 4, 1), dt.date(2027, 3, 31)),  # around it
    ],
)
def test_an_overlapping_expense_report_is_refused_naming_the_other(world, grant, start, end):
    _create(world, grant, dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    with pytest.raises(DomainError) as refused:
        _create(world, grant, start, end)
    assert (refused.value.code, refused.value.field) == ("overlapping_period", "period_start")
    assert "01/04/2026" in refused.value.messages[0] and "30/09/2026" in refused.value.messages[0]
    assert ExpenseReport.objects.filter(grant=grant).count() == 1


def test_consecutive_reports_are_accepted(world, grant):
    _create(world, grant, dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    _create(world, grant, dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert ExpenseReport.objects.filter(grant=grant).count() == 2


def test_the_api_answers_400_naming_the_field(world, grant):
    client = APIClient()
    client.force_authenticate(world.participant)
    url = f"/api/v1/grants/{grant.pk}/expense-reports/"
    body = {"period_start": "2026-04-01", "period_end": "2026-09-30"}
    assert client.post(url, body, format="json").status_code == 201
    again = client.post(url, body, format="json")
    assert again.status_code == 400 and "period_start" in again.json()
    assert ExpenseReport.objects.filter(grant=grant).count() == 1


def test_the_database_refuses_an_overlap_written_past_the_service(world, grant):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's; SQLite relies on the service")
    ExpenseReport.objects.create(grant=grant, period_start=dt.date(2026, 4, 1), period_end=dt.date(2026, 9, 30))
    with pytest.raises(IntegrityError, match="expense_report_periods_do_not_overlap"), transaction.atomic():
        ExpenseReport.objects.create(grant=grant, period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 10, 31))
    other_grant_report = ExpenseReport(grant=grant, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31))
    other_grant_report.save()  # adjacent, not overlapping


# --- legal form -------------------------------------------------------------------------


def test_a_future_legal_form_change_takes_effect_on_its_date(world):
    today = timezone.localdate()
    core_services.venture_change_legal_form(
        actor=world.coordinator,
        venture=world.venture,
        legal_form=LegalForm.SOCIAL_COOPERATIVE,
        effective_on=today + dt.timedelta(days=30),
        registration_number="12345678903",
    )
    client = APIClient()
    client.force_authenticate(world.coordinator)
    url = f"/api/v1/ventures/{world.venture.pk}/"
    assert client.get(url).json()["legal_form"] == LegalForm.INFORMAL_GROUP
    assert world.venture.legal_forms.in_force().order_by("-effective_on").first().legal_form == LegalForm.INFORMAL_GROUP
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert client.get(url).json()["legal_form"] == LegalForm.SOCIAL_COOPERATIVE


def test_the_back_office_list_shows_the_form_in_force(client, world):
    core_services.venture_change_legal_form(
        actor=world.coordinator,
        venture=world.venture,
        legal_form=LegalForm.SOCIAL_COOPERATIVE,
        effective_on=timezone.localdate() + dt.timedelta(days=1),
    )
    client.force_login(world.coordinator)
    page = client.get("/admin/incubator/venture/")
    (row,) = [v for v in page.context["cl"].result_list if v.pk == world.venture.pk]
    assert row.current_legal_form == LegalForm.INFORMAL_GROUP


def test_the_cohort_report_counts_legal_entities_in_force(world):
    from tests.cohorts.helpers import build_cohort

    built = build_cohort(world)
    venture = built.cohort.enrolments.first().application.venture
    core_services.venture_change_legal_form(
        actor=world.coordinator,
        venture=venture,
        legal_form=LegalForm.SOCIAL_COOPERATIVE,
        effective_on=timezone.localdate() + dt.timedelta(days=10),
    )
    report = cohort_report(report_scope(programme=world.programme, cohort=built.cohort))
    assert report.ventures.legal_entities == 0
    later = cohort_report(
        report_scope(programme=world.programme, cohort=built.cohort, now=timezone.now() + dt.timedelta(days=11))
    )
    assert later.ventures.legal_entities == 1


def test_the_demo_schedules_an_incorporation_that_is_not_yet_in_force(world):
    import random

    from incubator.demo_context import DemoContext
    from incubator.funding.demo_trust import seed_scheduled_incorporation

    today = timezone.localdate()
    ctx = DemoContext(rng=random.Random(1), today=today, users={"coordinator": world.coordinator})
    ctx.programme = world.programme
    seed_scheduled_incorporation(ctx)
    scheduled = world.venture.legal_forms.get(effective_on=today + dt.timedelta(days=30))
    assert scheduled.legal_form == LegalForm.ASSOCIATION
    assert world.venture.legal_forms.in_force().order_by("-effective_on").first().legal_form == "informal_group"
