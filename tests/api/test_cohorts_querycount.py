"""Every list of the cohorts API costs the same number of queries for 1 row and for 50."""

import datetime as dt

import pytest

from cohorts import services
from incubator import access
from tests.api.test_cohorts import client_as
from tests.cohorts.helpers import build_cohort, days_ago, local, make_trainer, new_enrolment, today

pytestmark = pytest.mark.django_db

ROWS = [1, 50]


def _team(cw, size: int) -> list:
    """A cohort whose roster has ``size`` people (the world's participant and more)."""
    people = list(cw.people)
    if size > len(people):
        enrolment, more = new_enrolment(cw.world, people=size - len(people))
        services.cohort_add_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=enrolment)
        people += more
    return people[:size]


def _count(client, url, user, django_assert_num_queries, n, rows_of, expected_rows):
    access.forget(user)  # the role lookup is part of every request's cost
    with django_assert_num_queries(n):
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert rows_of(response.json()) == expected_rows


def _results(data):
    return len(data["results"])


@pytest.mark.parametrize("rows", ROWS)
def test_cohorts_list(world, rows, django_assert_num_queries):
    cw = build_cohort(world, extra_people=0)
    for i in range(rows - 1):
        services.cohort_create(
            actor=world.coordinator,
            programme=world.programme,
            call=world.call,
            name=f"Coorte {i + 2}",
            starts_on=days_ago(10),
            ends_on=today(),
            modules=[{"title": "A", "planned_hours": 2}, {"title": "B", "planned_hours": 3}],
        )
    assert cw.cohort.pk
    # roles, count, page (with the enrolment count), modules of the page
    _count(
        client_as(world.coordinator),
        "/api/v1/cohorts/",
        world.coordinator,
        django_assert_num_queries,
        4,
        _results,
        rows,
    )


@pytest.mark.parametrize("rows", ROWS)
def test_modules_list(world, rows, django_assert_num_queries):
    cw = build_cohort(world, extra_people=0)
    cw.cohort.modules.all().delete()
    for i in range(rows):
        services.module_create(actor=world.coordinator, cohort=cw.cohort, title=f"Modulo {i}", planned_hours=2)
    # roles, count, page
    _count(
        client_as(world.participant),
        "/api/v1/cohort-modules/",
        world.participant,
        django_assert_num_queries,
        3,
        _results,
        rows,
    )


@pytest.mark.parametrize("rows", ROWS)
def test_training_sessions_list(world, rows, django_assert_num_queries):
    cw = build_cohort(world, extra_people=0)
    colleague = make_trainer(world, "collega")
    start = local(days_ago(150), 9)
    for i in range(rows):
        begins = start + dt.timedelta(days=2 * i)
        services.session_create(
            actor=world.coordinator,
            cohort=cw.cohort,
            module=cw.module,
            topic=f"Lezione {i}",
            starts_at=begins,
            ends_at=begins + dt.timedelta(hours=2),
            place="Napoli",
            trainers=[world.tutor, colleague],
        )
    # roles, page (cursor pagination: no count; with its module), trainers of the page
    _count(
        client_as(world.tutor),
        "/api/v1/training-sessions/",
        world.tutor,
        django_assert_num_queries,
        3,
        _results,
        rows,
    )


@pytest.mark.parametrize("rows", ROWS)
def test_attendance_list(world, rows, django_assert_num_queries):
    cw = build_cohort(world, extra_people=0)
    people = _team(cw, rows)
    session = cw.session(day=days_ago(3))
    cw.mark(session, *[(p, "present") for p in people])
    # roles, page (cursor pagination: no count), with session and person joined
    _count(
        client_as(world.coordinator),
        "/api/v1/attendance/",
        world.coordinator,
        django_assert_num_queries,
        2,
        _results,
        rows,
    )


@pytest.mark.parametrize("rows", ROWS)
def test_register(world, rows, django_assert_num_queries):
    cw = build_cohort(world, extra_people=0)
    people = _team(cw, rows)
    session = cw.session(day=days_ago(3))
    cw.mark(session, *[(p, "absent") for p in people[: max(1, rows // 2)]])
    # roles, session (with cohort), may-mark check (trainer of it), register rows
    _count(
        client_as(world.tutor),
        f"/api/v1/training-sessions/{session.pk}/attendance/",
        world.tutor,
        django_assert_num_queries,
        4,
        len,
        rows,
    )


@pytest.mark.parametrize("rows", ROWS)
def test_cohort_attendance_summary(world, rows, django_assert_num_queries):
    cw = build_cohort(world, extra_people=0)
    people = _team(cw, rows)
    for day in (5, 4):
        cw.mark(cw.session(day=days_ago(day)), *[(p, "present") for p in people])
    # roles, cohort, the figures of every participant (three queries: members, sessions,
    # marks summed per person), the cohort's session figures, its planned hours
    _count(
        client_as(world.coordinator),
        f"/api/v1/cohorts/{cw.cohort.pk}/attendance/",
        world.coordinator,
        django_assert_num_queries,
        7,
        lambda data: len(data["participants"]),
        rows,
    )


@pytest.mark.parametrize("rows", ROWS)
def test_participant_attendance_summary(world, rows, django_assert_num_queries):
    cw = build_cohort(world, extra_people=0)
    anna = cw.people[0]
    start = local(days_ago(150), 9)
    for i in range(rows):
        begins = start + dt.timedelta(days=2 * i)
        session = services.session_create(
            actor=world.coordinator,
            cohort=cw.cohort,
            module=cw.module,
            topic=f"Lezione {i}",
            starts_at=begins,
            ends_at=begins + dt.timedelta(hours=2),
            place="Napoli",
            trainers=[world.tutor],
        )
        cw.mark(session, (anna, "present" if i % 3 else "absent"))
    # roles, cohort, person, the person's figures (members, sessions, marks summed per
    # person), their sessions with marks
    _count(
        client_as(world.participant),
        f"/api/v1/cohorts/{cw.cohort.pk}/attendance/{anna.pk}/",
        world.participant,
        django_assert_num_queries,
        7,
        lambda data: len(data["sessions"]),
        rows,
    )
