"""One run of the notification scheduler (``manage.py send_reminders``) over the data in the
database, on its busiest day: "now" is the morning before the day with the most training
sessions, so that sessions tomorrow, milestones due or overdue, action items and late
evaluations are all there to be told. Measured: its queries (bounded: a few per source and
three per ``CHUNK`` recipients, not a few per person), its time and Python's peak memory,
then the sending of the e-mails due at once (to a memory backend, in batches). A second
run on a quieter morning (a day with about half the busiest day's sessions) tells fewer
people: the queries beyond the three per ``CHUNK`` notifications are the same at both
sizes, so they do not grow with the people.

The floor, in the same run: the run's own reads replayed as raw SQL with every row
fetched, plus one ``bulk_create`` of as many ready-made notification rows (no rendering,
no preferences, no languages). Everything is rolled back."""

import datetime as dt
import math
import time
import tracemalloc
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.test.utils import override_settings
from django.utils import timezone

from bench.common import Settings, Table, fmt_ms, fmt_ratio, ratio, raw_fetch_and_encode, recording
from cohorts.models import TrainingSession
from incubator.notifications import delivery, reminders, services
from incubator.notifications.kinds import Kind
from incubator.notifications.models import Notification

MB = 1024 * 1024


def busiest_morning() -> dt.datetime:
    """08:00 local of the day before the day with the most sessions (today if there are none)."""
    row = (
        TrainingSession.objects.not_cancelled()
        .annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("-n", "day")
        .first()
    )
    day = row["day"] - dt.timedelta(days=1) if row else timezone.localdate()
    return dt.datetime.combine(day, dt.time(8), tzinfo=timezone.get_current_timezone())


def _sessions_by_day() -> list[dict]:
    return list(
        TrainingSession.objects.not_cancelled()
        .annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )


def quieter_morning() -> dt.datetime | None:
    """08:00 local of the day before the day whose sessions are closest to half the busiest
    day's (None when no day has fewer than the busiest)."""
    days = _sessions_by_day()
    top = max((row["n"] for row in days), default=0)
    fewer = [row for row in days if row["n"] < top]
    if not fewer:
        return None
    row = min(fewer, key=lambda row: (abs(2 * row["n"] - top), row["day"]))
    return dt.datetime.combine(row["day"] - dt.timedelta(days=1), dt.time(8), tzinfo=timezone.get_current_timezone())


def beyond_chunks(queries: int, made: int) -> int:
    """The queries of a run less the three each ``CHUNK`` of notifications costs."""
    return queries - 3 * math.ceil(made / services.CHUNK)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def _python_peak(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    now = busiest_morning()
    out(
        f"One scheduler run at {timezone.localtime(now):%Y-%m-%d %H:%M} (the morning before the busiest day), "
        "then the e-mails due at once. Goal: queries bounded (a few per source, three per "
        f"{services.CHUNK} recipients), time and memory next to the floor."
    )
    figures: dict[str, float] = {}
    with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        sid = transaction.savepoint()
        last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with recording() as statements:
            run_ms, result = _timed(lambda: reminders.run_scheduler(now, send=False))
        new = Notification.objects.filter(pk__gt=last)
        made = new.count()
        recipients = new.order_by().values("recipient_id").distinct().count()
        send_started = time.perf_counter()
        with recording() as sending:
            sent = delivery.send_due_notifications(now + dt.timedelta(seconds=1))
        send_ms = (time.perf_counter() - send_started) * 1000
        transaction.savepoint_rollback(sid)

        sid = transaction.savepoint()
        peak = _python_peak(lambda: reminders.run_scheduler(now, send=False))
        transaction.savepoint_rollback(sid)

        quiet = quieter_morning()
        small = None
        if quiet is not None:
            sid = transaction.savepoint()
            with recording() as quiet_statements:
                quiet_ms, quiet_result = _timed(lambda: reminders.run_scheduler(quiet, send=False))
            quiet_new = Notification.objects.filter(pk__gt=last)
            small = (
                quiet_result,
                quiet_new.count(),
                quiet_new.order_by().values("recipient_id").distinct().count(),
                quiet_statements.count,
                quiet_ms,
            )
            transaction.savepoint_rollback(sid)

        reads = [s for s in statements.statements if s.sql.lstrip().upper().startswith("SELECT")]
        ready = [
            Notification(
                recipient_id=1, kind=Kind.SESSION_TOMORROW, key=f"bench:{i}", subject="s", body="b", language="it"
            )
            for i in range(made)
        ]
        sid = transaction.savepoint()
        recipient = Notification._meta.get_field("recipient").related_model.objects.order_by("pk").first()

        def floor():
            raw_fetch_and_encode(reads)
            for row in ready:
                row.recipient_id = recipient.pk if recipient else 1
            Notification.objects.bulk_create(ready, batch_size=services.CHUNK)

        floor_ms, _ = _timed(floor) if recipient else (0.0, None)
        transaction.savepoint_rollback(sid)
        sid = transaction.savepoint()
        floor_peak = _python_peak(floor) if recipient else 0.0
        transaction.savepoint_rollback(sid)
        transaction.set_rollback(True)

    bound = 20 + 3 * math.ceil(max(made, 1) / services.CHUNK)
    table = Table(("what", 52), ("queries", 7), ("ms", 8), ("Python MB", 9), ("", 9))
    table.add(
        f"scheduler run: {result.events:,} events, {made:,} notifications, {recipients:,} people",
        statements.count,
        fmt_ms(run_ms),
        f"{peak:.1f}",
        "ok" if statements.count <= bound else "UNBOUNDED",
    )
    if small is not None:
        small_result, small_made, small_people, small_queries, small_ms = small
        small_bound = 20 + 3 * math.ceil(max(small_made, 1) / services.CHUNK)
        table.add(
            f"quieter morning: {small_result.events:,} events, {small_made:,} notifications, {small_people:,} people",
            small_queries,
            fmt_ms(small_ms),
            "-",
            "ok" if small_queries <= small_bound else "UNBOUNDED",
        )
    table.add(
        "floor: its reads as raw SQL + one bulk_create", len(reads) + 1, fmt_ms(floor_ms), f"{floor_peak:.1f}", ""
    )
    table.add(f"sending {sent:,} e-mails due at once (memory backend)", sending.count, fmt_ms(send_ms), "-", "")
    out(str(table))
    out(
        f"Time {fmt_ratio(ratio(run_ms, floor_ms))} the floor, memory {fmt_ratio(ratio(peak, floor_peak))}; "
        f"queries {statements.count} for {made:,} notifications (bound {bound})."
    )
    if small is not None:
        out(
            f"Queries beyond three per {services.CHUNK} notifications: "
            f"{beyond_chunks(statements.count, made)} for {recipients:,} people, "
            f"{beyond_chunks(small_queries, small_made)} for {small_people:,} people "
            f"(quieter morning, {timezone.localtime(quiet):%Y-%m-%d %H:%M})."
        )
        figures.update(quiet_queries=small_queries, quiet_notifications=small_made, quiet_people=small_people)
    figures.update(
        run_ms=run_ms,
        floor_ms=floor_ms,
        queries=statements.count,
        notifications=made,
        python_mb=peak,
        send_ms=send_ms,
    )
    return figures
