"""The participants' API: entry data, results, venture outcomes, unit costs and the read
log, for each role (allowed, and 404 for what is out of reach), bad input (400 naming the
field, nothing written), every read of entry data logged, and list query counts that do
not grow with the rows."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from incubator import access
from incubator.models import Person, RoleAssignment, User
from incubator.participants import services
from incubator.participants.models import ParticipantEntryData, SensitiveDataRead, VentureOutcome
from incubator.path.models import Enrolment
from tests import factories as f
from tests.reports.test_participants import ENTRY, enrolment_of, entry_for

pytestmark = pytest.mark.django_db

ENTRY_URL = "/api/v1/participant-entry-data/"


def client(user) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def people_for(world):
    return {
        "coordinator": world.coordinator,
        "participant": world.participant,
        "evaluator": world.evaluator,
        "tutor": world.tutor,
    }


# --- entry data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("coordinator", True),
        ("participant", True),
        ("evaluator", False),
        ("tutor", False),
        ("admin", False),
        ("other_coordinator", False),
    ],
)
def test_entry_data_list_and_detail_by_role(world, other, admin_user, role, sees):
    entry = entry_for(world)
    user = {"admin": admin_user, "other_coordinator": other.coordinator}.get(role) or getattr(world, role)
    api = client(user)
    listed = results(api.get(ENTRY_URL))
    detail = api.get(f"{ENTRY_URL}{entry.pk}/")
    if sees:
        assert [row["id"] for row in listed] == [entry.pk]
        assert detail.status_code == 200
        assert detail.json()["victim_of_violence"] is True
        assert detail.json()["age_band"] == "30_54"
        # One read for the list, one for the detail, each naming the reader.
        assert (
            SensitiveDataRead.objects.filter(reader=user, person=world.participant_person, channel="api").count() == 2
        )
    else:
        assert listed == []
        assert detail.status_code == 404
        assert not SensitiveDataRead.objects.exists()


def test_entry_data_anonymous_refused(world):
    entry_for(world)
    assert client(None).get(ENTRY_URL).status_code in (401, 403)


def test_entry_data_create_and_update_by_the_coordinator(world):
    api = client(world.coordinator)
    body = {
        **{k: str(v) if isinstance(v, dt.date) else v for k, v in ENTRY.items()},
        "person": world.participant_person.pk,
    }
    created = api.post(ENTRY_URL, body, format="json")
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    changed = api.patch(f"{ENTRY_URL}{entry_id}/", {"rural": True, "labour_status": "employed"}, format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["rural"], changed.json()["labour_status"]) == (True, "employed")
    # Writing echoes the data back: that is a read too.
    assert SensitiveDataRead.objects.filter(reader=world.coordinator).count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "2027-01-01"}, "birth_date"),
        ({"gender": "male"}, "victim_of_violence"),
        ({"gender": "unknown"}, "gender"),
        ({"entered_on": "not a date"}, "entered_on"),
        ({"labour_status": ""}, "labour_status"),
    ],
)
def test_entry_data_bad_input_is_400_with_the_field(world, changes, field):
    body = {
        **{k: str(v) if isinstance(v, dt.date) else v for k, v in ENTRY.items()},
        "person": world.participant_person.pk,
    }
    response = client(world.coordinator).post(ENTRY_URL, {**body, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ParticipantEntryData.objects.exists()


def test_entry_data_writes_refused_to_others(world, other):
    body = {
        **{k: str(v) if isinstance(v, dt.date) else v for k, v in ENTRY.items()},
        "person": world.participant_person.pk,
    }
    # The participant sees their person record but may not record their own entry data.
    assert client(world.participant).post(ENTRY_URL, body, format="json").status_code == 403
    # Another programme's coordinator cannot even name the person.
    response = client(other.coordinator).post(ENTRY_URL, body, format="json")
    assert response.status_code == 400 and "person" in response.json()
    entry = entry_for(world)
    assert client(world.participant).patch(f"{ENTRY_URL}{entry.pk}/", {"rural": True}).status_code == 403
    assert client(other.coordinator).patch(f"{ENTRY_URL}{entry.pk}/", {"rural": True}).status_code == 404
    assert client(world.tutor).patch(f"{ENTRY_URL}{entry.pk}/", {"rural": True}).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_entry_data_list_query_count(world, rows, django_assert_num_queries):
    entry_for(world)
    for _ in range(rows - 1):
        person = f.PersonFactory(programme=world.programme)
        services.entry_data_create(actor=world.coordinator, person=person, **ENTRY)
    api = client(User.objects.get(pk=world.coordinator.pk))
    # roles, count, page, the read log insert (one for the whole page)
    with django_assert_num_queries(4):
        assert len(results(api.get(ENTRY_URL))) == rows
    assert SensitiveDataRead.objects.count() == rows


# --- results -------------------------------------------------------------------------------


def test_results_api(world, other):
    enrolment = enrolment_of(world, status="withdrawn", exited_on=dt.date(2026, 3, 31), exit_reason="job")
    body = {
        "person": world.participant_person.pk,
        "enrolment": enrolment.pk,
        "timing": "exit",
        "observed_on": "2026-04-10",
        "source": "self_declaration",
        "employed": True,
    }
    url = "/api/v1/participant-results/"
    created = client(world.coordinator).post(url, body, format="json")
    assert created.status_code == 201, created.content
    again = client(world.coordinator).post(url, {**body, "employed": False, "job_searching": True}, format="json")
    assert again.status_code == 200 and again.json()["job_searching"] is True
    late = client(world.coordinator).post(url, {**body, "observed_on": "2026-05-30"}, format="json")
    assert late.status_code == 400 and "observed_on" in late.json()
    assert [r["id"] for r in results(client(world.participant).get(url))] == [created.json()["id"]]
    for user in (world.tutor, world.evaluator, other.coordinator):
        assert results(client(user).get(url)) == []
        assert client(user).get(f"{url}{created.json()['id']}/").status_code == 404
    assert client(world.participant).post(url, body, format="json").status_code == 403


@pytest.mark.parametrize("rows", [1, 50])
def test_results_list_query_count(world, rows, django_assert_num_queries):
    enrolment = enrolment_of(world, status="withdrawn", exited_on=dt.date(2026, 3, 31), exit_reason="job")
    for index in range(rows):
        person = world.participant_person if index == 0 else f.PersonFactory(programme=world.programme)
        if index:
            f.TeamMemberFactory(venture=world.venture, person=person, role="member")
        services.result_record(
            actor=world.coordinator,
            person=person,
            enrolment=enrolment,
            timing="exit",
            observed_on=dt.date(2026, 4, 10),
            source="survey",
        )
    api = client(User.objects.get(pk=world.coordinator.pk))
    with django_assert_num_queries(3):  # roles, count, page
        assert len(results(api.get("/api/v1/participant-results/"))) == rows


# --- venture outcomes and unit costs ----------------------------------------------------------


def test_venture_outcomes_api(world, other):
    enrolment = enrolment_of(world)
    url = "/api/v1/venture-outcomes/"
    body = {"enrolment": enrolment.pk, "observed_on": "2026-06-01", "source": "survey", "jobs_women": 2}
    created = client(world.coordinator).post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["jobs_total"] == 2
    bad = client(world.coordinator).post(url, {**body, "revenue": "-5"}, format="json")
    assert bad.status_code == 400 and "revenue" in bad.json()
    assert VentureOutcome.objects.get().revenue == 0
    # The venture's team reads its own outcome; others do not find it.
    assert [o["id"] for o in results(client(world.participant).get(url))] == [created.json()["id"]]
    for user in (world.tutor, world.evaluator, other.coordinator, other.participant):
        assert client(user).get(f"{url}{created.json()['id']}/").status_code == 404
    assert client(world.participant).post(url, body, format="json").status_code == 403
    response = client(other.coordinator).post(url, body, format="json")
    assert response.status_code == 400 and "enrolment" in response.json()


@pytest.mark.parametrize("rows", [1, 50])
def test_venture_outcomes_list_query_count(world, rows, django_assert_num_queries):
    for index in range(rows):
        application = world.application if index == 0 else f.ApplicationFactory(call=world.call)
        application.state, application.submitted_at = "admitted", dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
        application.save()
        enrolment = Enrolment.objects.create(
            application=application, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2028, 1, 1), max_months=36
        )
        services.venture_outcome_record(
            actor=world.coordinator, enrolment=enrolment, observed_on=dt.date(2026, 6, 1), source="survey"
        )
    api = client(User.objects.get(pk=world.coordinator.pk))
    with django_assert_num_queries(3):  # roles, count, page (enrolment joined)
        assert len(results(api.get("/api/v1/venture-outcomes/"))) == rows


def test_training_unit_costs_api(world, other):
    url = "/api/v1/training-unit-costs/"
    body = {"programme": world.programme.pk, "course_hour_rate": "100.00", "participant_hour_rate": "5.50"}
    assert client(world.coordinator).post(url, body, format="json").status_code == 201
    assert client(world.coordinator).post(url, {**body, "course_hour_rate": "110"}, format="json").status_code == 200
    bad = client(world.coordinator).post(url, {**body, "participant_hour_rate": "1.234"}, format="json")
    assert bad.status_code == 400 and "participant_hour_rate" in bad.json()
    assert [c["course_hour_rate"] for c in results(client(world.coordinator).get(url))] == ["110.00"]
    for user in (world.tutor, world.participant, world.evaluator, other.coordinator):
        assert results(client(user).get(url)) == []
    assert client(world.tutor).post(url, body, format="json").status_code == 403
    response = client(other.coordinator).post(url, body, format="json")
    assert response.status_code == 400 and "programme" in response.json()


def test_read_log_api_for_coordinators(world, other):
    entry = entry_for(world)
    client(world.participant).get(f"{ENTRY_URL}{entry.pk}/")
    url = "/api/v1/sensitive-data-reads/"
    rows = results(client(world.coordinator).get(url))
    assert [(r["reader_username"], r["person"], r["channel"]) for r in rows] == [
        ("A-participant", world.participant_person.pk, "api")
    ]
    # Reading the log is not a read of entry data.
    assert SensitiveDataRead.objects.count() == 1
    for user in (world.participant, world.tutor, other.coordinator):
        assert results(client(user).get(url)) == []
        assert client(user).get(f"{url}{rows[0]['id']}/").status_code == 404


def test_superuser_coordinating_the_programme_reads_and_is_logged(world, admin_user):
    entry = entry_for(world)
    assert client(admin_user).get(f"{ENTRY_URL}{entry.pk}/").status_code == 404
    RoleAssignment.objects.create(user=admin_user, programme=world.programme, role="coordinator")
    access.forget(admin_user)
    assert client(admin_user).get(f"{ENTRY_URL}{entry.pk}/").status_code == 200
    assert SensitiveDataRead.objects.filter(reader=admin_user).count() == 1


def test_person_serializers_never_carry_entry_data(world):
    entry_for(world)
    person = client(world.coordinator).get(f"/api/v1/people/{world.participant_person.pk}/")
    assert person.status_code == 200
    text = person.content.decode()
    for leak in ("victim", "labour_status", "birth_date", "disability", "1990-06-15"):
        assert leak not in text
    assert Person.objects.count() >= 1
