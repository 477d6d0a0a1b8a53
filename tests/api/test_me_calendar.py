"""``me/calendar/``: the participant's own secret iCalendar link per programme (issued on
first use, the same afterwards) and its rotation; nobody reaches another's link."""

import pytest

from incubator.calendar.models import CalendarFeed
from tests.api.helpers import ANONYMOUS, ROLES, client_as, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/calendar/"
ROTATE = "/api/v1/me/calendar/rotate/"


def test_a_participant_gets_one_stable_link_per_programme(world):
    client = client_as(world.participant)
    (first,) = client.get(URL).json()
    assert first["programme"] == world.programme.pk
    feed = CalendarFeed.objects.get(user=world.participant, kind=CalendarFeed.Kind.PARTICIPANT, revoked_at=None)
    assert first["url"].endswith(f"/calendar/{feed.token}.ics")
    assert client.get(URL).json() == [first]
    # The link answers the feed.
    assert client.get(first["url"].split("testserver", 1)[1]).status_code == 200


def test_rotation_revokes_the_old_link(world):
    client = client_as(world.participant)
    (old,) = client.get(URL).json()
    response = client.post(ROTATE, {"programme": world.programme.pk})
    assert response.status_code == 200, response.content
    assert response.json()["url"] != old["url"]
    assert client.get(URL).json()[0]["url"] == response.json()["url"]
    assert client.get(old["url"].split("testserver", 1)[1]).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_by_role(role, world, admin_user):
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    assert response.status_code == 200
    assert len(response.json()) == (1 if role == "participant" else 0)


def test_rotation_is_refused_for_a_programme_out_of_reach(world, other):
    response = client_as(world.participant).post(ROTATE, {"programme": other.programme.pk})
    assert response.status_code == 400 and list(response.json()) == ["programme"]
    response = client_as(world.participant).post(ROTATE, {})
    assert response.status_code == 400 and list(response.json()) == ["programme"]
    assert not CalendarFeed.objects.filter(user=world.participant).exists()


def test_a_coordinator_is_not_a_participant(world):
    response = client_as(world.coordinator).post(ROTATE, {"programme": world.programme.pk})
    assert response.status_code == 400 and list(response.json()) == ["programme"]
    assert not CalendarFeed.objects.exists()
