"""Changing a venture's team (``ventures/{id}/team/``: POST adds, PATCH changes a member's
role or dates) and an enrolment's start (``enrolments/{id}/dates/`` with ``starts_on``):
coordinators of the programme only; another programme's records answer 404."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from incubator.dates import add_months
from incubator.models import AuditEvent, TeamMember
from incubator.path.models import Enrolment
from tests import factories as f
from tests.api.helpers import client_as, client_for, enrolled

pytestmark = pytest.mark.django_db


def team_url(venture) -> str:
    return f"/api/v1/ventures/{venture.pk}/team/"


def dates_url(enrolment) -> str:
    return f"/api/v1/enrolments/{enrolment.pk}/dates/"


# --- the team ---------------------------------------------------------------------------------


def test_a_coordinator_adds_a_member_and_records_that_they_left(world):
    client = client_as(world.coordinator)
    newcomer = f.PersonFactory(programme=world.programme)
    response = client.post(team_url(world.venture), {"person": newcomer.pk, "role": "member"})
    assert response.status_code == 200, response.content
    assert newcomer.pk in {member["person"] for member in response.json()["team"]}

    response = client.patch(team_url(world.venture), {"person": newcomer.pk, "left_on": "2026-06-30"})
    assert response.status_code == 200, response.content
    (row,) = [member for member in response.json()["team"] if member["person"] == newcomer.pk]
    assert row["left_on"] == "2026-06-30"
    assert AuditEvent.objects.filter(verb="team.update", programme=world.programme).exists()


def test_team_changes_refused_naming_the_field(world, other):
    client = client_as(world.coordinator)
    member = TeamMember.objects.get(venture=world.venture)
    # Already in the team; a person of another programme is "does not exist".
    response = client.post(team_url(world.venture), {"person": member.person_id})
    assert response.status_code == 400
    response = client.post(team_url(world.venture), {"person": other.participant_person.pk})
    assert response.status_code == 400 and list(response.json()) == ["person"]
    # Not a member of this team.
    response = client.patch(team_url(world.venture), {"person": other.participant_person.pk, "role": "lead"})
    assert response.status_code == 400 and list(response.json()) == ["person"]
    # Leaving before joining breaks the database rule: a field error, nothing written.
    client.patch(team_url(world.venture), {"person": member.person_id, "joined_on": "2026-05-01"})
    response = client.patch(team_url(world.venture), {"person": member.person_id, "left_on": "2026-04-01"})
    assert response.status_code == 400, response.content
    member.refresh_from_db()
    assert member.left_on is None
    response = client.patch(team_url(world.venture), {"person": member.person_id, "role": "boss"})
    assert response.status_code == 400 and list(response.json()) == ["role"]


def test_a_participant_sees_but_does_not_change_the_roles(world):
    member = TeamMember.objects.get(venture=world.venture)
    response = client_as(world.participant).patch(team_url(world.venture), {"person": member.person_id, "role": "lead"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.role == "member" or member.role == TeamMember.objects.get(pk=member.pk).role


@pytest.mark.parametrize("role", ["evaluator", "tutor"])
def test_other_roles_do_not_reach_the_team(role, world):
    newcomer = f.PersonFactory(programme=world.programme)
    response = client_for(role, world, None).post(team_url(world.venture), {"person": newcomer.pk})
    assert response.status_code in (403, 404)
    assert not TeamMember.objects.filter(person=newcomer).exists()


def test_another_programmes_team_is_not_found(world, other):
    client = client_as(world.coordinator)
    newcomer = f.PersonFactory(programme=world.programme)
    assert client.post(team_url(other.venture), {"person": newcomer.pk}).status_code == 404
    member = TeamMember.objects.get(venture=other.venture)
    response = client.patch(team_url(other.venture), {"person": member.person_id, "left_on": "2026-01-01"})
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.left_on is None


# --- an enrolment's start ---------------------------------------------------------------------
# The world's call is open today: the paths are admitted now, starting in a month.


def start_in(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_a_postponed_start_moves_the_end_and_the_open_milestones(world):
    enrolment = enrolled(world, starts_on=start_in(30))
    due = sorted(enrolment.milestones.values_list("due_on", flat=True))
    response = client_as(world.coordinator).post(dates_url(enrolment), {"starts_on": start_in(61).isoformat()})
    assert response.status_code == 200, response.content
    enrolment.refresh_from_db()
    assert enrolment.starts_on == start_in(61)
    assert enrolment.ends_on == add_months(start_in(61), enrolment.max_months)
    shifted = sorted(enrolment.milestones.values_list("due_on", flat=True))
    assert shifted == [min(d + dt.timedelta(days=31), enrolment.ends_on) for d in due]
    assert AuditEvent.objects.filter(verb="enrolment.dates", target_id=enrolment.pk).exists()


def test_the_start_of_a_path_under_way_does_not_change(world):
    enrolment = enrolled(world, starts_on=start_in(30))
    client = client_as(world.coordinator)
    response = client.post(dates_url(enrolment), {"starts_on": start_in(-1).isoformat()})
    assert response.status_code == 400 and list(response.json()) == ["starts_on"]
    response = client.post(dates_url(enrolment), {})
    assert response.status_code == 400 and list(response.json()) == ["ends_on"]
    with time_machine.travel(start_in(40).isoformat() + "T10:00+01:00", tick=False):
        response = client.post(dates_url(enrolment), {"starts_on": start_in(70).isoformat()})
        assert response.status_code == 400 and list(response.json()) == ["starts_on"]
    assert Enrolment.objects.get(pk=enrolment.pk).starts_on == start_in(30)


def test_a_start_with_an_end_beyond_the_cap_is_refused(world):
    enrolment = enrolled(world, starts_on=start_in(30))
    too_late = add_months(start_in(61), enrolment.max_months) + dt.timedelta(days=1)
    response = client_as(world.coordinator).post(
        dates_url(enrolment), {"starts_on": start_in(61).isoformat(), "ends_on": too_late.isoformat()}
    )
    assert response.status_code == 400 and list(response.json()) == ["ends_on"]
    assert Enrolment.objects.get(pk=enrolment.pk).starts_on == start_in(30)


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant"])
def test_only_coordinators_move_the_start(role, world):
    enrolment = enrolled(world, starts_on=start_in(30))
    response = client_for(role, world, None).post(dates_url(enrolment), {"starts_on": start_in(61).isoformat()})
    assert response.status_code in (403, 404)
    assert Enrolment.objects.get(pk=enrolment.pk).starts_on == start_in(30)


def test_another_programmes_enrolment_is_not_found(world, other):
    enrolment = enrolled(other, starts_on=start_in(30))
    response = client_as(world.coordinator).post(dates_url(enrolment), {"starts_on": start_in(61).isoformat()})
    assert response.status_code == 404
    assert Enrolment.objects.get(pk=enrolment.pk).starts_on == start_in(30)
