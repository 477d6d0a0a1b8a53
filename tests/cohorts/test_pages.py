"""HTML pages: each role allowed and refused (404) on each page, and what a register shows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts import services
from incubator import access
from incubator.calendar.models import CalendarFeed
from tests.cohorts.helpers import build_cohort, days_ago, make_trainer, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    cw = build_cohort(world, extra_people=1)
    cw.held = cw.session(day=days_ago(4), hour=9, minutes=150, topic="Il piano economico")
    cw.mark(cw.held, (cw.people[0], "present"), (cw.people[1], "partial", 60))
    return cw


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _status(client, user, url) -> int:
    client.logout()
    return _get(client, user, url).status_code


def test_register_shows_everything_a_paper_register_needs(client, cw, world):
    response = _get(client, world.tutor, reverse("cohorts:register", kwargs={"pk": cw.held.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    programme = world.programme
    for text in (
        "Attendance register",
        programme.code,
        programme.name,
        cw.cohort.name,
        cw.module.title,
        days_ago(4).strftime("%d/%m/%Y"),
        "09:00",
        "11:30",
        "Napoli, via Toledo 1",
        "Il piano economico",
        world.tutor.username,
        'class="signature"',
        "css/print.css",
        "cohorts/register.css",
    ):
        assert text in html, text
    for person in cw.people:
        assert person.last_name in html and person.first_name in html
    assert "60 min" in html  # the partial mark
    assert world.participant_person.tax_code not in html  # names only
    assert html.count('<td class="signature"></td>') == len(cw.people)


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("tutor", 200), ("participant", 404), ("evaluator", 404), ("other_coordinator", 404)],
)
def test_register_access(client, cw, world, other, role, status):
    user = other.coordinator if role == "other_coordinator" else getattr(world, role)
    assert _status(client, user, reverse("cohorts:register", kwargs={"pk": cw.held.pk})) == status


def test_a_trainer_prints_only_the_registers_of_their_sessions(client, cw, world):
    colleague = make_trainer(world, "collega")
    theirs = cw.session(day=days_ago(2), trainers=[colleague])
    assert _status(client, world.tutor, reverse("cohorts:register", kwargs={"pk": theirs.pk})) == 404
    assert _status(client, colleague, reverse("cohorts:register", kwargs={"pk": theirs.pk})) == 200
    assert _status(client, None, reverse("cohorts:register", kwargs={"pk": theirs.pk})) == 302


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("tutor", 200), ("participant", 200), ("evaluator", 404), ("other_coordinator", 404)],
)
def test_cohort_page_access(client, cw, world, other, role, status):
    user = other.coordinator if role == "other_coordinator" else getattr(world, role)
    assert _status(client, user, reverse("cohorts:cohort", kwargs={"pk": cw.cohort.pk})) == status


def test_cohort_page_lists_sessions_and_register_links_by_role(client, cw, world):
    url = reverse("cohorts:cohort", kwargs={"pk": cw.cohort.pk})
    register = reverse("cohorts:register", kwargs={"pk": cw.held.pk})
    html = _get(client, world.coordinator, url).content.decode()
    assert "Il piano economico" in html and register in html
    assert reverse("cohorts:attendance", kwargs={"pk": cw.cohort.pk}) in html
    client.logout()
    html = _get(client, world.participant, url).content.decode()
    assert "Il piano economico" in html and register not in html
    assert reverse("cohorts:participant-attendance", kwargs={"pk": cw.cohort.pk, "person_pk": cw.people[0].pk}) in html
    assert cw.people[1].last_name not in html  # nobody else's name or figures


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("tutor", 404), ("participant", 404), ("other_coordinator", 404)],
)
def test_cohort_attendance_table_is_for_coordinators(client, cw, world, other, role, status):
    user = other.coordinator if role == "other_coordinator" else getattr(world, role)
    response = _get(client, user, reverse("cohorts:attendance", kwargs={"pk": cw.cohort.pk}))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "100.00 %" in html and "40.00 %" in html  # 150/150 and 60/150, localised decimals
        assert "1 participant below the completion threshold" in html


@pytest.mark.parametrize(
    ("role", "whose", "status"),
    [
        ("coordinator", 0, 200),
        ("coordinator", 1, 200),
        ("participant", 0, 200),
        ("participant", 1, 404),
        ("tutor", 0, 404),
        ("other_coordinator", 0, 404),
    ],
)
def test_participant_summary_access(client, cw, world, other, role, whose, status):
    user = other.coordinator if role == "other_coordinator" else getattr(world, role)
    url = reverse("cohorts:participant-attendance", kwargs={"pk": cw.cohort.pk, "person_pk": cw.people[whose].pk})
    response = _get(client, user, url)
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert cw.people[whose].last_name in html and "Il piano economico" in html
        assert "cohorts/register.css" in html and "data-print" in html


def test_summary_of_someone_outside_the_cohort_is_404(client, cw, world, other):
    other_cw = build_cohort(other, name="B")
    url = reverse("cohorts:participant-attendance", kwargs={"pk": other_cw.cohort.pk, "person_pk": cw.people[0].pk})
    assert _status(client, world.coordinator, url) == 404
    assert _status(client, other.coordinator, url) == 404


def test_calendar_link_from_the_cohort_page(client, cw, world):
    url = reverse("cohorts:cohort", kwargs={"pk": cw.cohort.pk})
    issue = reverse("cohorts:calendar-feed", kwargs={"pk": cw.cohort.pk})
    rotate = reverse("cohorts:calendar-feed-rotate", kwargs={"pk": cw.cohort.pk})
    client.force_login(world.participant)
    assert issue in client.get(url).content.decode()
    assert client.post(issue).status_code == 302
    feed = CalendarFeed.objects.get(kind="cohort", subject_id=cw.cohort.pk)
    html = client.get(url).content.decode()
    assert f"/calendar/{feed.token}.ics" in html and rotate not in html
    assert client.post(rotate).status_code == 404  # participants do not rotate the shared link
    client.force_login(world.tutor)
    assert rotate in client.get(url).content.decode()
    client.post(rotate)
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert client.get(f"/calendar/{CalendarFeed.objects.get(revoked_at=None).token}.ics").status_code == 200


def test_calendar_link_refused_to_outsiders(client, cw, world, other):
    issue = reverse("cohorts:calendar-feed", kwargs={"pk": cw.cohort.pk})
    client.force_login(other.coordinator)
    assert client.post(issue).status_code == 404
    client.force_login(world.evaluator)
    assert client.post(issue).status_code == 404
    client.force_login(world.participant)
    assert client.get(issue).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_cancelled_session_register_says_so(client, cw, world):
    upcoming = cw.session(day=today() + dt.timedelta(days=3))
    services.session_cancel(actor=cw.coordinator, session=upcoming, reason="Allerta meteo")
    html = _get(client, world.coordinator, reverse("cohorts:register", kwargs={"pk": upcoming.pk})).content.decode()
    assert "Cancelled: Allerta meteo" in html


@pytest.mark.parametrize("role", ["coordinator", "tutor", "participant"])
def test_cohort_page_cost_does_not_grow_with_sessions(client, cw, world, role):
    user = getattr(world, role)
    client.force_login(user)
    page = reverse("cohorts:cohort", kwargs={"pk": cw.cohort.pk})

    def cost() -> int:
        access.forget(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        return len(queries)

    few = cost()
    for day in range(20, 40):
        cw.session(day=days_ago(day))
    assert cost() == few
