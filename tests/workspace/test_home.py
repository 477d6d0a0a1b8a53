"""The home page links every task of each role; a trainer who tutors nobody is not sent
to an empty "my ventures" page."""

import pytest
from django.urls import reverse

from incubator import access
from incubator.models import RoleAssignment
from tests.cohorts.helpers import make_trainer

pytestmark = pytest.mark.django_db


def _links(client, user) -> list[str]:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return [task.url for section in response.context["sections"] for task in section.tasks]


def test_a_trainer_who_tutors_nobody_gets_their_sessions_not_a_404(client, world):
    trainer = make_trainer(world, "trainer-only")
    links = _links(client, trainer)
    assert reverse("cohorts:my-sessions") in links
    assert reverse("mentoring:my-ventures") not in links  # no tutor profile: the page would be empty
    for url in links:
        assert client.get(url).status_code == 200, url


def test_several_roles_see_every_task_of_each(client, world):
    RoleAssignment.objects.create(user=world.coordinator, programme=world.programme, role="tutor")
    RoleAssignment.objects.create(user=world.coordinator, programme=world.programme, role="participant")
    access.forget(world.coordinator)
    links = _links(client, world.coordinator)
    for name in ("cohorts:coordinator", "cohorts:dashboard", "cohorts:my-sessions", "cohorts:path-overview"):
        assert reverse(name) in links, name
    assert reverse("cohorts:my-path") in links
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html  # the back office, for staff


def test_single_roles_land_on_their_home(client, world):
    client.force_login(world.participant)
    assert client.get("/")["Location"] == reverse("cohorts:my-path")
    client.force_login(world.coordinator)
    assert client.get("/")["Location"] == reverse("cohorts:coordinator")
