"""/api/v1/people/: full personal records, for the programme's coordinators and the
person themself only; tax codes validated by the service."""

import pytest

from incubator.models import AuditEvent, Person
from tests import factories as f
from tests.api.helpers import ANONYMOUS, ROLES, client_for, ids, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/"


def url(person) -> str:
    return f"{URL}{person.pk}/"


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role(role, world, other, admin_user):
    colleague = f.PersonFactory(programme=world.programme)
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    own = {world.participant_person.pk, colleague.pk}
    expected = {
        "coordinator": own,
        "participant": {world.participant_person.pk},  # themself only
        "evaluator": set(),
        "tutor": set(),
        "admin": own | {other.participant_person.pk},
    }[role]
    assert ids(response) == expected


@pytest.mark.parametrize("role", ["evaluator", "tutor"])
def test_evaluators_and_tutors_never_get_personal_data(role, world):
    response = client_for(role, world, None).get(url(world.participant_person))
    assert response.status_code == 404
    assert world.participant_person.tax_code not in response.content.decode()


def test_coordinator_sees_contacts_and_tax_code(world):
    data = client_for("coordinator", world, None).get(url(world.participant_person)).json()
    person = world.participant_person
    assert (data["tax_code"], data["email"], data["user"]) == (person.tax_code, person.email, world.participant.pk)


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "tutor", "participant"])
def test_other_programmes_person_is_not_found(role, world, other):
    client = client_for(role, world, None)
    assert client.get(url(other.participant_person)).status_code == 404
    assert client.patch(url(other.participant_person), {"phone": "333"}, format="json").status_code == 404
    other.participant_person.refresh_from_db()
    assert other.participant_person.phone == ""


def test_filters(world):
    client = client_for("coordinator", world, None)
    person = world.participant_person
    assert ids(client.get(URL, {"tax_code": person.tax_code.lower()})) == {person.pk}
    assert ids(client.get(URL, {"programme": world.programme.pk})) == {person.pk}
    assert results(client.get(URL, {"programme": 999999})) == []


def body(of, **changes):
    data = {
        "programme": of.pk,
        "first_name": "Maria",
        "last_name": "Rossi",
        "tax_code": f.tax_code(4242).lower(),
        "email": "maria.rossi@example.org",
        "phone": "+39 081 000000",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_coordinator_creates_person_with_normalised_tax_code(world):
    response = client_for("coordinator", world, None).post(URL, body(world.programme), format="json")
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert person.tax_code == f.tax_code(4242)
    assert response.json()["tax_code"] == f.tax_code(4242)
    assert AuditEvent.objects.filter(verb="person.create", target_id=person.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tax_code": "RSSMRA80A01F839X"}, "tax_code"),  # wrong check character
        ({"tax_code": "XXX"}, "tax_code"),
        ({"tax_code": None}, "tax_code"),
        ({"tax_code": "already"}, "non_field_errors"),  # unique per programme
        ({"email": "not-an-email"}, "email"),
        ({"first_name": None}, "first_name"),
        ({"programme": 999999}, "programme"),
        ({"programme": "other"}, "programme"),
    ],
)
def test_bad_person_is_refused(changes, field, world, other):
    changes = {
        k: {"already": world.participant_person.tax_code, "other": other.programme.pk}.get(v, v)
        if isinstance(v, str)
        else v
        for k, v in changes.items()
    }
    before = Person.objects.count()
    response = client_for("coordinator", world, None).post(URL, body(world.programme, **changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Person.objects.count() == before


@pytest.mark.parametrize(("role", "expected"), [("participant", 403), ("evaluator", 403), ("tutor", 403)])
def test_only_coordinators_create_people(role, expected, world):
    response = client_for(role, world, None).post(URL, body(world.programme), format="json")
    assert response.status_code == expected
    assert not Person.objects.filter(last_name="Rossi").exists()


def test_coordinator_updates_person(world):
    client = client_for("coordinator", world, None)
    person = world.participant_person
    response = client.patch(url(person), {"phone": "+39 333 1234567"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+39 333 1234567"
    person.refresh_from_db()
    assert person.phone == "+39 333 1234567"
    event = AuditEvent.objects.get(verb="person.update", target_id=person.pk)
    assert event.after == {"changed": ["phone"]}
    response = client.patch(url(person), {"tax_code": "RSSMRA80A01F839X"}, format="json")
    assert response.status_code == 400
    assert "tax_code" in response.json()
    person.refresh_from_db()
    assert person.tax_code != "RSSMRA80A01F839X"
    # The programme is not changed by an update.
    response = client.patch(url(person), {"programme": 999999}, format="json")
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.programme == world.programme


def test_person_cannot_edit_themself(world):
    response = client_for("participant", world, None).patch(
        url(world.participant_person), {"phone": "1"}, format="json"
    )
    assert response.status_code == 403
    world.participant_person.refresh_from_db()
    assert world.participant_person.phone == ""


def test_put_and_delete_are_not_offered(world):
    client = client_for("coordinator", world, None)
    assert client.put(url(world.participant_person), body(world.programme), format="json").status_code == 405
    assert client.delete(url(world.participant_person)).status_code == 405
    assert Person.objects.filter(pk=world.participant_person.pk).exists()
