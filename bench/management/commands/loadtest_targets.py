"""``manage.py loadtest_targets``: what ``scripts/loadtest.sh`` aims wrk at, as shell
assignments - an API token for the user (the one ``POST /api/v1/auth/token/`` would
give), the largest list endpoint, an authenticated list with no rows for the user (the
request's fixed cost: what a list's throughput is compared with), and the calendar feed
link of the tutor whose feed is nearest to the wanted number of events (issued through the
service if they have none)."""

import shlex

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from rest_framework.authtoken.models import Token

from bench.feeds import busiest_tutor
from cohorts.reports.models import ReportExport
from incubator import access
from incubator.calendar import services
from incubator.calendar.models import CalendarFeed
from incubator.models import Programme, User


class Command(BaseCommand):
    help = "Prints TOKEN, LIST_PATH, BARE_PATH and FEED_PATH for the load test (scripts/loadtest.sh)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="coordinator", help="Whose token the list requests carry.")
        parser.add_argument(
            "--list", dest="list_name", default="attendance-list", help="URL name of the list (api namespace)."
        )
        parser.add_argument("--feed-events", type=int, default=500, help="Events wanted in the calendar feed.")

    def handle(self, *args, user: str, list_name: str, feed_events: int, **options) -> None:
        who = User.objects.filter(username=user, is_active=True).first()
        if who is None:
            raise CommandError(f"No active user {user!r}: build the data first (seed_demo --scale 1).")
        token, _created = Token.objects.get_or_create(user=who)
        found = busiest_tutor(feed_events)
        if found is None:
            raise CommandError("No tutor has sessions in a calendar feed's window: build the data first.")
        tutor, programme_id, _events = found
        feed = services.calendar_feed_get_or_issue(
            actor=tutor, kind=CalendarFeed.Kind.TUTOR, programme=Programme.objects.get(pk=programme_id), user=tutor
        )
        if access.visible(who, ReportExport).exists():
            raise CommandError(f"{user!r} has report exports: the bare endpoint must answer no rows.")
        values = {
            "TOKEN": token.key,
            "LIST_PATH": reverse(f"api:{list_name}"),
            "BARE_PATH": reverse("api:report-export-list"),
            "FEED_PATH": reverse("calendar-feed", kwargs={"token": feed.token}),
        }
        for name, value in values.items():
            self.stdout.write(f"{name}={shlex.quote(value)}")
