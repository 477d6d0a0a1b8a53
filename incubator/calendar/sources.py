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

from django.conf import settings
from django.utils import timezone

from incubator.calendar import writer as calendar_writer
from incubator.calendar.models import CalendarFeed

WINDOW_PAST = dt.timedelta(days=60)
WINDOW_AHEAD = dt.timedelta(days=365)


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


def build_ics(name: str, events: list[FeedEvent]) -> bytes:
    """The feed: the calendar and its VTIMEZONE from ``icalendar``, the events from
    ``incubator.calendar.writer`` (the same bytes the library writes, ten times faster:
    a 500-event feed in about 15 ms instead of 200)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    head, tail = calendar_writer.frame(name, any(isinstance(e.start, dt.datetime) for e in events))
    return head + "".join(calendar_writer.event_lines(e, zone) for e in events).encode() + tail


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
