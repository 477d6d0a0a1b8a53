"""The back office of participants' ESF+ data: reach per role, every read of entry data
logged, writes through the services with refusals shown on the form."""

import datetime as dt

import pytest
from django.test import Client

from incubator.models import AuditEvent
from incubator.participants import services
from incubator.participants.models import ParticipantEntryData, ParticipantResult, SensitiveDataRead, VentureOutcome
from tests import factories as f
from tests.reports.test_participants import enrolment_of, entry_for

pytestmark = pytest.mark.django_db

ENTRY_ADMIN = "/admin/incubator/participantentrydata/"


def admin_as(user) -> Client:
    # English pages, so that the messages checked below read the same in any catalogue.
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def entry_form(person, **changes) -> dict:
    data = {
        "person": person.pk,
        "entered_on": "2026-01-01",
        "gender": "female",
        "birth_date": "1990-06-15",
        "labour_status": "unemployed",
        "isced": "isced_3_4",
        "disability": "no",
        "minority": "no",
    }
    return {**data, **changes}


def test_coordinator_lists_and_opens_entry_data_and_each_read_is_logged(world):
    entry = entry_for(world)
    other_person = f.PersonFactory(programme=world.programme)
    services.entry_data_create(
        actor=world.coordinator,
        person=other_person,
        entered_on=dt.date(2026, 1, 1),
        gender="male",
        birth_date=dt.date(1980, 1, 1),
        labour_status="inactive",
        isced="isced_0_2",
    )
    client = admin_as(world.coordinator)
    listing = client.get(ENTRY_ADMIN)
    assert listing.status_code == 200
    reads = SensitiveDataRead.objects.filter(reader=world.coordinator, channel="admin")
    assert sorted(reads.values_list("person_id", flat=True)) == sorted([world.participant_person.pk, other_person.pk])
    page = client.get(f"{ENTRY_ADMIN}{entry.pk}/change/")
    assert page.status_code == 200
    assert reads.filter(person=world.participant_person).count() == 2


@pytest.mark.parametrize("who", ["admin", "other_coordinator"])
def test_entry_data_out_of_reach_in_the_back_office(world, other, admin_user, who):
    entry = entry_for(world)
    user = admin_user if who == "admin" else other.coordinator
    client = admin_as(user)
    listing = client.get(ENTRY_ADMIN)
    assert listing.status_code == 200
    assert world.participant_person.last_name not in listing.content.decode()
    assert client.get(f"{ENTRY_ADMIN}{entry.pk}/change/").status_code == 404
    assert not SensitiveDataRead.objects.filter(person=world.participant_person).exists()


@pytest.mark.parametrize("who", ["evaluator", "tutor", "participant"])
def test_other_roles_have_no_back_office(world, who):
    entry = entry_for(world)
    user = getattr(world, who)
    user.is_staff = True
    user.save()
    client = admin_as(user)
    assert client.get(ENTRY_ADMIN).status_code == 403
    assert client.get(f"{ENTRY_ADMIN}{entry.pk}/change/").status_code in (403, 404)
    assert not SensitiveDataRead.objects.exists()


def test_add_and_change_through_the_services(world):
    client = admin_as(world.coordinator)
    person = world.participant_person
    response = client.post(f"{ENTRY_ADMIN}add/", entry_form(person))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ParticipantEntryData.objects.get(person=person)
    assert AuditEvent.objects.filter(verb="entry_data.create", target_id=entry.pk).exists()
    changed = client.post(f"{ENTRY_ADMIN}{entry.pk}/change/", {**entry_form(person), "rural": "on"})
    assert changed.status_code == 302
    entry.refresh_from_db()
    assert entry.rural
    assert AuditEvent.objects.get(verb="entry_data.update").after == {"changed": ["rural"]}


def test_refusal_shown_on_the_form_and_nothing_written(world):
    client = admin_as(world.coordinator)
    response = client.post(
        f"{ENTRY_ADMIN}add/", entry_form(world.participant_person, gender="male", victim_of_violence="on")
    )
    assert response.status_code == 200
    assert "women victims of violence" in response.content.decode()
    assert not ParticipantEntryData.objects.exists()


def test_results_and_outcomes_through_the_back_office(world, admin_user):
    enrolment = enrolment_of(world, status="withdrawn", exited_on=dt.date(2026, 3, 31), exit_reason="job")
    client = admin_as(world.coordinator)
    response = client.post(
        "/admin/incubator/participantresult/add/",
        {
            "person": world.participant_person.pk,
            "enrolment": enrolment.pk,
            "timing": "exit",
            "observed_on": "2026-04-10",
            "employed": "on",
            "source": "self_declaration",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    result = ParticipantResult.objects.get()
    assert (result.left_on, result.employed) == (dt.date(2026, 3, 31), True)
    late = client.post(
        "/admin/incubator/participantresult/add/",
        {
            "person": world.participant_person.pk,
            "enrolment": enrolment.pk,
            "timing": "six_months",
            "observed_on": "2026-05-10",
            "source": "survey",
        },
    )
    assert late.status_code == 200 and ParticipantResult.objects.count() == 1
    assert client.get("/admin/incubator/participantresult/").status_code == 200
    assert admin_as(admin_user).get(f"/admin/incubator/participantresult/{result.pk}/change/").status_code == 404
    outcome = client.post(
        "/admin/incubator/ventureoutcome/add/",
        {
            "enrolment": enrolment.pk,
            "observed_on": "2026-06-01",
            "jobs_women": "1",
            "jobs_men": "0",
            "jobs_non_binary": "0",
            "revenue": "100.00",
            "funds_raised": "0",
            "source": "survey",
        },
    )
    assert outcome.status_code == 302, outcome.content.decode()[:3000]
    assert VentureOutcome.objects.get().jobs_women == 1


def test_pseudonyms_and_read_log_pages(world, other, admin_user):
    entry_for(world)
    coordinator = admin_as(world.coordinator)
    assert coordinator.get("/admin/incubator/pseudonym/").status_code == 200
    assert coordinator.get("/admin/incubator/sensitivedataread/").status_code == 200
    # Administrators read the log; the pseudonyms only where they coordinate.
    assert admin_as(admin_user).get("/admin/incubator/sensitivedataread/").status_code == 200
    assert admin_as(other.coordinator).get("/admin/incubator/pseudonym/").status_code == 200
