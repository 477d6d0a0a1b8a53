"""Every mentoring list answers in the same number of queries for 1 row and for 50."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from incubator.models import RoleAssignment, User
from mentoring import services
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import ENROLMENT_START, aware, enrol, log, tutor_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/"


def client(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def _count(response, n):
    assert response.status_code == 200, response.content
    data = response.json()
    listed = data["results"] if isinstance(data, dict) and "results" in data else data
    return len(listed)


def _tutors(m, n):
    world = m.world
    for i in range(n):
        services.tutor_profile_create(
            actor=world.coordinator,
            programme=world.programme,
            user=tutor_user(world, f"t{i}"),
            unit_cost_band=m.band,
            kind="internal",
            expertise=["marketing"],
        )


def _assignments(m, n):
    world = m.world
    services.tutor_profile_update(actor=world.coordinator, profile=m.profile, capacity=50)
    for _ in range(n - 1):  # the fixture's assignment is the first
        services.assignment_create(
            actor=world.coordinator,
            tutor=m.profile,
            enrolment=enrol(world, f.VentureFactory(programme=world.programme)),
            hours_budget=10,
            starts_on=ENROLMENT_START,
        )


def _sessions(m, n):
    for i in range(n):
        log(
            m,
            aware(2026, 3, 1, 8) + dt.timedelta(hours=2 * i),
            60,
            private_notes=f"note {i}",
            participants_present=[m.world.participant_person.pk],
            action_items=[{"text": f"item {i}", "owner": m.world.participant_person.pk}],
        )


# Each entry: rows builder, the user who lists, the URL, and the query budget, named:
# 1 the user's roles (cached on the user for the request), 2 the page count, 3 the page,
# then one per prefetch. ``suggestions`` and ``timesheets`` are not paginated.
CASES = {
    # roles, count, page
    "unit-cost-bands": (
        lambda m, n: [
            services.unit_cost_band_create(
                actor=m.world.coordinator, programme=m.world.programme, code=f"B{i}", label="b", hourly_rate=10
            )
            for i in range(n - 1)
        ],
        "coordinator",
        "unit-cost-bands/",
        3,
    ),
    # roles, count, page (user and band joined)
    "tutors": (lambda m, n: _tutors(m, n - 1), "coordinator", "tutors/", 3),
    # roles, count, page
    "tutor-conflicts": (
        lambda m, n: [
            services.tutor_conflict_declare(
                actor=m.world.coordinator,
                tutor=m.profile,
                venture=f.VentureFactory(programme=m.world.programme),
                note="family",
            )
            for _ in range(n)
        ],
        "coordinator",
        "tutor-conflicts/",
        3,
    ),
    # roles, count, page
    "venture-needs": (
        lambda m, n: [
            services.venture_needs_set(
                actor=m.world.coordinator, venture=f.VentureFactory(programme=m.world.programme), keywords=["x"]
            )
            for _ in range(n)
        ],
        "coordinator",
        "venture-needs/",
        3,
    ),
    # roles, count, page (usage as a subquery, tutor and venture joined)
    "assignments": (_assignments, "tutor", "assignments/", 3),
    # roles, page (cursor: no count), participants present, milestones, action items
    # with owners, private notes (through their access rule)
    "tutoring-sessions": (_sessions, "tutor", "tutoring-sessions/", 6),
    # the same for a participant, without the private-notes prefetch
    "tutoring-sessions-participant": (_sessions, "participant", "tutoring-sessions/", 5),
    # roles, count, page (owner and venture joined)
    "action-items": (_sessions, "participant", "action-items/", 3),
    # roles, enrolment, venture needs, tutors annotated with load
    "suggestions": (_tutors, "coordinator", "assignments/suggestions/?enrolment={enrolment}", 4),
    # roles, tutor profile, rows by venture and activity, entries
    "timesheets": (_sessions, "tutor", "timesheets/?tutor={tutor}&month=2026-03", 4),
}


@pytest.mark.parametrize("n", [1, 50])
@pytest.mark.parametrize("case", sorted(CASES))
def test_list_query_count_does_not_grow(case, n, mentoring, django_assert_num_queries):
    build, role, url, queries = CASES[case]
    build(mentoring, n)
    # A fresh user object, as a request has: its roles are not cached yet.
    user = User.objects.get(pk=getattr(mentoring.world, role).pk)
    assert RoleAssignment.objects.filter(user=user).count() == 1
    url = URL + url.format(enrolment=mentoring.enrolment.pk, tutor=mentoring.profile.pk)
    c = client(user)
    with django_assert_num_queries(queries):
        response = c.get(url)
    listed = _count(response, n)
    if case == "suggestions":
        assert listed == n  # the other tutors; the one already assigned is left out
    elif case == "timesheets":
        assert len(response.json()["entries"]) == n
    else:
        assert listed == n
