"""The attendance import through the shared import machinery (``cohorts.resources.
AttendanceResource`` on ``incubator.imports.ServiceResource``: every cell parsed,
every session checked against the user's reach, the marks written by the register's
service, all or nothing) against a raw ``bulk_create`` of the same marks.

The file is what the back office round-trips: the registers of the latest held sessions,
a row per person on each roster (marks already there changed, missing ones added),
imported as the confirmation step does (rows kept for the admin log). Each run is rolled
back, so the data stays as it was. Then the same file with one bad last row: nothing may
be written."""

import time
from collections.abc import Callable

import tablib
from django.db import transaction
from django.utils import timezone, translation

from bench.common import Settings, Table, fmt_ms
from cohorts.models import Attendance, AttendanceStatus, TrainingSession
from cohorts.resources import AttendanceResource
from cohorts.selectors import session_roster
from incubator import access
from incubator.imports.services import background_rows

GOAL_ROWS_PER_S = 2000
GOAL_SHARE_OF_FLOOR = 0.25
HEADERS = ["session", "person", "status", "minutes_attended", "note"]
CHANGED = {
    AttendanceStatus.PRESENT: AttendanceStatus.ABSENT,
    AttendanceStatus.ABSENT: AttendanceStatus.PRESENT,
    AttendanceStatus.JUSTIFIED: AttendanceStatus.PRESENT,
    AttendanceStatus.PARTIAL: AttendanceStatus.PRESENT,
}


Row = tuple[int, int, str, int | None]


def registers(user, rows: int) -> list[Row]:
    """(session, person, status, minutes) for the latest held sessions' full registers."""
    held = (
        access.visible(user, TrainingSession)
        .filter(cancelled_at__isnull=True, kind=TrainingSession.Kind.TRAINING, ends_at__lte=timezone.now())
        .order_by("-starts_at", "-pk")
    )
    out: list[Row] = []
    for session in held.iterator(chunk_size=50):
        marks = {
            person: (status, minutes)
            for person, status, minutes in Attendance.objects.filter(session=session).values_list(
                "person_id", "status", "minutes_attended"
            )
        }
        for n, person in enumerate(session_roster(session).values_list("pk", flat=True)):
            if person in marks:
                # Every third mark corrected, the others given again unchanged.
                status, minutes = marks[person]
                if n % 3 == 0:
                    status, minutes = CHANGED[status], None
            else:
                status, minutes = (AttendanceStatus.PRESENT if n % 4 else AttendanceStatus.JUSTIFIED), None
            out.append((session.pk, person, status, minutes))
            if len(out) >= rows:
                return out
    return out


def _dataset(rows: list[Row]) -> tablib.Dataset:
    data = tablib.Dataset(headers=HEADERS)
    for session, person, status, minutes in rows:
        data.append([session, person, status, minutes, ""])
    return data


def _import_seconds(user, rows) -> tuple[float, object]:
    data = _dataset(rows)
    with transaction.atomic():
        started = time.perf_counter()
        result = AttendanceResource(actor=user).import_data(data, dry_run=False, retain_instance_in_row_result=True)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, result


def _bulk_seconds(user, rows) -> float:
    now = timezone.now()
    marks = [
        Attendance(session_id=s, person_id=p, status=status, minutes_attended=m, marked_by=user, marked_at=now)
        for s, p, status, m in rows
    ]
    with transaction.atomic():
        started = time.perf_counter()
        Attendance.objects.bulk_create(
            marks,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["session", "person"],
            update_fields=["status", "minutes_attended", "note", "marked_by", "marked_at"],
        )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    out(
        f"Attendance import of {settings.import_rows:,} rows through the import machinery against a raw "
        f"bulk_create of the same marks. Goal: at least {GOAL_ROWS_PER_S:,} rows/s and "
        f"{GOAL_SHARE_OF_FLOOR:.0%} of the floor's rate, all or nothing."
    )
    rows = registers(settings.user, settings.import_rows)
    if not rows:
        out("No held session visible: nothing to import.")
        return {}
    sessions = len({row[0] for row in rows})
    runs = [_import_seconds(settings.user, rows) for _ in range(min(3, settings.repeat))]
    seconds = sorted(r[0] for r in runs)[len(runs) // 2]
    result = runs[0][1]
    bulk = sorted(_bulk_seconds(settings.user, rows) for _ in range(min(3, settings.repeat)))[len(runs) // 2]
    machinery, floor = len(rows) / seconds, len(rows) / bulk
    table = Table(("what", 52), ("ms", 8), ("rows/s", 8), ("", 9))
    totals = ", ".join(f"{k} {n}" for k, n in result.totals.items() if n)
    table.add(f"import machinery ({totals})", fmt_ms(seconds * 1000), f"{machinery:,.0f}", "")
    table.add("floor: bulk_create of the same marks", fmt_ms(bulk * 1000), f"{floor:,.0f}", "")
    ok = machinery >= GOAL_ROWS_PER_S and not result.has_errors() and not result.has_validation_errors()
    table.add("throughput against the goal", "", "", "ok" if ok else "UNDER GOAL")
    share = machinery / floor
    table.add(f"share of the floor's rate: {share:.1%}", "", "", "ok" if share >= GOAL_SHARE_OF_FLOOR else "UNDER GOAL")
    out(str(table))
    # All or nothing: the same file with a last row for someone on no roster.
    session_ids = sorted({row[0] for row in rows})
    before = Attendance.objects.filter(session_id__in=session_ids).values_list("status", flat=True)
    before = sorted(before)
    bad = [*rows, (rows[-1][0], 0, AttendanceStatus.PRESENT, None)]
    with translation.override("en"):  # the refusal quoted below in the report's language
        _seconds, failed = _import_seconds(settings.user, bad)
        problems = [str(p) for p in failed.problems]
    after = sorted(Attendance.objects.filter(session_id__in=session_ids).values_list("status", flat=True))
    kept = failed.has_validation_errors() and before == after
    out(
        f"{len(rows):,} rows over {sessions} sessions (one service call: the registers' rules checked per "
        "session in batches, one upsert). All or nothing: "
        f"{'kept' if kept else 'BROKEN'} - the same file with a bad last row was refused "
        f"({problems[0] if problems else 'no problem reported'}) and no mark changed. "
        f"Files over {background_rows():,} rows are imported by the background worker."
    )
    return {
        "rows_per_s": machinery,
        "floor_rows_per_s": floor,
        "floor_share": machinery / floor,
        "all_or_nothing": float(kept),
    }
