"""API: cohorts and their modules, enrolments and calendar link; each role allowed and
refused (another programme's cohort answers 404), bad input 400 naming the field."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cohorts.models import Cohort, CurriculumModule
from incubator.calendar.models import CalendarFeed
from tests.cohorts.helpers import build_cohort, days_ago, enrol, make_trainer, new_enrolment, today

pytestmark = pytest.mark.django_db


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def cw(world):
    cw = build_cohort(world)
    cw.session(day=days_ago(3))
    return cw


@pytest.fixture
def ocw(other):
    return build_cohort(other, name="Coorte B")


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"), [("coordinator", True), ("tutor", True), ("participant", True), ("evaluator", False)]
)
def test_cohort_list_and_detail_by_role(world, cw, ocw, role, sees):
    client = client_as(getattr(world, role))
    assert ids(client.get("/api/v1/cohorts/")) == ({cw.cohort.pk} if sees else set())
    assert client.get(f"/api/v1/cohorts/{cw.cohort.pk}/").status_code == (200 if sees else 404)
    assert client.get(f"/api/v1/cohorts/{ocw.cohort.pk}/").status_code == 404


def test_cohort_detail_shape(world, cw):
    data = client_as(world.coordinator).get(f"/api/v1/cohorts/{cw.cohort.pk}/").json()
    assert data["name"] == cw.cohort.name and data["enrolment_count"] == 2
    assert (data["completion_threshold"], data["grant_threshold"]) == ("70.00", "80.00")
    assert [m["order"] for m in data["modules"]] == list(range(1, 8))


def test_trainer_sees_only_cohorts_whose_sessions_they_run(world, cw):
    stranger = make_trainer(world, "estraneo")
    assert ids(client_as(stranger).get("/api/v1/cohorts/")) == set()
    assert client_as(stranger).get(f"/api/v1/cohorts/{cw.cohort.pk}/").status_code == 404


def test_anonymous_is_refused(cw):
    assert client_as(None).get("/api/v1/cohorts/").status_code in (401, 403)


def test_filters(world, cw):
    client = client_as(world.coordinator)
    assert ids(client.get(f"/api/v1/cohorts/?programme={world.programme.pk}")) == {cw.cohort.pk}
    assert ids(client.get("/api/v1/cohorts/?call=0")) == set()


# --- writing -------------------------------------------------------------------------------


def _body(world, **extra):
    return {
        "programme": world.programme.pk,
        "call": world.call.pk,
        "name": "Coorte API",
        "starts_on": str(days_ago(5)),
        "ends_on": str(today() + dt.timedelta(days=90)),
        **extra,
    }


def test_coordinator_creates_a_cohort(world):
    response = client_as(world.coordinator).post("/api/v1/cohorts/", _body(world), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert len(data["modules"]) == 7 and data["grant_threshold"] == "80.00"
    custom = client_as(world.coordinator).post(
        "/api/v1/cohorts/",
        _body(world, name="Corta", modules=[{"title": "Unico", "planned_hours": "10"}], completion_threshold="80"),
        format="json",
    )
    assert [m["title"] for m in custom.json()["modules"]] == ["Unico"]
    assert custom.json()["completion_threshold"] == "80.00"


@pytest.mark.parametrize("role", ["tutor", "participant", "evaluator"])
def test_other_roles_cannot_create(world, role):
    response = client_as(getattr(world, role)).post("/api/v1/cohorts/", _body(world), format="json")
    assert response.status_code == 403  # they see the programme, but creating is the coordinators'.
    assert not Cohort.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"completion_threshold": "120"}, "completion_threshold"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"name": ""}, "name"),
        ({"call": 0}, "call"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, extra, field):
    response = client_as(world.coordinator).post("/api/v1/cohorts/", _body(world, **extra), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Cohort.objects.exists()


def test_another_programmes_call_is_not_found(world, other):
    response = client_as(world.coordinator).post("/api/v1/cohorts/", _body(world, call=other.call.pk), format="json")
    assert response.status_code == 400 and "call" in response.json()


def test_patch_thresholds(world, cw, other):
    url = f"/api/v1/cohorts/{cw.cohort.pk}/"
    response = client_as(world.coordinator).patch(url, {"grant_threshold": "85.5"}, format="json")
    assert response.status_code == 200 and response.json()["grant_threshold"] == "85.50"
    assert client_as(world.tutor).patch(url, {"name": "x"}, format="json").status_code == 403
    assert client_as(other.coordinator).patch(url, {"name": "x"}, format="json").status_code == 404
    cw.cohort.refresh_from_db()
    assert cw.cohort.grant_threshold == Decimal("85.50") and cw.cohort.name == "Coorte 1"


def test_add_and_remove_enrolment(world, cw, other):
    enrolment, _people = new_enrolment(world)
    url = f"/api/v1/cohorts/{cw.cohort.pk}"
    response = client_as(world.coordinator).post(f"{url}/add-enrolment/", {"enrolment": enrolment.pk}, format="json")
    assert response.status_code == 200 and response.json()["enrolment_count"] == 3
    again = client_as(world.coordinator).post(f"{url}/add-enrolment/", {"enrolment": enrolment.pk}, format="json")
    assert again.status_code == 400 and "enrolment" in again.json()
    foreign = enrol(other.application)
    refused = client_as(world.coordinator).post(f"{url}/add-enrolment/", {"enrolment": foreign.pk}, format="json")
    assert refused.status_code == 400 and "enrolment" in refused.json()
    missing_reason = client_as(world.coordinator).post(
        f"{url}/remove-enrolment/", {"enrolment": enrolment.pk}, format="json"
    )
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()
    removed = client_as(world.coordinator).post(
        f"{url}/remove-enrolment/", {"enrolment": enrolment.pk, "reason": "Errore"}, format="json"
    )
    assert removed.status_code == 200 and removed.json()["enrolment_count"] == 2


def test_calendar_link_actions(world, cw, other):
    url = f"/api/v1/cohorts/{cw.cohort.pk}/calendar-feed/"
    link = client_as(world.participant).post(url)
    assert link.status_code == 200
    feed = CalendarFeed.objects.get(kind="cohort", subject_id=cw.cohort.pk)
    assert link.json()["url"].endswith(f"/calendar/{feed.token}.ics")
    assert client_as(world.tutor).post(url).json()["url"] == link.json()["url"]
    assert client_as(other.coordinator).post(url).status_code == 404
    assert client_as(world.evaluator).post(url).status_code == 404
    assert client_as(world.participant).post(f"{url}rotate/").status_code == 403
    rotated = client_as(world.coordinator).post(f"{url}rotate/")
    assert rotated.status_code == 200 and rotated.json()["url"] != link.json()["url"]
    assert APIClient().get(link.json()["url"]).status_code == 404
    assert APIClient().get(rotated.json()["url"]).status_code == 200


# --- modules -------------------------------------------------------------------------------


def test_modules_by_role_and_writes(world, cw, ocw):
    mine = set(cw.cohort.modules.values_list("pk", flat=True))
    assert ids(client_as(world.coordinator).get("/api/v1/cohort-modules/?page_size=50")) == mine
    assert ids(client_as(world.participant).get("/api/v1/cohort-modules/?page_size=50")) == mine
    assert ids(client_as(world.evaluator).get("/api/v1/cohort-modules/")) == set()
    assert client_as(world.coordinator).get(f"/api/v1/cohort-modules/{ocw.module.pk}/").status_code == 404

    body = {"cohort": cw.cohort.pk, "title": "Laboratorio", "planned_hours": "4", "mode": "team_work"}
    created = client_as(world.coordinator).post("/api/v1/cohort-modules/", body, format="json")
    assert created.status_code == 201 and created.json()["order"] == 8
    duplicate = client_as(world.coordinator).post("/api/v1/cohort-modules/", body, format="json")
    assert duplicate.status_code == 400 and "title" in duplicate.json()
    assert client_as(world.participant).post("/api/v1/cohort-modules/", body, format="json").status_code == 403
    foreign = client_as(ocw.coordinator).post("/api/v1/cohort-modules/", body, format="json")
    assert foreign.status_code == 400 and "cohort" in foreign.json()  # not found among theirs

    module_url = f"/api/v1/cohort-modules/{created.json()['id']}/"
    patched = client_as(world.coordinator).patch(module_url, {"planned_hours": "6"}, format="json")
    assert patched.status_code == 200 and patched.json()["planned_hours"] == "6.00"
    assert client_as(world.coordinator).delete(f"/api/v1/cohort-modules/{cw.module.pk}/").status_code == 400
    assert client_as(world.coordinator).delete(module_url).status_code == 204
    assert not CurriculumModule.objects.filter(title="Laboratorio").exists()


def test_administrator_sees_and_acts_everywhere(admin_user, cw, ocw):
    client = client_as(admin_user)
    assert ids(client.get("/api/v1/cohorts/")) == {cw.cohort.pk, ocw.cohort.pk}
    session = ocw.session(day=days_ago(2))
    body = {"marks": [{"person": ocw.people[0].pk, "status": "present"}]}
    response = client.post(f"/api/v1/training-sessions/{session.pk}/attendance/", body, format="json")
    assert response.status_code == 200 and response.json()["created"] == [ocw.people[0].pk]
    assert client.get(f"/api/v1/cohorts/{ocw.cohort.pk}/attendance/").status_code == 200
