"""/api/v1/calls/: calls with criteria and checklist, the ranking and the bulk decision."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from incubator.models import AuditEvent
from incubator.selection.models import ApplicationState, Call, Criterion
from tests import factories as f
from tests.api.helpers import ANONYMOUS, ROLES, client_for, evaluated, ids, ranked, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/calls/"


def call_body(of, **changes) -> dict:
    now = timezone.now()
    body = {
        "programme": of.pk,
        "title": "Avviso INNESCO 2026",
        "reference": "DD 123/2026",
        "opens_at": (now - dt.timedelta(days=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=30)).isoformat(),
        "eligible_applicant_kinds": ["individual", "association"],
        "themes": ["new_poverty", "circular_economy"],
        "places": 3,
        "pass_threshold": "60.00",
        "max_months": 36,
        "criteria": [
            {"name": "Social impact", "weight": "2.00", "max_score": "10.00"},
            {"name": "Sustainability", "weight": "1.00", "max_score": "20.00"},
        ],
        "checklist": [
            {"kind": "eligibility", "question": "Resident in the target area"},
            {"kind": "prefeasibility", "question": "Financial sustainability plan attached"},
        ],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


# --- read ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_calls_of_own_programmes(role, world, other, admin_user):
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {world.call.pk, other.call.pk} if role == "admin" else {world.call.pk}
    assert ids(response) == expected
    row = next(r for r in results(response) if r["id"] == world.call.pk)
    assert [c["name"] for c in row["criteria"]] == ["Innovation", "Feasibility"]
    assert row["is_open"] is True


@pytest.mark.parametrize("role", ROLES)
def test_other_programmes_call_is_not_found(role, world, other, admin_user):
    response = client_for(role, world, admin_user).get(f"{URL}{other.call.pk}/")
    expected = {"anonymous": ANONYMOUS, "admin": (200,)}.get(role, (404,))
    assert response.status_code in expected


def test_filters_open_and_programme_and_ordering(world):
    closed = f.CallFactory(
        programme=world.programme,
        opens_at=timezone.now() - dt.timedelta(days=60),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    client = client_for("coordinator", world, None)
    assert ids(client.get(URL, {"open": "true"})) == {world.call.pk}
    assert ids(client.get(URL, {"open": "false"})) == {closed.pk}
    assert ids(client.get(URL, {"programme": world.programme.pk})) == {world.call.pk, closed.pk}
    ordered = [r["id"] for r in results(client.get(URL, {"ordering": "closes_at"}))]
    assert ordered == [closed.pk, world.call.pk]


# --- create --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinator_creates_call_with_criteria_and_checklist(role, world, admin_user):
    response = client_for(role, world, admin_user).post(URL, call_body(world.programme), format="json")
    assert response.status_code == 201, response.content
    call = Call.objects.get(pk=response.json()["id"])
    assert call.programme == world.programme
    assert call.themes == ["new_poverty", "circular_economy"]
    assert list(call.criteria.values_list("name", "weight", "order")) == [
        ("Social impact", 2, 0),
        ("Sustainability", 1, 1),
    ]
    assert list(call.checklist.values_list("kind", flat=True)) == ["eligibility", "prefeasibility"]
    assert len(response.json()["checklist"]) == 2
    assert AuditEvent.objects.filter(verb="call.create", target_id=call.pk).exists()


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant", "anonymous"])
def test_other_roles_cannot_create_call(role, world, admin_user):
    response = client_for(role, world, admin_user).post(URL, call_body(world.programme), format="json")
    assert response.status_code in (403, *ANONYMOUS)
    assert not Call.objects.filter(title="Avviso INNESCO 2026").exists()


def test_call_in_another_programme_is_refused_as_unknown(world, other):
    """An id out of reach gets the very answer of an id that does not exist."""
    client = client_for("coordinator", world, None)
    answers = {}
    for pk in (other.programme.pk, 999999):
        body = {**call_body(world.programme), "programme": pk}
        response = client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        answers[pk] = response.json()
    assert answers[other.programme.pk] == {"programme": [f'Invalid pk "{other.programme.pk}" - object does not exist.']}
    assert answers[999999] == {"programme": ['Invalid pk "999999" - object does not exist.']}
    assert not Call.objects.filter(title="Avviso INNESCO 2026").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"programme": 999999}, "programme"),
        ({"programme": "abc"}, "programme"),
        ({"title": None}, "title"),
        ({"places": "many"}, "places"),
        ({"places": -1}, "places"),
        ({"max_months": 37}, "max_months"),
        ({"pass_threshold": "high"}, "pass_threshold"),
        ({"themes": ["space_travel"]}, "themes"),
        ({"eligible_applicant_kinds": "individual"}, "eligible_applicant_kinds"),
        ({"closes_at": (timezone.now() - dt.timedelta(days=2)).isoformat()}, "closes_at"),
        ({"grant_min": "50000", "grant_max": "30000"}, "grant_max"),
        ({"criteria": None}, "criteria"),
        ({"criteria": []}, "criteria"),
        ({"criteria": [{"name": "Impact", "weight": "0", "max_score": "10"}]}, "criteria"),
        ({"criteria": [{"name": "Impact", "weight": "1", "max_score": "ten"}]}, "criteria"),
        (
            {"criteria": [{"name": "A", "weight": 1, "max_score": 5}, {"name": "A", "weight": 1, "max_score": 5}]},
            "criteria",
        ),
        ({"checklist": [{"kind": "maybe", "question": "Q"}]}, "checklist"),
    ],
)
def test_bad_call_is_refused_naming_the_field(changes, field, world):
    calls, criteria = Call.objects.count(), Criterion.objects.count()
    response = client_for("coordinator", world, None).post(URL, call_body(world.programme, **changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert (Call.objects.count(), Criterion.objects.count()) == (calls, criteria)


# --- ranking -------------------------------------------------------------------------------


def ranking_url(call) -> str:
    return f"{URL}{call.pk}/ranking/"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", 200), ("admin", 200), ("evaluator", 403), ("tutor", 403), ("participant", 403)],
)
def test_ranking_is_for_coordinators(role, expected, world, admin_user):
    application = ranked(world)
    response = client_for(role, world, admin_user).get(ranking_url(world.call))
    assert response.status_code == expected
    if expected == 200:
        assert response.json() == [
            {
                "rank": 1,
                "score": "31.000",
                "application": application.pk,
                "venture": world.venture.pk,
                "venture_title": world.venture.title,
                "state": "evaluated",
                "submitted_at": response.json()[0]["submitted_at"],
                "moderated": False,
                "moderation_reason": "",
            }
        ]
        assert response.json()[0]["submitted_at"] is not None


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "participant", "anonymous"])
def test_ranking_of_other_programme_is_not_found(role, world, other, admin_user):
    ranked(other)
    client = client_for(role, world, admin_user)
    assert client.get(ranking_url(other.call)).status_code in (404, *ANONYMOUS)
    assert client.post(f"{URL}{other.call.pk}/ranking/compute/").status_code in (404, *ANONYMOUS)
    assert client.post(f"{URL}{other.call.pk}/decide/", {}, format="json").status_code in (404, *ANONYMOUS)
    other.application.refresh_from_db()
    assert other.application.state == ApplicationState.EVALUATED


def test_compute_refused_while_call_open_and_by_non_coordinators(world, admin_user):
    evaluated(world)
    client = client_for("coordinator", world, admin_user)
    response = client.post(f"{URL}{world.call.pk}/ranking/compute/")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    with time_machine.travel(world.call.closes_at + dt.timedelta(hours=1)):
        for role in ("evaluator", "participant", "tutor"):
            assert client_for(role, world, admin_user).post(f"{URL}{world.call.pk}/ranking/compute/").status_code == 403
        world.application.refresh_from_db()
        assert world.application.rank is None
        response = client.post(f"{URL}{world.call.pk}/ranking/compute/")
    assert response.status_code == 200
    assert [row["application"] for row in response.json()] == [world.application.pk]


def test_bulk_decision(world, admin_user):
    ranked(world)
    url = f"{URL}{world.call.pk}/decide/"
    assert client_for("participant", world, admin_user).post(url, {}, format="json").status_code == 403
    assert client_for("coordinator", world, admin_user).post(
        url, {"starts_on": "soon"}, format="json"
    ).json().keys() == {"starts_on"}
    response = client_for("coordinator", world, admin_user).post(url, {"starts_on": "2026-04-01"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"admitted": 1, "waitlisted": 0, "rejected": 0}
    world.application.refresh_from_db()
    assert world.application.state == ApplicationState.ADMITTED
    assert world.application.enrolment.starts_on == dt.date(2026, 4, 1)
    # Nothing left to decide: refused, nothing changes.
    response = client_for("coordinator", world, admin_user).post(url, {}, format="json")
    assert response.status_code == 400
