"""Eight simultaneous duplicate submissions through the API leave one row (PostgreSQL:
real connections and row locks). A double click, a retrying client or two browser tabs
send the same request at once: one succeeds, the others answer 400 (or find nothing
left to change), none answers 500, and the database holds one record."""

import threading

import pytest
from django.db import connection
from django.test import Client

from cohorts.models import Attendance
from incubator.models import AuditEvent, Person
from incubator.participants.models import ParticipantEntryData
from incubator.privacy.models import ErasureRequest
from incubator.selection.models import Application
from tests import factories as f
from tests.cohorts.helpers import build_cohort, days_ago

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TIMES = 8


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections and row locks")


def at_once(user, url: str, body: dict) -> list[int]:
    """``TIMES`` clients of ``user`` post ``body`` to ``url``, released together."""
    clients = []
    for _ in range(TIMES):
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(TIMES)
    statuses: list[int] = [0] * TIMES
    errors: list[BaseException] = []

    def post(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            statuses[index] = clients[index].post(url, body, content_type="application/json").status_code
        except BaseException as exc:  # reported by the test with the statuses
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(TIMES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert all(status in (200, 201, 400) for status in statuses), statuses
    return statuses


def test_the_same_application_submitted_eight_times_is_submitted_once(world):
    statuses = at_once(world.participant, f"/api/v1/applications/{world.application.pk}/submit/", {})
    assert statuses.count(200) == 1, statuses
    assert Application.objects.get(pk=world.application.pk).state == "submitted"
    assert AuditEvent.objects.filter(verb="application.submitted", target_id=world.application.pk).count() == 1


def test_the_same_person_created_eight_times_is_one_row(world):
    body = {"programme": world.programme.pk, "first_name": "Lucia", "last_name": "Russo", "tax_code": f.tax_code(7007)}
    statuses = at_once(world.coordinator, "/api/v1/people/", body)
    assert statuses.count(201) == 1, statuses
    assert Person.objects.filter(programme=world.programme, tax_code=body["tax_code"]).count() == 1


def test_the_same_register_marked_eight_times_is_one_mark_per_person(world):
    cw = build_cohort(world, extra_people=3)
    session = cw.session(day=days_ago(2))
    body = {"marks": [{"person": person.pk, "status": "present"} for person in cw.people]}
    statuses = at_once(world.coordinator, f"/api/v1/training-sessions/{session.pk}/attendance/", body)
    assert statuses.count(200) == TIMES or statuses.count(201) + statuses.count(200) == TIMES, statuses
    assert Attendance.objects.filter(session=session).count() == len(cw.people)
    assert set(Attendance.objects.filter(session=session).values_list("status", flat=True)) == {"present"}


def test_the_same_entry_data_recorded_eight_times_is_one_row(world):
    body = {
        "person": world.participant_person.pk,
        "entered_on": "2026-01-10",
        "gender": "female",
        "birth_date": "1990-06-15",
        "labour_status": "unemployed",
        "isced": "isced_3_4",
    }
    statuses = at_once(world.coordinator, "/api/v1/participant-entry-data/", body)
    assert statuses.count(201) == 1, statuses
    assert ParticipantEntryData.objects.filter(person=world.participant_person).count() == 1


def test_the_same_erasure_asked_eight_times_anonymises_once(world):
    world.programme.last_payment_on = "2015-06-30"
    world.programme.save()
    person = f.PersonFactory(programme=world.programme)
    statuses = at_once(world.coordinator, f"/api/v1/people/{person.pk}/erasure/", {})
    assert statuses.count(201) == 1, statuses
    assert ErasureRequest.objects.filter(person=person).count() == 1
    assert AuditEvent.objects.filter(verb="person.anonymise", target_id=person.pk).count() == 1
