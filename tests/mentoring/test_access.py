"""The access rules of mentoring, and those it adds to incubator's models: a tutor sees
what they accompany (and only while they hold the role); a participant never sees
private notes, assignments, profiles or unit costs."""

import datetime as dt

import pytest

from incubator import access
from incubator.models import Person, RoleAssignment, TeamMember, Venture
from incubator.path.models import Enrolment, Milestone
from mentoring import services
from mentoring.models import (
    ActionItem,
    Assignment,
    TutorConflict,
    TutoringSession,
    TutoringSessionPrivateNote,
    TutorProfile,
    UnitCostBand,
    VentureNeeds,
)
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import ENROLMENT_START, aware, enrol, log, tutor_user

pytestmark = pytest.mark.django_db


def _pks(user, model) -> set[int]:
    access.forget(user)
    return set(access.visible(user, model).values_list("pk", flat=True))


@pytest.fixture
def scene(mentoring, other_mentoring):
    world = mentoring.world
    unassigned = enrol(world, f.VentureFactory(programme=world.programme))
    f.TeamMemberFactory(venture=unassigned.application.venture)
    mine = Milestone.objects.create(enrolment=mentoring.enrolment, title="Plan", due_on=dt.date(2026, 6, 1))
    theirs = Milestone.objects.create(enrolment=unassigned, title="Plan", due_on=dt.date(2026, 6, 1))
    session = log(mentoring, aware(2026, 3, 10, 10), private_notes="secret", action_items=[{"text": "x"}])
    services.venture_needs_set(actor=world.coordinator, venture=world.venture, keywords=["x"])
    services.tutor_conflict_declare(
        actor=world.tutor, tutor=mentoring.profile, venture=unassigned.application.venture, note="friend"
    )
    log(other_mentoring, aware(2026, 3, 10, 10), private_notes="other")
    return {"unassigned": unassigned, "mine": mine, "theirs": theirs, "session": session}


def test_tutor_sees_the_incubator_records_of_assigned_enrolments_only(mentoring, scene):
    tutor, world = mentoring.world.tutor, mentoring.world
    assert _pks(tutor, Enrolment) == {mentoring.enrolment.pk}
    assert _pks(tutor, Venture) == {world.venture.pk}
    assert _pks(tutor, TeamMember) == set(world.venture.team.values_list("pk", flat=True))
    assert _pks(tutor, Milestone) == {scene["mine"].pk}
    assert _pks(tutor, Person) == set()  # people themselves: coordinators and self only
    RoleAssignment.objects.filter(user=tutor, role="tutor").delete()
    for model in (Enrolment, Venture, TeamMember, Milestone, Assignment, TutoringSession, TutoringSessionPrivateNote):
        assert _pks(tutor, model) == set(), model


def test_participant_sees_sessions_and_items_never_the_rest(mentoring, scene):
    participant = mentoring.world.participant
    assert _pks(participant, TutoringSession) == {scene["session"].pk}
    assert _pks(participant, ActionItem) == set(scene["session"].action_items.values_list("pk", flat=True))
    for model in (TutoringSessionPrivateNote, Assignment, TutorProfile, UnitCostBand, TutorConflict, VentureNeeds):
        assert _pks(participant, model) == set(), model


def test_private_notes_are_the_tutors_own_and_the_coordinators(mentoring, scene):
    world = mentoring.world
    co_tutor = services.tutor_profile_create(
        actor=world.coordinator,
        programme=world.programme,
        user=tutor_user(world, "bruno"),
        unit_cost_band=mentoring.band,
        kind="internal",
    )
    expert = services.assignment_create(
        actor=world.coordinator,
        tutor=co_tutor,
        enrolment=mentoring.enrolment,
        role="expert",
        hours_budget=5,
        starts_on=ENROLMENT_START,
    )
    theirs = log(mentoring, aware(2026, 3, 11, 10), actor=co_tutor.user, assignment=expert, private_notes="b")
    assert _pks(world.tutor, TutoringSessionPrivateNote) == {scene["session"].pk}
    assert _pks(co_tutor.user, TutoringSessionPrivateNote) == {theirs.pk}
    assert _pks(co_tutor.user, TutoringSession) == {scene["session"].pk, theirs.pk}  # shared parts
    assert _pks(world.coordinator, TutoringSessionPrivateNote) == {scene["session"].pk, theirs.pk}
    assert _pks(world.evaluator, TutoringSession) == set()
