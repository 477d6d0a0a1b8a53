"""iCalendar feeds (RFC 5545) at secret, revocable URLs.

Apps contribute events with ``@source(kind, ...)``: cohorts (training sessions), mentoring
(tutoring sessions), incubator (milestone deadlines, all-day). A source is
``fn(feed, window_start, window_end) -> Iterable[FeedEvent]``. The builder is pure: same
events, same bytes, so the ETag is a hash of the body."""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from incubator.models import CalendarFeed

WINDOW_PAST = dt.timedelta(days=60)
WINDOW_AHEAD = dt.timedelta(days=365)
PRODID = "-//Incubator//Programme calendar//IT"


@dataclass(frozen=True)
class FeedEvent:
    uid: str  # stable: "<kind>-<pk>@<host>", never reused
    summary: str
    start: dt.datetime | dt.date  # a date means an all-day event
    end: dt.datetime | dt.date  # exclusive (the day after, for all-day events)
    last_modified: dt.datetime
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False


Source = Callable[[CalendarFeed, dt.datetime, dt.datetime], Iterable[FeedEvent]]
_sources: dict[str, list[Source]] = defaultdict(list)


def source(*kinds: str) -> Callable[[Source], Source]:
    def register(fn: Source) -> Source:
        for kind in kinds:
            _sources[kind].append(fn)
        return fn

    return register


def uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@incubator"


def window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    now = now or timezone.now()
    return now - WINDOW_PAST, now + WINDOW_AHEAD


def events_for(feed: CalendarFeed, now: dt.datetime | None = None) -> list[FeedEvent]:
    start, end = window(now)
    events = [event for fn in _sources[feed.kind] for event in fn(feed, start, end)]
    return sorted(events, key=lambda e: (str(e.start), e.uid))


def _local(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))
    return value


def build_ics(name: str, events: list[FeedEvent]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("summary", item.summary)
        event.add("dtstart", _local(item.start))
        event.add("dtend", _local(item.end))
        # DTSTAMP from the record, not the clock: an unchanged feed has unchanged bytes.
        event.add("dtstamp", item.last_modified.astimezone(dt.UTC))
        event.add("last-modified", item.last_modified.astimezone(dt.UTC))
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if isinstance(item.start, dt.date) and not isinstance(item.start, dt.datetime):
            event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
