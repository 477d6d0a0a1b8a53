"""Delivery: claimed once, retried with backoff, failed after the last attempt and shown to
administrators (who may send again), stale sends never resent by themselves; the daily
digest, once per person and day."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from incubator.notifications import delivery, services
from incubator.notifications.kinds import Channel, Kind
from incubator.notifications.models import Digest, EmailState, Notification, NotificationPreference


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the server went away")


def _event(users, key="k1", kind=Kind.EXPORT_READY):
    services.deliver([services.Event(kind, f"{kind}:{key}", [u.pk for u in users], {"name": "CSV"}, "/dashboard/")])


def test_a_failing_server_is_retried_with_growing_delays_then_given_up(world, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.RefusingBackend"
    _event([world.coordinator])
    row = Notification.objects.get()
    delays = []
    for _attempt in range(delivery.MAX_ATTEMPTS):
        due = Notification.objects.get().email_next_at
        with time_machine.travel(due, tick=False):
            assert delivery.send_due_notifications() == 0
        row = Notification.objects.get()
        if row.email_state == EmailState.PENDING:
            delays.append(row.email_next_at - due)
    assert delays == [dt.timedelta(minutes=m) for m in (1, 4, 16, 64)]
    assert (row.email_state, row.email_attempts) == (EmailState.FAILED, delivery.MAX_ATTEMPTS)
    assert "SMTPServerDisconnected" in row.email_error
    # An administrator sends it again once the server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert delivery.retry(Notification.objects.all()) == 1
    assert delivery.send_due_notifications() == 1
    assert Notification.objects.get().email_state == EmailState.SENT and len(mail.outbox) == 1


def test_nothing_is_sent_before_its_time_and_a_sent_row_is_never_sent_again(world):
    _event([world.coordinator])
    row = Notification.objects.get()
    Notification.objects.filter(pk=row.pk).update(email_next_at=timezone.now() + dt.timedelta(minutes=5))
    assert delivery.send_due_notifications() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        assert delivery.send_due_notifications() == 1
        assert delivery.send_due_notifications() == 0
    assert len(mail.outbox) == 1


def test_a_row_left_sending_by_a_dead_worker_is_failed_not_resent(world):
    _event([world.coordinator])
    Notification.objects.update(email_state=EmailState.SENDING, email_next_at=timezone.now() - dt.timedelta(hours=1))
    assert delivery.send_due_notifications() == 0
    assert delivery.fail_stale() == 1
    row = Notification.objects.get()
    assert row.email_state == EmailState.FAILED and "not resent automatically" in row.email_error
    assert mail.outbox == []


def test_the_back_office_shows_failures_to_administrators_only(world, admin_user, client):
    _event([world.coordinator])
    Notification.objects.update(email_state=EmailState.FAILED, email_error="SMTPServerDisconnected: gone")
    client.force_login(admin_user)
    page = client.get("/admin/incubator/notification/?email_state__exact=failed")
    assert page.status_code == 200 and world.coordinator.username in page.content.decode()
    detail = client.get(f"/admin/incubator/notification/{Notification.objects.get().pk}/change/")
    assert "SMTPServerDisconnected: gone" in detail.content.decode()
    client.force_login(world.coordinator)  # staff, but not an administrator
    assert client.get("/admin/incubator/notification/").status_code in (403, 404)


def test_the_admin_action_sends_failed_e_mails_again(world, admin_user, client, django_capture_on_commit_callbacks):
    _event([world.coordinator])
    Notification.objects.update(email_state=EmailState.FAILED, email_attempts=5)
    client.force_login(admin_user)
    response = client.post(
        "/admin/incubator/notification/",
        {"action": "send_again", "_selected_action": [Notification.objects.get().pk]},
    )
    assert response.status_code == 302
    assert Notification.objects.get().email_state == EmailState.SENT and len(mail.outbox) == 1


@pytest.fixture
def digest_people(world):
    for user in (world.participant, world.tutor):
        NotificationPreference.objects.create(user=user, kind=Kind.EXPORT_READY, channel=Channel.DIGEST)
    return [world.participant, world.tutor]


def test_the_daily_digest_gathers_the_day_once_per_person(world, digest_people, settings):
    settings.NOTIFICATIONS_DIGEST_HOUR = 7
    morning = timezone.localtime().replace(hour=6, minute=0)
    with time_machine.travel(morning, tick=False):
        _event(digest_people, "a")
        _event(digest_people, "b")
        assert delivery.make_digests() == 0  # before the hour
    with time_machine.travel(morning + dt.timedelta(hours=2), tick=False):
        assert delivery.make_digests() == 2
        assert delivery.make_digests() == 0  # a second run the same day
        assert delivery.send_due_digests() == 2
        assert delivery.send_due_digests() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in digest_people)
    message = mail.outbox[0]
    assert message.subject == "Your daily summary: 2 notifications"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert html.count("Your export is ready") == 2
    assert Notification.objects.filter(email_state=EmailState.DIGESTED).count() == 4
    assert Digest.objects.filter(email_state=EmailState.SENT).count() == 2
    # Later the same day: a new one waits for tomorrow's digest.
    with time_machine.travel(morning + dt.timedelta(hours=5), tick=False):
        _event(digest_people[:1], "c")
        assert delivery.make_digests() == 0
    assert Notification.objects.filter(email_state=EmailState.DIGEST).count() == 1
    with time_machine.travel(morning + dt.timedelta(days=1, hours=2), tick=False):
        assert delivery.make_digests() == 1
