"""The events the other tests of this package do not reach through their services: a
training session moved (with the new times as ``.ics``), a tranche paid, an export ready,
an evaluation due soon; and the catalogue's promise that every kind is emitted somewhere
and listed in docs/notifications.md."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.reports import services as report_services
from incubator.funding import services as funding
from incubator.notifications import reminders
from incubator.notifications.kinds import Kind
from incubator.notifications.models import EmailState, Notification
from incubator.selection.models import ApplicationState, Evaluation
from tests import factories as f
from tests.cohorts.helpers import build_cohort, local, today
from tests.funding import helpers as funding_helpers
from tests.funding.fixtures import without_attendance_check  # noqa: F401
from tests.reports import dataset

ROOT = Path(__file__).resolve().parents[2]


def told(kind) -> dict[int, Notification]:
    return {n.recipient_id: n for n in Notification.objects.filter(kind=kind)}


def test_a_moved_session_is_told_with_its_new_times_once_per_change(world, django_capture_on_commit_callbacks):
    cw = build_cohort(world, extra_people=0)
    session = cw.session(day=today() + dt.timedelta(days=5), topic="Business plan")
    moved_to = local(today() + dt.timedelta(days=6), 15)
    with django_capture_on_commit_callbacks(execute=True):
        cohort_services.session_update(
            actor=world.coordinator, session=session, starts_at=moved_to, ends_at=moved_to + dt.timedelta(hours=2)
        )
    moved = told(Kind.SESSION_MOVED)
    assert sorted(moved) == sorted([world.participant.pk, world.tutor.pk])
    notice = moved[world.participant.pk]
    assert notice.subject == "A training session changed" and "Business plan" in notice.body
    assert notice.attachment_name == f"session-{session.pk}.ics" and notice.attachment_type == "text/calendar"
    assert vobject.readOne(notice.attachment).vevent.dtstart.value == moved_to
    # A change that moves nothing (the topic) tells nobody; a new place is news again.
    with django_capture_on_commit_callbacks(execute=True):
        cohort_services.session_update(actor=world.coordinator, session=session, topic="Piano d'impresa")
    assert Notification.objects.filter(kind=Kind.SESSION_MOVED).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        cohort_services.session_update(actor=world.coordinator, session=session, place="Sala B")
    assert Notification.objects.filter(kind=Kind.SESSION_MOVED).count() == 4
    assert "Sala B" in Notification.objects.filter(kind=Kind.SESSION_MOVED).order_by("-pk").first().body


def test_a_paid_tranche_is_told_to_the_team_without_its_amount(world, django_capture_on_commit_callbacks):
    funding_helpers.admitted(world)
    grant = funding_helpers.running(world, "100000.00")
    tranche = funding.tranche_request(
        actor=world.participant, grant=grant, kind="advance", amount=Decimal("30000.00"), guarantee_reference="G"
    )
    assert not told(Kind.TRANCHE_PAID)  # asked for, not yet paid
    with django_capture_on_commit_callbacks(execute=True):
        funding.tranche_pay(actor=world.coordinator, tranche=tranche, paid_on=dt.date(2026, 4, 20))
    paid = told(Kind.TRANCHE_PAID)
    assert list(paid) == [world.participant.pk]
    body = paid[world.participant.pk].body
    assert grant.venture.title in body and "30" not in body.replace("2026", "")


def test_an_export_built_in_the_background_is_told_to_whoever_asked(
    world, other, settings, django_capture_on_commit_callbacks
):
    data = dataset.build(world)
    # Built at once, the file is on the requester's screen: nothing to tell.
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_export_request(
            actor=world.coordinator, programme=world.programme, cohort=data.cohort, kind="report_csv", language="en"
        )
    assert not told(Kind.EXPORT_READY)
    settings.REPORTS_BACKGROUND_THRESHOLD = 0  # every export goes to the worker (run at once in tests)
    with django_capture_on_commit_callbacks(execute=True):
        export = report_services.report_export_request(
            actor=world.coordinator, programme=world.programme, cohort=data.cohort, kind="report_csv", language="en"
        )
    export.refresh_from_db()
    assert export.background and export.status == "done"
    ready = told(Kind.EXPORT_READY)
    assert list(ready) == [world.coordinator.pk]
    assert ready[world.coordinator.pk].subject == "Your export is ready"
    assert ready[world.coordinator.pk].link == reverse("cohorts:report-exports")


def test_an_evaluation_due_soon_goes_to_the_digest_then_overdue_at_once(world, django_capture_on_commit_callbacks):
    application = f.ApplicationFactory(
        call=world.call, state=ApplicationState.UNDER_EVALUATION, submitted_at=timezone.now() - dt.timedelta(days=20)
    )
    evaluation = Evaluation.objects.create(application=application, evaluator=world.evaluator)
    # Assigned 12 days ago: due in 2 days (14 days to evaluate), inside the 3-day warning.
    Evaluation.objects.filter(pk=evaluation.pk).update(assigned_at=timezone.now() - dt.timedelta(days=12))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_scheduler(send=False)
        reminders.run_scheduler(send=False)
    (due,) = Notification.objects.filter(kind=Kind.EVALUATION_DUE)
    # Due soon goes to the daily digest by default (gathered already if its hour has passed).
    assert due.recipient_id == world.evaluator.pk and due.email_state in (EmailState.DIGEST, EmailState.DIGESTED)
    assert world.call.title in due.body and application.venture.title not in due.body
    assert not Notification.objects.filter(kind=Kind.EVALUATION_OVERDUE).exists()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_scheduler(timezone.now() + dt.timedelta(days=3), send=False)
    (overdue,) = Notification.objects.filter(kind=Kind.EVALUATION_OVERDUE)
    assert overdue.recipient_id == world.evaluator.pk and overdue.email_state == EmailState.PENDING


def _sources() -> str:
    text = []
    for folder in ("incubator", "cohorts", "mentoring"):
        for path in (ROOT / folder).rglob("*.py"):
            if "notifications" not in path.parts and "migrations" not in path.parts and "demo" not in path.name:
                text.append(path.read_text())
    return "\n".join(text)


@pytest.mark.parametrize("kind", [k for k in Kind.values if k != Kind.WELCOME])
def test_every_kind_is_emitted_by_a_subject_and_documented(kind):
    member = Kind(kind).name
    assert re.search(rf"\bKind\.{member}\b", _sources()), f"no subject emits {member}"
    assert f"`{kind}`" in (ROOT / "docs" / "notifications.md").read_text(), f"{kind} missing in docs"
