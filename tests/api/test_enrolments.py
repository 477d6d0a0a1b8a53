"""/api/v1/enrolments/: accompaniment paths, their end date (36 months at most) and status."""

import datetime as dt

import pytest

from incubator.models import AuditEvent
from incubator.path.models import EnrolmentStatus
from tests.api.helpers import ANONYMOUS, ROLES, client_for, enrolled, ids

pytestmark = pytest.mark.django_db

URL = "/api/v1/enrolments/"


def url(enrolment, action: str = "") -> str:
    return f"{URL}{enrolment.pk}/" + (f"{action}/" if action else "")


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role(role, world, other, admin_user):
    own, foreign = enrolled(world), enrolled(other)
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {
        "coordinator": {own.pk},
        "participant": {own.pk},
        "evaluator": set(),
        "tutor": set(),
        "admin": {own.pk, foreign.pk},
    }[role]
    assert ids(response) == expected


def test_representation_and_filters(world):
    enrolment = enrolled(world)
    client = client_for("participant", world, None)
    data = client.get(url(enrolment)).json()
    assert data == {
        "id": enrolment.pk,
        "application": world.application.pk,
        "call": world.call.pk,
        "venture": world.venture.pk,
        "venture_title": world.venture.title,
        "starts_on": "2026-03-01",
        "ends_on": "2029-03-01",
        "max_months": 36,
        "status": "active",
        "exited_on": None,
        "exit_reason": "",
    }
    assert ids(client.get(URL, {"call": world.call.pk, "status": "active"})) == {enrolment.pk}
    assert ids(client.get(URL, {"status": "completed"})) == set()
    assert ids(client.get(URL, {"venture": world.venture.pk, "programme": world.programme.pk})) == {enrolment.pk}


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "tutor", "participant"])
def test_other_programmes_enrolment_is_not_found(role, world, other):
    foreign = enrolled(other)
    client = client_for(role, world, None)
    assert client.get(url(foreign)).status_code == 404
    assert client.post(url(foreign, "dates"), {"ends_on": "2028-01-01"}, format="json").status_code == 404
    assert client.post(url(foreign, "status"), {"status": "suspended"}, format="json").status_code == 404
    foreign.refresh_from_db()
    assert (foreign.ends_on, foreign.status) == (dt.date(2029, 3, 1), "active")


def test_change_end_date_within_36_months(world):
    enrolment = enrolled(world)
    client = client_for("coordinator", world, None)
    response = client.post(url(enrolment, "dates"), {"ends_on": "2028-09-30", "reason": "Early exit"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["ends_on"] == "2028-09-30"
    assert AuditEvent.objects.filter(verb="enrolment.dates", target_id=enrolment.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ends_on": "2029-04-01"}, "ends_on"),  # 37 months
        ({"ends_on": "2029-03-02"}, "ends_on"),  # one day over 36 months
        ({"ends_on": "2026-02-01"}, "non_field_errors"),  # before the start: a database rule
        ({"ends_on": "next year"}, "ends_on"),
        ({}, "ends_on"),
    ],
)
def test_bad_end_date_is_refused(body, field, world):
    enrolment = enrolled(world)
    response = client_for("coordinator", world, None).post(url(enrolment, "dates"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    enrolment.refresh_from_db()
    assert enrolment.ends_on == dt.date(2029, 3, 1)


@pytest.mark.parametrize(("role", "expected"), [("participant", 403), ("evaluator", 404), ("tutor", 404)])
def test_only_coordinators_change_dates_and_status(role, expected, world):
    enrolment = enrolled(world)
    client = client_for(role, world, None)
    assert client.post(url(enrolment, "dates"), {"ends_on": "2028-01-01"}, format="json").status_code == expected
    assert client.post(url(enrolment, "status"), {"status": "suspended"}, format="json").status_code == expected
    enrolment.refresh_from_db()
    assert (enrolment.ends_on, enrolment.status) == (dt.date(2029, 3, 1), "active")


def test_status_changes(world):
    enrolment = enrolled(world)
    client = client_for("coordinator", world, None)
    response = client.post(url(enrolment, "status"), {"status": "suspended", "reason": "Illness"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == EnrolmentStatus.SUSPENDED
    response = client.post(url(enrolment, "status"), {"status": "completed"}, format="json")
    assert response.status_code == 400  # suspended -> completed is not a transition
    assert "status" in response.json()
    response = client.post(url(enrolment, "status"), {"status": "withdrawn"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = client.post(url(enrolment, "status"), {"status": "on_holiday"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    response = client.post(
        url(enrolment, "status"), {"status": "withdrawn", "reason": "Found a job", "on": "2026-09-01"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["exited_on"], response.json()["exit_reason"]) == ("2026-09-01", "Found a job")
