"""The benchmark command runs on a tiny build of the scale data and prints every figure
with its floor (timings are never asserted: only that each figure is there)."""

import io

import pytest
from django.core.management import CommandError, call_command

from bench.lists import list_endpoints
from incubator.models import Programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def output(db):
    out = io.StringIO()
    call_command(
        "benchmark",
        scale=0.02,
        repeat=1,
        export_rows=1500,
        import_rows=120,
        # A tutor of the 0.02 build has ten to twenty events in the feed's window (its few
        # tutoring sessions are spread over the year, as the full build's weekly ones are).
        feed_events=10,
        stdout=out,
    )
    return out.getvalue()


def test_every_section_prints_its_figures_and_floors(output):
    for heading in ("== lists ==", "== report ==", "== imports ==", "== feeds ==", "== pages ==", "== exports =="):
        assert heading in output
    assert "== admin ==" in output and "Benchmark finished" in output
    # Lists: every list endpoint of the URLconf, with its queries at 1 and 50 rows and its floor.
    for endpoint in list_endpoints():
        assert "/" + endpoint.route in output, endpoint.route
    assert "queries 1/50" in output and "floor ms" in output and "endpoints within 3x" in output
    # The report against the hand-written SQL, and the two agree.
    assert "one cohort" in output and "a programme" in output and "figures differ" not in output
    # Imports: the machinery, the bulk_create floor, all or nothing.
    assert "import machinery" in output and "floor: bulk_create" in output and "All or nothing: kept" in output
    # The feed, and its conditional request answered 304.
    assert "full feed, built:" in output and "If-None-Match" in output
    status, queries = output.split("If-None-Match: the ETag")[1].split()[:2]
    assert (status, int(queries) <= 2) == ("304", True)
    assert "full feed, from the cache" in output
    # Deep pages of the three largest lists, by cursor.
    for route in ("/api/v1/attendance/", "/api/v1/tutoring-sessions/", "/api/v1/training-sessions/"):
        assert route in output.split("== pages ==")[1]
    assert "OFFSET ms" in output
    # The export, streamed, with its memory.
    assert "admin export, streamed" in output and "Python MB" in output and "bare server-side cursor" in output
    # The data is left as it was: the build was rolled back.
    assert not Programme.objects.filter(code__startswith="SCALE-").exists()


def test_the_benchmark_needs_its_user(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("benchmark", user="nobody", only=["lists"], stdout=io.StringIO())


def test_a_section_can_run_alone(db):
    out = io.StringIO()
    call_command("benchmark", scale=0.02, repeat=1, only=["pages"], stdout=out)
    assert "== pages ==" in out.getvalue() and "== lists ==" not in out.getvalue()


def test_the_notifications_section_runs_one_scheduler_run_with_its_floor(db):
    out = io.StringIO()
    call_command("benchmark", scale=0.02, repeat=1, only=["notifications"], stdout=out)
    text = out.getvalue().split("== notifications ==")[1]
    assert "scheduler run:" in text and "floor: its reads as raw SQL" in text and "e-mails due at once" in text
    assert "UNBOUNDED" not in text
    row = text.split("scheduler run: ")[1]
    made = int(row.split("events, ")[1].split(" notifications")[0].replace(",", ""))
    assert made > 0  # the busiest morning has reminders to make
    # At two sizes of the people told, the queries beyond three per chunk are the same.
    line = text.split("Queries beyond three per ")[1].splitlines()[0]
    fixed = [int(part.split(" for ")[0]) for part in line.split(": ")[1].split(", ")]
    assert "as built:" in text and len(fixed) == 2 and fixed[0] == fixed[1], line
    assert not Programme.objects.filter(code__startswith="SCALE-").exists()


def test_the_portal_section_measures_the_call_page_a_submission_and_an_evaluators_list(db):
    out = io.StringIO()
    call_command("benchmark", scale=0.02, repeat=1, only=["portal"], stdout=out)
    text = out.getvalue().split("== portal ==")[1]
    lines = [line.strip() for line in text.splitlines()]

    def row(start: str) -> list[str]:
        (found,) = [line for line in lines if line.startswith(start)]
        return found.split()

    cached, forgotten = row("public call page 200"), row("the same, cache forgotten")
    # From the cache the page reads nothing of the call; forgotten, the call, documents, FAQ.
    assert int(cached[-3]) < int(forgotten[-4]), (cached, forgotten)
    assert row("application submission")[-1].endswith("x")
    assert row("evaluator's list 200")[-1].endswith("x")
    assert not Programme.objects.filter(code__startswith="SCALE-").exists()
