"""Every list of the selection API costs the same number of queries for 1 row and for 50.

Each budget names its queries. "roles" is the requesting user's role assignments, read
once per request (``access.roles_of``) and cached on the user object: the tests forget
the cache first so that every request pays it, as a real one does."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from incubator import access
from incubator.models import LegalFormChange, RoleAssignment
from incubator.path.models import Enrolment
from incubator.selection.models import Evaluation, Score
from tests import factories as f
from tests.api.helpers import client_as, results

pytestmark = pytest.mark.django_db

ROWS = [1, 50]


def fetch(user, url, django_assert_num_queries, queries: int, rows: int) -> list[dict]:
    access.forget(user)
    client = client_as(user)
    with django_assert_num_queries(queries):
        response = client.get(url, {"page_size": 100})
    found = results(response)
    assert len(found) == rows
    return found


def _venture(world, **kwargs):
    venture = f.VentureFactory(programme=world.programme, **kwargs)
    f.TeamMemberFactory(venture=venture, person=f.PersonFactory(programme=world.programme))
    f.TeamMemberFactory(venture=venture, person=f.PersonFactory(programme=world.programme), role="member")
    LegalFormChange.objects.create(venture=venture, legal_form="informal_group", effective_on=dt.date(2025, 1, 1))
    return venture


@pytest.mark.parametrize("rows", ROWS)
def test_programmes(rows, world, django_assert_num_queries):
    for _ in range(rows - 1):
        RoleAssignment.objects.create(user=world.coordinator, programme=f.ProgrammeFactory(), role="coordinator")
    # roles, count, page
    fetch(world.coordinator, "/api/v1/programmes/", django_assert_num_queries, 3, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_calls(rows, world, django_assert_num_queries):
    for _ in range(rows - 1):
        call = f.CallFactory(programme=world.programme)
        f.CriterionFactory(call=call)
        call.checklist.create(question="Resident in the target area")
    # roles, count, page, criteria, their score bands, checklist
    found = fetch(world.participant, "/api/v1/calls/", django_assert_num_queries, 6, rows)
    assert all(row["criteria"] for row in found)


def _applications(world, rows):
    world.application.checklist_answers.create(item=world.call.checklist.create(question="Plan attached"), answer=True)
    for _ in range(rows - 1):
        application = f.ApplicationFactory(call=world.call, venture=_venture(world))
        Evaluation.objects.create(application=application, evaluator=world.evaluator)
    Evaluation.objects.create(application=world.application, evaluator=world.evaluator)


@pytest.mark.parametrize("rows", ROWS)
def test_applications_for_a_coordinator(rows, world, django_assert_num_queries):
    _applications(world, rows)
    # roles, count, page (with call and venture), team members (with person), checklist answers
    found = fetch(world.coordinator, "/api/v1/applications/", django_assert_num_queries, 5, rows)
    assert all(row["team"] for row in found)


@pytest.mark.parametrize("rows", ROWS)
def test_applications_for_an_evaluator(rows, world, django_assert_num_queries):
    _applications(world, rows)
    # roles, count, page, team members, checklist answers, the evaluator's own
    # assignments (whether a row's score may be shown)
    fetch(world.evaluator, "/api/v1/applications/", django_assert_num_queries, 6, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_ranking(rows, world, django_assert_num_queries):
    world.call.closes_at = timezone.now() - dt.timedelta(days=1)
    world.call.save()
    world.application.delete()
    for rank in range(1, rows + 1):
        f.ApplicationFactory(
            call=world.call,
            venture=_venture(world),
            state="evaluated",
            submitted_at=timezone.now() - dt.timedelta(days=2),
            score=Decimal(100 - rank),
            rank=rank,
        )
    access.forget(world.coordinator)
    client = client_as(world.coordinator)
    # roles, the call, the ranked applications (with venture)
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/calls/{world.call.pk}/ranking/")
    assert [row["rank"] for row in response.json()] == list(range(1, rows + 1))


@pytest.mark.parametrize("rows", ROWS)
def test_evaluations(rows, world, django_assert_num_queries):
    criteria = list(world.call.criteria.all())
    for _ in range(rows):
        application = f.ApplicationFactory(call=world.call, venture=_venture(world))
        evaluation = Evaluation.objects.create(
            application=application, evaluator=world.evaluator, submitted_at=timezone.now(), weighted_total=10
        )
        Score.objects.bulk_create(
            Score(evaluation=evaluation, criterion=c, value=Decimal(1), max_score=c.max_score) for c in criteria
        )
    # roles, count, page (with application, call, venture, evaluator), scores (with criterion)
    found = fetch(world.evaluator, "/api/v1/evaluations/", django_assert_num_queries, 4, rows)
    assert all(len(row["scores"]) == 2 for row in found)


@pytest.mark.parametrize("rows", ROWS)
def test_ventures(rows, world, django_assert_num_queries):
    for _ in range(rows - 1):
        _venture(world)
    # roles, count, page, team members (with person), legal forms
    found = fetch(world.coordinator, "/api/v1/ventures/", django_assert_num_queries, 5, rows)
    assert all(row["team"] and row["legal_form"] for row in found)


@pytest.mark.parametrize("rows", ROWS)
def test_people(rows, world, django_assert_num_queries):
    for _ in range(rows - 1):
        f.PersonFactory(programme=world.programme)
    # roles, count, page
    fetch(world.coordinator, "/api/v1/people/", django_assert_num_queries, 3, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_enrolments(rows, world, django_assert_num_queries):
    for _ in range(rows):
        application = f.ApplicationFactory(
            call=world.call, venture=_venture(world), state="admitted", submitted_at=timezone.now()
        )
        Enrolment.objects.create(
            application=application, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2028, 12, 31), max_months=36
        )
    # roles, count, page (with application and venture)
    fetch(world.coordinator, "/api/v1/enrolments/", django_assert_num_queries, 3, rows)
