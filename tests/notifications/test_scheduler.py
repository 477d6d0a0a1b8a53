"""The scheduler (``manage.py send_reminders``): each reminder due now reaches its people
once, however often it runs - and, on PostgreSQL, with two runs at the same moment."""

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from incubator.notifications import reminders
from incubator.notifications.kinds import Kind
from incubator.notifications.models import EmailState, Notification
from tests.notifications import reminder_world

REMINDERS = (
    Kind.SESSION_TOMORROW,
    Kind.MILESTONE_DUE,
    Kind.MILESTONE_OVERDUE,
    Kind.ACTION_ITEM_DUE,
    Kind.EVALUATION_OVERDUE,
)


def reminder_rows():
    return sorted(Notification.objects.filter(kind__in=REMINDERS).values_list("kind", "recipient_id"))


SUBJECTS = {
    "Training session tomorrow",
    "A milestone is due soon",
    "A milestone is overdue",
    "An action item is due",
    "An evaluation is overdue",
}


def reminder_mails():
    return sorted((m.subject, m.to[0]) for m in mail.outbox if m.subject in SUBJECTS)


def expected(world, due):
    participant, teammate_users = world.participant.pk, []
    return sorted(
        [
            (Kind.SESSION_TOMORROW, participant),
            (Kind.SESSION_TOMORROW, world.tutor.pk),  # the trainer
            (Kind.MILESTONE_DUE, participant),
            (Kind.MILESTONE_OVERDUE, participant),
            (Kind.ACTION_ITEM_DUE, world.tutor.pk),  # no owner: the tutor's
            (Kind.EVALUATION_OVERDUE, world.evaluator.pk),
            *teammate_users,
        ]
    )


def test_every_reminder_once_however_often_the_scheduler_runs(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_DIGEST_HOUR = 0  # the digest of the day goes out in this run
    due = reminder_world.build(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert reminder_rows() == expected(world, due)
    # Milestones due soon and action items go to the digest by default; the others at once.
    rows = Notification.objects.filter(kind__in=REMINDERS)
    digested = {Kind.MILESTONE_DUE, Kind.ACTION_ITEM_DUE}
    assert set(rows.filter(kind__in=digested).values_list("email_state", flat=True)) == {EmailState.DIGESTED}
    assert set(rows.exclude(kind__in=digested).values_list("email_state", flat=True)) == {EmailState.SENT}
    assert len(reminder_mails()) == 4
    digests = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Your daily summary"))
    assert digests == sorted([world.participant.email, world.tutor.email])
    body = next(m.body for m in mail.outbox if m.subject == "Training session tomorrow")
    assert "Accesso al credito" in body


def test_a_draft_is_recalled_three_days_before_the_call_closes(world, django_capture_on_commit_callbacks):
    world.call.closes_at = timezone.now() + dt.timedelta(days=2)
    world.call.save()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_scheduler()
        reminders.run_scheduler()
    rows = Notification.objects.filter(kind=Kind.DRAFT_UNSUBMITTED)
    assert [(n.recipient_id, n.subject) for n in rows] == [
        (world.participant.pk, "Your draft application is not submitted yet")
    ]
    assert [m.to for m in mail.outbox] == [[world.participant.email]]


def test_each_source_reads_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    reminder_world.build(world)
    # Sources: sessions (3: sessions, cohort members, trainers), action items (1),
    # milestones (2: milestones, teams), evaluations (1); one chunk of recipients (3:
    # people, preferences, insert); digests (6: count, recipients, insert, link, empty
    # ones found for deletion, count); stale sends (2). Constant in the number of people:
    # the benchmark's section measures it at scale.
    with django_assert_max_num_queries(21):  # + drafts (2), integration deadlines (1 when none is due)
        result = reminders.run_scheduler(send=False)
    assert result.events == 5


class SlowBackend(EmailBackend):
    """Sends slowly, so that two senders really overlap."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scheduler_runs_at_once_send_each_reminder_once(world, settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections at once")
    settings.EMAIL_BACKEND = "tests.notifications.test_scheduler.SlowBackend"
    settings.NOTIFICATIONS_DIGEST_HOUR = 0
    due = reminder_world.build(world)
    mail.outbox.clear()
    barrier = threading.Barrier(2)

    def together(now):
        barrier.wait(timeout=10)  # both runs have read what is due before either writes
        return []

    monkeypatch.setattr(reminders, "_sources", [together, *reminders._sources])
    errors = []

    def run():
        try:
            call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert reminder_rows() == expected(world, due)
    sent = [(m.subject, m.to[0]) for m in mail.outbox if m.subject in SUBJECTS or m.subject.startswith("Your daily")]
    # 4 reminders at once, and one digest each for the participant and the tutor (after 00:00).
    assert len(sent) == len(set(sent)) == 6, sent


def test_attendance_under_the_line_is_told_to_the_participant_once(world, django_capture_on_commit_callbacks):
    from tests.cohorts.helpers import build_cohort, days_ago, local

    cw = build_cohort(world, extra_people=1)
    absent, present = cw.people
    for n in (5, 4, 3, 2, 1):
        session = cw.session(day=days_ago(n), hour=9)
        cw.mark(session, (absent, "absent"), (present, "present"))
    evening = local(days_ago(1), 20)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_scheduler(evening)
        reminders.run_scheduler(evening + dt.timedelta(hours=12))
    rows = Notification.objects.filter(kind=Kind.ATTENDANCE_WARNING)
    assert [(n.recipient_id, n.subject) for n in rows] == [(world.participant.pk, "About your attendance")]
    assert cw.cohort.name in rows[0].body and "%" not in rows[0].body
