"""Cohorts, curriculum and sessions through the services: each rule with its refusal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cohorts import services
from cohorts.models import DEFAULT_MODULES, Cohort, CohortEnrolment, TrainingSession
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import AuditEvent
from incubator.path.models import EnrolmentStatus
from tests.cohorts.helpers import build_cohort, days_ago, enrol, local, make_trainer, today

pytestmark = pytest.mark.django_db


def _cohort_kwargs(world, **extra):
    return {
        "programme": world.programme,
        "call": world.call,
        "name": "Coorte A",
        "starts_on": days_ago(10),
        "ends_on": today() + dt.timedelta(days=100),
        **extra,
    }


# --- cohorts -----------------------------------------------------------------------------


def test_new_cohort_offers_the_innesco_modules_and_the_calls_grant_threshold(world):
    world.call.grant_attendance_threshold = Decimal("80.00")
    world.call.save()
    cohort = services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world))
    modules = list(cohort.modules.order_by("order"))
    assert [m.title for m in modules] == [str(title) for title, _h, _m in DEFAULT_MODULES]
    assert [m.title for m in modules][0] == "Orientation to work"
    assert sum(m.planned_hours for m in modules) == Decimal("60")
    assert {m.mode for m in modules} == {"in_presence", "e_learning", "team_work"}
    assert (cohort.completion_threshold, cohort.grant_threshold) == (Decimal("70.00"), Decimal("80.00"))
    assert AuditEvent.objects.filter(verb="cohort.create", target_id=cohort.pk, actor=world.coordinator).exists()


def test_cohort_with_own_modules_and_thresholds(world):
    cohort = services.cohort_create(
        actor=world.coordinator,
        **_cohort_kwargs(world, completion_threshold="75", grant_threshold=Decimal("90")),
        modules=[{"title": "Only one", "planned_hours": 12, "mode": "team_work"}],
    )
    assert list(cohort.modules.values_list("title", "planned_hours")) == [("Only one", Decimal("12.00"))]
    assert (cohort.completion_threshold, cohort.grant_threshold) == (Decimal("75.00"), Decimal("90.00"))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"completion_threshold": "101"}, "completion_threshold"),
        ({"grant_threshold": "-1"}, "grant_threshold"),
        ({"ends_on": days_ago(20)}, "ends_on"),
        ({"name": " "}, "name"),
        ({"modules": [{"title": "X", "planned_hours": 0}]}, "planned_hours"),
        ({"modules": [{"title": "X", "planned_hours": 1, "mode": "bogus"}]}, "mode"),
    ],
)
def test_cohort_bad_input_names_the_field_and_writes_nothing(world, extra, field):
    with pytest.raises(DomainError) as err:
        services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world, **extra))
    assert err.value.field == field
    assert not Cohort.objects.exists()


def test_cohort_refuses_another_programmes_call_and_non_coordinators(world, other):
    with pytest.raises(DomainError) as err:
        services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world, call=other.call))
    assert err.value.field == "call"
    for actor in (world.tutor, world.participant, other.coordinator):
        with pytest.raises(NotPermitted):
            services.cohort_create(actor=actor, **_cohort_kwargs(world))
    services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world))
    with pytest.raises(DomainError) as err:
        services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world))
    assert (err.value.field, err.value.code) == ("name", "duplicate")


def test_an_enrolment_belongs_to_one_cohort(world):
    enrolment = enrol(world.application)
    first = services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world))
    second = services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world, name="Coorte B"))
    services.cohort_add_enrolment(actor=world.coordinator, cohort=first, enrolment=enrolment)
    with pytest.raises(DomainError) as err:
        services.cohort_add_enrolment(actor=world.coordinator, cohort=second, enrolment=enrolment)
    assert (err.value.field, err.value.code) == ("enrolment", "already_in_cohort")
    with pytest.raises(IntegrityError), transaction.atomic():
        CohortEnrolment.objects.create(cohort=second, enrolment=enrolment)


def test_enrolment_of_another_call_or_ended_is_refused(world, other):
    cohort = services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world))
    foreign = enrol(other.application)
    with pytest.raises(DomainError) as err:
        services.cohort_add_enrolment(actor=world.coordinator, cohort=cohort, enrolment=foreign)
    assert err.value.code == "other_call"
    mine = enrol(world.application)
    mine.status = EnrolmentStatus.WITHDRAWN
    mine.save()
    with pytest.raises(DomainError) as err:
        services.cohort_add_enrolment(actor=world.coordinator, cohort=cohort, enrolment=mine)
    assert err.value.code == "not_running"
    with pytest.raises(NotPermitted):
        services.cohort_add_enrolment(actor=world.tutor, cohort=cohort, enrolment=mine)


def test_removing_an_enrolment_needs_a_reason_and_no_marks(world):
    cw = build_cohort(world)
    with pytest.raises(DomainError) as err:
        services.cohort_remove_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=cw.enrolment, reason="")
    assert err.value.field == "reason"
    session = cw.session(day=days_ago(3))
    cw.mark(session, (cw.people[0], "present"))
    with pytest.raises(DomainError) as err:
        services.cohort_remove_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=cw.enrolment, reason="x")
    assert err.value.code == "has_attendance"
    other_enrolment = cw.cohort.memberships.exclude(enrolment=cw.enrolment).get().enrolment
    services.cohort_remove_enrolment(actor=cw.coordinator, cohort=cw.cohort, enrolment=other_enrolment, reason="x")
    assert list(cw.cohort.memberships.values_list("enrolment", flat=True)) == [cw.enrolment.pk]


def test_cohort_dates_cannot_leave_sessions_outside(world):
    cw = build_cohort(world)
    cw.session(day=days_ago(100))
    with pytest.raises(DomainError) as err:
        services.cohort_update(actor=cw.coordinator, cohort=cw.cohort, starts_on=days_ago(50))
    assert err.value.field == "starts_on"
    with pytest.raises(DomainError) as err:
        services.cohort_update(actor=cw.coordinator, cohort=cw.cohort, created_at=days_ago(50))
    assert err.value.code == "read_only"


# --- modules -------------------------------------------------------------------------------


def test_module_rules(world):
    cw = build_cohort(world)
    module = services.module_create(actor=cw.coordinator, cohort=cw.cohort, title="Extra", planned_hours="4.5")
    assert module.order == 8
    with pytest.raises(DomainError) as err:
        services.module_create(actor=cw.coordinator, cohort=cw.cohort, title="Extra", planned_hours=1)
    assert (err.value.field, err.value.code) == ("title", "duplicate")
    services.module_update(actor=cw.coordinator, module=module, planned_hours=6)
    module.refresh_from_db()
    assert module.planned_hours == Decimal("6.00")
    cw.session(day=days_ago(3), module=module)
    with pytest.raises(DomainError) as err:
        services.module_delete(actor=cw.coordinator, module=module)
    assert err.value.code == "has_sessions"
    spare = services.module_create(actor=cw.coordinator, cohort=cw.cohort, title="Spare", planned_hours=1)
    with pytest.raises(NotPermitted):
        services.module_delete(actor=cw.trainer, module=spare)
    services.module_delete(actor=cw.coordinator, module=spare)
    assert not cw.cohort.modules.filter(title="Spare").exists()


# --- sessions ------------------------------------------------------------------------------


def _session_kwargs(cw, **extra):
    start = local(days_ago(5), 9, 30)
    return {
        "cohort": cw.cohort,
        "module": cw.module,
        "topic": "Bilancio di competenze",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "place": "Napoli",
        "trainers": [cw.trainer],
        **extra,
    }


def test_session_is_created_with_its_length_from_the_database(world):
    cw = build_cohort(world)
    start = local(
        days_ago(5),
        9,
        30,
    )
    session = services.session_create(
        actor=cw.coordinator,
        **_session_kwargs(cw, starts_at=start.replace(second=42), ends_at=start + dt.timedelta(minutes=95)),
    )
    session.refresh_from_db()
    assert session.starts_at == start  # seconds dropped: registers count whole minutes
    assert session.duration_minutes == 95
    assert list(session.trainers.all()) == [cw.trainer]
    assert AuditEvent.objects.filter(verb="session.create", target_id=session.pk).exists()


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"starts_at": dt.datetime(2026, 1, 1, 9)}, "starts_at", "naive_datetime"),
        ({"ends_at": local(days_ago(5), 9)}, "ends_at", "date_order"),
        ({"ends_at": local(days_ago(4), 9, 31)}, "ends_at", "too_long"),
        ({"starts_at": local(days_ago(300), 9), "ends_at": local(days_ago(300), 11)}, "starts_at", "outside_cohort"),
        ({"module": None}, "module", "required"),
        ({"place": "", "online_url": ""}, "place", "required"),
        ({"topic": "  "}, "topic", "required"),
        ({"kind": "party"}, "kind", "invalid"),
    ],
)
def test_session_bad_input_is_refused_naming_the_field(world, extra, field, code):
    cw = build_cohort(world)
    with pytest.raises(DomainError) as err:
        services.session_create(actor=cw.coordinator, **_session_kwargs(cw, **extra))
    assert (err.value.field, err.value.code) == (field, code)
    assert not TrainingSession.objects.exists()


def test_session_module_and_trainers_must_belong(world, other):
    cw = build_cohort(world)
    other_cohort = services.cohort_create(actor=world.coordinator, **_cohort_kwargs(world, name="Other"))
    with pytest.raises(DomainError) as err:
        services.session_create(actor=cw.coordinator, **_session_kwargs(cw, module=other_cohort.modules.first()))
    assert err.value.code == "other_cohort"
    with pytest.raises(DomainError) as err:
        services.session_create(actor=cw.coordinator, **_session_kwargs(cw, trainers=[other.tutor]))
    assert (err.value.field, err.value.code) == ("trainers", "not_trainer")
    with pytest.raises(DomainError):
        services.session_create(actor=cw.coordinator, **_session_kwargs(cw, trainers=[world.participant]))
    for actor in (cw.trainer, world.participant, other.coordinator):
        with pytest.raises(NotPermitted):
            services.session_create(actor=actor, **_session_kwargs(cw))


def test_outreach_event_needs_no_module(world):
    cw = build_cohort(world)
    event = services.session_create(
        actor=cw.coordinator, **_session_kwargs(cw, module=None, kind=TrainingSession.Kind.OUTREACH)
    )
    assert event.module is None


def test_rescheduling_and_cancelling(world):
    cw = build_cohort(world)
    session = cw.session(day=days_ago(3))
    before = session.updated_at
    new_trainer = make_trainer(world, "mario")
    services.session_update(
        actor=cw.coordinator,
        session=session,
        starts_at=local(days_ago(2), 10),
        ends_at=local(days_ago(2), 11),
        trainers=[new_trainer],
    )
    session.refresh_from_db()
    assert (session.duration_minutes, list(session.trainers.all())) == (60, [new_trainer])
    assert session.updated_at > before
    with pytest.raises(DomainError) as err:
        services.session_update(actor=cw.coordinator, session=session, cohort=cw.cohort)
    assert err.value.code == "read_only"

    services.attendance_mark_bulk(
        actor=new_trainer, session=session, marks=[{"person": cw.people[0].pk, "status": "present"}]
    )
    with pytest.raises(DomainError) as err:
        services.session_update(actor=cw.coordinator, session=session, ends_at=local(days_ago(2), 12))
    assert (err.value.field, err.value.code) == ("starts_at", "has_attendance")
    services.session_update(actor=cw.coordinator, session=session, topic="Renamed")  # other fields still editable
    with pytest.raises(DomainError) as err:
        services.session_cancel(actor=cw.coordinator, session=session, reason="Too late")
    assert err.value.code == "has_attendance"

    upcoming = cw.session(day=today() + dt.timedelta(days=5))
    with pytest.raises(DomainError) as err:
        services.session_cancel(actor=cw.coordinator, session=upcoming, reason=" ")
    assert err.value.field == "reason"
    with pytest.raises(NotPermitted):
        services.session_cancel(actor=cw.trainer, session=upcoming, reason="Sick")
    services.session_cancel(actor=cw.coordinator, session=upcoming, reason="Allerta meteo")
    upcoming.refresh_from_db()
    assert upcoming.is_cancelled and upcoming.cancellation_reason == "Allerta meteo"
    assert TrainingSession.objects.filter(pk=upcoming.pk).exists()  # a cancelled session stays
    with pytest.raises(DomainError) as err:
        services.session_cancel(actor=cw.coordinator, session=upcoming, reason="Again")
    assert err.value.code == "session_cancelled"
    with pytest.raises(DomainError) as err:
        services.session_update(actor=cw.coordinator, session=upcoming, topic="x")
    assert err.value.code == "session_cancelled"


def test_database_rules_hold_without_the_services(world):
    cw = build_cohort(world)
    session = cw.session(day=days_ago(3))
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSession.objects.filter(pk=session.pk).update(ends_at=session.starts_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSession.objects.filter(pk=session.pk).update(module=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSession.objects.filter(pk=session.pk).update(cancelled_at=session.starts_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.filter(pk=cw.cohort.pk).update(completion_threshold=Decimal("120"))
