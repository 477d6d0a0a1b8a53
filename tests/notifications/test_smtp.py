"""E-mails as a mail server receives them: a real SMTP server on loopback parses each
message - headers (RFC 8058 one-click unsubscribe), the text and HTML parts, the .ics."""

import datetime as dt

import vobject
from django.test import Client

from cohorts import services as cohort_services
from incubator.notifications.kinds import Channel, Kind
from incubator.notifications.models import EmailState, Notification, NotificationPreference, RecipientSettings
from tests.cohorts.helpers import build_cohort, today
from tests.notifications.smtp import smtp_server


def test_a_scheduled_session_reaches_each_person_by_smtp_with_the_event_attached(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://incubatore.example.org"
    RecipientSettings.objects.create(user=world.participant, language="it")
    cw = build_cohort(world, extra_people=0)
    with smtp_server(settings) as inbox, django_capture_on_commit_callbacks(execute=True):
        session = cw.session(day=today() + dt.timedelta(days=5), topic="Business plan")
    assert sorted(rcpt for _sender, rcpts in inbox.envelopes for rcpt in rcpts) == sorted(
        [world.participant.email, world.tutor.email]
    )
    message = next(m for m in inbox.messages if m["To"] == world.participant.email)
    # Neutral subject, in the participant's language.
    assert message["Subject"] == "Nuova sessione formativa"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://incubatore.example.org/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Verbatim on the wire (a URI in angle brackets, not RFC 2047 encoded-words).
    raw = inbox.raw[inbox.messages.index(message)]
    assert f"List-Unsubscribe: {unsubscribe}\r\n".encode() in raw
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Business plan" in text and "Business plan" in html
    assert "https://incubatore.example.org/notifications/preferences/" in text
    assert 'href="https://incubatore.example.org/notifications/preferences/"' in html
    attachments = list(message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [
        (f"session-{session.pk}.ics", "text/calendar")
    ]
    calendar = vobject.readOne(attachments[0].get_content())
    event = calendar.vevent
    assert event.uid.value == f"training-session-{session.pk}@incubator"
    assert event.dtstart.value == session.starts_at
    # One-click: the mail client posts to the link, without a session or CSRF token.
    path = unsubscribe[1:-1].removeprefix("https://incubatore.example.org")
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=world.participant).channel == Channel.OFF


def test_a_cancelled_session_sends_the_cancellation_as_ics(world, settings, django_capture_on_commit_callbacks):
    cw = build_cohort(world, extra_people=0)
    session = cw.session(day=today() + dt.timedelta(days=3))
    with smtp_server(settings) as inbox, django_capture_on_commit_callbacks(execute=True):
        cohort_services.session_cancel(actor=world.coordinator, session=session, reason="Aula non disponibile")
    assert len(inbox.messages) == 2
    message = inbox.messages[0]
    assert message["Subject"] == "A training session was cancelled"
    assert "Aula non disponibile" not in message["Subject"]
    ics = next(message.iter_attachments()).get_content()
    assert vobject.readOne(ics).vevent.status.value == "CANCELLED"


def test_a_mail_server_that_refuses_is_retried_later_with_backoff(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens: connection refused
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    cw = build_cohort(world, extra_people=0)
    with django_capture_on_commit_callbacks(execute=True):
        cw.session(day=today() + dt.timedelta(days=3))
    rows = Notification.objects.filter(kind=Kind.SESSION_SCHEDULED)
    assert rows.count() == 2
    for row in rows:
        assert (row.email_state, row.email_attempts) == (EmailState.PENDING, 1)
        assert "ConnectionRefusedError" in row.email_error
        assert row.email_next_at > row.created_at + dt.timedelta(seconds=50)
