"""``manage.py anonymise_expired``: anonymise the people of programmes whose retention
period (five years from 31 December of the year of the last payment) has ended.

Idempotent: people already anonymised are skipped, so it can run every night, e.g.
``15 3 * * * cd /srv/incubator && .venv/bin/python manage.py anonymise_expired``.
``--enqueue`` hands the work to the task queue (``manage.py db_worker``) instead."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from incubator.privacy.services import anonymise_expired
from incubator.privacy.tasks import anonymise_expired_task


class Command(BaseCommand):
    help = "Anonymise the people of programmes whose document retention period has ended."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count who would be anonymised.")
        parser.add_argument("--date", help="Act as if today were this ISO date (YYYY-MM-DD).")
        parser.add_argument("--enqueue", action="store_true", help="Run it as a background task instead.")

    def handle(self, *args, dry_run=False, date=None, enqueue=False, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date: {date!r} is not a date (YYYY-MM-DD).") from None
        if enqueue:
            if dry_run:
                raise CommandError("--dry-run cannot be enqueued.")
            result = anonymise_expired_task.enqueue(today=today.isoformat() if today else None)
            self.stdout.write(f"Enqueued task {result.id}.")
            return
        done = anonymise_expired(today=today, dry_run=dry_run)
        verb = "would be anonymised" if dry_run else "anonymised"
        for code, count in done.items():
            self.stdout.write(f"{code}: {count} {verb}")
        self.stdout.write(f"Total: {sum(done.values())} {verb} in {len(done)} programme(s) past retention.")
