"""Two trainers marking the same register at the same moment (PostgreSQL: real row locks
between two connections)."""

import threading
import time

import pytest
from django.db import connection

from cohorts import access as cohort_access
from cohorts import services
from cohorts.models import Attendance
from tests.cohorts.helpers import build_cohort, days_ago, make_trainer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def _race(calls, monkeypatch) -> list:
    """Runs ``calls`` in threads released together; each holds the session lock a moment
    (a slow check right after locking) so that the others really wait on it."""
    permitted = cohort_access.may_take_attendance

    def slow_check(user, session):
        time.sleep(0.3)
        return permitted(user, session)

    monkeypatch.setattr(cohort_access, "may_take_attendance", slow_check)
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # reported below with the thread's result
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_two_trainers_bulk_marking_at_once_leave_one_mark_per_person(world, monkeypatch):
    cw = build_cohort(world, extra_people=4)
    colleague = make_trainer(world, "collega")
    session = cw.session(day=days_ago(2), trainers=[cw.trainer, colleague])
    everyone = [p.pk for p in cw.people]

    def mark(actor, status):
        marks = [{"person": pk, "status": status} for pk in everyone]
        return lambda: services.attendance_mark_bulk(actor=actor, session=session, marks=marks)

    started = time.monotonic()
    first, second = _race([mark(cw.trainer, "present"), mark(colleague, "absent")], monkeypatch)
    assert time.monotonic() - started >= 0.6  # the second waited for the first's lock

    marks = list(Attendance.objects.filter(session=session).values_list("person_id", "status"))
    assert sorted(pk for pk, _status in marks) == sorted(everyone)  # exactly one mark per person
    assert len({status for _pk, status in marks}) == 1  # all from whichever came last
    # One of them created every mark; the other, serialised behind it, updated them.
    assert sorted([len(first.created), len(second.created)]) == [0, len(everyone)]
    assert sorted([len(first.updated), len(second.updated)]) == [0, len(everyone)]


def test_a_double_submission_is_idempotent(world, monkeypatch):
    cw = build_cohort(world, extra_people=2)
    session = cw.session(day=days_ago(1))
    marks = [{"person": p.pk, "status": "present"} for p in cw.people]
    results = _race(
        [lambda: services.attendance_mark_bulk(actor=cw.trainer, session=session, marks=marks)] * 2, monkeypatch
    )
    assert Attendance.objects.filter(session=session).count() == len(cw.people)
    assert sorted(len(r.unchanged) for r in results) == [0, len(cw.people)]
