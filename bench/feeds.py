"""A tutor's calendar feed of about 500 events (``/calendar/<token>.ics``), fetched as a
calendar application does: the whole feed, then again with ``If-None-Match`` (answered
304 Not Modified, no body). The floor is the feed's own row queries run again as raw SQL
with the rows encoded; the goal is absolute (under 100 ms)."""

from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse

from bench.common import Settings, Table, client_for, fmt_ms, median_ms, raw_fetch_and_encode, recording, verdict
from incubator.calendar import sources as calendar
from incubator.calendar.models import CalendarFeed
from incubator.models import Role, User
from mentoring.models import TutoringSession

GOAL_MS = 100.0


def busiest_tutor(target: int) -> tuple[User, int, int] | None:
    """The tutor whose feed has the number of events nearest to ``target`` (at least it,
    when someone has that many): (user, programme id, events)."""
    start, end = calendar.window()
    counts = (
        TutoringSession.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .values("tutor__user_id", "tutor__programme_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=max(1, target // 2))
        .order_by("-n")
    )
    best = None
    for row in counts[:40]:
        user = User.objects.get(pk=row["tutor__user_id"])
        if not user.roles.filter(programme_id=row["tutor__programme_id"], role=Role.TUTOR).exists():
            continue
        feed = CalendarFeed(kind=CalendarFeed.Kind.TUTOR, programme_id=row["tutor__programme_id"], user=user)
        events = len(calendar.events_for(feed))
        key = (events < target, abs(events - target))
        if best is None or key < best[0]:
            best = (key, user, row["tutor__programme_id"], events)
    return best[1:] if best else None


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    out(
        f"Calendar feed of about {settings.feed_events} events (a tutor's), and the same request made "
        f"conditional (If-None-Match). Goal: under {GOAL_MS:.0f} ms, and 304 Not Modified."
    )
    found = busiest_tutor(settings.feed_events)
    if found is None:
        out("No tutor has tutoring sessions in the feed's window: nothing to measure.")
        return {}
    tutor, programme_id, events = found
    anonymous = client_for(settings.user)
    anonymous.logout()  # a calendar application sends no session, only the secret URL
    figures: dict[str, float] = {}
    with transaction.atomic():
        # The link the tutor would ask for; rolled back with everything else here.
        feed = CalendarFeed.objects.filter(
            Q(revoked_at__isnull=True), kind=CalendarFeed.Kind.TUTOR, programme_id=programme_id, user=tutor
        ).first() or CalendarFeed.objects.create(kind=CalendarFeed.Kind.TUTOR, programme_id=programme_id, user=tutor)
        url = reverse("calendar-feed", kwargs={"token": feed.token})
        first = anonymous.get(url)
        body = b"".join(first) if first.streaming else first.content
        with recording() as recorder:
            anonymous.get(url)
        full = median_ms(lambda: anonymous.get(url), settings.repeat)
        statements = recorder.row_queries()
        floor = median_ms(lambda: raw_fetch_and_encode(statements), settings.repeat)
        tag = first["ETag"]
        conditional = anonymous.get(url, headers={"if-none-match": tag})
        cond_ms = median_ms(lambda: anonymous.get(url, headers={"if-none-match": tag}), settings.repeat)
        since = anonymous.get(url, headers={"if-modified-since": first["Last-Modified"]})
        transaction.set_rollback(True)
    vevents = body.count(b"BEGIN:VEVENT")
    table = Table(("what", 44), ("status", 6), ("queries", 7), ("ms", 7), ("floor ms", 8), ("", 9))
    table.add(
        f"full feed: {vevents} events, {len(body) // 1024} KB",
        first.status_code,
        recorder.count,
        fmt_ms(full),
        fmt_ms(floor),
        verdict(full < GOAL_MS),
    )
    table.add(
        "If-None-Match: the ETag",
        conditional.status_code,
        "-",
        fmt_ms(cond_ms),
        "-",
        verdict(conditional.status_code == 304),
    )
    table.add(
        "If-Modified-Since: the Last-Modified", since.status_code, "-", "-", "-", verdict(since.status_code == 304)
    )
    out(str(table))
    out(
        f"Feed of {tutor.username} ({events} events in the window {calendar.WINDOW_PAST.days} days back to "
        f"{calendar.WINDOW_AHEAD.days} ahead); Cache-Control: {first.get('Cache-Control', '-')}."
    )
    figures["feed_ms"] = full
    figures["events"] = vevents
    figures["conditional_status"] = conditional.status_code
    return figures
