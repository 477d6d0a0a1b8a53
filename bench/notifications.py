"""One run of the notification scheduler (``manage.py send_reminders``) over the data in the
database, on its busiest day: "now" is the morning before the day with the most training
sessions, so that sessions tomorrow, milestones due or overdue, action items and late
evaluations are all there to be told. Measured: its queries (bounded: a few per source and
three per ``CHUNK`` recipients, not a few per person), its time and Python's peak memory,
then the sending of the e-mails due at once (to a memory backend, in batches).

At two sizes of the people told, on the same records: the data as built (the scale data
gives accounts to its staff, not to its participants, and only people with an account are
told), then with an account for every person (about 12,000 at ``--scale 1``). The queries
beyond the three per ``CHUNK`` notifications are the same at both sizes: they do not grow
with the people. The second size is the measured one.

The floor, in the same run: the run's own reads replayed as raw SQL with every row
fetched, plus one ``bulk_create`` of as many ready-made notification rows (no rendering,
no preferences, no languages). Everything is rolled back."""

import datetime as dt
import math
import time
import tracemalloc
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.test.utils import override_settings
from django.utils import timezone

from bench.common import Settings, Table, fmt_ms, fmt_ratio, ratio, raw_fetch_and_encode, recording
from cohorts.models import TrainingSession
from incubator.models import Person, User
from incubator.notifications import delivery, reminders, services
from incubator.notifications.kinds import Kind
from incubator.notifications.models import Notification

MB = 1024 * 1024
ACCOUNT_PREFIX = "bench-notify-"


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


def accounts_for_everyone() -> int:
    """Gives an account (no usable password) to every person without one: two bulk
    writes, rolled back with the rest of the section. Returns how many."""
    people = list(Person.objects.filter(user__isnull=True, anonymised_at__isnull=True).values_list("pk", flat=True))
    password = make_password(None)
    User.objects.bulk_create(
        (
            User(
                username=f"{ACCOUNT_PREFIX}{pk}",
                email=f"{ACCOUNT_PREFIX}{pk}@example.org",
                password=password,
            )
            for pk in people
        ),
        batch_size=2000,
    )
    account = User.objects.filter(username=Concat(Value(ACCOUNT_PREFIX), Cast(OuterRef("pk"), CharField())))
    Person.objects.filter(pk__in=people).update(user=Subquery(account.values("pk")[:1]))
    return len(people)


def beyond_chunks(queries: int, made: int) -> int:
    """The queries of a run less the three each ``CHUNK`` of notifications costs."""
    return queries - 3 * math.ceil(made / services.CHUNK)


def bound(made: int) -> int:
    return 20 + 3 * math.ceil(max(made, 1) / services.CHUNK)


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


def _measured_run(now: dt.datetime, last: int):
    """One scheduler run, rolled back: (result, queries, ms, notifications, people, statements)."""
    sid = transaction.savepoint()
    with recording() as statements:
        run_ms, result = _timed(lambda: reminders.run_scheduler(now, send=False))
    new = Notification.objects.filter(pk__gt=last)
    made = new.count()
    people = new.order_by().values("recipient_id").distinct().count()
    transaction.savepoint_rollback(sid)
    return result, statements.count, run_ms, made, people, statements


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    now = busiest_morning()
    out(
        f"One scheduler run at {timezone.localtime(now):%Y-%m-%d %H:%M} (the morning before the busiest day), "
        "then the e-mails due at once; first on the data as built, then with an account for every person. "
        f"Goal: queries bounded (a few per source, three per {services.CHUNK} recipients), "
        "time and memory next to the floor."
    )
    figures: dict[str, float] = {}
    with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # Untimed first run: the caches of the database and of Python are warm for both sizes.
        _measured_run(now, last)
        small_result, small_queries, small_ms, small_made, small_people, _ = _measured_run(now, last)
        given = accounts_for_everyone()
        # Peak memory first: it is also the warm-up of the run at the second size.
        sid = transaction.savepoint()
        peak = _python_peak(lambda: reminders.run_scheduler(now, send=False))
        transaction.savepoint_rollback(sid)

        sid = transaction.savepoint()
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

    table = Table(("what", 60), ("queries", 7), ("ms", 8), ("Python MB", 9), ("", 9))
    table.add(
        f"as built: {small_result.events:,} events, {small_made:,} notifications, {small_people:,} people",
        small_queries,
        fmt_ms(small_ms),
        "-",
        "ok" if small_queries <= bound(small_made) else "UNBOUNDED",
    )
    table.add(
        f"scheduler run: {result.events:,} events, {made:,} notifications, {recipients:,} people",
        statements.count,
        fmt_ms(run_ms),
        f"{peak:.1f}",
        "ok" if statements.count <= bound(made) else "UNBOUNDED",
    )
    table.add(
        "floor: its reads as raw SQL + one bulk_create", len(reads) + 1, fmt_ms(floor_ms), f"{floor_peak:.1f}", ""
    )
    table.add(f"sending {sent:,} e-mails due at once (memory backend)", sending.count, fmt_ms(send_ms), "-", "")
    out(str(table))
    out(f"The second size gives an account to {given:,} people who had none (rolled back).")
    out(
        f"Time {fmt_ratio(ratio(run_ms, floor_ms))} the floor, memory {fmt_ratio(ratio(peak, floor_peak))}; "
        f"queries {statements.count} for {made:,} notifications (bound {bound(made)})."
    )
    out(
        f"Queries beyond three per {services.CHUNK} notifications: "
        f"{beyond_chunks(small_queries, small_made)} for {small_people:,} people, "
        f"{beyond_chunks(statements.count, made)} for {recipients:,} people."
    )
    figures.update(
        run_ms=run_ms,
        floor_ms=floor_ms,
        queries=statements.count,
        notifications=made,
        python_mb=peak,
        send_ms=send_ms,
        as_built_queries=small_queries,
        as_built_notifications=small_made,
    )
    return figures
