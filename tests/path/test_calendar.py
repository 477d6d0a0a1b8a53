"""Milestone deadlines in the participant's and the tutor's calendar feeds: all-day
events with an exclusive DTEND, stable UIDs, waived ones left out, nobody else's."""

import datetime as dt

import icalendar
import pytest
import vobject

from incubator.calendar import services
from incubator.calendar import sources as calendar
from incubator.path import services as services_path
from incubator.path.models import MilestoneState as M

pytestmark = pytest.mark.django_db


def _feed(client, actor, kind, programme, user):
    feed = services.calendar_feed_get_or_issue(actor=actor, kind=kind, programme=programme, user=user)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    return response


def _deadlines(response) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("milestone-")}


def test_participant_feed_has_the_deadlines_as_all_day_events(client, world, picture):
    enrolment = picture.path.enrolment
    business_plan = picture.path.milestone("Business plan")
    waived = picture.path.milestone("Grant application")
    services_path.milestone_change_state(actor=world.coordinator, milestone=waived, state=M.WAIVED, reason="n/a")
    response = _feed(client, world.participant, "participant", world.programme, world.participant)
    events = _deadlines(response)
    start, end = calendar.window()
    in_window = enrolment.milestones.exclude(pk=waived.pk).filter(due_on__gte=start.date(), due_on__lte=end.date())
    assert set(events) == {f"milestone-{m.pk}@incubator" for m in in_window}
    assert f"milestone-{waived.pk}@incubator" not in events
    event = events.get(f"milestone-{business_plan.pk}@incubator") or next(iter(events.values()))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)
    assert end == start + dt.timedelta(days=1)
    assert str(event["TRANSP"]) == "TRANSPARENT"
    # A second, independent parser reads it too.
    parsed = vobject.readOne(response.content.decode())
    assert len([e for e in parsed.vevent_list if e.uid.value.startswith("milestone-")]) == len(events)


def test_a_change_changes_the_feed(client, world, picture):
    response = _feed(client, world.participant, "participant", world.programme, world.participant)
    events = _deadlines(response)
    milestone = next(m for m in picture.path.enrolment.milestones.all() if f"milestone-{m.pk}@incubator" in events)
    services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.ACHIEVED)
    again = client.get(response.request["PATH_INFO"], HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 200 and again["ETag"] != response["ETag"]
    assert str(_deadlines(again)[f"milestone-{milestone.pk}@incubator"]["SUMMARY"]).startswith("✓")


def test_tutor_feed_has_the_assigned_ventures_deadlines(client, world, other, picture):
    from tests.path.conftest import build_picture

    other_picture = build_picture(other)
    events = _deadlines(_feed(client, world.tutor, "tutor", world.programme, world.tutor))
    assert events
    mine = {f"milestone-{pk}@incubator" for pk in picture.path.enrolment.milestones.values_list("pk", flat=True)}
    assert set(events) <= mine
    assert world.venture.title in str(next(iter(events.values()))["SUMMARY"])
    theirs = {
        f"milestone-{pk}@incubator" for pk in other_picture.path.enrolment.milestones.values_list("pk", flat=True)
    }
    assert not set(events) & theirs
    # The other programme's participant sees only their own deadlines.
    their_events = _deadlines(_feed(client, other.participant, "participant", other.programme, other.participant))
    assert set(their_events) <= theirs and not set(their_events) & mine


def test_every_write_to_a_milestone_changes_the_feeds_version(world, picture):
    feed = services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )
    milestone = picture.path.milestone("Business plan")
    seen = [calendar.version(feed)]
    services_path.milestone_reschedule(
        actor=world.coordinator, milestone=milestone, due_on=milestone.due_on + dt.timedelta(days=7), reason="x"
    )
    seen.append(calendar.version(feed))
    services_path.milestone_change_state(actor=world.coordinator, milestone=milestone, state=M.WAIVED, reason="n/a")
    seen.append(calendar.version(feed))
    assert seen == sorted(set(seen)), seen
