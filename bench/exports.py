"""The peak memory of a 100,000-row export: the back office's attendance export (CSV),
asked for through the admin by a coordinator of as many programmes as it takes to reach
the rows, and read to the end as a browser would. Measured twice: Python's allocations
during the export (``tracemalloc``) and the process's resident peak (Linux ``VmHWM``,
reset just before). The floor is the export's own row query on a bare server-side cursor
writing the same number of CSV lines; the dataset export of import-export (every row in
memory first), which the back office used before, is shown for comparison."""

import csv
import io
import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from django.contrib.admin.sites import site
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from import_export.forms import SelectableFieldsExportForm

from bench.common import Settings, Table, client_for, recording
from cohorts.models import Attendance
from incubator.models import Programme, Role, RoleAssignment, User

GOAL_MB = 300
MB = 1024 * 1024
_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


def _reset_peak() -> bool:
    try:
        _CLEAR.write_text("5")  # resets VmHWM, the resident-set high-water mark
        return True
    except OSError:
        return False


def _peak_rss() -> int | None:
    try:
        match = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
    except OSError:
        return None
    return int(match.group(1)) * 1024 if match else None


def _measure(fn) -> tuple[float, int, int | None, object]:
    """(seconds, Python peak bytes, resident peak bytes, result) of ``fn``: timed and its
    resident peak read on a plain run, then run again under tracemalloc (which slows
    everything down) for Python's peak."""
    resident = _peak_rss() if _reset_peak() else None
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    if resident is not None:
        resident = _peak_rss()
    tracemalloc.start()
    fn()
    _current, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, python_peak, resident, result


def _exporter(rows_wanted: int) -> tuple[User, int]:
    """A staff user coordinating the programmes with the most marks, enough of them for
    ``rows_wanted`` rows (created inside the caller's rolled-back transaction)."""
    user = User.objects.create_user(username="bench-exporter", is_staff=True)
    total = 0
    by_programme = (
        Attendance.objects.values("session__cohort__programme")
        .annotate(n=Count("pk"))
        .order_by("-n", "session__cohort__programme")
    )
    for row in by_programme:
        RoleAssignment.objects.create(
            user=user, programme=Programme.objects.get(pk=row["session__cohort__programme"]), role=Role.COORDINATOR
        )
        total += row["n"]
        if total >= rows_wanted:
            break
    return user, total


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    out(
        f"Peak memory of a {settings.export_rows:,}-row export (the attendance export of the back office, CSV, "
        f"streamed). Goal: under {GOAL_MB} MB."
    )
    figures: dict[str, float] = {}
    table = Table(("what", 56), ("rows", 8), ("s", 6), ("Python MB", 9), ("process MB", 10), ("", 9))
    with transaction.atomic():
        user, rows = _exporter(settings.export_rows)
        client = client_for(user)
        export_url = reverse("admin:cohorts_attendance_export")
        # The export form as the page offers it: every column ticked, CSV, the one resource.
        model_admin = site._registry[Attendance]
        resource = model_admin.get_export_resource_classes(None)[0]
        data = {
            SelectableFieldsExportForm.create_boolean_field_name(resource, f): "on"
            for f in resource().get_export_order()
        }
        data.update(format="0", resource="0")

        def streamed():
            response = client.post(export_url, data)
            lines = size = 0
            for piece in response:  # read to the end, as a browser saves it, keeping nothing
                lines += piece.count(b"\n")
                size += len(piece)
            return lines - 1, size, response.streaming

        with recording() as statements:
            exported, size, was_streamed = streamed()
        seconds, python_peak, resident, _ = _measure(streamed)
        figures["python_mb"] = python_peak / MB
        figures["process_mb"] = (resident or 0) / MB
        ok = python_peak / MB < GOAL_MB and (resident is None or resident / MB < GOAL_MB)
        table.add(
            f"admin export, {'streamed' if was_streamed else 'NOT streamed'} ({size // MB} MB of CSV)",
            f"{exported:,}",
            f"{seconds:.1f}",
            f"{python_peak / MB:.1f}",
            f"{resident / MB:.0f}" if resident else "-",
            "ok" if ok else "OVER GOAL",
        )
        main = max(
            (s for s in statements.statements if "cohorts_attendance" in s.sql and s.sql.lstrip().startswith("SELECT")),
            key=lambda s: len(s.sql),
        )

        def bare():
            sink, n = io.StringIO(), 0
            writer = csv.writer(sink)
            with connection.chunked_cursor() as cursor:
                cursor.execute(main.sql, main.params)
                while batch := cursor.fetchmany(2000):
                    for row in batch:
                        writer.writerow(row)
                        n += 1
                    sink.seek(0)
                    sink.truncate()
            return n

        seconds, python_peak, resident, n = _measure(bare)
        table.add(
            "floor: its row query on a bare server-side cursor to CSV",
            f"{n:,}",
            f"{seconds:.1f}",
            f"{python_peak / MB:.1f}",
            f"{resident / MB:.0f}" if resident else "-",
            "",
        )
        request = client.get(export_url).wsgi_request
        request.user = user
        queryset = model_admin.get_export_queryset(request)
        file_format = model_admin.get_export_formats()[0]()

        def in_memory():
            return len(model_admin.get_export_data(file_format, request, queryset))

        seconds, python_peak, resident, size = _measure(in_memory)
        table.add(
            "for comparison: the whole dataset in memory first",
            f"{rows:,}",
            f"{seconds:.1f}",
            f"{python_peak / MB:.1f}",
            f"{resident / MB:.0f}" if resident else "-",
            "",
        )
        transaction.set_rollback(True)
    out(str(table))
    out(
        "Python MB: the largest amount allocated during the export (tracemalloc); process MB: the resident peak "
        "of this whole process, which holds the benchmark itself too (VmHWM, reset before each)."
    )
    return figures
