"""Staffing a programme through the API: ``users``, ``role-assignments`` (grant, revoke)
and ``people/{id}/login/``. Administrators do everything; a programme's coordinators
give logins to their people and grant or revoke every role but coordinator; nobody else
staffs; another programme's users, roles and people answer 404."""

import pytest

from incubator import access
from incubator.models import AuditEvent, RoleAssignment, User
from tests import factories as f
from tests.api.helpers import ANONYMOUS, ROLES, client_as, client_for, ids, results

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"
ROLES_URL = "/api/v1/role-assignments/"


def login_url(person) -> str:
    return f"/api/v1/people/{person.pk}/login/"


# --- users ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_users_by_role(role, world, other, admin_user):
    response = client_for(role, world, admin_user).get(USERS)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    staff = {getattr(world, name).pk for name in ("coordinator", "evaluator", "evaluator2", "tutor", "participant")}
    expected = {
        "coordinator": staff,
        "admin": set(User.objects.values_list("pk", flat=True)),
    }.get(role, {getattr(world, role).pk if role != "admin" else None})
    assert ids(response) == expected


def test_a_coordinator_sees_only_roles_in_their_programmes(world, other):
    RoleAssignment.objects.create(user=world.tutor, programme=other.programme, role="tutor")
    data = client_as(world.coordinator).get(f"{USERS}{world.tutor.pk}/").json()
    assert [(r["programme"], r["role"]) for r in data["roles"]] == [(world.programme.pk, "tutor")]
    assert client_as(world.coordinator).get(f"{USERS}{other.tutor.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_users_query_count(rows, world, django_assert_num_queries):
    for _ in range(rows - 1):
        RoleAssignment.objects.create(user=f.UserFactory(), programme=world.programme, role="tutor")
    access.forget(world.coordinator)
    client = client_as(world.coordinator)
    # requester's roles, count, page, the page's roles
    with django_assert_num_queries(4):
        response = client.get(USERS, {"page_size": 100})
    assert len(results(response)) == rows + 4  # and the world's five staff, less none


# --- role assignments -------------------------------------------------------------------------


def test_a_coordinator_grants_and_revokes_a_tutor_role(world):
    newcomer = f.UserFactory()
    client = client_as(world.coordinator)
    # Not visible to the coordinator yet: a user with no role in their programmes.
    response = client.post(
        ROLES_URL, {"user": newcomer.pk, "programme": world.programme.pk, "role": "tutor"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["user"]

    person = f.PersonFactory(programme=world.programme)
    created = client.post(login_url(person), {"username": "nuovo.tutor"}, format="json")
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    response = client.post(ROLES_URL, {"user": user_id, "programme": world.programme.pk, "role": "tutor"})
    assert response.status_code == 201, response.content
    assignment = response.json()
    assert (assignment["user"], assignment["role"], assignment["programme_code"]) == (
        user_id,
        "tutor",
        world.programme.code,
    )
    assert AuditEvent.objects.filter(verb="role.grant", programme=world.programme).exists()

    assert client.delete(f"{ROLES_URL}{assignment['id']}/").status_code == 204
    assert not RoleAssignment.objects.filter(pk=assignment["id"]).exists()


def test_only_an_administrator_grants_or_revokes_a_coordinator_role(world, admin_user):
    body = {"user": world.tutor.pk, "programme": world.programme.pk, "role": "coordinator"}
    assert client_as(world.coordinator).post(ROLES_URL, body).status_code == 403
    assert not RoleAssignment.objects.filter(user=world.tutor, role="coordinator").exists()
    response = client_as(admin_user).post(ROLES_URL, body)
    assert response.status_code == 201
    assert client_as(world.coordinator).delete(f"{ROLES_URL}{response.json()['id']}/").status_code == 403
    assert client_as(admin_user).delete(f"{ROLES_URL}{response.json()['id']}/").status_code == 204


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant"])
def test_other_roles_cannot_staff(role, world):
    client = client_as(getattr(world, role))
    own = RoleAssignment.objects.get(user=getattr(world, role), programme=world.programme)
    response = client.post(
        ROLES_URL, {"user": getattr(world, role).pk, "programme": world.programme.pk, "role": "tutor"}
    )
    assert response.status_code == 403
    # Their own role is visible to them, but not theirs to revoke.
    assert client.delete(f"{ROLES_URL}{own.pk}/").status_code == 403
    assert RoleAssignment.objects.filter(pk=own.pk).exists()
    assert client.post(login_url(f.PersonFactory(programme=world.programme)), {"username": "x"}).status_code == 404


def test_another_programmes_roles_are_not_found(world, other):
    client = client_as(world.coordinator)
    foreign = RoleAssignment.objects.get(user=other.tutor, programme=other.programme)
    assert client.get(f"{ROLES_URL}{foreign.pk}/").status_code == 404
    assert client.delete(f"{ROLES_URL}{foreign.pk}/").status_code == 404
    assert foreign.pk not in ids(client.get(ROLES_URL))
    response = client.post(ROLES_URL, {"user": world.tutor.pk, "programme": other.programme.pk, "role": "tutor"})
    assert response.status_code == 400 and list(response.json()) == ["programme"]
    assert not RoleAssignment.objects.filter(user=world.tutor, programme=other.programme).exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_role_assignments_query_count(rows, world, django_assert_num_queries):
    for _ in range(rows - 1):
        RoleAssignment.objects.create(user=f.UserFactory(), programme=world.programme, role="evaluator")
    access.forget(world.coordinator)
    client = client_as(world.coordinator)
    # requester's roles, count, page (with programme)
    with django_assert_num_queries(3):
        response = client.get(ROLES_URL, {"page_size": 100})
    assert len(results(response)) == rows + 4


# --- a login for a person ---------------------------------------------------------------------


def test_a_login_for_a_person_has_no_password_and_is_linked(world):
    person = f.PersonFactory(programme=world.programme, email="anna@example.org")
    response = client_as(world.coordinator).post(login_url(person), {"username": "anna"}, format="json")
    assert response.status_code == 201, response.content
    user = User.objects.get(username="anna")
    assert response.json()["email"] == "anna@example.org" and response.json()["roles"] == []
    assert not user.has_usable_password()
    person.refresh_from_db()
    assert person.user == user
    assert AuditEvent.objects.filter(verb="person.login", programme=world.programme).exists()


def test_a_login_is_refused_naming_the_field(world):
    client = client_as(world.coordinator)
    # The person already has one.
    response = client.post(login_url(world.participant_person), {"username": "again"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["person"]
    # The username is taken.
    person = f.PersonFactory(programme=world.programme)
    response = client.post(login_url(person), {"username": world.tutor.username}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["username"]
    response = client.post(login_url(person), {"username": ""}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["username"]
    person.refresh_from_db()
    assert person.user is None


def test_another_programmes_person_gets_no_login(world, other):
    person = f.PersonFactory(programme=other.programme)
    response = client_as(world.coordinator).post(login_url(person), {"username": "intruso"}, format="json")
    assert response.status_code == 404
    assert not User.objects.filter(username="intruso").exists()


def test_the_demo_staffs_a_new_tutor_through_the_services(world):
    import datetime as dt
    import random

    from incubator.demo_context import DemoContext
    from incubator.demo_staffing import USERNAME, seed_staffing

    ctx = DemoContext(
        rng=random.Random(1),
        today=dt.date(2026, 12, 4),
        users={"coordinator": world.coordinator},
        programme=world.programme,
    )
    seed_staffing(ctx)
    seed_staffing(ctx)  # idempotent
    user = User.objects.get(username=USERNAME)
    assert list(user.roles.values_list("programme", "role")) == [(world.programme.pk, "tutor")]
    assert user.person.programme == world.programme and not user.has_usable_password()
