"""Tutoring sessions in the calendar feeds: the tutor's own sessions with venture and
topics; the participant's venture's sessions with title, time and mode only. Parsed
with both icalendar and vobject."""

import datetime as dt

import icalendar
import pytest
import vobject
from django.utils import timezone

from incubator.calendar import services as incubator_services
from incubator.calendar import sources as calendar
from incubator.models import RoleAssignment
from mentoring import services
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import ENROLMENT_START, enrol, log, tutor_user

pytestmark = pytest.mark.django_db
SECRET = "PRIVATE-NOTE-51ab"
SHARED = "SHARED-NOTE-77"
TOPIC = "TOPIC-Pricing"


def _feed(client, user, kind, programme):
    feed = incubator_services.calendar_feed_get_or_issue(actor=user, kind=kind, programme=programme, user=user)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    return response.content


def _events(body: bytes) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


@pytest.fixture
def booked(mentoring):
    """A session next week (in the feed window) with every kind of note, and one two
    years ago (outside it)."""
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(days=7)
    session = log(
        mentoring,
        soon,
        90,
        mode="remote",
        topics=TOPIC,
        shared_notes=SHARED,
        private_notes=SECRET,
        action_items=[{"text": "ACTION-ITEM-TEXT"}],
    )
    old = log(mentoring, timezone.make_aware(dt.datetime(2026, 1, 5, 10)), 60)
    return session, old


def test_tutor_feed_lists_own_sessions_with_venture_and_topics(client, mentoring, booked):
    session, old = booked
    body = _feed(client, mentoring.world.tutor, "tutor", mentoring.world.programme)
    (event,) = [e for e in _events(body) if str(e["UID"]).startswith("tutoring-session-")]
    assert str(event["UID"]) == calendar.uid("tutoring-session", session.pk)
    assert str(event["SUMMARY"]) == f"Tutoring: {mentoring.world.venture.title}"
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Rome"
    assert TOPIC in str(event["DESCRIPTION"]) and "Remote" in str(event["DESCRIPTION"])
    text = body.decode()
    assert SECRET not in text and SHARED not in text and "ACTION-ITEM-TEXT" not in text
    assert calendar.uid("tutoring-session", old.pk) not in text  # outside the window
    # vobject reads the same event.
    parsed = vobject.readOne(text)
    uids = [str(v.uid.value) for v in parsed.vevent_list]
    assert calendar.uid("tutoring-session", session.pk) in uids


def test_participant_feed_has_title_time_and_mode_only(client, mentoring, booked):
    session, _old = booked
    body = _feed(client, mentoring.world.participant, "participant", mentoring.world.programme)
    events = [e for e in _events(body) if str(e["UID"]).startswith("tutoring-session-")]
    (event,) = events
    assert str(event["UID"]) == calendar.uid("tutoring-session", session.pk)
    assert str(event["SUMMARY"]) == "Tutoring session (Remote)"
    assert str(event["DESCRIPTION"]) == "Remote"
    assert event.decoded("DTSTART") == session.starts_at
    text = body.decode()
    for hidden in (SECRET, SHARED, TOPIC, "ACTION-ITEM-TEXT", mentoring.world.tutor.get_full_name()):
        assert hidden not in text
    parsed = vobject.readOne(text)
    (vevent,) = [v for v in parsed.vevent_list if v.uid.value.startswith("tutoring-session-")]
    assert vevent.summary.value == "Tutoring session (Remote)"
    assert not hasattr(vevent, "location")


def test_feeds_keep_to_their_subject(client, mentoring, other_mentoring, booked):
    world = mentoring.world
    # A co-tutor's session on the same venture: in the participant's feed, not in the tutor's.
    co_tutor = services.tutor_profile_create(
        actor=world.coordinator,
        programme=world.programme,
        user=tutor_user(world, "bruno"),
        unit_cost_band=mentoring.band,
        kind="internal",
    )
    expert = services.assignment_create(
        actor=world.coordinator,
        tutor=co_tutor,
        enrolment=mentoring.enrolment,
        role="expert",
        hours_budget=5,
        starts_on=ENROLMENT_START,
    )
    theirs = log(mentoring, timezone.now() + dt.timedelta(days=3), actor=co_tutor.user, assignment=expert)
    # Another venture of the same tutor: in the tutor's feed, not in this participant's.
    other_venture = enrol(world, f.VentureFactory(programme=world.programme))
    elsewhere = log(
        mentoring,
        timezone.now() + dt.timedelta(days=4),
        assignment=services.assignment_create(
            actor=world.coordinator,
            tutor=mentoring.profile,
            enrolment=other_venture,
            hours_budget=5,
            starts_on=ENROLMENT_START,
        ),
    )
    foreign = log(other_mentoring, timezone.now() + dt.timedelta(days=2))
    session, _old = booked

    def uids(body):
        return {str(e["UID"]) for e in _events(body) if str(e["UID"]).startswith("tutoring-session-")}

    tutor_uids = uids(_feed(client, world.tutor, "tutor", world.programme))
    participant_uids = uids(_feed(client, world.participant, "participant", world.programme))
    uid = lambda s: calendar.uid("tutoring-session", s.pk)  # noqa: E731
    assert tutor_uids == {uid(session), uid(elsewhere)}
    assert participant_uids == {uid(session), uid(theirs)}
    assert uid(foreign) not in tutor_uids | participant_uids


def test_tutor_feed_empties_when_the_role_is_revoked(client, mentoring, booked):
    world = mentoring.world
    feed = incubator_services.calendar_feed_get_or_issue(
        actor=world.tutor, kind="tutor", programme=world.programme, user=world.tutor
    )
    RoleAssignment.objects.filter(user=world.tutor, role="tutor").delete()
    body = client.get(f"/calendar/{feed.token}.ics").content
    assert not [e for e in _events(body) if str(e["UID"]).startswith("tutoring-session-")]


def test_every_write_to_a_tutoring_session_changes_the_feeds_version(mentoring):
    world = mentoring.world
    feed = incubator_services.calendar_feed_get_or_issue(
        actor=world.tutor, kind="tutor", programme=world.programme, user=world.tutor
    )
    seen = [calendar.version(feed)]
    session = log(mentoring, timezone.now().replace(microsecond=0) - dt.timedelta(days=1), 60)
    seen.append(calendar.version(feed))
    services.tutoring_session_update(actor=world.tutor, session=session, topics="Go to market")
    seen.append(calendar.version(feed))
    services.tutoring_session_delete(actor=world.tutor, session=session)
    seen.append(calendar.version(feed))
    assert seen == sorted(set(seen)), seen
