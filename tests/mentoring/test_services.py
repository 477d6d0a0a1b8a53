"""Mentoring writes through the services: every refusal of issue 4, with its field,
and nothing written when refused."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from incubator.exceptions import DomainError, NotPermitted
from incubator.models import AuditEvent
from incubator.path import services as incubator_services
from incubator.path.models import Enrolment, Milestone
from mentoring import selectors, services
from mentoring.models import (
    ActionItem,
    Assignment,
    TutorConflict,
    TutoringSession,
    TutoringSessionPrivateNote,
    TutorProfile,
)
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import ENROLMENT_END, ENROLMENT_START, aware, enrol, log, tutor_user

pytestmark = pytest.mark.django_db


def _refused(field: str, code: str, fn, /, **kwargs):
    with pytest.raises(DomainError) as exc:
        fn(**kwargs)
    assert exc.value.field == field, exc.value
    assert exc.value.code == code, exc.value
    return exc.value


def _second_tutor(mentoring, username="bruno", **fields):
    world = mentoring.world
    values = {"kind": "internal", "capacity": 3, "expertise": [], "languages": ["it"], **fields}
    return services.tutor_profile_create(
        actor=world.coordinator,
        programme=world.programme,
        user=tutor_user(world, username),
        unit_cost_band=mentoring.band,
        **values,
    )


# --- profiles and bands ----------------------------------------------------------------


def test_profile_needs_the_tutor_role_and_a_band_of_the_programme(mentoring, other_mentoring):
    world = mentoring.world
    _refused(
        "user",
        "not_tutor",
        services.tutor_profile_create,
        actor=world.coordinator,
        programme=world.programme,
        user=world.participant,
        unit_cost_band=mentoring.band,
        kind="internal",
    )
    _refused(
        "unit_cost_band",
        "other_programme",
        services.tutor_profile_create,
        actor=world.coordinator,
        programme=world.programme,
        user=tutor_user(world, "carla"),
        unit_cost_band=other_mentoring.band,
        kind="internal",
    )
    with pytest.raises(NotPermitted):
        services.tutor_profile_create(
            actor=world.tutor,
            programme=world.programme,
            user=world.tutor,
            unit_cost_band=mentoring.band,
            kind="internal",
        )
    assert TutorProfile.objects.filter(programme=world.programme).count() == 1


def test_profile_tags_are_normalised_and_tutor_edits_only_expertise(mentoring):
    world = mentoring.world
    profile = services.tutor_profile_update(
        actor=world.tutor, profile=mentoring.profile, expertise=[" Marketing ", "marketing", "Social  Media"]
    )
    assert profile.expertise == ["marketing", "social media"]
    with pytest.raises(NotPermitted):
        services.tutor_profile_update(actor=world.tutor, profile=mentoring.profile, capacity=10)
    profile = services.tutor_profile_update(actor=world.coordinator, profile=mentoring.profile, capacity=10)
    assert profile.capacity == 10


def test_band_rate_must_be_a_number(world):
    _refused(
        "hourly_rate",
        "invalid",
        services.unit_cost_band_create,
        actor=world.coordinator,
        programme=world.programme,
        code="X",
        label="X",
        hourly_rate="abc",
    )
    with pytest.raises(ValidationError) as exc:
        services.unit_cost_band_create(
            actor=world.coordinator, programme=world.programme, code="X", label="X", hourly_rate="-1"
        )
    assert "hourly_rate" in exc.value.error_dict


# --- assignments ---------------------------------------------------------------------


def test_assignment_refused_over_capacity(mentoring):
    world = mentoring.world
    profile = mentoring.profile  # capacity 3, already on one venture
    for _ in range(2):
        services.assignment_create(
            actor=world.coordinator,
            tutor=profile,
            enrolment=enrol(world, f.VentureFactory(programme=world.programme)),
            hours_budget=10,
            starts_on=ENROLMENT_START,
        )
    fourth = enrol(world, f.VentureFactory(programme=world.programme))
    error = _refused(
        "tutor",
        "over_capacity",
        services.assignment_create,
        actor=world.coordinator,
        tutor=profile,
        enrolment=fourth,
        hours_budget=10,
        starts_on=ENROLMENT_START,
    )
    assert "3" in error.messages[0]
    assert not Assignment.objects.filter(enrolment=fourth).exists()
    # After the tutor's other assignments end, the period is free again.
    assert services.assignment_create(
        actor=world.coordinator,
        tutor=profile,
        enrolment=fourth,
        hours_budget=10,
        starts_on=dt.date(2028, 1, 1),
        ends_on=dt.date(2028, 6, 30),
    ).pk


def test_ended_enrolments_do_not_use_capacity(mentoring):
    world = mentoring.world
    services.tutor_profile_update(actor=world.coordinator, profile=mentoring.profile, capacity=1)
    incubator_services.enrolment_change_status(
        actor=world.coordinator, enrolment=mentoring.enrolment, status="withdrawn", reason="moved away"
    )
    other_enrolment = enrol(world, f.VentureFactory(programme=world.programme))
    assert services.assignment_create(
        actor=world.coordinator, tutor=mentoring.profile, enrolment=other_enrolment, hours_budget=5
    ).pk


def test_assignment_refused_outside_the_enrolment(mentoring):
    world = mentoring.world
    tutor = _second_tutor(mentoring)
    _refused(
        "starts_on",
        "outside_enrolment",
        services.assignment_create,
        actor=world.coordinator,
        tutor=tutor,
        enrolment=mentoring.enrolment,
        role="expert",
        hours_budget=5,
        starts_on=ENROLMENT_START - dt.timedelta(days=1),
    )
    _refused(
        "ends_on",
        "outside_enrolment",
        services.assignment_create,
        actor=world.coordinator,
        tutor=tutor,
        enrolment=mentoring.enrolment,
        role="expert",
        hours_budget=5,
        starts_on=ENROLMENT_START,
        ends_on=ENROLMENT_END + dt.timedelta(days=1),
    )
    _refused(
        "ends_on",
        "date_order",
        services.assignment_create,
        actor=world.coordinator,
        tutor=tutor,
        enrolment=mentoring.enrolment,
        role="expert",
        hours_budget=5,
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 4, 1),
    )
    assert Assignment.objects.filter(tutor=tutor).count() == 0


def test_second_lead_tutor_refused_for_the_same_period(mentoring):
    world = mentoring.world
    tutor = _second_tutor(mentoring)
    error = _refused(
        "role",
        "second_lead",
        services.assignment_create,
        actor=world.coordinator,
        tutor=tutor,
        enrolment=mentoring.enrolment,
        role="lead",
        hours_budget=5,
        starts_on=dt.date(2027, 6, 1),
        ends_on=dt.date(2028, 6, 30),
    )
    assert "Anna Tutor" in error.messages[0] and "31/12/2027" in error.messages[0]
    expert = services.assignment_create(
        actor=world.coordinator,
        tutor=tutor,
        enrolment=mentoring.enrolment,
        role="expert",
        hours_budget=5,
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    assert expert.role == "expert"
    later_lead = services.assignment_create(
        actor=world.coordinator,
        tutor=tutor,
        enrolment=mentoring.enrolment,
        role="lead",
        hours_budget=5,
        starts_on=dt.date(2028, 1, 1),
    )
    assert later_lead.ends_on == ENROLMENT_END
    # Moving the first lead's end into the second's period is refused too.
    _refused(
        "role",
        "second_lead",
        services.assignment_update,
        actor=world.coordinator,
        assignment=mentoring.assignment,
        ends_on=dt.date(2028, 3, 31),
    )


def test_conflict_of_interest_blocks_assignment(mentoring):
    world = mentoring.world
    tutor = _second_tutor(mentoring)
    conflict = services.tutor_conflict_declare(
        actor=tutor.user, tutor=tutor, venture=world.venture, note="Cousin of the idea holder"
    )
    assert conflict.declared_by == tutor.user and conflict.declared_at
    _refused(
        "tutor",
        "conflict_of_interest",
        services.assignment_create,
        actor=world.coordinator,
        tutor=tutor,
        enrolment=mentoring.enrolment,
        role="expert",
        hours_budget=5,
    )
    _refused(
        "note",
        "required",
        services.tutor_conflict_declare,
        actor=tutor.user,
        tutor=tutor,
        venture=world.venture,
        note=" ",
    )
    with pytest.raises(NotPermitted):
        services.tutor_conflict_declare(actor=world.tutor, tutor=tutor, venture=world.venture, note="not mine")
    assert TutorConflict.objects.count() == 1


def test_assignment_refusals_for_other_programme_and_roles(mentoring, other_mentoring):
    world = mentoring.world
    _refused(
        "tutor",
        "other_programme",
        services.assignment_create,
        actor=world.coordinator,
        tutor=other_mentoring.profile,
        enrolment=mentoring.enrolment,
        role="expert",
        hours_budget=5,
    )
    for actor in (world.tutor, world.participant, other_mentoring.world.coordinator):
        with pytest.raises(NotPermitted):
            services.assignment_create(
                actor=actor, tutor=mentoring.profile, enrolment=mentoring.enrolment, role="expert", hours_budget=5
            )
    _refused(
        "hours_budget",
        "negative",
        services.assignment_update,
        actor=world.coordinator,
        assignment=mentoring.assignment,
        hours_budget="-1",
    )


def test_assignment_refused_on_a_closed_enrolment(mentoring):
    world = mentoring.world
    enrolment = enrol(world, f.VentureFactory(programme=world.programme))
    incubator_services.enrolment_change_status(
        actor=world.coordinator, enrolment=enrolment, status="withdrawn", reason="x", on=dt.date(2026, 2, 1)
    )
    _refused(
        "enrolment",
        "enrolment_closed",
        services.assignment_create,
        actor=world.coordinator,
        tutor=mentoring.profile,
        enrolment=enrolment,
        hours_budget=5,
    )


def test_assignment_period_must_keep_its_sessions(mentoring):
    log(mentoring, aware(2026, 3, 10, 10))
    _refused(
        "starts_on",
        "sessions_outside",
        services.assignment_update,
        actor=mentoring.world.coordinator,
        assignment=mentoring.assignment,
        starts_on=dt.date(2026, 4, 1),
    )
    updated = services.assignment_update(
        actor=mentoring.world.coordinator, assignment=mentoring.assignment, hours_budget="12.5"
    )
    assert updated.hours_budget == Decimal("12.5")
    assert AuditEvent.objects.filter(verb="assignment.update", target_id=updated.pk).exists()


# --- tutoring sessions ---------------------------------------------------------------


def test_session_log_records_everything_and_snapshots_the_rate(mentoring):
    world = mentoring.world
    milestone = Milestone.objects.create(
        enrolment=mentoring.enrolment, title="Business plan", due_on=dt.date(2026, 6, 1)
    )
    session = log(
        mentoring,
        aware(2026, 3, 10, 10),
        90,
        mode="remote",
        activity="business_plan",
        topics="Costs",
        shared_notes="Well done",
        private_notes="Team tension",
        participants_present=[world.participant_person.pk],
        milestones=[milestone],
        action_items=[{"text": "Send figures", "owner": world.participant_person.pk, "due_on": "2026-03-20"}],
    )
    assert session.ends_at == aware(2026, 3, 10, 11, 30)
    assert session.hourly_rate == Decimal("50.00")
    assert list(session.participants_present.all()) == [world.participant_person]
    assert list(session.milestones.all()) == [milestone]
    assert TutoringSessionPrivateNote.objects.get(session=session).text == "Team tension"
    item = session.action_items.get()
    assert (item.owner, item.due_on) == (world.participant_person, dt.date(2026, 3, 20))
    event = AuditEvent.objects.get(verb="tutoring_session.log")
    assert "Team tension" not in str(event.after) and "Well done" not in str(event.after)
    # A later change of the band does not revalue the session.
    services.unit_cost_band_update(actor=world.coordinator, band=mentoring.band, hourly_rate="60")
    session.refresh_from_db()
    assert session.hourly_rate == Decimal("50.00")


def test_overlapping_sessions_of_the_same_tutor_refused(mentoring):
    world = mentoring.world
    log(mentoring, aware(2026, 3, 10, 10), 60)
    other_enrolment = enrol(world, f.VentureFactory(programme=world.programme, title="Other venture"))
    other_assignment = services.assignment_create(
        actor=world.coordinator,
        tutor=mentoring.profile,
        enrolment=other_enrolment,
        hours_budget=10,
        starts_on=ENROLMENT_START,
    )
    error = _refused(
        "starts_at",
        "overlap",
        log,
        mentoring=mentoring,
        starts_at=aware(2026, 3, 10, 10, 30),
        minutes=30,
        assignment=other_assignment,
    )
    assert "10/03/2026" in error.messages[0] and "10:00" in error.messages[0]
    # Touching is not overlapping.
    assert log(mentoring, aware(2026, 3, 10, 11), 30, assignment=other_assignment).pk
    assert log(mentoring, aware(2026, 3, 10, 9), 60).pk
    # Moving a session onto another is refused as well.
    late = log(mentoring, aware(2026, 3, 10, 15), 60)
    _refused(
        "starts_at",
        "overlap",
        services.tutoring_session_update,
        actor=world.tutor,
        session=late,
        starts_at=aware(2026, 3, 10, 9, 30),
    )
    assert TutoringSession.objects.count() == 4


def test_session_outside_the_assignment_refused(mentoring):
    for when in (aware(2025, 12, 31, 10), aware(2028, 1, 1, 10), aware(2027, 12, 31, 23, 30)):
        _refused("starts_at", "outside_assignment", log, mentoring=mentoring, starts_at=when, minutes=60)
    assert log(mentoring, aware(2027, 12, 31, 23), 60).pk  # ends at midnight: still inside
    assert TutoringSession.objects.count() == 1


def test_session_input_refusals_write_nothing(mentoring, other_mentoring):
    world = mentoring.world
    stranger = f.PersonFactory(programme=world.programme)
    foreign_milestone = Milestone.objects.create(
        enrolment=other_mentoring.enrolment, title="Other", due_on=dt.date(2026, 6, 1)
    )
    cases = [
        ("minutes", "out_of_range", {"minutes": 0}),
        ("minutes", "out_of_range", {"minutes": 721}),
        ("minutes", "invalid", {"minutes": "abc"}),
        ("participants_present", "not_in_team", {"participants_present": [stranger.pk]}),
        ("milestones", "other_enrolment", {"milestones": [foreign_milestone.pk]}),
        ("action_items", "required", {"action_items": [{"text": ""}]}),
        ("action_items", "not_in_team", {"action_items": [{"text": "x", "owner": stranger.pk}]}),
    ]
    for field, code, kwargs in cases:
        values = {"minutes": 60, **kwargs}
        _refused(field, code, log, mentoring=mentoring, starts_at=aware(2026, 3, 10, 10), **values)
    with pytest.raises(ValidationError) as exc:
        log(mentoring, aware(2026, 3, 10, 10), mode="teleport")
    assert "mode" in exc.value.error_dict
    assert TutoringSession.objects.count() == 0 and ActionItem.objects.count() == 0


def test_only_the_tutor_or_a_coordinator_logs(mentoring, other_mentoring):
    world = mentoring.world
    for actor in (world.participant, world.evaluator, other_mentoring.world.tutor, other_mentoring.world.coordinator):
        with pytest.raises(NotPermitted):
            log(mentoring, aware(2026, 3, 10, 10), actor=actor)
    session = log(mentoring, aware(2026, 3, 10, 10), actor=world.coordinator)
    assert session.author == world.coordinator and session.tutor == mentoring.profile


def test_hours_budget_used_remaining_and_warning(mentoring):
    # budget 10 h
    for day in range(1, 5):
        log(mentoring, aware(2026, 3, day, 9), 150)  # 4 x 2.5 h = 10 h
    status = selectors.budget_status(mentoring.assignment)
    assert (status.hours_used, status.hours_remaining, status.exceeded) == (Decimal("10.00"), Decimal("0.00"), False)
    assert status.warning == ""
    log(mentoring, aware(2026, 3, 5, 9), 45)
    status = selectors.budget_status(mentoring.assignment)
    assert (status.hours_used, status.hours_remaining, status.exceeded) == (Decimal("10.75"), Decimal("-0.75"), True)
    assert "10.75" in status.warning and "10" in status.warning
    annotated = selectors.with_usage(Assignment.objects.filter(pk=mentoring.assignment.pk)).get()
    assert selectors.budget_of(annotated) == status


def test_author_edits_for_30_days_then_only_a_coordinator(mentoring):
    world = mentoring.world
    # In UTC: the window is 30 x 24 hours, and Italy moves its clocks on 29 March.
    logged_at = aware(2026, 3, 10, 18).astimezone(dt.UTC)
    with time_machine.travel(logged_at, tick=False):
        session = log(mentoring, aware(2026, 3, 10, 10), private_notes="first")
    with time_machine.travel(logged_at + dt.timedelta(days=29), tick=False):
        session = services.tutoring_session_update(
            actor=world.tutor, session=session, minutes=45, private_notes="second"
        )
        assert session.minutes == 45 and session.private_note.text == "second"
    with time_machine.travel(logged_at + dt.timedelta(days=30, minutes=1), tick=False):
        with pytest.raises(NotPermitted):
            services.tutoring_session_update(actor=world.tutor, session=session, minutes=30)
        with pytest.raises(NotPermitted):
            services.action_item_add(actor=world.tutor, session=session, text="late")
        with pytest.raises(NotPermitted):
            services.tutoring_session_delete(actor=world.tutor, session=session)
        session = services.tutoring_session_update(actor=world.coordinator, session=session, minutes=30)
        assert session.minutes == 30
    session.refresh_from_db()
    assert session.minutes == 30


def test_sessions_booked_ahead_stay_editable_until_30_days_after_they_happen(mentoring):
    with time_machine.travel(aware(2026, 3, 1, 9), tick=False):
        session = log(mentoring, aware(2026, 5, 10, 10))
    assert services.edit_deadline(session) == aware(2026, 6, 9, 10)
    with time_machine.travel(aware(2026, 6, 1, 9), tick=False):
        assert services.can_edit(mentoring.world.tutor, session)


def test_a_co_tutor_cannot_edit_anothers_session(mentoring):
    world = mentoring.world
    tutor = _second_tutor(mentoring)
    services.assignment_create(
        actor=world.coordinator, tutor=tutor, enrolment=mentoring.enrolment, role="expert", hours_budget=5
    )
    session = log(mentoring, timezone.now() - dt.timedelta(days=1))
    with pytest.raises(NotPermitted):
        services.tutoring_session_update(actor=tutor.user, session=session, topics="mine now")


def test_private_notes_cleared_and_deleted_with_the_session(mentoring):
    world = mentoring.world
    session = log(mentoring, aware(2026, 3, 10, 10), private_notes="secret")
    services.tutoring_session_update(actor=world.tutor, session=session, private_notes="")
    assert not TutoringSessionPrivateNote.objects.exists()
    services.tutoring_session_delete(actor=world.tutor, session=session)
    assert not TutoringSession.objects.exists()
    assert AuditEvent.objects.filter(verb="tutoring_session.delete").exists()


def test_action_items_ticked_by_the_team_and_refused_to_strangers(mentoring, other_mentoring):
    world = mentoring.world
    session = log(mentoring, aware(2026, 3, 10, 10), action_items=[{"text": "Call the bank", "due_on": "2026-03-15"}])
    item = session.action_items.get()
    assert item.owner is None  # the tutor
    item = services.action_item_set_done(actor=world.participant, item=item, done=True)
    assert item.done and item.done_by == world.participant
    item = services.action_item_set_done(actor=world.tutor, item=item, done=False)
    assert not item.done and item.done_at is None
    for actor in (other_mentoring.world.participant, other_mentoring.world.tutor, world.evaluator):
        with pytest.raises(NotPermitted):
            services.action_item_set_done(actor=actor, item=item, done=True)
    with pytest.raises(NotPermitted):
        services.action_item_add(actor=world.participant, session=session, text="x")
    item = services.action_item_update(actor=world.tutor, item=item, owner=world.participant_person, text="Call it")
    assert item.owner == world.participant_person and item.text == "Call it"
    assert ActionItem.objects.overdue(dt.date(2026, 3, 16)).count() == 1
    assert ActionItem.objects.overdue(dt.date(2026, 3, 15)).count() == 0


def test_enrolment_default_dates_for_an_assignment(mentoring):
    world = mentoring.world
    enrolment = enrol(world, f.VentureFactory(programme=world.programme))
    with time_machine.travel(aware(2026, 4, 2, 12), tick=False):
        assignment = services.assignment_create(
            actor=world.coordinator, tutor=mentoring.profile, enrolment=enrolment, hours_budget=5
        )
    assert (assignment.starts_on, assignment.ends_on) == (dt.date(2026, 4, 2), ENROLMENT_END)
    assert Enrolment.objects.count() == 2
