"""Integration requests tell people: the applicant's team when the office asks, the
coordinators when the team answers, and the team again two days before the deadline
(once, however often the scheduler runs)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incubator.notifications import reminders
from incubator.notifications.kinds import Kind
from incubator.notifications.models import Notification
from incubator.selection import office, services
from tests.portal.conftest import PDF, complete, start

pytestmark = pytest.mark.django_db


def _submitted(form, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    return application


def _rows(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", "link"))


def test_requested_and_answered_are_notified(form, applicant, world, django_capture_on_commit_callbacks):
    application = _submitted(form, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        request = office.integration_request(
            actor=world.coordinator,
            application=application,
            items="Statuto",
            deadline=timezone.now() + dt.timedelta(days=10),
        )
    assert _rows(Kind.INTEGRATION_REQUESTED) == [(applicant.pk, f"/my-applications/{application.pk}/")]
    assert _rows(Kind.INTEGRATION_ANSWERED) == []
    with django_capture_on_commit_callbacks(execute=True):
        office.integration_answer(
            actor=applicant, request=request, text="Eccolo", files=[SimpleUploadedFile("s.pdf", PDF)]
        )
    assert _rows(Kind.INTEGRATION_ANSWERED) == [(world.coordinator.pk, f"/office/applications/{application.pk}/")]
    # Nobody else hears of it: not the applicant, not other programmes' people.
    answered = Notification.objects.get(kind=Kind.INTEGRATION_ANSWERED)
    assert form.call.title in answered.body


def test_deadline_near_is_recalled_once(form, applicant, world, django_capture_on_commit_callbacks):
    application = _submitted(form, applicant)
    far = office.integration_request(
        actor=world.coordinator, application=application, items="CV", deadline=timezone.now() + dt.timedelta(days=9)
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_scheduler(send=False)
    assert _rows(Kind.INTEGRATION_DEADLINE) == []  # nine days ahead: not yet
    type(far).objects.filter(pk=far.pk).update(deadline=timezone.now() + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_scheduler(send=False)
        reminders.run_scheduler(send=False)
    assert _rows(Kind.INTEGRATION_DEADLINE) == [(applicant.pk, f"/my-applications/{application.pk}/")]


def test_answered_or_past_requests_are_not_recalled(form, applicant, world, django_capture_on_commit_callbacks):
    application = _submitted(form, applicant)
    soon = timezone.now() + dt.timedelta(days=1)
    answered = office.integration_request(actor=world.coordinator, application=application, items="A", deadline=soon)
    office.integration_answer(actor=applicant, request=answered, text="ok")
    past = office.integration_request(actor=world.coordinator, application=application, items="B", deadline=soon)
    type(past).objects.filter(pk=past.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_scheduler(send=False)
    assert _rows(Kind.INTEGRATION_DEADLINE) == []
