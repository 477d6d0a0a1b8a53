"""Participants' ESF+ entry data, results, venture outcomes and unit costs: the services'
rules and refusals, the access rule (coordinators and the person only, never evaluators,
tutors or a superuser as such) and the read log."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from incubator import access
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import AuditEvent, Person, RoleAssignment
from incubator.participants import services
from incubator.participants.access import visible_sensitive
from incubator.participants.models import (
    ParticipantEntryData,
    ParticipantResult,
    Pseudonym,
    SensitiveDataRead,
    TrainingUnitCost,
    VentureOutcome,
)
from incubator.path.models import Enrolment
from tests import factories as f

pytestmark = pytest.mark.django_db

ENTRY = {
    "entered_on": dt.date(2026, 1, 1),
    "gender": "female",
    "birth_date": dt.date(1990, 6, 15),
    "labour_status": "long_term_unemployed",
    "isced": "isced_3_4",
    "disability": "no",
    "minority": "refused",
    "victim_of_violence": True,
}


def entry_for(world, **changes):
    return services.entry_data_create(actor=world.coordinator, person=world.participant_person, **{**ENTRY, **changes})


def enrolment_of(world, **fields) -> Enrolment:
    application = world.application
    application.state, application.submitted_at = "admitted", dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    application.save()
    return Enrolment.objects.create(
        application=application,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2028, 12, 31),
        max_months=36,
        **fields,
    )


# --- entry data ----------------------------------------------------------------------------


def test_entry_data_recorded_and_audited_without_values(world):
    entry = entry_for(world)
    assert (entry.age, entry.age_band) == (35, "30_54")
    event = AuditEvent.objects.get(verb="entry_data.create")
    # The audit trail names the fields, never their values (it is read more widely).
    assert "victim_of_violence" in event.after["fields"]
    assert "True" not in str(event.after) and "1990" not in str(event.after)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": dt.date(2026, 1, 1)}, "birth_date"),
        ({"gender": "male"}, "victim_of_violence"),
        ({"gender": "other", "victim_of_violence": False}, "gender"),
        ({"isced": "isced_9"}, "isced"),
        ({"disability": "maybe"}, "disability"),
        ({"entered_on": dt.date(2999, 1, 1)}, "entered_on"),
        ({"favourite_colour": "red"}, "favourite_colour"),
    ],
)
def test_entry_data_refusals_name_the_field_and_write_nothing(world, changes, field):
    with pytest.raises(ValidationError) as error:
        entry_for(world, **changes)
    assert field in error.value.error_dict
    assert not ParticipantEntryData.objects.exists()


def test_entry_data_once_per_person(world):
    entry_for(world)
    with pytest.raises(DomainError) as error:
        entry_for(world)
    assert error.value.code == "duplicate"


@pytest.mark.parametrize("who", ["evaluator", "tutor", "participant", "admin", "other_coordinator"])
def test_only_the_programmes_coordinators_write_entry_data(world, other, admin_user, who):
    actor = {"admin": admin_user, "other_coordinator": other.coordinator}.get(who) or getattr(world, who)
    with pytest.raises(NotPermitted):
        services.entry_data_create(actor=actor, person=world.participant_person, **ENTRY)


def test_entry_data_update_changes_given_fields(world):
    entry = entry_for(world)
    services.entry_data_update(actor=world.coordinator, entry=entry, labour_status="employed", rural=True)
    entry.refresh_from_db()
    assert (entry.labour_status, entry.rural, entry.gender) == ("employed", True, "female")
    with pytest.raises(ValidationError) as error:
        services.entry_data_update(actor=world.coordinator, entry=entry, gender="male")
    assert "victim_of_violence" in error.value.error_dict
    with pytest.raises(NotPermitted):
        services.entry_data_update(actor=world.participant, entry=entry, rural=False)


def test_visibility_coordinators_and_the_person_only(world, other, admin_user):
    entry = entry_for(world)
    seen = {
        "coordinator": world.coordinator,
        "participant": world.participant,
        "evaluator": world.evaluator,
        "tutor": world.tutor,
        "admin": admin_user,
        "other_coordinator": other.coordinator,
        "other_participant": other.participant,
    }
    visible = {name: list(visible_sensitive(user, ParticipantEntryData)) for name, user in seen.items()}
    assert visible == {
        "coordinator": [entry],
        "participant": [entry],
        "evaluator": [],
        "tutor": [],
        "admin": [],
        "other_coordinator": [],
        "other_participant": [],
    }
    # A superuser who also coordinates the programme sees it (and is logged like anyone).
    RoleAssignment.objects.create(user=admin_user, programme=world.programme, role="coordinator")
    access.forget(admin_user)
    assert list(visible_sensitive(admin_user, ParticipantEntryData)) == [entry]


def test_read_log_is_one_insert_for_many(world, django_assert_num_queries):
    people = [(f.PersonFactory(programme=world.programme).pk, world.programme.pk) for _ in range(30)]
    with django_assert_num_queries(1):
        services.entry_data_log_reads(reader=world.coordinator, people=people, channel="export", detail="x")
    assert SensitiveDataRead.objects.filter(channel="export", reader_username="A-coordinator").count() == 30


# --- results -------------------------------------------------------------------------------


def test_results_at_exit_and_six_months(world):
    enrolment = enrolment_of(world, status="withdrawn", exited_on=dt.date(2026, 2, 28), exit_reason="job")
    person = world.participant_person
    at_exit = services.result_record(
        actor=world.coordinator,
        person=person,
        enrolment=enrolment,
        timing="exit",
        observed_on=dt.date(2026, 3, 28),
        source="self_declaration",
        employed=True,
    )
    assert (at_exit.left_on, at_exit.employed, at_exit.better_situation) == (dt.date(2026, 2, 28), True, False)
    # Recording again corrects the same row.
    services.result_record(
        actor=world.coordinator,
        person=person,
        enrolment=enrolment,
        timing="exit",
        observed_on=dt.date(2026, 3, 1),
        source="administrative",
        job_searching=True,
    )
    assert ParticipantResult.objects.filter(timing="exit").count() == 1
    at_exit.refresh_from_db()
    assert (at_exit.employed, at_exit.job_searching, at_exit.source) == (False, True, "administrative")
    later = services.result_record(
        actor=world.coordinator,
        person=person,
        enrolment=enrolment,
        timing="six_months",
        observed_on=dt.date(2026, 8, 28),
        source="administrative",
        employed=True,
        better_situation=True,
    )
    assert later.better_situation


@pytest.mark.parametrize(
    ("timing", "observed", "indicators", "field", "code"),
    [
        ("exit", "2026-03-29", {}, "observed_on", "exit_window"),  # 4 weeks + 1 day
        ("exit", "2026-02-27", {}, "observed_on", "before_leaving"),
        ("six_months", "2026-08-27", {}, "observed_on", "too_early"),  # 6 months - 1 day
        ("exit", "2026-03-10", {"better_situation": True}, "better_situation", "not_applicable"),
        ("six_months", "2026-09-01", {"job_searching": True}, "job_searching", "not_applicable"),
        ("later", "2026-09-01", {}, "timing", "invalid"),
    ],
)
def test_result_refusals(world, timing, observed, indicators, field, code):
    enrolment = enrolment_of(world, status="withdrawn", exited_on=dt.date(2026, 2, 28), exit_reason="job")
    with pytest.raises(DomainError) as error:
        services.result_record(
            actor=world.coordinator,
            person=world.participant_person,
            enrolment=enrolment,
            timing=timing,
            observed_on=dt.date.fromisoformat(observed),
            source="survey",
            **indicators,
        )
    assert (error.value.field, error.value.code) == (field, code)
    assert not ParticipantResult.objects.exists()


def test_result_needs_the_participant_to_have_left(world, other):
    enrolment = enrolment_of(world)
    with pytest.raises(DomainError) as error:
        services.result_record(
            actor=world.coordinator,
            person=world.participant_person,
            enrolment=enrolment,
            timing="exit",
            observed_on=dt.date(2026, 4, 1),
            source="survey",
        )
    assert error.value.field == "left_on"
    stranger = f.PersonFactory(programme=world.programme)
    with pytest.raises(DomainError) as error:
        services.result_record(
            actor=world.coordinator,
            person=stranger,
            enrolment=enrolment,
            timing="exit",
            observed_on=dt.date(2026, 4, 1),
            source="survey",
        )
    assert error.value.code == "not_in_team"
    with pytest.raises(DomainError) as error:
        services.result_record(
            actor=world.coordinator,
            person=other.participant_person,
            enrolment=enrolment,
            timing="exit",
            observed_on=dt.date(2026, 4, 1),
            source="survey",
        )
    assert error.value.code == "other_programme"


# --- venture outcomes, unit costs, pseudonyms ---------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"revenue": "-1"}, "revenue"),
        ({"revenue": "10.005"}, "revenue"),
        ({"funds_raised": "abc"}, "funds_raised"),
        ({"jobs_women": -1}, "jobs_women"),
        ({"observed_on": dt.date(2999, 1, 1)}, "observed_on"),
    ],
)
def test_venture_outcome_refusals(world, fields, field):
    enrolment = enrolment_of(world)
    data = {"observed_on": dt.date(2026, 6, 1), "source": "survey", **fields}
    with pytest.raises(DomainError) as error:
        services.venture_outcome_record(actor=world.coordinator, enrolment=enrolment, **data)
    assert error.value.field == field
    assert not VentureOutcome.objects.exists()


def test_venture_outcome_replaced_by_a_new_observation(world):
    enrolment = enrolment_of(world)
    services.venture_outcome_record(
        actor=world.coordinator, enrolment=enrolment, observed_on=dt.date(2026, 6, 1), source="survey", jobs_men=1
    )
    outcome = services.venture_outcome_record(
        actor=world.coordinator,
        enrolment=enrolment,
        observed_on=dt.date(2026, 9, 1),
        source="administrative",
        jobs_women=2,
        revenue="1500.00",
    )
    assert VentureOutcome.objects.count() == 1
    assert (outcome.jobs_total, outcome.revenue, outcome.jobs_men) == (3, Decimal("1500.00"), 1)
    with pytest.raises(NotPermitted):
        services.venture_outcome_record(
            actor=world.tutor, enrolment=enrolment, observed_on=dt.date(2026, 9, 1), source="survey"
        )


def test_training_unit_cost_set_and_changed(world):
    services.training_unit_cost_set(
        actor=world.coordinator, programme=world.programme, course_hour_rate="120", participant_hour_rate="0.80"
    )
    cost = services.training_unit_cost_set(
        actor=world.coordinator, programme=world.programme, course_hour_rate="130.50", participant_hour_rate="0.80"
    )
    assert TrainingUnitCost.objects.count() == 1
    assert cost.course_hour_rate == Decimal("130.50")
    with pytest.raises(DomainError) as error:
        services.training_unit_cost_set(
            actor=world.coordinator, programme=world.programme, course_hour_rate="-1", participant_hour_rate="1"
        )
    assert error.value.field == "course_hour_rate"
    with pytest.raises(NotPermitted):
        services.training_unit_cost_set(
            actor=world.evaluator, programme=world.programme, course_hour_rate="1", participant_hour_rate="1"
        )


def test_pseudonyms_are_random_stable_and_for_coordinators_only(world, other):
    for _ in range(3):
        f.PersonFactory(programme=world.programme)
    people = Person.objects.filter(programme=world.programme)
    services.pseudonyms_ensure(actor=world.coordinator, people=people)
    first = dict(Pseudonym.objects.values_list("person_id", "code"))
    assert len(first) == people.count() == len(set(first.values()))
    services.pseudonyms_ensure(actor=world.coordinator, people=people)
    assert dict(Pseudonym.objects.values_list("person_id", "code")) == first
    for person_id, code in first.items():
        person = Person.objects.get(pk=person_id)
        assert person.last_name not in code and person.tax_code[:6] not in code
    with pytest.raises(NotPermitted):
        services.pseudonyms_ensure(actor=other.coordinator, people=people)
    assert list(visible_sensitive(world.participant, Pseudonym)) == []
    assert visible_sensitive(world.coordinator, Pseudonym).count() == len(first)
