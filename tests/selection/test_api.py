"""The same capabilities through /api/v1/: drafts, reassignment, bulk assignment, the
rubric, moderation and the board (coordinators only; another programme's call 404),
with the board's query budget at 1 and 50 applications."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from incubator.selection.models import Evaluation, Moderation
from tests.selection.conftest import assign, criteria, eligible_application, extra_evaluator, make_eligible, submit

pytestmark = pytest.mark.django_db


def as_(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_draft_then_score_through_the_api(world):
    application = make_eligible(world)
    (evaluation,) = assign(world, application, world.evaluator)
    innovation, feasibility = criteria(world)
    url = f"/api/v1/evaluations/{evaluation.pk}/"
    response = as_(world.evaluator).post(
        url + "draft/",
        {"scores": {str(innovation.pk): "4"}, "criterion_comments": {str(feasibility.pk): "unclear"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["progress"] == "draft"
    assert {(s["criterion"], s["comment"]) for s in response.json()["scores"]} == {
        (innovation.pk, ""),
        (feasibility.pk, "unclear"),
    }
    # The other evaluator of the programme never sees it (not assigned: 404).
    assert as_(world.evaluator2).get(url).status_code == 404
    bad = as_(world.evaluator).post(url + "draft/", {"scores": {str(innovation.pk): "12"}}, format="json")
    assert bad.status_code == 400 and "scores" in bad.json()
    done = as_(world.evaluator).post(
        url + "score/", {"scores": {str(innovation.pk): "4", str(feasibility.pk): "9"}}, format="json"
    )
    assert done.status_code == 200 and done.json()["progress"] == "submitted"
    assert as_(world.evaluator).post(url + "draft/", {"scores": {}}, format="json").status_code == 400


def test_others_draft_scores_stay_hidden_after_the_call_closes(world):
    from tests.selection.conftest import close_call

    application = make_eligible(world)
    e1, e2 = assign(world, application, world.evaluator, world.evaluator2)
    innovation, _ = criteria(world)
    as_(world.evaluator2).post(
        f"/api/v1/evaluations/{e2.pk}/draft/", {"scores": {str(innovation.pk): "9"}, "comment": "hm"}, format="json"
    )
    close_call(world.call)
    theirs = as_(world.evaluator).get(f"/api/v1/evaluations/{e2.pk}/").json()
    assert theirs["scores"] == [] and theirs["comment"] == ""
    assert as_(world.coordinator).get(f"/api/v1/evaluations/{e2.pk}/").json()["scores"]


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "tutor", "participant"])
def test_board_is_for_coordinators_only(role, world, other):
    response = as_(getattr(world, role)).get(f"/api/v1/calls/{world.call.pk}/board/")
    if role == "coordinator":
        assert response.status_code == 200
        assert {step["state"] for step in response.json()["funnel"]} >= {"draft", "under_evaluation"}
    else:
        assert response.status_code in (403, 404)
    assert as_(getattr(other, role)).get(f"/api/v1/calls/{world.call.pk}/board/").status_code == 404
    assert as_(None).get(f"/api/v1/calls/{world.call.pk}/board/").status_code in (401, 403)


def test_assign_reassign_moderate_and_rubric(world, other):
    application = make_eligible(world)
    coordinator = as_(world.coordinator)
    response = coordinator.post(
        f"/api/v1/calls/{world.call.pk}/assign-evaluators/", {"per_application": 2}, format="json"
    )
    assert response.status_code == 200 and len(response.json()["assigned"]) == 2
    assert (
        coordinator.post(
            f"/api/v1/calls/{world.call.pk}/assign-evaluators/", {"per_application": 0}, format="json"
        ).status_code
        == 400
    )
    assert (
        as_(world.evaluator)
        .post(f"/api/v1/calls/{world.call.pk}/assign-evaluators/", {"per_application": 1}, format="json")
        .status_code
        == 403
    )
    assert (
        as_(other.coordinator)
        .post(f"/api/v1/calls/{world.call.pk}/assign-evaluators/", {"per_application": 1}, format="json")
        .status_code
        == 404
    )

    evaluation = Evaluation.objects.get(application=application, evaluator=world.evaluator)
    third = extra_evaluator(world, "A-evaluator3")
    moved = coordinator.post(
        f"/api/v1/evaluations/{evaluation.pk}/reassign/", {"evaluator": third.pk, "reason": "late"}, format="json"
    )
    assert moved.status_code == 201 and moved.json()["evaluator"] == third.pk
    assert (
        as_(world.evaluator2)
        .post(f"/api/v1/evaluations/{moved.json()['id']}/reassign/", {"evaluator": world.evaluator.pk}, format="json")
        .status_code
        == 404
    )

    for e in Evaluation.objects.filter(application=application):
        submit(e, 10, 20) if e.evaluator == third else submit(e, 1, 1)
    moderated = coordinator.post(
        f"/api/v1/applications/{application.pk}/moderate/", {"agreed_score": "25", "reason": "Panel"}, format="json"
    )
    assert moderated.status_code == 200 and Moderation.objects.get().agreed_score == Decimal("25")
    no_reason = coordinator.post(f"/api/v1/applications/{application.pk}/moderate/", {"agreed_score": "25"})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    preview = coordinator.get(f"/api/v1/calls/{world.call.pk}/ranking/preview/").json()
    assert preview[0]["score"] == "25.000" and preview[0]["moderation_reason"] == "Panel"

    innovation, _ = criteria(world)
    rubric = coordinator.post(
        f"/api/v1/calls/{world.call.pk}/rubric/",
        {"criterion": innovation.pk, "guidance": "New?", "bands": [{"low": 0, "high": 5, "description": "Weak"}]},
        format="json",
    )
    assert rubric.status_code == 200 and rubric.json()["bands"][0]["description"] == "Weak"
    overlapping = coordinator.post(
        f"/api/v1/calls/{world.call.pk}/rubric/",
        {
            "criterion": innovation.pk,
            "bands": [{"low": 0, "high": 5, "description": "a"}, {"low": 4, "high": 6, "description": "b"}],
        },
        format="json",
    )
    assert overlapping.status_code == 400 and "bands" in overlapping.json()
    call = as_(world.evaluator).get(f"/api/v1/calls/{world.call.pk}/").json()
    assert call["criteria"][0]["guidance"] == "New?" and "blind_review" in call


@pytest.mark.parametrize("rows", [1, 50])
def test_board_query_budget(world, rows, django_assert_num_queries):
    world.call.disagreement_threshold = Decimal("1")
    world.call.save()
    for i in range(rows):
        application = make_eligible(world) if i == 0 else eligible_application(world)
        e1, e2 = assign(world, application, world.evaluator, world.evaluator2)
        submit(e1, 5, 10)
        submit(e2, 6, 12)
    client = as_(world.coordinator)
    # roles, call; funnel; progress (2); disagreement (4); calibration (2: totals, criteria); ranking (1)
    with django_assert_num_queries(12):
        data = client.get(f"/api/v1/calls/{world.call.pk}/board/").json()
    assert len(data["disagreements"]) == rows and all(d["flagged"] for d in data["disagreements"])
    assert len(data["ranking"]) == rows
