"""A tutor's calendar feed of about 500 events (``/calendar/<token>.ics``), fetched as a
calendar application does: the whole feed, then again with ``If-None-Match`` (answered
304 Not Modified, no body). The floor is the feed's own row queries run again as raw SQL
with the rows encoded; the goal is absolute (under 100 ms built). The feed's body is cached
under its version (``incubator.calendar.sources.rendered``): the built figure forgets it
first; the 304s read only the token, the version and the cached validators."""

from collections.abc import Callable

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse

from bench.common import Settings, Table, client_for, fmt_ms, median_ms, raw_fetch_and_encode, recording, verdict
from incubator.calendar import sources as calendar
from incubator.calendar.models import CalendarFeed
from incubator.models import Role, User
from mentoring.models import TutoringSession

GOAL_MS = 100.0
GOAL_304_QUERIES = 2
GOAL_304_SHARE = 0.10


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
        f"Calendar feed of about {settings.feed_events} events (a tutor's): built (no cached body), from the "
        f"cache, and the conditional requests. Goal: under {GOAL_MS:.0f} ms built; 304 in at most "
        f"{GOAL_304_QUERIES} queries and {GOAL_304_SHARE:.0%} of the built feed's time."
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
        version = calendar.version(feed)

        def built():
            # The cached body of this version forgotten: the request reads and writes the events.
            calendar.forget(feed, version)
            return anonymous.get(url)

        first = built()
        body = b"".join(first) if first.streaming else first.content
        with recording() as recorder:
            built()
        full = median_ms(built, settings.repeat)
        statements = recorder.row_queries()
        floor = median_ms(lambda: raw_fetch_and_encode(statements), settings.repeat)
        anonymous.get(url)  # cached again
        with recording() as cached_recorder:
            anonymous.get(url)
        cached_ms = median_ms(lambda: anonymous.get(url), settings.repeat)
        tag = first["ETag"]
        with recording() as conditional_recorder:
            conditional = anonymous.get(url, headers={"if-none-match": tag})
        cond_ms = median_ms(lambda: anonymous.get(url, headers={"if-none-match": tag}), settings.repeat)
        with recording() as since_recorder:
            since = anonymous.get(url, headers={"if-modified-since": first["Last-Modified"]})
        since_ms = median_ms(
            lambda: anonymous.get(url, headers={"if-modified-since": first["Last-Modified"]}), settings.repeat
        )
        transaction.set_rollback(True)
    vevents = body.count(b"BEGIN:VEVENT")

    def conditional_ok(response, recorder) -> bool:
        return response.status_code == 304 and recorder.count <= GOAL_304_QUERIES

    table = Table(("what", 44), ("status", 6), ("queries", 7), ("ms", 7), ("floor ms", 8), ("", 9))
    table.add(
        f"full feed, built: {vevents} events, {len(body) // 1024} KB",
        first.status_code,
        recorder.count,
        fmt_ms(full),
        fmt_ms(floor),
        verdict(full < GOAL_MS),
    )
    table.add("full feed, from the cache", 200, cached_recorder.count, fmt_ms(cached_ms), "-", "")
    table.add(
        "If-None-Match: the ETag",
        conditional.status_code,
        conditional_recorder.count,
        fmt_ms(cond_ms),
        "-",
        verdict(conditional_ok(conditional, conditional_recorder) and cond_ms <= GOAL_304_SHARE * full),
    )
    table.add(
        "If-Modified-Since: the Last-Modified",
        since.status_code,
        since_recorder.count,
        fmt_ms(since_ms),
        "-",
        verdict(conditional_ok(since, since_recorder) and since_ms <= GOAL_304_SHARE * full),
    )
    out(str(table))
    out(
        f"Feed of {tutor.username} ({events} events in the window {calendar.WINDOW_PAST.days} days back to "
        f"{calendar.WINDOW_AHEAD.days} ahead); Cache-Control: {first.get('Cache-Control', '-')}. The 304 reads "
        f"the token and the programme's last audit event (the feed's version), and the validators from the "
        f"cache ({cache_backend()}); 304 at {cond_ms / full:.0%} of the built feed's time."
    )
    figures["feed_ms"] = full
    figures["cached_ms"] = cached_ms
    figures["conditional_ms"] = cond_ms
    figures["conditional_queries"] = conditional_recorder.count
    figures["events"] = vevents
    figures["conditional_status"] = conditional.status_code
    return figures


def cache_backend() -> str:
    return django_settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
