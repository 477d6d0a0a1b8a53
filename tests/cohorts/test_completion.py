"""The completion rule of ``cohorts.selectors`` against figures computed by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cohorts import selectors, services
from cohorts.models import TrainingSession
from incubator.path import services as incubator_services
from incubator.path.models import EnrolmentStatus
from tests.cohorts.helpers import build_cohort, days_ago, new_enrolment, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    return build_cohort(world, extra_people=1)


def _four_sessions(cw):
    """120, 120, 60 and 180 minutes, all held."""
    return [
        cw.session(day=days_ago(40), minutes=120),
        cw.session(day=days_ago(30), minutes=120),
        cw.session(day=days_ago(20), minutes=60),
        cw.session(day=days_ago(10), minutes=180),
    ]


def test_present_partial_justified_absent_by_hand(cw):
    anna, bruno = cw.people
    s1, s2, s3, s4 = _four_sessions(cw)
    cw.mark(s1, (anna, "present"), (bruno, "present"))
    cw.mark(s2, (anna, "partial", 90), (bruno, "absent"))
    cw.mark(s3, (anna, "justified"), (bruno, "present"))
    cw.mark(s4, (anna, "absent"), (bruno, "partial", 150))

    rows = {row.person_id: row for row in selectors.attendance_by_person(cw.cohort)}
    a = rows[anna.pk]
    # Anna: attended 120 + 90 = 210; scheduled 480, less 60 justified = 420; 210/420 = 50 %.
    assert (a.held_sessions, a.scheduled_minutes, a.attended_minutes, a.justified_minutes) == (4, 480, 210, 60)
    assert a.counted_minutes == 420
    assert a.percent == Decimal("50.00")
    assert not a.completed and not a.grant_eligible
    b = rows[bruno.pk]
    # Bruno: 120 + 0 + 60 + 150 = 330 of 480 = 68.75 %: below 70.
    assert (b.attended_minutes, b.justified_minutes, b.counted_minutes) == (330, 0, 480)
    assert b.percent == Decimal("68.75")
    assert not b.completed
    assert b.attended_hours == Decimal("5.50") and b.counted_hours == Decimal("8.00")


def test_thresholds_are_compared_exactly_and_are_settable(cw):
    anna, bruno = cw.people
    sessions = [cw.session(day=days_ago(50 - i), minutes=60) for i in range(10)]
    # Anna present at 7 of 10 (exactly 70 %), Bruno at 8 (80 %).
    for i, session in enumerate(sessions):
        cw.mark(session, (anna, "present" if i < 7 else "absent"), (bruno, "present" if i < 8 else "absent"))
    rows = {row.person_id: row for row in selectors.attendance_by_person(cw.cohort)}
    assert rows[anna.pk].percent == Decimal("70.00") and rows[anna.pk].completed
    assert not rows[anna.pk].grant_eligible  # the call's grant threshold: 80 %
    assert rows[bruno.pk].completed and rows[bruno.pk].grant_eligible

    services.cohort_update(
        actor=cw.coordinator, cohort=cw.cohort, completion_threshold=Decimal("75"), grant_threshold=Decimal("85")
    )
    cw.cohort.refresh_from_db()
    rows = {row.person_id: row for row in selectors.attendance_by_person(cw.cohort)}
    assert not rows[anna.pk].completed
    assert rows[bruno.pk].completed and not rows[bruno.pk].grant_eligible


def test_unmarked_counts_as_absent_and_only_held_training_counts(cw):
    anna, bruno = cw.people
    held = cw.session(day=days_ago(10), minutes=120)
    cw.session(day=days_ago(9), minutes=120)  # held, nobody marked: absent for everyone
    cancelled = cw.session(day=days_ago(8), minutes=120)
    services.session_cancel(actor=cw.coordinator, session=cancelled, reason="Sciopero")
    event = cw.session(day=days_ago(7), minutes=180, kind=TrainingSession.Kind.OUTREACH)
    cw.session(day=today() + dt.timedelta(days=3), minutes=120)  # not held yet
    cw.mark(held, (anna, "present"))
    cw.mark(event, (anna, "present"), (bruno, "present"))

    rows = {row.person_id: row for row in selectors.attendance_by_person(cw.cohort)}
    # Two held training sessions (240 min); the event, the cancelled and the future one do not count.
    assert (rows[anna.pk].held_sessions, rows[anna.pk].scheduled_minutes, rows[anna.pk].attended_minutes) == (
        2,
        240,
        120,
    )
    assert rows[anna.pk].percent == Decimal("50.00")
    assert (rows[bruno.pk].attended_minutes, rows[bruno.pk].percent) == (0, Decimal("0.00"))


def test_a_session_in_progress_is_not_yet_held(cw):
    anna, _ = cw.people
    now = timezone.localtime()
    session = services.session_create(
        actor=cw.coordinator,
        cohort=cw.cohort,
        module=cw.module,
        topic="Now",
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(minutes=30),
        place="Napoli",
        trainers=[cw.trainer],
    )
    cw.mark(session, (anna, "present"))
    row = selectors.person_attendance(anna, cw.cohort)
    assert (row.held_sessions, row.attended_minutes, row.percent) == (0, 0, None)
    later = selectors.person_attendance(anna, cw.cohort, at=session.ends_at)
    assert (later.held_sessions, later.attended_minutes, later.percent) == (1, 60, Decimal("100.00"))


def test_everything_justified_leaves_no_percentage(cw):
    anna, _ = cw.people
    session = cw.session(day=days_ago(5))
    cw.mark(session, (anna, "justified"))
    row = selectors.person_attendance(anna, cw.cohort)
    assert (row.counted_minutes, row.percent, row.completed) == (0, None, False)


def test_only_sessions_inside_the_persons_window_count(world):
    cw = build_cohort(world, extra_people=0)
    late, (latecomer,) = new_enrolment(world, starts_on=days_ago(15))
    services.cohort_add_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=late)
    early = cw.session(day=days_ago(30), minutes=120)  # before the latecomer's enrolment
    recent = cw.session(day=days_ago(10), minutes=60)
    cw.mark(early, (cw.people[0], "present"))
    cw.mark(recent, (cw.people[0], "present"), (latecomer, "present"))
    rows = {row.person_id: row for row in selectors.attendance_by_person(cw.cohort)}
    assert (rows[latecomer.pk].scheduled_minutes, rows[latecomer.pk].percent) == (60, Decimal("100.00"))
    assert rows[cw.people[0].pk].scheduled_minutes == 180

    # Withdrawing ends the window at the exit date: later sessions no longer count.
    incubator_services.enrolment_change_status(
        actor=cw.coordinator, enrolment=late, status=EnrolmentStatus.WITHDRAWN, reason="Lavoro", on=days_ago(5)
    )
    cw.session(day=days_ago(2), minutes=60)
    row = selectors.person_attendance(latecomer, cw.cohort)
    assert (row.scheduled_minutes, row.attended_minutes) == (60, 60)


def test_a_mark_left_outside_a_window_moved_later_does_not_count(world, django_assert_num_queries):
    """An exit recorded afterwards, dated before a lesson the person was marked at: the
    mark stays on the register but no longer counts, nor does the lesson."""
    cw = build_cohort(world, extra_people=0)
    leaving, (leaver,) = new_enrolment(world, starts_on=days_ago(40))
    services.cohort_add_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=leaving)
    before = cw.session(day=days_ago(30), minutes=120)
    after = cw.session(day=days_ago(10), minutes=60)
    cw.mark(before, (leaver, "present"), (cw.people[0], "present"))
    cw.mark(after, (leaver, "present"), (cw.people[0], "justified"))
    incubator_services.enrolment_change_status(
        actor=cw.coordinator, enrolment=leaving, status=EnrolmentStatus.WITHDRAWN, reason="Lavoro", on=days_ago(20)
    )
    # Members, sessions, sums per person, and the leaver's single marks.
    with django_assert_num_queries(4):
        rows = {row.person_id: row for row in selectors.attendance_by_person(cw.cohort)}
    assert (rows[leaver.pk].held_sessions, rows[leaver.pk].scheduled_minutes) == (1, 120)
    assert (rows[leaver.pk].attended_minutes, rows[leaver.pk].justified_minutes) == (120, 0)
    stayer = rows[cw.people[0].pk]
    assert (stayer.held_sessions, stayer.attended_minutes, stayer.justified_minutes) == (2, 120, 60)
    assert stayer.percent == Decimal("100.00")


def test_whole_cohort_in_three_queries(cw, other, django_assert_num_queries):
    """Members, the cohort's counted sessions, the marks summed per member: three queries
    for 2 participants as for 8, with sessions and marks."""
    sessions = [cw.session(day=days_ago(30 - i)) for i in range(5)]
    for session in sessions:
        cw.mark(session, *[(person, "present") for person in cw.people])
    with django_assert_num_queries(3):
        few = selectors.attendance_by_person(cw.cohort)
    assert len(few) == 2
    for _ in range(3):
        enrolment, _people = new_enrolment(cw.world, people=2)
        services.cohort_add_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=enrolment)
    with django_assert_num_queries(3):
        rows = selectors.attendance_by_person(cw.cohort)
    assert len(rows) == 2 + 6
    assert {row.held_sessions for row in rows} == {5}
    with django_assert_num_queries(3):
        mine = selectors.person_attendance(cw.people[0], cw.cohort)
    assert mine.attended_minutes == sum(s.duration_minutes for s in sessions)
    # Someone outside the cohort costs one query: no members, nothing more to read.
    with django_assert_num_queries(1):
        assert selectors.person_attendance(other.participant_person, cw.cohort) is None


def test_a_person_outside_the_cohort_has_no_figures(cw, other):
    assert selectors.person_attendance(other.participant_person, cw.cohort) is None
