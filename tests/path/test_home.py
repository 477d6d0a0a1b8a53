"""The landing page sends each role to its pages."""

import pytest
from django.test import Client

from incubator import access
from incubator.models import RoleAssignment

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_home_sends_each_role_to_its_pages(world, picture, admin_user):
    assert browser(world.participant).get("/")["Location"] == "/my-path/"
    # A tutor (or trainer) gets the page of their tasks, each of which answers.
    tutor_home = browser(world.tutor).get("/")
    assert tutor_home.status_code == 200
    links = [url for url in ("/sessions/", "/path/", "/tutor/") if f'href="{url}"' in tutor_home.content.decode()]
    assert links == ["/sessions/", "/path/", "/tutor/"]
    for url in links:
        assert browser(world.tutor).get(url).status_code == 200, url
    coordinator_target = browser(world.coordinator).get("/")["Location"]
    assert coordinator_target == "/coordinator/"
    assert browser(world.coordinator).get(coordinator_target).status_code == 200
    assert browser(admin_user).get("/")["Location"] == "/admin/"
    welcome = browser().get("/")
    assert welcome.status_code == 200
    assert 'href="/calls/"' in welcome.text and 'href="/login/"' in welcome.text


def test_home_with_several_roles_offers_a_choice(world, picture):
    RoleAssignment.objects.create(user=world.participant, programme=world.programme, role="tutor")
    access.forget(world.participant)
    response = browser(world.participant).get("/")
    assert response.status_code == 200
    assert 'href="/my-path/"' in response.content.decode()
