"""Mentoring API: each role on each endpoint (allowed, and 404 out of reach), writes
through the services with 400 naming the field, private notes never in a participant's
answer, the matching's explanation, timesheets and the tutor's calendar link."""

import datetime as dt
import json
from decimal import Decimal

import icalendar
import pytest
import time_machine
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from incubator.calendar.models import CalendarFeed
from incubator.path.models import Milestone
from mentoring import services
from mentoring.models import ActionItem, Assignment, TutoringSession, TutorProfile, UnitCostBand
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import ENROLMENT_START, aware, enrol, log, tutor_user

pytestmark = pytest.mark.django_db

SECRET = "PRIVATE-NOTE-7f3a"
URL = "/api/v1/"


def client(user=None) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def ids(response) -> set[int]:
    return {row["id"] for row in rows(response)}


@pytest.fixture
def logged(mentoring):
    """A session with private notes, a shared note, an action item and a milestone."""
    world = mentoring.world
    milestone = Milestone.objects.create(enrolment=mentoring.enrolment, title="Plan", due_on=dt.date(2026, 6, 1))
    return log(
        mentoring,
        timezone.now() - dt.timedelta(days=2),
        90,
        topics="Pricing",
        shared_notes="Shared: good progress",
        private_notes=SECRET,
        participants_present=[world.participant_person.pk],
        milestones=[milestone.pk],
        action_items=[{"text": "Send the budget", "owner": world.participant_person.pk, "due_on": "2026-01-10"}],
    )


# --- who sees what ----------------------------------------------------------------------


def _endpoints(m, session):
    """(list url, detail url) per endpoint, for the world's records."""
    item = session.action_items.get()
    world = m.world
    conflict = services.tutor_conflict_declare(
        actor=world.coordinator,
        tutor=m.profile,
        venture=f.VentureFactory(programme=world.programme),
        note="Former colleague",
    )
    services.venture_needs_set(actor=world.coordinator, venture=world.venture, keywords=["marketing"])
    needs = world.venture.mentoring_needs
    return {
        "unit-cost-bands": (f"{URL}unit-cost-bands/", f"{URL}unit-cost-bands/{m.band.pk}/"),
        "tutors": (f"{URL}tutors/", f"{URL}tutors/{m.profile.pk}/"),
        "tutor-conflicts": (f"{URL}tutor-conflicts/", f"{URL}tutor-conflicts/{conflict.pk}/"),
        "venture-needs": (f"{URL}venture-needs/", f"{URL}venture-needs/{needs.pk}/"),
        "assignments": (f"{URL}assignments/", f"{URL}assignments/{m.assignment.pk}/"),
        "tutoring-sessions": (f"{URL}tutoring-sessions/", f"{URL}tutoring-sessions/{session.pk}/"),
        "action-items": (f"{URL}action-items/", f"{URL}action-items/{item.pk}/"),
    }


# Which roles of the same programme see each endpoint's record.
SEES = {
    "unit-cost-bands": {"coordinator", "tutor", "admin"},
    "tutors": {"coordinator", "tutor", "admin"},
    "tutor-conflicts": {"coordinator", "tutor", "admin"},
    "venture-needs": {"coordinator", "tutor", "admin"},
    "assignments": {"coordinator", "tutor", "admin"},
    "tutoring-sessions": {"coordinator", "tutor", "participant", "admin"},
    "action-items": {"coordinator", "tutor", "participant", "admin"},
}


@pytest.mark.parametrize("endpoint", sorted(SEES))
@pytest.mark.parametrize("role", ["coordinator", "tutor", "participant", "evaluator", "admin"])
def test_each_role_on_each_endpoint(endpoint, role, mentoring, other_mentoring, logged, admin_user):
    world = mentoring.world
    other_session = log(
        other_mentoring, timezone.now() - dt.timedelta(days=3), private_notes="other", action_items=[{"text": "x"}]
    )
    user = admin_user if role == "admin" else getattr(world, role)
    list_url, detail_url = _endpoints(mentoring, logged)[endpoint]
    other_list, other_detail = _endpoints(other_mentoring, other_session)[endpoint]
    c = client(user)
    listed = ids(c.get(list_url))
    detail = c.get(detail_url)
    mine = int(detail_url.rstrip("/").rsplit("/", 1)[1])
    theirs = int(other_detail.rstrip("/").rsplit("/", 1)[1])
    if role in SEES[endpoint]:
        assert detail.status_code == 200
        assert mine in listed
    else:
        assert detail.status_code == 404
        assert mine not in listed
    if role == "admin":
        assert c.get(other_detail).status_code == 200
    else:
        # The other programme's record: never listed, 404 by id.
        assert c.get(other_detail).status_code == 404
        assert theirs not in listed
    assert client().get(list_url).status_code in (401, 403)


def test_tutor_sees_only_assigned_ventures_records(mentoring):
    world = mentoring.world
    unassigned = enrol(world, f.VentureFactory(programme=world.programme))
    c = client(world.tutor)
    assert ids(c.get(f"{URL}enrolments/")) == {mentoring.enrolment.pk}
    assert ids(c.get(f"{URL}ventures/")) == {world.venture.pk}
    assert c.get(f"{URL}enrolments/{unassigned.pk}/").status_code == 404
    assert c.get(f"{URL}ventures/{unassigned.application.venture_id}/").status_code == 404
    # Team members reach a tutor as names only: never tax codes or contacts.
    body = c.get(f"{URL}ventures/{world.venture.pk}/").content.decode()
    person = world.participant_person
    assert person.tax_code not in body and person.email not in body
    assert c.get(f"{URL}people/{person.pk}/").status_code == 404


# --- private notes never reach a participant ----------------------------------------------


def test_private_notes_absent_for_participants_everywhere_in_the_api(mentoring, logged):
    world = mentoring.world
    c = client(world.participant)
    for url in (
        f"{URL}tutoring-sessions/",
        f"{URL}tutoring-sessions/{logged.pk}/",
        f"{URL}tutoring-sessions/?venture={world.venture.pk}",
        f"{URL}action-items/",
    ):
        response = c.get(url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
        assert "private_notes" not in response.content.decode()
    detail = c.get(f"{URL}tutoring-sessions/{logged.pk}/").json()
    assert detail["shared_notes"] == "Shared: good progress"
    assert detail["action_items"][0]["owner"] == {
        "id": world.participant_person.pk,
        "name": f"{world.participant_person.first_name} {world.participant_person.last_name}",
    }


def test_tutor_sees_own_private_notes_not_a_co_tutors(mentoring, logged):
    world = mentoring.world
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
    theirs = log(
        mentoring,
        timezone.now() - dt.timedelta(days=5),
        actor=co_tutor.user,
        assignment=expert,
        private_notes="BRUNO-ONLY",
    )
    sessions = {row["id"]: row for row in rows(client(world.tutor).get(f"{URL}tutoring-sessions/"))}
    assert sessions[logged.pk]["private_notes"] == SECRET
    assert sessions[theirs.pk]["private_notes"] is None  # a co-tutor's session: shared part only
    coordinator_view = {row["id"]: row for row in rows(client(world.coordinator).get(f"{URL}tutoring-sessions/"))}
    assert coordinator_view[theirs.pk]["private_notes"] == "BRUNO-ONLY"


def test_a_participant_who_tutors_elsewhere_still_gets_no_private_notes_of_their_venture(
    mentoring, other_mentoring, logged
):
    from incubator.models import RoleAssignment

    world = mentoring.world
    RoleAssignment.objects.create(user=world.participant, programme=other_mentoring.world.programme, role="tutor")
    response = client(world.participant).get(f"{URL}tutoring-sessions/{logged.pk}/")
    assert response.status_code == 200
    assert response.json()["private_notes"] is None
    assert SECRET not in response.content.decode()


# --- sessions: writes -----------------------------------------------------------------


def test_tutor_logs_a_session_and_gets_the_budget_with_a_warning_when_exceeded(mentoring):
    world = mentoring.world
    c = client(world.tutor)
    body = {
        "assignment": mentoring.assignment.pk,
        "starts_at": "2026-03-10T10:00:00+01:00",
        "minutes": 540,
        "mode": "remote",
        "activity": "business_plan",
        "topics": "Costs",
        "shared_notes": "ok",
        "private_notes": "mine",
        "participants_present": [world.participant_person.pk],
        "action_items": [{"text": "Write the plan", "due_on": "2026-03-20"}],
    }
    first = c.post(f"{URL}tutoring-sessions/", body, format="json")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["budget"] == {
        "hours_budget": "10.00",
        "hours_used": "9.00",
        "hours_remaining": "1.00",
        "exceeded": False,
        "warning": "",
    }
    assert data["private_notes"] == "mine" and data["action_items"][0]["text"] == "Write the plan"
    assert data["ends_at"].startswith("2026-03-10T19:00:00")
    second = c.post(
        f"{URL}tutoring-sessions/", {**body, "starts_at": "2026-03-11T10:00:00+01:00", "minutes": 90}, format="json"
    )
    assert second.status_code == 201
    budget = second.json()["budget"]
    assert budget["exceeded"] is True and budget["hours_remaining"] == "-0.50"
    assert "10.50" in budget["warning"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "2025-12-01T10:00:00+01:00"}, "starts_at"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": "lots"}, "minutes"),
        ({"mode": "carrier-pigeon"}, "mode"),
        ({"participants_present": [999999]}, "participants_present"),
        ({"milestones": [999999]}, "milestones"),
        ({"assignment": 999999}, "assignment"),
        ({"action_items": [{"text": ""}]}, "action_items"),
    ],
)
def test_bad_session_input_answers_400_naming_the_field(mentoring, change, field):
    body = {"assignment": mentoring.assignment.pk, "starts_at": "2026-03-10T10:00:00+01:00", "minutes": 60, **change}
    response = client(mentoring.world.tutor).post(f"{URL}tutoring-sessions/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not TutoringSession.objects.exists() and not ActionItem.objects.exists()


def test_overlapping_session_answers_400(mentoring):
    log(mentoring, aware(2026, 3, 10, 10), 60)
    body = {"assignment": mentoring.assignment.pk, "starts_at": "2026-03-10T10:30:00+01:00", "minutes": 60}
    response = client(mentoring.world.tutor).post(f"{URL}tutoring-sessions/", body, format="json")
    assert response.status_code == 400
    assert "10:00" in response.json()["starts_at"][0]
    assert TutoringSession.objects.count() == 1


def test_who_may_log_and_edit_sessions(mentoring, other_mentoring, logged):
    world = mentoring.world
    body = {"assignment": mentoring.assignment.pk, "starts_at": "2026-03-10T10:00:00+01:00"}
    # A participant or another programme's tutor cannot even name the assignment.
    for user in (world.participant, other_mentoring.world.tutor, world.evaluator):
        response = client(user).post(f"{URL}tutoring-sessions/", body, format="json")
        assert response.status_code == 400 and "assignment" in response.json()
    assert client(world.participant).patch(f"{URL}tutoring-sessions/{logged.pk}/", {"topics": "x"}).status_code == 403
    assert (
        client(other_mentoring.world.coordinator)
        .patch(f"{URL}tutoring-sessions/{logged.pk}/", {"topics": "x"})
        .status_code
        == 404
    )
    response = client(world.tutor).patch(f"{URL}tutoring-sessions/{logged.pk}/", {"topics": "Prices"}, format="json")
    assert response.status_code == 200 and response.json()["topics"] == "Prices"
    assert "budget" in response.json()
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        late = client(world.tutor).patch(f"{URL}tutoring-sessions/{logged.pk}/", {"topics": "late"}, format="json")
        assert late.status_code == 403 and "30" in late.json()["detail"]
        ok = client(world.coordinator).patch(f"{URL}tutoring-sessions/{logged.pk}/", {"topics": "fixed"}, format="json")
        assert ok.status_code == 200
    assert client(world.participant).delete(f"{URL}tutoring-sessions/{logged.pk}/").status_code == 403
    assert client(world.tutor).delete(f"{URL}tutoring-sessions/{logged.pk}/").status_code == 204
    assert not TutoringSession.objects.filter(pk=logged.pk).exists()


def test_session_filters_by_venture_tutor_and_dates(mentoring):
    world = mentoring.world
    march = log(mentoring, aware(2026, 3, 31, 23, 0), 30)
    april = log(mentoring, aware(2026, 4, 1, 0, 30), 30)
    other_venture = enrol(world, f.VentureFactory(programme=world.programme))
    elsewhere = log(
        mentoring,
        aware(2026, 4, 2, 10),
        assignment=services.assignment_create(
            actor=world.coordinator,
            tutor=mentoring.profile,
            enrolment=other_venture,
            hours_budget=5,
            starts_on=ENROLMENT_START,
        ),
    )
    c = client(world.coordinator)
    assert ids(c.get(f"{URL}tutoring-sessions/?date_from=2026-04-01")) == {april.pk, elsewhere.pk}
    assert ids(c.get(f"{URL}tutoring-sessions/?date_to=2026-03-31")) == {march.pk}
    assert ids(c.get(f"{URL}tutoring-sessions/?venture={world.venture.pk}")) == {march.pk, april.pk}
    assert ids(c.get(f"{URL}tutoring-sessions/?tutor={mentoring.profile.pk}")) == {march.pk, april.pk, elsewhere.pk}
    assert ids(c.get(f"{URL}tutoring-sessions/?tutor=999999")) == set()
    listed = [row["id"] for row in rows(c.get(f"{URL}tutoring-sessions/"))]
    assert listed == [elsewhere.pk, april.pk, march.pk]  # newest first


# --- action items ---------------------------------------------------------------------


def test_action_items_ticked_by_participant_changed_only_by_tutor(mentoring, other_mentoring, logged):
    world = mentoring.world
    item = logged.action_items.get()
    assert ids(client(world.participant).get(f"{URL}action-items/?overdue=true")) == {item.pk}
    done = client(world.participant).patch(f"{URL}action-items/{item.pk}/", {"done": True}, format="json")
    assert done.status_code == 200 and done.json()["done"] is True and done.json()["overdue"] is False
    assert (
        client(world.participant).patch(f"{URL}action-items/{item.pk}/", {"text": "x"}, format="json").status_code
        == 403
    )
    assert (
        client(other_mentoring.world.participant)
        .patch(f"{URL}action-items/{item.pk}/", {"done": False}, format="json")
        .status_code
        == 404
    )
    assert ids(client(world.tutor).get(f"{URL}action-items/?open=true")) == set()
    created = client(world.tutor).post(
        f"{URL}action-items/",
        {"session": logged.pk, "text": "Book the notary", "owner": world.participant_person.pk},
        format="json",
    )
    assert created.status_code == 201 and created.json()["owner"]["id"] == world.participant_person.pk
    stranger = f.PersonFactory(programme=world.programme)
    bad = client(world.tutor).post(
        f"{URL}action-items/", {"session": logged.pk, "text": "x", "owner": stranger.pk}, format="json"
    )
    assert bad.status_code == 400 and "action_items" in bad.json()
    assert (
        client(world.participant)
        .post(f"{URL}action-items/", {"session": logged.pk, "text": "x"}, format="json")
        .status_code
        == 403
    )
    assert ActionItem.objects.count() == 2


# --- assignments and matching ---------------------------------------------------------


def test_coordinator_assigns_and_refusals_name_the_field(mentoring):
    world = mentoring.world
    second = services.tutor_profile_create(
        actor=world.coordinator,
        programme=world.programme,
        user=tutor_user(world, "bruno"),
        unit_cost_band=mentoring.band,
        kind="internal",
    )
    c = client(world.coordinator)
    body = {
        "tutor": second.pk,
        "enrolment": mentoring.enrolment.pk,
        "role": "lead",
        "hours_budget": "20",
        "starts_on": "2026-06-01",
        "ends_on": "2026-12-31",
    }
    refused = c.post(f"{URL}assignments/", body, format="json")
    assert refused.status_code == 400 and "role" in refused.json()
    outside = c.post(f"{URL}assignments/", {**body, "role": "expert", "starts_on": "2025-06-01"}, format="json")
    assert outside.status_code == 400 and "starts_on" in outside.json()
    assert Assignment.objects.count() == 1
    created = c.post(f"{URL}assignments/", {**body, "role": "expert"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["budget"]["hours_budget"] == "20.00" and created.json()["tutor_name"] == "Bruno Tutor"
    patched = c.patch(f"{URL}assignments/{created.json()['id']}/", {"hours_budget": "25"}, format="json")
    assert patched.status_code == 200 and patched.json()["hours_budget"] == "25.00"
    # A tutor sees their own profile and the enrolment, but may not assign.
    own = {**body, "tutor": mentoring.profile.pk, "role": "expert"}
    assert client(world.tutor).post(f"{URL}assignments/", own, format="json").status_code == 403
    assert Assignment.objects.count() == 2


def test_suggestions_endpoint_ranks_with_explanations(mentoring, other_mentoring):
    world = mentoring.world
    enrolment = enrol(world, f.VentureFactory(programme=world.programme, themes=["circular_economy"]))
    services.venture_needs_set(
        actor=world.coordinator, venture=enrolment.application.venture, keywords=["Marketing"], languages=["it"]
    )
    response = client(world.coordinator).get(f"{URL}assignments/suggestions/?enrolment={enrolment.pk}")
    assert response.status_code == 200
    (only,) = response.json()
    assert only["tutor"] == mentoring.profile.pk
    assert [p["name"] for p in only["parts"]] == ["expertise", "language", "capacity", "load"]
    assert only["matched_tags"] == ["marketing"]
    assert only["parts"][0]["points"] == "25.00"  # 1 of 2 needs
    assert Decimal(only["score"]) == sum(Decimal(p["points"]) for p in only["parts"])
    assert (
        client(world.tutor).get(f"{URL}assignments/suggestions/?enrolment={mentoring.enrolment.pk}").status_code == 403
    )
    assert client(world.participant).get(f"{URL}assignments/suggestions/?enrolment={enrolment.pk}").status_code == 404
    assert (
        client(other_mentoring.world.coordinator)
        .get(f"{URL}assignments/suggestions/?enrolment={enrolment.pk}")
        .status_code
        == 404
    )
    missing = client(world.coordinator).get(f"{URL}assignments/suggestions/")
    assert missing.status_code == 400 and "enrolment" in missing.json()


# --- tutors, bands, conflicts, needs ---------------------------------------------------


def test_tutor_profiles_bands_conflicts_and_needs_writes(mentoring, other_mentoring):
    world = mentoring.world
    c = client(world.coordinator)
    band = c.post(
        f"{URL}unit-cost-bands/",
        {"programme": world.programme.pk, "code": "JR", "label": "Junior", "hourly_rate": "30.00"},
        format="json",
    )
    assert band.status_code == 201
    bad_band = c.post(
        f"{URL}unit-cost-bands/",
        {"programme": world.programme.pk, "code": "X", "label": "X", "hourly_rate": "-5"},
        format="json",
    )
    assert bad_band.status_code == 400 and "hourly_rate" in bad_band.json()
    assert client(world.tutor).patch(f"{URL}unit-cost-bands/{band.json()['id']}/", {"label": "x"}).status_code == 404
    new_tutor = tutor_user(world, "carla")
    created = c.post(
        f"{URL}tutors/",
        {
            "programme": world.programme.pk,
            "user": new_tutor.pk,
            "unit_cost_band": band.json()["id"],
            "kind": "internal",
            "expertise": ["Heritage"],
            "languages": ["it"],
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["expertise"] == ["heritage"]
    stranger = c.post(
        f"{URL}tutors/",
        {
            "programme": world.programme.pk,
            "user": world.participant.pk,
            "unit_cost_band": band.json()["id"],
            "kind": "internal",
        },
        format="json",
    )
    assert stranger.status_code == 400 and "user" in stranger.json()
    other_band = c.post(
        f"{URL}tutors/",
        {
            "programme": world.programme.pk,
            "user": new_tutor.pk,
            "unit_cost_band": other_mentoring.band.pk,
            "kind": "internal",
        },
        format="json",
    )
    assert other_band.status_code == 400 and "unit_cost_band" in other_band.json()
    assert TutorProfile.objects.filter(programme=world.programme).count() == 2
    own = client(world.tutor).patch(
        f"{URL}tutors/{mentoring.profile.pk}/", {"expertise": ["Fundraising"]}, format="json"
    )
    assert own.status_code == 200 and own.json()["expertise"] == ["fundraising"]
    assert (
        client(world.tutor).patch(f"{URL}tutors/{mentoring.profile.pk}/", {"capacity": 9}, format="json").status_code
        == 403
    )
    conflict = client(world.tutor).post(
        f"{URL}tutor-conflicts/",
        {"tutor": mentoring.profile.pk, "venture": world.venture.pk, "note": "Former employer"},
        format="json",
    )
    assert conflict.status_code == 201
    assert ids(client(world.coordinator).get(f"{URL}tutor-conflicts/")) == {conflict.json()["id"]}
    assert ids(client(world.participant).get(f"{URL}tutor-conflicts/")) == set()
    needs = c.post(
        f"{URL}venture-needs/",
        {"venture": world.venture.pk, "keywords": ["Fundraising"], "languages": ["en"]},
        format="json",
    )
    assert needs.status_code == 201 and needs.json()["keywords"] == ["fundraising"]
    assert (
        client(world.tutor)
        .post(f"{URL}venture-needs/", {"venture": world.venture.pk, "keywords": []}, format="json")
        .status_code
        == 403
    )
    assert rows(client(world.tutor).get(f"{URL}venture-needs/"))[0]["venture"] == world.venture.pk
    assert rows(client(world.participant).get(f"{URL}venture-needs/")) == []
    assert UnitCostBand.objects.filter(programme=world.programme).count() == 2


# --- timesheets -----------------------------------------------------------------------


def test_timesheet_endpoint_roles_and_figures(mentoring, other_mentoring):
    world = mentoring.world
    log(mentoring, aware(2026, 3, 2, 9), 90)
    log(mentoring, aware(2026, 3, 3, 9), 45, activity="crowdfunding")
    url = f"{URL}timesheets/?tutor={mentoring.profile.pk}&month=2026-03"
    for user in (world.tutor, world.coordinator):
        data = client(user).get(url).json()
        assert data["total_hours"] == "2.25" and data["total_value"] == "112.50"
        assert [(r["activity"], r["hours"], r["value"]) for r in data["rows"]] == [
            ("crowdfunding", "0.75", "37.50"),
            ("tutoring", "1.50", "75.00"),
        ]
    for user in (world.participant, world.evaluator, other_mentoring.world.coordinator, other_mentoring.world.tutor):
        assert client(user).get(url).status_code == 404
    bad = client(world.tutor).get(f"{URL}timesheets/?tutor=x&month=2026-13")
    assert bad.status_code == 400 and set(bad.json()) == {"tutor", "month"}


# --- the tutor's calendar link --------------------------------------------------------


def test_tutor_gets_and_rotates_the_calendar_link(mentoring, other_mentoring, logged):
    world = mentoring.world
    c = client(world.tutor)
    link = c.get(f"{URL}tutors/{mentoring.profile.pk}/calendar-feed/")
    assert link.status_code == 200
    url = link.json()["url"]
    assert c.get(f"{URL}tutors/{mentoring.profile.pk}/calendar-feed/").json()["url"] == url
    token_path = "/" + url.split("/", 3)[3]
    feed = client().get(token_path)
    assert feed.status_code == 200
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"tutoring-session-{logged.pk}@incubator"]
    assert SECRET not in feed.content.decode()
    rotated = c.post(f"{URL}tutors/{mentoring.profile.pk}/calendar-feed/rotate/")
    assert rotated.status_code == 200 and rotated.json()["url"] != url
    assert client().get(token_path).status_code == 404
    assert client(world.participant).get(f"{URL}tutors/{mentoring.profile.pk}/calendar-feed/").status_code == 404
    assert (
        client(other_mentoring.world.tutor)
        .post(f"{URL}tutors/{mentoring.profile.pk}/calendar-feed/rotate/")
        .status_code
        == 404
    )
    assert CalendarFeed.objects.filter(kind="tutor", revoked_at__isnull=True).count() == 1


# --- schema -----------------------------------------------------------------------------


def test_mentoring_schema_is_valid_and_documents_the_score():
    generator = SchemaGenerator(patterns=[path("api/v1/", include("api.mentoring.urls"))])
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    text = json.dumps(schema)
    assert "/api/v1/assignments/suggestions/" in schema["paths"]
    assert "/api/v1/timesheets/" in schema["paths"]
    assert "expertise = 50 x matched tags" in text
