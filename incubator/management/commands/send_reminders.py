"""``manage.py send_reminders``: one run of the notification scheduler - the reminders due
now (sessions tomorrow, milestones due or overdue, action items, late evaluations...), the
day's digests from ``NOTIFICATIONS_DIGEST_HOUR``, then the e-mails handed to the worker.

Safe every few minutes and with two runs at once (one row per event and person, one digest
per person and day, each e-mail claimed before it is sent). Production: a cron line
``*/5 * * * * cd /srv/incubator && .venv/bin/python manage.py send_reminders`` or a systemd
timer, next to ``manage.py db_worker``; ``--loop SECONDS`` keeps it running (the demo)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from incubator.notifications import delivery, reminders


class Command(BaseCommand):
    help = "Make the reminders and digests that are due and send the e-mails that are due."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="Act as if now were this ISO date-time (tests, catch-up runs).")
        parser.add_argument(
            "--send-here", action="store_true", help="Send the due e-mails in this process instead of the worker."
        )
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS", help="Run again every SECONDS.")

    def handle(self, *args, at=None, send_here=False, loop=0, **options):
        try:
            now = dt.datetime.fromisoformat(at) if at else None
        except ValueError:
            raise CommandError(f"--at: {at!r} is not an ISO date-time.") from None
        if now is not None and timezone.is_naive(now):
            now = timezone.make_aware(now)
        if loop < 0:
            raise CommandError("--loop must be 0 or more seconds.")
        while True:
            result = reminders.run_scheduler(now, send=not send_here)
            self.stdout.write(str(result))
            if send_here:
                sent = delivery.send_due_notifications() + delivery.send_due_digests()
                self.stdout.write(f"{sent} e-mails sent.")
            if not loop:
                return
            time.sleep(loop)
