"""Training sessions in the calendar feeds (cohort, participant, trainer): every feed is
parsed by ``icalendar`` and by ``vobject``, an independent parser."""

import datetime as dt

import icalendar
import pytest
import vobject

from cohorts import services
from cohorts.models import TrainingSession
from incubator.calendar import services as incubator_services
from incubator.calendar import sources as calendar
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import NotPermitted
from incubator.models import Role, RoleAssignment
from tests import factories as f
from tests.cohorts.helpers import ROME, build_cohort, days_ago, make_trainer, new_enrolment, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    return build_cohort(world)


def _parse_both(body: bytes) -> tuple[list, list]:
    """The feed's VEVENTs as seen by icalendar and by vobject (which must agree)."""
    cal = icalendar.Calendar.from_ical(body)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Rome"]
    ical_events = cal.walk("VEVENT")
    parsed = vobject.readOne(body.decode("utf-8"))
    vobj_events = list(getattr(parsed, "vevent_list", []))
    assert sorted(str(e["UID"]) for e in ical_events) == sorted(e.uid.value for e in vobj_events)
    for ical_event in ical_events:
        twin = next(e for e in vobj_events if e.uid.value == str(ical_event["UID"]))
        assert twin.dtstart.value == ical_event.decoded("DTSTART")
        assert twin.dtend.value == ical_event.decoded("DTEND")
        assert twin.status.value == str(ical_event["STATUS"])
        assert twin.summary.value == str(ical_event["SUMMARY"])
    return ical_events, vobj_events


def _get(client, feed, **headers):
    return client.get(f"/calendar/{feed.token}.ics", **headers)


def test_cohort_feed_lists_the_cohorts_sessions_with_stable_uids(client, cw):
    session = cw.session(day=days_ago(10), hour=9, minutes=90, topic="Bilancio di competenze")
    cancelled = cw.session(day=today() + dt.timedelta(days=10), topic="Rinviata")
    services.session_cancel(actor=cw.coordinator, session=cancelled, reason="Allerta meteo")
    event = cw.session(day=days_ago(5), kind=TrainingSession.Kind.OUTREACH, topic="Open day")
    too_old = cw.session(day=days_ago(90))  # before the window (60 days back)
    feed = services.cohort_calendar_feed(actor=cw.world.participant, cohort=cw.cohort)
    assert (feed.kind, feed.subject_id) == (CalendarFeed.Kind.COHORT, cw.cohort.pk)

    response = _get(client, feed)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events, vevents = _parse_both(response.content)
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {f"training-session-{s.pk}@incubator" for s in (session, cancelled, event)}
    assert calendar.uid("training-session", too_old.pk) not in by_uid
    lesson = by_uid[calendar.uid("training-session", session.pk)]
    assert lesson.decoded("DTSTART") == dt.datetime.combine(days_ago(10), dt.time(9), tzinfo=ROME)
    assert lesson.decoded("DTSTART").utcoffset() == lesson.decoded("DTSTART").astimezone(ROME).utcoffset()
    assert str(lesson["DTSTART"].params["TZID"]) == "Europe/Rome"
    assert lesson.decoded("DTEND") - lesson.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert str(lesson["SUMMARY"]) == f"{cw.module.title}: Bilancio di competenze"
    assert str(lesson["LOCATION"]) == "Napoli, via Toledo 1"
    assert str(lesson["STATUS"]) == "CONFIRMED"
    assert str(by_uid[calendar.uid("training-session", cancelled.pk)]["STATUS"]) == "CANCELLED"
    assert str(by_uid[calendar.uid("training-session", event.pk)]["SUMMARY"]) == "Event: Open day"
    vlesson = next(e for e in vevents if e.uid.value == calendar.uid("training-session", session.pk))
    assert vlesson.dtstart.value.tzinfo is not None

    # The same UIDs on the next read: calendar apps update events instead of duplicating them.
    again, _ = _parse_both(_get(client, feed).content)
    assert sorted(str(e["UID"]) for e in again) == sorted(by_uid)


def test_a_changed_session_changes_the_etag_and_last_modified(client, cw):
    session = cw.session(day=days_ago(3))
    feed = services.cohort_calendar_feed(actor=cw.coordinator, cohort=cw.cohort)
    first = _get(client, feed)
    assert _get(client, feed, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert _get(client, feed, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    services.session_update(actor=cw.coordinator, session=session, topic="Nuovo argomento", place="Salerno")
    changed = _get(client, feed, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    events, _ = _parse_both(changed.content)
    assert str(events[0]["LOCATION"]) == "Salerno"
    session.refresh_from_db()
    assert events[0].decoded("LAST-MODIFIED") == session.updated_at.replace(microsecond=0)

    services.session_cancel(actor=cw.coordinator, session=cw.session(day=today() + dt.timedelta(days=1)), reason="x")
    cancelled = _get(client, feed, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert cancelled.status_code == 200 and b"STATUS:CANCELLED" in cancelled.content


def test_participant_feed_has_their_cohorts_sessions_only(client, cw, world, other):
    mine = cw.session(day=days_ago(3))
    other_cw = build_cohort(other, name="Altra coorte")
    theirs = other_cw.session(day=days_ago(3))
    feed = incubator_services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )
    events, _ = _parse_both(_get(client, feed).content)
    uids = {str(e["UID"]) for e in events}
    assert calendar.uid("training-session", mine.pk) in uids
    assert calendar.uid("training-session", theirs.pk) not in uids


def test_trainer_feed_has_the_sessions_they_run(client, cw, world):
    runs = cw.session(day=days_ago(3))
    colleague = make_trainer(world, "collega")
    not_theirs = cw.session(day=days_ago(2), trainers=[colleague])
    feed = incubator_services.calendar_feed_get_or_issue(
        actor=world.tutor, kind="tutor", programme=world.programme, user=world.tutor
    )
    events, _ = _parse_both(_get(client, feed).content)
    uids = {str(e["UID"]) for e in events}
    assert calendar.uid("training-session", runs.pk) in uids
    assert calendar.uid("training-session", not_theirs.pk) not in uids


def test_cohort_link_is_for_its_members_and_rotation_revokes_it(client, cw, world, other):
    _enrolment, (outsider,) = new_enrolment(world)  # a participant of the programme, not of the cohort
    outsider.user = f.UserFactory(username="outsider")
    outsider.save()
    RoleAssignment.objects.create(user=outsider.user, programme=world.programme, role=Role.PARTICIPANT)
    with pytest.raises(NotPermitted):
        services.cohort_calendar_feed(actor=outsider.user, cohort=cw.cohort)
    with pytest.raises(NotPermitted):
        services.cohort_calendar_feed(actor=other.coordinator, cohort=cw.cohort)
    colleague = make_trainer(world, "estraneo")  # a trainer who runs none of its sessions
    with pytest.raises(NotPermitted):
        services.cohort_calendar_feed(actor=colleague, cohort=cw.cohort)
    cw.session(day=days_ago(1))
    link = services.cohort_calendar_feed(actor=world.participant, cohort=cw.cohort)
    assert services.cohort_calendar_feed(actor=cw.trainer, cohort=cw.cohort) == link
    assert services.cohort_calendar_feed(actor=cw.coordinator, cohort=cw.cohort) == link
    # The link is shared by the cohort: a participant cannot rotate it for everyone.
    with pytest.raises(NotPermitted):
        services.cohort_calendar_feed_rotate(actor=world.participant, cohort=cw.cohort)
    new = services.cohort_calendar_feed_rotate(actor=cw.trainer, cohort=cw.cohort)
    assert new.token != link.token
    assert _get(client, link).status_code == 404
    assert _get(client, new).status_code == 200


def test_every_write_to_a_training_session_changes_the_feeds_version(cw, world):
    feed = services.cohort_calendar_feed(actor=cw.coordinator, cohort=cw.cohort)
    seen = [calendar.version(feed)]
    session = cw.session(day=today() + dt.timedelta(days=2))
    seen.append(calendar.version(feed))
    services.session_update(actor=cw.coordinator, session=session, topic="Pitch")
    seen.append(calendar.version(feed))
    services.session_cancel(actor=cw.coordinator, session=session, reason="Sciopero")
    seen.append(calendar.version(feed))
    assert seen == sorted(set(seen)), seen
