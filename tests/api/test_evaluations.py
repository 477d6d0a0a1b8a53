"""/api/v1/evaluations/: evaluators see and score their own; others' scores only after
the call closes; participants and tutors never see scores."""

import datetime as dt

import pytest
import time_machine

from incubator.selection.models import ApplicationState, Evaluation, Score
from tests.api.helpers import ANONYMOUS, ROLES, client_as, client_for, ids, results, scores_for, under_evaluation

pytestmark = pytest.mark.django_db

URL = "/api/v1/evaluations/"


def url(evaluation, action: str = "") -> str:
    return f"{URL}{evaluation.pk}/" + (f"{action}/" if action else "")


def score_both(world, e1, e2):
    """Both evaluators score through the API (evaluator: 8, 15 -> 31; evaluator2: 6, 10 -> 22)."""
    for user, evaluation, values in ((world.evaluator, e1, (8, 15)), (world.evaluator2, e2, (6, 10))):
        response = client_as(user).post(
            url(evaluation, "score"), {"scores": scores_for(world.call, *values)}, format="json"
        )
        assert response.status_code == 200, response.content


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role_while_call_open(role, world, other, admin_user):
    e1, e2 = under_evaluation(world, evaluators=("evaluator", "evaluator2"))
    (foreign,) = under_evaluation(other)
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {
        "coordinator": {e1.pk, e2.pk},
        "evaluator": {e1.pk},
        "tutor": set(),
        "participant": set(),
        "admin": {e1.pk, e2.pk, foreign.pk},
    }[role]
    assert ids(response) == expected


def test_other_evaluators_scores_only_after_the_call_closes(world):
    e1, e2 = under_evaluation(world, evaluators=("evaluator", "evaluator2"))
    score_both(world, e1, e2)
    client = client_for("evaluator", world, None)
    assert client.get(url(e2)).status_code == 404
    own = client.get(url(e1)).json()
    assert [s["value"] for s in own["scores"]] == ["8.00", "15.00"]
    assert own["weighted_total"] == "31.000"
    with time_machine.travel(world.call.closes_at + dt.timedelta(minutes=1)):
        assert ids(client.get(URL)) == {e1.pk, e2.pk}
        theirs = client.get(url(e2)).json()
    assert [s["value"] for s in theirs["scores"]] == ["6.00", "10.00"]


@pytest.mark.parametrize("role", ["participant", "tutor"])
def test_participants_and_tutors_never_see_scores(role, world):
    e1, e2 = under_evaluation(world, evaluators=("evaluator", "evaluator2"))
    score_both(world, e1, e2)
    with time_machine.travel(world.call.closes_at + dt.timedelta(minutes=1)):
        client = client_for(role, world, None)
        assert results(client.get(URL)) == []
        assert client.get(url(e1)).status_code == 404
        application = client.get(f"/api/v1/applications/{world.application.pk}/")
    if role == "participant":
        assert application.status_code == 200
        assert "scores" not in application.json() and application.json()["score"] is None
    else:
        assert application.status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "tutor", "participant"])
def test_other_programmes_evaluation_is_not_found(role, world, other, admin_user):
    (foreign,) = under_evaluation(other)
    client = client_for(role, world, admin_user)
    assert client.get(url(foreign)).status_code == 404
    body = {"scores": scores_for(other.call, 1, 1)}
    assert client.post(url(foreign, "score"), body, format="json").status_code == 404
    assert client.post(url(foreign, "declare-conflict"), {"note": "x"}, format="json").status_code == 404
    foreign.refresh_from_db()
    assert (foreign.submitted_at, foreign.conflict_declared) == (None, False)


@pytest.mark.parametrize("shape", ["object", "list"])
def test_evaluator_scores_in_either_shape(shape, world):
    (evaluation,) = under_evaluation(world)
    scores = scores_for(world.call, 8, "15.5")
    if shape == "list":
        scores = [{"criterion": int(k), "value": v} for k, v in scores.items()]
    response = client_for("evaluator", world, None).post(
        url(evaluation, "score"), {"scores": scores, "comment": "Clear plan"}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["weighted_total"], data["comment"]) == ("31.500", "Clear plan")
    assert [(s["criterion_name"], s["value"]) for s in data["scores"]] == [
        ("Innovation", "8.00"),
        ("Feasibility", "15.50"),
    ]
    world.application.refresh_from_db()
    assert world.application.state == ApplicationState.EVALUATED


@pytest.mark.parametrize(
    "scores",
    [
        "8, 15",
        None,
        {"innovation": 8},
        [8, 15],
        "out_of_range",
        "negative",
        "too_precise",
        "not_a_number",
        "missing_one",
        "unknown_criterion",
        "boolean",
    ],
)
def test_bad_scores_are_refused(scores, world):
    (evaluation,) = under_evaluation(world)
    call = world.call
    scores = (
        {
            "out_of_range": scores_for(call, 11, 15),
            "negative": scores_for(call, -1, 15),
            "too_precise": scores_for(call, "8.001", 15),
            "not_a_number": scores_for(call, "eight", 15),
            "missing_one": dict(list(scores_for(call, 8, 15).items())[:1]),
            "unknown_criterion": {**scores_for(call, 8, 15), "999999": 1},
            "boolean": scores_for(call, True, 15),
        }.get(scores, scores)
        if isinstance(scores, str)
        else scores
    )
    body = {} if scores is None else {"scores": scores}
    response = client_for("evaluator", world, None).post(url(evaluation, "score"), body, format="json")
    assert response.status_code == 400, response.content
    assert "scores" in response.json()
    assert not Score.objects.exists()
    evaluation.refresh_from_db()
    assert evaluation.submitted_at is None


def test_second_score_is_refused(world):
    (evaluation,) = under_evaluation(world)
    client = client_for("evaluator", world, None)
    assert (
        client.post(url(evaluation, "score"), {"scores": scores_for(world.call, 8, 15)}, format="json").status_code
        == 200
    )
    response = client.post(url(evaluation, "score"), {"scores": scores_for(world.call, 1, 1)}, format="json")
    assert response.status_code == 400
    assert "scores" in response.json()
    evaluation.refresh_from_db()
    assert evaluation.weighted_total == 31


@pytest.mark.parametrize(("role", "expected"), [("coordinator", 403), ("admin", 403)])
def test_only_the_assigned_evaluator_scores(role, expected, world, admin_user):
    (evaluation,) = under_evaluation(world)
    response = client_for(role, world, admin_user).post(
        url(evaluation, "score"), {"scores": scores_for(world.call, 8, 15)}, format="json"
    )
    assert response.status_code == expected
    assert not Score.objects.exists()


def test_co_evaluator_cannot_score_anothers_evaluation(world):
    e1, _e2 = under_evaluation(world, evaluators=("evaluator", "evaluator2"))
    client = client_for("evaluator2", world, None)
    body = {"scores": scores_for(world.call, 8, 15)}
    assert client.post(url(e1, "score"), body, format="json").status_code == 404  # not visible yet
    with time_machine.travel(world.call.closes_at + dt.timedelta(minutes=1)):
        assert client.post(url(e1, "score"), body, format="json").status_code == 403
    assert not Score.objects.exists()


def test_declared_conflict_recuses(world):
    e1, e2 = under_evaluation(world, evaluators=("evaluator", "evaluator2"))
    client = client_for("evaluator", world, None)
    response = client.post(url(e1, "declare-conflict"), {"note": " "}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    response = client.post(url(e1, "declare-conflict"), {}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    response = client.post(url(e1, "declare-conflict"), {"note": "Cousin of the lead"}, format="json")
    assert response.status_code == 200
    assert (response.json()["conflict_declared"], response.json()["conflict_note"]) == (True, "Cousin of the lead")
    response = client.post(url(e1, "score"), {"scores": scores_for(world.call, 8, 15)}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Score.objects.filter(evaluation=e1).exists()
    # The co-evaluator sees the recusal after the call closes, not its reason.
    with time_machine.travel(world.call.closes_at + dt.timedelta(minutes=1)):
        seen = client_for("evaluator2", world, None).get(url(e1)).json()
    assert (seen["conflict_declared"], seen["conflict_note"]) == (True, "")
    assert client_for("coordinator", world, None).get(url(e1)).json()["conflict_note"] == "Cousin of the lead"


@pytest.mark.parametrize(("role", "expected"), [("coordinator", 403), ("evaluator2", 404)])
def test_only_the_evaluator_declares_a_conflict(role, expected, world):
    (evaluation,) = under_evaluation(world)
    response = client_for(role, world, None).post(url(evaluation, "declare-conflict"), {"note": "x"}, format="json")
    assert response.status_code == expected
    assert not Evaluation.objects.filter(conflict_declared=True).exists()


def test_filters(world):
    e1, e2 = under_evaluation(world, evaluators=("evaluator", "evaluator2"))
    score_both(world, e1, e2)
    client = client_for("coordinator", world, None)
    assert ids(client.get(URL, {"evaluator": world.evaluator2.pk})) == {e2.pk}
    assert ids(client.get(URL, {"call": world.call.pk})) == {e1.pk, e2.pk}
    assert ids(client.get(URL, {"application": world.application.pk, "submitted": "true"})) == {e1.pk, e2.pk}
    assert ids(client.get(URL, {"submitted": "false"})) == set()
    ordered = [r["id"] for r in results(client.get(URL, {"ordering": "weighted_total"}))]
    assert ordered == [e2.pk, e1.pk]
