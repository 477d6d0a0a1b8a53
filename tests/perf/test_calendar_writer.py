"""The fast VEVENT writer (``incubator.calendar.writer``) writes the bytes ``icalendar``
writes, for events of every shape the feeds produce and for awkward text."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from incubator.calendar.sources import FeedEvent, build_ics
from incubator.calendar.writer import PRODID

ROME = ZoneInfo("Europe/Rome")


def _local(value):
    return value.astimezone(ROME) if isinstance(value, dt.datetime) else value


def library_ics(name: str, events: list[FeedEvent]) -> bytes:
    """The feed as the library writes it, property by property (the former builder)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Rome")
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("summary", item.summary)
        event.add("dtstart", _local(item.start))
        event.add("dtend", _local(item.end))
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


ALPHABET = "abc é€😀,;\\\n\r:\"'N^ " + "x" * 20
# What people write in topics and places (no backslashes, which parsers read differently).
PLAIN = "abc é€😀,;\n:\"' " + "x" * 20


def _event(rng: random.Random, i: int, alphabet: str = ALPHABET) -> FeedEvent:
    def text(n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, n)))

    all_day = rng.random() < 0.3
    if all_day:
        start = dt.date(2026, rng.randint(1, 12), rng.randint(1, 28))
        end = start + dt.timedelta(days=1)
    else:
        # Around both changes of daylight saving time, with seconds and microseconds.
        day = rng.choice((dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 7, 1)))
        start = dt.datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59), tzinfo=dt.UTC)
        start += dt.timedelta(seconds=rng.randint(0, 59), microseconds=rng.randint(0, 999_999))
        end = start + dt.timedelta(minutes=rng.choice((45, 90, 120)))
    return FeedEvent(
        uid=f"kind-{i}@incubator",
        summary=text(200),
        start=start,
        end=end,
        last_modified=dt.datetime(2026, 1, 1, tzinfo=ROME) + dt.timedelta(seconds=rng.randint(0, 10**7)),
        location=text(120) if rng.random() < 0.5 else "",
        description=text(300) if rng.random() < 0.7 else "",
        url="https://aula.example.org/" + "".join(rng.choice("abc%2F-_") for _ in range(8))
        if rng.random() < 0.3
        else "",
        cancelled=rng.random() < 0.2,
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_writer_writes_what_the_library_writes(seed):
    rng = random.Random(seed)
    events = [_event(rng, i) for i in range(150)]
    name = "CT3.3.1 – Tutor àè, prova; \\ lunga " * (seed + 1)
    assert build_ics(name, events) == library_ics(name, events)


def test_one_event_at_a_time_and_none():
    rng = random.Random(99)
    for i in range(300):
        event = _event(rng, i)
        assert build_ics("Feed", [event]) == library_ics("Feed", [event])
    assert build_ics("Empty", []) == library_ics("Empty", [])


def test_an_independent_parser_reads_the_feed_back():
    rng = random.Random(7)
    events = [_event(rng, i, PLAIN) for i in range(40)]
    parsed = vobject.readOne(build_ics("Feed", events).decode())
    read = {e.uid.value: e for e in parsed.vevent_list}
    for event in events:
        got = read[event.uid]
        assert got.summary.value == event.summary
        if isinstance(event.start, dt.datetime):
            # The wall-clock time in Rome, to the second (the TZID and the VTIMEZONE say the rest).
            wall = event.start.astimezone(ROME).replace(tzinfo=None, microsecond=0)
            assert got.dtstart.value.replace(tzinfo=None) == wall
            assert got.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Europe/Rome"]
        else:
            assert got.dtstart.value == event.start
