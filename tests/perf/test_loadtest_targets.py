"""``manage.py loadtest_targets`` (what ``scripts/loadtest.sh`` aims wrk at): a token, the
list, the bare list with no rows for the user, and a tutor's feed - each answering."""

import io
import shlex

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cohorts.reports.models import ReportExport
from tests.trust.worlds import build_full

pytestmark = pytest.mark.django_db


def targets(user) -> dict[str, str]:
    out = io.StringIO()
    call_command("loadtest_targets", user=user.username, feed_events=1, stdout=out)
    return dict(shlex.split(line)[0].split("=", 1) for line in out.getvalue().splitlines())


def test_the_targets_answer_and_the_bare_list_has_no_rows(world):
    build_full(world)
    ReportExport.objects.all().delete()
    found = targets(world.coordinator)
    assert set(found) == {"TOKEN", "LIST_PATH", "BARE_PATH", "FEED_PATH"}
    client = Client(HTTP_AUTHORIZATION=f"Token {found['TOKEN']}")
    bare = client.get(found["BARE_PATH"])
    assert bare.status_code == 200 and bare.json()["results"] == []
    listed = client.get(found["LIST_PATH"])
    assert listed.status_code == 200 and listed.json()["results"]
    feed = Client().get(found["FEED_PATH"])
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content


def test_a_user_with_report_exports_is_refused(world):
    build_full(world)  # the full world has a report export of the coordinator's
    assert ReportExport.objects.exists()
    with pytest.raises(CommandError, match="report exports"):
        targets(world.coordinator)
