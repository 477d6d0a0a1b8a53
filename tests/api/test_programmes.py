"""/api/v1/programmes/: every role sees the programmes it holds a role in; only
administrators create them."""

import pytest

from incubator.models import AuditEvent, Programme
from tests.api.helpers import ANONYMOUS, ROLES, client_for, ids

pytestmark = pytest.mark.django_db

URL = "/api/v1/programmes/"

BODY = {
    "name": "INNESCO",
    "code": "CT3.3.1.a",
    "action": "3.3.1",
    "fund": "FESR",
    "cup": "B61B19000000007",
    "budget": "2668337.00",
    "starts_on": "2019-01-01",
    "ends_on": "2022-12-31",
    "target_areas": ["Municipalità 1", "Municipalità 4"],
    "managing_body": "Comune di Napoli",
}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_own_programmes_only(role, world, other, admin_user):
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {world.programme.pk, other.programme.pk} if role == "admin" else {world.programme.pk}
    assert ids(response) == expected


@pytest.mark.parametrize("role", ROLES)
def test_retrieve_own_and_other(role, world, other, admin_user):
    client = client_for(role, world, admin_user)
    own = client.get(f"{URL}{world.programme.pk}/")
    foreign = client.get(f"{URL}{other.programme.pk}/")
    if role == "anonymous":
        assert own.status_code in ANONYMOUS and foreign.status_code in ANONYMOUS
        return
    assert own.status_code == 200
    assert own.json()["code"] == world.programme.code
    assert foreign.status_code == (200 if role == "admin" else 404)


def test_filter_by_fund(world, other, admin_user):
    other.programme.fund = "FSE+"
    other.programme.save()
    client = client_for("admin", world, admin_user)
    assert ids(client.get(URL, {"fund": "FSE+"})) == {other.programme.pk}


def test_admin_creates_programme(world, admin_user):
    response = client_for("admin", world, admin_user).post(URL, BODY, format="json")
    assert response.status_code == 201, response.content
    programme = Programme.objects.get(code="CT3.3.1.a")
    assert response.json()["id"] == programme.pk
    assert str(programme.budget) == "2668337.00"
    assert programme.target_areas == ["Municipalità 1", "Municipalità 4"]
    assert AuditEvent.objects.filter(verb="programme.create", target_id=programme.pk).exists()


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "tutor", "participant", "anonymous"])
def test_others_cannot_create_programme(role, world, admin_user):
    response = client_for(role, world, admin_user).post(URL, BODY, format="json")
    assert response.status_code in (403, *ANONYMOUS)
    assert not Programme.objects.filter(code="CT3.3.1.a").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"budget": "a lot"}, "budget"),
        ({"budget": "-1"}, "budget"),
        ({"fund": "ESF"}, "fund"),
        ({"ends_on": "2018-12-31"}, "ends_on"),
        ({"starts_on": "01/01/2019"}, "starts_on"),
        ({"code": "A-3.3.1"}, "code"),  # the world's programme already has it
    ],
)
def test_bad_programme_is_refused(change, field, world, admin_user):
    before = Programme.objects.count()
    body = {k: v for k, v in {**BODY, **change}.items() if v is not None}
    response = client_for("admin", world, admin_user).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Programme.objects.count() == before
