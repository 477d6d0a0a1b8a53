"""/api/v1/applications/ and its actions: submit, check, decide, withdraw,
assign-evaluator, refer-to-crowdfunding."""

import datetime as dt

import pytest
import time_machine

from incubator.models import AuditEvent
from incubator.path.models import Enrolment
from incubator.selection import services
from incubator.selection.models import Application, ApplicationState, ChecklistAnswer, Evaluation
from tests import factories as f
from tests.api.helpers import (
    ANONYMOUS,
    ROLES,
    client_for,
    ids,
    ranked,
    results,
    submitted_and_checked,
    under_evaluation,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


def url(application, action: str = "") -> str:
    return f"{URL}{application.pk}/" + (f"{action}/" if action else "")


# --- read ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role(role, world, other, admin_user):
    under_evaluation(world)
    under_evaluation(other)
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {
        "coordinator": {world.application.pk},
        "evaluator": {world.application.pk},  # assigned to it
        "participant": {world.application.pk},  # their own venture
        "tutor": set(),
        "admin": {world.application.pk, other.application.pk},
    }[role]
    assert ids(response) == expected


def test_unassigned_evaluator_sees_nothing(world):
    submitted_and_checked(world)
    assert ids(client_for("evaluator", world, None).get(URL)) == set()
    assert client_for("evaluator", world, None).get(url(world.application)).status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "tutor", "participant"])
def test_other_programmes_application_is_not_found_for_every_action(role, world, other, admin_user):
    under_evaluation(other)
    client = client_for(role, world, admin_user)
    assert client.get(url(other.application)).status_code == 404
    for action, body in [
        ("submit", {}),
        ("check", {"answers": [], "eligible": True}),
        ("decide", {"decision": "reject", "reason": "x"}),
        ("withdraw", {"reason": "x"}),
        ("assign-evaluator", {"evaluator": other.evaluator2.pk}),
        ("refer-to-crowdfunding", {}),
    ]:
        assert client.post(url(other.application, action), body, format="json").status_code == 404, action
    other.application.refresh_from_db()
    assert other.application.state == ApplicationState.UNDER_EVALUATION
    assert other.application.evaluations.count() == 1


def test_evaluator_sees_team_as_name_and_role_only(world):
    under_evaluation(world)
    data = client_for("evaluator", world, None).get(url(world.application)).json()
    person = world.participant_person
    assert data["team"] == [
        {"name": f"{person.first_name} {person.last_name}", "role": "lead", "joined_on": None, "left_on": None}
    ]
    text = str(data)
    for secret in (person.tax_code, person.email):
        assert secret not in text
    assert "evaluations" not in data and "scores" not in data


def test_coordinator_sees_person_ids_in_team(world):
    data = client_for("coordinator", world, None).get(url(world.application)).json()
    assert data["team"][0]["person"] == world.participant_person.pk
    assert world.participant_person.tax_code not in str(data)


@pytest.mark.parametrize(("role", "sees"), [("coordinator", True), ("evaluator", True), ("participant", False)])
def test_score_and_rank_only_for_coordinators_and_evaluators(role, sees, world):
    ranked(world)
    data = client_for(role, world, None).get(url(world.application)).json()
    assert (data["score"], data["rank"]) == (("31.000", 1) if sees else (None, None))


def test_participant_cannot_order_by_score(world):
    ranked(world)
    response = client_for("participant", world, None).get(URL, {"ordering": "score"})
    # An unknown ordering field is ignored (DRF): the default order, no score revealed.
    assert [r["score"] for r in results(response)] == [None]


def test_filters(world):
    call2 = f.CallFactory(programme=world.programme)
    venture2 = f.VentureFactory(programme=world.programme, themes=["heritage"], target_area="Municipalità 1")
    second = f.ApplicationFactory(call=call2, venture=venture2)
    submitted_and_checked(world)
    client = client_for("coordinator", world, None)
    assert ids(client.get(URL, {"call": call2.pk})) == {second.pk}
    assert ids(client.get(URL, {"venture": world.venture.pk})) == {world.application.pk}
    assert ids(client.get(URL, {"state": "eligible"})) == {world.application.pk}
    assert ids(client.get(URL, {"state": ["draft", "eligible"]})) == {world.application.pk, second.pk}
    assert ids(client.get(URL, {"theme": "heritage"})) == {second.pk}
    assert ids(client.get(URL, {"theme": "social_cohesion"})) == {world.application.pk}
    assert ids(client.get(URL, {"target_area": "municipalità 1"})) == {second.pk}
    assert client.get(URL, {"theme": "space"}).status_code == 400
    # Not yet submitted comes last in both directions, on SQLite and PostgreSQL alike.
    for ordering in ("submitted_at", "-submitted_at"):
        ordered = [r["id"] for r in results(client.get(URL, {"ordering": ordering}))]
        assert ordered == [world.application.pk, second.pk]


# --- create --------------------------------------------------------------------------------


def test_participant_creates_draft_for_own_venture(world):
    call2 = f.CallFactory(programme=world.programme)
    response = client_for("participant", world, None).post(
        URL, {"call": call2.pk, "venture": world.venture.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    application = Application.objects.get(pk=response.json()["id"])
    assert (application.call, application.venture, application.state) == (call2, world.venture, "draft")
    assert response.json()["state"] == "draft"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (lambda w, o, new_call: {"venture": w.venture.pk}, "call"),
        (lambda w, o, new_call: {"call": 999999, "venture": w.venture.pk}, "call"),
        (lambda w, o, new_call: {"call": o.call.pk, "venture": w.venture.pk}, "call"),
        (lambda w, o, new_call: {"call": new_call.pk, "venture": 999999}, "venture"),
        (lambda w, o, new_call: {"call": new_call.pk, "venture": o.venture.pk}, "venture"),
        (lambda w, o, new_call: {"call": new_call.pk, "venture": "x"}, "venture"),
        # One application per venture and call.
        (lambda w, o, new_call: {"call": w.call.pk, "venture": w.venture.pk}, "non_field_errors"),
    ],
)
def test_bad_application_is_refused(body, field, world, other):
    new_call = f.CallFactory(programme=world.programme)
    before = Application.objects.count()
    response = client_for("participant", world, None).post(URL, body(world, other, new_call), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Application.objects.count() == before


@pytest.mark.parametrize(("role", "expected"), [("evaluator", 400), ("tutor", 400), ("anonymous", ANONYMOUS)])
def test_roles_without_the_venture_cannot_apply(role, expected, world, admin_user):
    call2 = f.CallFactory(programme=world.programme)
    response = client_for(role, world, admin_user).post(
        URL, {"call": call2.pk, "venture": world.venture.pk}, format="json"
    )
    assert response.status_code in (expected if isinstance(expected, tuple) else (expected,))
    assert not Application.objects.filter(call=call2).exists()


# --- submit and check ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [("participant", 200), ("coordinator", 200), ("admin", 200)])
def test_submit(role, expected, world, admin_user):
    response = client_for(role, world, admin_user).post(url(world.application, "submit"))
    assert response.status_code == expected
    assert response.json()["state"] == "submitted"
    assert response.json()["submitted_at"]


@pytest.mark.parametrize(("role", "expected"), [("evaluator", 404), ("tutor", 404), ("anonymous", ANONYMOUS)])
def test_submit_denied(role, expected, world, admin_user):
    response = client_for(role, world, admin_user).post(url(world.application, "submit"))
    assert response.status_code in (expected if isinstance(expected, tuple) else (expected,))
    world.application.refresh_from_db()
    assert world.application.state == "draft"


def test_submit_outside_the_call_window_and_twice(world):
    client = client_for("participant", world, None)
    with time_machine.travel(world.call.closes_at + dt.timedelta(seconds=1)):
        response = client.post(url(world.application, "submit"))
    assert response.status_code == 400
    assert "call" in response.json()
    assert client.post(url(world.application, "submit")).status_code == 200
    response = client.post(url(world.application, "submit"))
    assert response.status_code == 400
    assert "state" in response.json()


def test_check_with_checklist(world):
    items = [
        world.call.checklist.create(question="Resident in the target area"),
        world.call.checklist.create(question="Financial sustainability plan", kind="prefeasibility"),
    ]
    services.application_submit(actor=world.participant, application=world.application)
    body = {
        "answers": [{"item": items[0].pk, "answer": True}, {"item": items[1].pk, "answer": True, "note": "p. 4"}],
        "eligible": True,
    }
    assert (
        client_for("participant", world, None).post(url(world.application, "check"), body, format="json").status_code
        == 403
    )
    response = client_for("coordinator", world, None).post(url(world.application, "check"), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "eligible"
    assert [(a["question"], a["answer"], a["note"]) for a in data["checklist_answers"]] == [
        ("Resident in the target area", True, ""),
        ("Financial sustainability plan", True, "p. 4"),
    ]
    # The participant does not see the screening answers.
    assert client_for("participant", world, None).get(url(world.application)).json()["checklist_answers"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"eligible": True}, "answers"),
        ({"answers": [], "eligible": True}, "answers"),  # item left unanswered
        ({"answers": "yes", "eligible": True}, "answers"),
        ({"answers": [{"item": 999999, "answer": True}], "eligible": True}, "answers"),
        ({"answers": [{"item": "mine", "answer": "perhaps"}], "eligible": True}, "answers"),
        ({"answers": [{"item": "other_call", "answer": True}], "eligible": True}, "answers"),
        (
            {"answers": [{"item": "mine", "answer": True}, {"item": "mine", "answer": True}], "eligible": True},
            "answers",
        ),
        ({"answers": [{"item": "mine", "answer": False}], "eligible": "maybe"}, "eligible"),
        ({"answers": [{"item": "mine", "answer": False}], "eligible": False}, "reason"),
    ],
)
def test_bad_check_is_refused(body, field, world):
    item = world.call.checklist.create(question="Resident in the target area")
    other_call = f.CallFactory(programme=world.programme)
    foreign = other_call.checklist.create(question="Elsewhere")
    services.application_submit(actor=world.participant, application=world.application)
    for answer in body.get("answers", []) if isinstance(body.get("answers"), list) else []:
        answer["item"] = {"mine": item.pk, "other_call": foreign.pk}.get(answer["item"], answer["item"])
    response = client_for("coordinator", world, None).post(url(world.application, "check"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    world.application.refresh_from_db()
    assert world.application.state == "submitted"
    assert not ChecklistAnswer.objects.exists()


def test_check_on_a_draft_is_a_wrong_transition(world):
    response = client_for("coordinator", world, None).post(
        url(world.application, "check"), {"answers": [], "eligible": True}, format="json"
    )
    assert response.status_code == 400
    assert "state" in response.json()


# --- evaluators ----------------------------------------------------------------------------


def test_assign_evaluator(world):
    submitted_and_checked(world)
    response = client_for("coordinator", world, None).post(
        url(world.application, "assign-evaluator"), {"evaluator": world.evaluator.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["evaluator"] == world.evaluator.pk
    assert response.json()["application"] == world.application.pk
    world.application.refresh_from_db()
    assert world.application.state == ApplicationState.UNDER_EVALUATION
    response = client_for("coordinator", world, None).post(
        url(world.application, "assign-evaluator"), {"evaluator": world.evaluator.pk}, format="json"
    )
    assert response.status_code == 400
    assert "evaluator" in response.json()
    assert Evaluation.objects.count() == 1


@pytest.mark.parametrize("who", ["other_evaluator", "tutor", "unknown", "missing"])
def test_assign_someone_who_is_not_an_evaluator_here(who, world, other):
    submitted_and_checked(world)
    body = {
        "other_evaluator": {"evaluator": other.evaluator.pk},
        "tutor": {"evaluator": world.tutor.pk},
        "unknown": {"evaluator": 999999},
        "missing": {},
    }[who]
    response = client_for("coordinator", world, None).post(
        url(world.application, "assign-evaluator"), body, format="json"
    )
    assert response.status_code == 400
    assert "evaluator" in response.json()
    assert not Evaluation.objects.exists()


# A participant cannot name any evaluator (400 "does not exist"); the others cannot see
# the application (404).
@pytest.mark.parametrize(("role", "expected"), [("participant", 400), ("evaluator", 404), ("tutor", 404)])
def test_only_coordinators_assign(role, expected, world):
    submitted_and_checked(world)
    response = client_for(role, world, None).post(
        url(world.application, "assign-evaluator"), {"evaluator": world.evaluator2.pk}, format="json"
    )
    assert response.status_code == expected
    assert not Evaluation.objects.exists()


# --- decide, withdraw, crowdfunding --------------------------------------------------------


def test_decide_admit_creates_enrolment(world):
    ranked(world)
    response = client_for("coordinator", world, None).post(
        url(world.application, "decide"),
        {"decision": "admit", "starts_on": "2026-03-01", "ends_on": "2029-03-01"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "admitted"
    enrolment = Enrolment.objects.get(application=world.application)
    assert (enrolment.starts_on, enrolment.ends_on) == (dt.date(2026, 3, 1), dt.date(2029, 3, 1))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "admit", "starts_on": "2026-03-01", "ends_on": "2029-03-02"}, "ends_on"),  # 36 months + 1 day
        ({"decision": "admit", "starts_on": "2026-03-01", "ends_on": "2029-04-01"}, "ends_on"),  # 37 months
        ({"decision": "promote"}, "decision"),
        ({}, "decision"),
        ({"decision": "reject"}, "reason"),
        ({"decision": "admit", "crowdfunding_referral": True}, "crowdfunding_referral"),
        ({"decision": "admit", "starts_on": "March"}, "starts_on"),
    ],
)
def test_bad_decision_is_refused(body, field, world):
    ranked(world)
    response = client_for("coordinator", world, None).post(url(world.application, "decide"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    world.application.refresh_from_db()
    assert world.application.state == ApplicationState.EVALUATED
    assert not Enrolment.objects.exists()


def test_decide_on_a_draft_is_a_wrong_transition(world):
    response = client_for("coordinator", world, None).post(
        url(world.application, "decide"), {"decision": "reject", "reason": "late"}, format="json"
    )
    assert response.status_code == 400
    assert "state" in response.json()


@pytest.mark.parametrize(("role", "expected"), [("participant", 403), ("evaluator", 403), ("tutor", 404)])
def test_only_coordinators_decide(role, expected, world):
    ranked(world)
    response = client_for(role, world, None).post(
        url(world.application, "decide"), {"decision": "admit"}, format="json"
    )
    assert response.status_code == expected
    world.application.refresh_from_db()
    assert world.application.state == ApplicationState.EVALUATED


def test_participant_withdraws_with_reason(world):
    client = client_for("participant", world, None)
    response = client.post(url(world.application, "withdraw"), {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = client.post(url(world.application, "withdraw"), {"reason": "  "}, format="json")
    assert response.status_code == 400
    response = client.post(url(world.application, "withdraw"), {"reason": "Moved abroad"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    event = AuditEvent.objects.get(verb="application.withdrawn", target_id=world.application.pk)
    assert (event.actor, event.reason) == (world.participant, "Moved abroad")
    response = client.post(url(world.application, "withdraw"), {"reason": "Again"}, format="json")
    assert response.status_code == 400
    assert "state" in response.json()


def test_evaluator_cannot_withdraw(world):
    under_evaluation(world)
    response = client_for("evaluator", world, None).post(
        url(world.application, "withdraw"), {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
    world.application.refresh_from_db()
    assert world.application.state == ApplicationState.UNDER_EVALUATION


def test_refer_to_crowdfunding(world):
    application = ranked(world)
    client = client_for("coordinator", world, None)
    response = client.post(url(application, "refer-to-crowdfunding"), {}, format="json")
    assert response.status_code == 400
    assert "crowdfunding_referral" in response.json()
    services.application_decide(
        actor=world.coordinator, application=application, decision="reject", reason="Below the others"
    )
    assert client_for("participant", world, None).post(url(application, "refer-to-crowdfunding")).status_code == 403
    response = client.post(url(application, "refer-to-crowdfunding"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["crowdfunding_referral"] is True
    response = client.post(url(application, "refer-to-crowdfunding"), {"referred": "nope"}, format="json")
    assert response.status_code == 400
    assert "referred" in response.json()
    response = client.post(url(application, "refer-to-crowdfunding"), {"referred": False}, format="json")
    assert response.json()["crowdfunding_referral"] is False


def test_application_list_is_paginated(world):
    data = client_for("coordinator", world, None).get(URL).json()
    assert {"count", "next", "previous", "results"} <= data.keys()
    assert data["count"] == 1
