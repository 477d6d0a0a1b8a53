"""``manage.py benchmark``: the performance figures of the product on the data in the
database (``seed_demo --scale 1`` builds the reference data), each next to a floor
measured in the same run. See ``bench`` and ``docs/performance.md``."""

import logging
import os
import platform
import random
import time

from django.conf import settings as django_settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone, translation

from bench.common import Settings
from bench.sections import SECTIONS
from incubator.demo_context import DemoContext
from incubator.models import Programme, User


class Command(BaseCommand):
    help = (
        "Measures list endpoints, the cohort report, imports, calendar feeds, deep pages, exports and the "
        "back office on the data in the database, each against a floor measured in the same run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            default="coordinator",
            help="Who makes the requests (default: the demo coordinator, who coordinates the scale programmes).",
        )
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs per figure; the median is shown.")
        parser.add_argument(
            "--only", action="append", choices=list(SECTIONS), help="Run only this section (repeatable)."
        )
        parser.add_argument("--export-rows", type=int, default=100_000, help="Rows of the export measured.")
        parser.add_argument("--import-rows", type=int, default=2_000, help="Rows of the import measured.")
        parser.add_argument("--feed-events", type=int, default=500, help="Events of the calendar feed measured.")
        parser.add_argument(
            "--scale",
            type=float,
            default=0,
            help=(
                "Build the demo and the scale data at this factor first (e.g. 0.01 for a quick run), inside a "
                "transaction rolled back at the end: the database is left as it was."
            ),
        )

    def handle(self, *args, scale: float, **options) -> None:
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        if scale < 0:
            raise CommandError("--scale must be 0 or more.")
        # The debug cursor keeps every statement in memory and slows each one down: a
        # benchmark measures the product as it is served.
        django_settings.DEBUG = False
        # Refusals (403) are part of what is measured, not news for the console.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        # The report's own words in English (the site's language stays as configured).
        with translation.override("en"):
            if not scale:
                self._run(**options)
                return
            with transaction.atomic():
                self._build(scale)
                self._run(**options)
                transaction.set_rollback(True)

    def _build(self, factor: float) -> None:
        from django.core.management import call_command

        from bench import demo_scale
        from incubator.management.commands.seed_demo import demo_present

        started = time.monotonic()
        if not demo_present():
            call_command("seed_demo", verbosity=0, stdout=self.stdout)
        try:
            counts = demo_scale.build(DemoContext(rng=random.Random(2026), today=timezone.localdate()), factor).rows
        except RuntimeError as exc:  # the scale data is there already: benchmark it as it is
            raise CommandError(f"{exc} Or leave out --scale to measure the data in the database.") from exc
        self.stdout.write(
            f"Built the scale data at {factor} in {time.monotonic() - started:.0f} s "
            f"({sum(counts.values()):,} rows; rolled back at the end)."
        )

    def _run(self, *, user: str, repeat: int, only, export_rows, import_rows, feed_events, **options) -> None:
        who = User.objects.filter(username=user).first()
        if who is None:
            raise CommandError(f"No user {user!r}: build the data with seed_demo --scale 1, or give --user.")
        run = Settings(
            user=who, repeat=repeat, export_rows=export_rows, import_rows=import_rows, feed_events=feed_events
        )
        self._header(run)
        started = time.monotonic()
        for name, section in SECTIONS.items():
            if only and name not in only:
                continue
            self.stdout.write("")
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {name} =="))
            section(run, self.stdout.write)
        self.stdout.write("")
        self.stdout.write(f"Benchmark finished in {time.monotonic() - started:.0f} s.")

    def _header(self, run: Settings) -> None:
        from cohorts.models import Attendance, TrainingSession
        from incubator.models import Person, Venture
        from mentoring.models import TutoringSession

        vendor = connection.vendor
        version = ".".join(str(v) for v in connection.Database.sqlite_version_info) if vendor == "sqlite" else ""
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
        self.stdout.write(
            f"Benchmark {timezone.localtime():%Y-%m-%d %H:%M} on {platform.node()} "
            f"({platform.machine()}, {_cores()} cores, Python {platform.python_version()}), "
            f"{vendor} {version}, database {connection.settings_dict['NAME']}"
        )
        counts = {
            "programmes": Programme.objects.count(),
            "participants (people)": Person.objects.count(),
            "ventures": Venture.objects.count(),
            "training sessions": TrainingSession.objects.count(),
            "attendance marks": Attendance.objects.count(),
            "tutoring sessions": TutoringSession.objects.count(),
        }
        self.stdout.write("Data: " + ", ".join(f"{n:,} {label}" for label, n in counts.items()))
        self.stdout.write(
            f"Requests as {run.user.username}; each time is the median of {run.repeat} run(s) after one untimed run. "
            f"Other processes on the machine add noise."
        )


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
