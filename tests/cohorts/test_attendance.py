"""Registers: the roster of a session's day and bulk marking, each rule with its refusal."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts import selectors, services
from cohorts.models import Attendance
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import AuditEvent, TeamMember
from incubator.path import services as incubator_services
from incubator.path.models import EnrolmentStatus
from tests.cohorts.helpers import build_cohort, days_ago, make_trainer, new_enrolment, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    return build_cohort(world, extra_people=2)


def _marks(*items):
    return [{"person": p.pk, "status": s, **({"minutes_attended": m[0]} if m else {})} for p, s, *m in items]


def test_roster_is_the_active_enrolments_team_on_that_day(cw, world, other):
    session = cw.session(day=days_ago(10))
    assert list(selectors.session_roster(session)) == sorted(cw.people, key=lambda p: (p.last_name, p.first_name, p.pk))
    # Someone who left the team before the lesson, or joined after it, is not on it.
    leaver, joiner = cw.people[1], cw.people[2]
    TeamMember.objects.filter(person=leaver).update(left_on=days_ago(11))
    TeamMember.objects.filter(person=joiner).update(joined_on=days_ago(9))
    assert set(selectors.session_roster(session)) == {cw.people[0]}
    # A suspended enrolment is not active; an enrolment starting later neither.
    incubator_services.enrolment_change_status(
        actor=cw.coordinator, enrolment=cw.enrolment, status=EnrolmentStatus.SUSPENDED, reason="Pausa"
    )
    assert set(selectors.session_roster(session)) == set()
    late, (latecomer,) = new_enrolment(world, starts_on=days_ago(5))
    services.cohort_add_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=late)
    assert set(selectors.session_roster(cw.session(day=days_ago(2)))) == {joiner, latecomer}
    assert other.participant_person not in selectors.session_roster(session)


def test_rosters_of_many_sessions_in_one_query_are_each_sessions_roster(cw, world, other, django_assert_num_queries):
    """``session_rosters`` (the import's and the bulk marking's) gives, for every session,
    the people ``session_roster`` gives: team dates, enrolment start, exit, suspension."""
    leaver, joiner = cw.people[1], cw.people[2]
    TeamMember.objects.filter(person=leaver).update(left_on=days_ago(11))
    TeamMember.objects.filter(person=joiner).update(joined_on=days_ago(9))
    late, (latecomer,) = new_enrolment(world, starts_on=days_ago(5))
    services.cohort_add_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=late)
    exited, (exiter,) = new_enrolment(world, starts_on=days_ago(300))
    services.cohort_add_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=exited)
    type(exited).objects.filter(pk=exited.pk).update(exited_on=days_ago(7))
    sessions = [cw.session(day=days_ago(n)) for n in (12, 10, 8, 6, 2)]
    sessions.append(cw.session(day=days_ago(10), hour=15))  # a second session that day
    with django_assert_num_queries(1):
        rosters = selectors.session_rosters(sessions)
    for session in sessions:
        expected = set(selectors.session_roster(session).values_list("pk", flat=True))
        assert rosters[(session.cohort_id, selectors.session_day(session))] == expected
    # The cases differ from day to day, so the comparison above means something.
    day = {n: rosters[(cw.cohort.pk, days_ago(n))] for n in (12, 8, 2)}
    assert leaver.pk in day[12] and leaver.pk not in day[8]
    assert joiner.pk not in day[12] and joiner.pk in day[8]
    assert exiter.pk in day[8] and exiter.pk not in day[2]
    assert latecomer.pk in day[2] and latecomer.pk not in day[8]
    # A suspended enrolment is on no roster.
    incubator_services.enrolment_change_status(
        actor=cw.coordinator, enrolment=cw.enrolment, status=EnrolmentStatus.SUSPENDED, reason="Pausa"
    )
    rosters = selectors.session_rosters(sessions)
    for session in sessions:
        expected = set(selectors.session_roster(session).values_list("pk", flat=True))
        assert rosters[(session.cohort_id, selectors.session_day(session))] == expected
    assert cw.people[0].pk in day[12] and cw.people[0].pk not in rosters[(cw.cohort.pk, days_ago(12))]
    assert other.participant_person.pk not in set().union(*rosters.values())
    assert selectors.session_rosters([]) == {}


def test_bulk_marking_the_whole_roster(cw):
    session = cw.session(day=days_ago(3), minutes=120)
    a, b, c = cw.people
    result = services.attendance_mark_bulk(
        actor=cw.trainer,
        session=session,
        marks=_marks((a, "present"), (b, "partial", 90), (c, "justified")),
    )
    assert sorted(result.created) == sorted(p.pk for p in cw.people)
    marks = {m.person_id: m for m in session.attendance.all()}
    assert (marks[a.pk].status, marks[b.pk].minutes_attended, marks[c.pk].status) == ("present", 90, "justified")
    assert marks[a.pk].marked_by == cw.trainer
    event = AuditEvent.objects.get(verb="attendance.mark", target_id=session.pk)
    assert event.after["marks"][str(b.pk)] == ["partial", 90]


def test_marking_again_is_idempotent(cw):
    session = cw.session(day=days_ago(3))
    a, b, _c = cw.people
    services.attendance_mark_bulk(actor=cw.trainer, session=session, marks=_marks((a, "present"), (b, "absent")))
    stamps = dict(session.attendance.values_list("person_id", "marked_at"))
    again = services.attendance_mark_bulk(
        actor=cw.coordinator, session=session, marks=_marks((a, "present"), (b, "absent"))
    )
    assert (again.created, again.updated, sorted(again.unchanged)) == ([], [], sorted([a.pk, b.pk]))
    assert dict(session.attendance.values_list("person_id", "marked_at")) == stamps
    assert Attendance.objects.count() == 2
    assert AuditEvent.objects.filter(verb="attendance.mark", target_id=session.pk).count() == 1

    fixed = services.attendance_mark_bulk(actor=cw.coordinator, session=session, marks=_marks((b, "justified")))
    assert fixed.updated == [b.pk]
    assert session.attendance.get(person=b).status == "justified"
    assert Attendance.objects.count() == 2


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("not_on_roster", "not_on_roster"),
        ("over_length", "minutes_over_length"),
        ("partial_without_minutes", "minutes_required"),
        ("minutes_when_present", "minutes_not_partial"),
        ("fraction", "invalid"),
        ("twice", "duplicate"),
        ("status", "invalid"),
    ],
)
def test_one_bad_mark_refuses_the_whole_request_naming_its_row(cw, other, bad, code):
    session = cw.session(day=days_ago(3), minutes=120)
    a, b, _c = cw.people
    second = {
        "not_on_roster": {"person": other.participant_person.pk, "status": "present"},
        "over_length": {"person": b.pk, "status": "partial", "minutes_attended": 121},
        "partial_without_minutes": {"person": b.pk, "status": "partial"},
        "minutes_when_present": {"person": b.pk, "status": "present", "minutes_attended": 30},
        "fraction": {"person": b.pk, "status": "partial", "minutes_attended": "30.5"},
        "twice": {"person": a.pk, "status": "absent"},
        "status": {"person": b.pk, "status": "late"},
    }[bad]
    with pytest.raises(services.MarkError) as err:
        services.attendance_mark_bulk(
            actor=cw.trainer, session=session, marks=[{"person": a.pk, "status": "present"}, second]
        )
    assert (err.value.field, err.value.code, err.value.position) == ("marks", code, 2)
    assert str(err.value.messages[0]).startswith("Row 2:")
    assert not Attendance.objects.exists()


def test_partial_minutes_up_to_the_full_length_are_accepted(cw):
    session = cw.session(day=days_ago(3), minutes=120)
    services.attendance_mark_bulk(
        actor=cw.trainer,
        session=session,
        marks=[{"person": cw.people[0].pk, "status": "partial", "minutes_attended": 120}],
    )
    assert session.attendance.get().minutes_attended == 120


def test_no_register_before_the_start_or_for_a_cancelled_session(cw):
    upcoming = cw.session(day=today() + dt.timedelta(days=2))
    with pytest.raises(DomainError) as err:
        services.attendance_mark_bulk(actor=cw.trainer, session=upcoming, marks=_marks((cw.people[0], "present")))
    assert (err.value.field, err.value.code) == ("session", "not_started")
    services.session_cancel(actor=cw.coordinator, session=upcoming, reason="Sciopero")
    with pytest.raises(DomainError) as err:
        services.attendance_mark_bulk(actor=cw.coordinator, session=upcoming, marks=_marks((cw.people[0], "present")))
    assert err.value.code == "session_cancelled"
    with pytest.raises(DomainError) as err:
        services.attendance_mark_bulk(actor=cw.coordinator, session=cw.session(day=days_ago(1)), marks=[])
    assert (err.value.field, err.value.code) == ("marks", "required")
    # A session that has started but not ended can be marked (people sign in on arrival).
    now = timezone.localtime()
    running = services.session_create(
        actor=cw.coordinator,
        cohort=cw.cohort,
        module=cw.module,
        topic="Now",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(minutes=50),
        place="Napoli",
        trainers=[cw.trainer],
    )
    services.attendance_mark_bulk(actor=cw.trainer, session=running, marks=_marks((cw.people[0], "present")))


def test_only_the_sessions_trainers_and_coordinators_mark(cw, world, other):
    session = cw.session(day=days_ago(3))
    someone_else = make_trainer(world, "altro")
    not_theirs = cw.session(day=days_ago(4), trainers=[someone_else])
    marks = _marks((cw.people[0], "present"))
    for actor in (world.participant, world.evaluator, other.coordinator, other.tutor, someone_else):
        with pytest.raises(NotPermitted):
            services.attendance_mark_bulk(actor=actor, session=session, marks=marks)
    with pytest.raises(NotPermitted):
        services.attendance_mark_bulk(actor=cw.trainer, session=not_theirs, marks=marks)
    # A trainer whose role in the programme is revoked no longer marks.
    world.tutor.roles.all().delete()
    from incubator import access

    access.forget(world.tutor)
    with pytest.raises(NotPermitted):
        services.attendance_mark_bulk(actor=world.tutor, session=session, marks=marks)
    services.attendance_mark_bulk(actor=world.coordinator, session=session, marks=marks)
    assert not Attendance.objects.filter(session=not_theirs).exists()


def test_a_person_marked_before_leaving_stays_correctable(cw):
    session = cw.session(day=days_ago(3))
    leaver = cw.people[1]
    services.attendance_mark_bulk(actor=cw.trainer, session=session, marks=_marks((leaver, "absent")))
    TeamMember.objects.filter(person=leaver).update(left_on=days_ago(20))
    assert leaver not in selectors.session_roster(session)
    services.attendance_mark_bulk(actor=cw.trainer, session=session, marks=_marks((leaver, "justified")))
    register = {row.pk: row for row in selectors.session_register(session)}
    assert register[leaver.pk].mark_status == "justified" and not register[leaver.pk].on_roster
    assert register[cw.people[0].pk].mark_status is None and register[cw.people[0].pk].on_roster


def test_one_mark_per_person_per_session_is_a_database_rule(cw):
    session = cw.session(day=days_ago(3))
    person = cw.people[0]
    now = timezone.now()
    Attendance.objects.create(session=session, person=person, status="present", marked_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, person=person, status="absent", marked_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, person=cw.people[1], status="partial", marked_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            session=session, person=cw.people[2], status="present", minutes_attended=10, marked_at=now
        )
