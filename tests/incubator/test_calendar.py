"""The feed endpoint: token access, revocation, ETag / 304, VTIMEZONE, all-day events."""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone

from incubator import audit
from incubator import services as core_services
from incubator.calendar import services
from incubator.calendar import sources as calendar
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import NotPermitted
from incubator.models import RoleAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_source():
    """A source registered for the duration of one test."""
    stamp = timezone.now().replace(microsecond=0)
    events = [
        calendar.FeedEvent(
            uid=calendar.uid("test", 1),
            summary="Business plan",
            start=timezone.now() + dt.timedelta(days=1),
            end=timezone.now() + dt.timedelta(days=1, hours=2),
            last_modified=stamp,
            location="Napoli",
        ),
        calendar.FeedEvent(
            uid=calendar.uid("test-deadline", 2),
            summary="Deadline",
            start=dt.date(2030, 1, 10),
            end=dt.date(2030, 1, 11),
            last_modified=stamp,
        ),
    ]

    def fn(feed, start, end):
        return events

    calendar._sources["participant"].append(fn)
    yield events
    calendar._sources["participant"].remove(fn)


def test_feed_serves_events_with_timezone_and_answers_304(client, world, sample_source):
    feed = services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Rome"]
    events = cal.walk("VEVENT")
    assert [e["UID"] for e in events] == ["test-1@incubator", "test-deadline-2@incubator"]
    deadline = events[1]
    assert deadline.decoded("DTSTART") == dt.date(2030, 1, 10)
    assert deadline.decoded("DTEND") == dt.date(2030, 1, 11)
    assert str(events[0]["DTSTART"].params["TZID"]) == "Europe/Rome"
    again = client.get(f"/calendar/{feed.token}.ics", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    # A source changes through a service, which records an audit event in the programme.
    sample_source[0] = calendar.FeedEvent(**{**sample_source[0].__dict__, "cancelled": True})
    audit.record(actor=world.coordinator, verb="test.change", target=feed, programme_id=world.programme.pk)
    changed = client.get(f"/calendar/{feed.token}.ics", HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != response["ETag"]
    assert b"STATUS:CANCELLED" in changed.content


def test_rotation_revokes_the_old_url(client, world):
    feed = services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )
    assert (
        services.calendar_feed_get_or_issue(
            actor=world.participant, kind="participant", programme=world.programme, user=world.participant
        )
        == feed
    )
    new = services.calendar_feed_rotate(actor=world.participant, feed=feed)
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert client.get(f"/calendar/{new.token}.ics").status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


def test_only_the_owner_or_a_coordinator_issues_a_personal_feed(world, other):
    with pytest.raises(NotPermitted):
        services.calendar_feed_get_or_issue(
            actor=world.tutor, kind="participant", programme=world.programme, user=world.participant
        )
    with pytest.raises(NotPermitted):
        services.calendar_feed_get_or_issue(
            actor=other.coordinator, kind="participant", programme=world.programme, user=world.participant
        )
    feed = services.calendar_feed_get_or_issue(
        actor=world.coordinator, kind="participant", programme=world.programme, user=world.participant
    )
    assert feed.user == world.participant


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("W/{tag}", 304),  # a weak validator: If-None-Match compares weakly (issue 20, item 14)
        ('"other", W/{tag}', 304),
        ("*", 304),
        ('W/"0123"', 200),
    ],
)
def test_if_none_match_compares_weakly(client, world, sample_source, sent, expected):
    feed = services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )
    tag = client.get(f"/calendar/{feed.token}.ics")["ETag"]
    again = client.get(f"/calendar/{feed.token}.ics", HTTP_IF_NONE_MATCH=sent.format(tag=tag))
    assert again.status_code == expected
    assert again["ETag"] == tag


def test_a_gzipped_feed_s_weak_tag_sent_back_is_not_modified(client, world, sample_source):
    feed = services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )
    first = client.get(f"/calendar/{feed.token}.ics", HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(f"/calendar/{feed.token}.ics", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


@pytest.fixture
def counted_source():
    """A source that counts how often it is asked for its events (the feed was built)."""
    calls = []

    def fn(feed, start, end):
        calls.append(feed.pk)
        return [
            calendar.FeedEvent(
                uid=calendar.uid("counted", 1),
                summary="Pitch",
                start=start + dt.timedelta(days=61),
                end=start + dt.timedelta(days=61, hours=1),
                last_modified=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC),
            )
        ]

    calendar._sources["participant"].append(fn)
    yield calls
    calendar._sources["participant"].remove(fn)


def _participant_feed(world):
    return services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )


def test_a_conditional_request_is_answered_in_two_queries_without_building_the_feed(
    client, world, counted_source, django_assert_num_queries
):
    feed = _participant_feed(world)
    url = f"/calendar/{feed.token}.ics"
    first = client.get(url)
    assert first.status_code == 200 and counted_source == [feed.pk]
    # 1. the feed by its token (with its programme), 2. the programme's last audit event.
    with django_assert_num_queries(2):
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    with django_assert_num_queries(2):
        assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{first['ETag']}").status_code == 304
    with django_assert_num_queries(2):
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert first["Last-Modified"] == "Sun, 01 Nov 2026 09:00:00 GMT"
    # The whole feed again: from the cache, the same bytes.
    with django_assert_num_queries(2):
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert counted_source == [feed.pk]


def test_a_new_version_rebuilds_the_feed_and_unchanged_bytes_still_answer_304(client, world, counted_source):
    feed = _participant_feed(world)
    url = f"/calendar/{feed.token}.ics"
    first = client.get(url)
    before = calendar.version(feed)
    audit.record(actor=world.coordinator, verb="test.change", target=feed, programme_id=world.programme.pk)
    assert calendar.version(feed) > before
    # Rebuilt once for the new version; the events did not change, so the ETag did not.
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert counted_source == [feed.pk, feed.pk]
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').content == first.content


def test_another_programmes_writes_leave_the_version_alone(world, other):
    feed = _participant_feed(world)
    before = calendar.version(feed)
    audit.record(actor=other.coordinator, verb="test.change", target=other.programme, programme_id=other.programme.pk)
    assert calendar.version(feed) == before


def test_a_revoked_role_changes_the_version(world):
    feed = _participant_feed(world)
    before = calendar.version(feed)
    assignment = RoleAssignment.objects.get(user=world.tutor, programme=world.programme, role="tutor")
    core_services.role_revoke(actor=world.coordinator, assignment=assignment)
    assert calendar.version(feed) > before


def test_the_window_is_whole_days():
    start, end = calendar.window(dt.datetime(2026, 12, 4, 17, 30, tzinfo=dt.UTC))
    assert start == dt.datetime(2026, 10, 5, tzinfo=timezone.get_current_timezone())
    assert end == dt.datetime(2027, 12, 5, tzinfo=timezone.get_current_timezone())
