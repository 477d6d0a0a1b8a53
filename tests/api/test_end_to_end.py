"""The whole selection, through the API alone: a call with criteria, three applications,
submission while the call is open, the checklist, two evaluators' scores, the ranking
with its tie-break once the call has closed, admission with enrolments, and an
accompaniment longer than 36 months refused."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incubator.path.models import Enrolment
from incubator.selection.models import Application
from tests import factories as f
from tests.api.helpers import client_as, results

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
OPENS = dt.datetime(2026, 2, 1, 9, 0, tzinfo=ROME)
CLOSES = dt.datetime(2026, 3, 31, 12, 0, tzinfo=ROME)


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def test_selection_through_the_api(world):
    coordinator = client_as(world.coordinator)
    evaluators = {"evaluator": client_as(world.evaluator), "evaluator2": client_as(world.evaluator2)}

    with time_machine.travel(OPENS - dt.timedelta(days=10), tick=False):
        call = ok(
            coordinator.post(
                "/api/v1/calls/",
                {
                    "programme": world.programme.pk,
                    "title": "INNESCO - idee di innovazione sociale",
                    "opens_at": OPENS.isoformat(),
                    "closes_at": CLOSES.isoformat(),
                    "places": 2,
                    "pass_threshold": "20",
                    "criteria": [
                        {"name": "Social impact", "weight": "2", "max_score": "10"},
                        {"name": "Feasibility", "weight": "1", "max_score": "20"},
                    ],
                    "checklist": [{"kind": "prefeasibility", "question": "Financial sustainability plan"}],
                },
                format="json",
            ),
            201,
        )
        impact, feasibility = (c["id"] for c in call["criteria"])
        (plan_item,) = (c["id"] for c in call["checklist"])

        applications = {}
        for n, name in enumerate(("Orti sociali", "Ciclofficina", "Sartoria solidale")):
            person = ok(
                coordinator.post(
                    "/api/v1/people/",
                    {
                        "programme": world.programme.pk,
                        "first_name": f"Lead{n}",
                        "last_name": name.split()[0],
                        "tax_code": f.tax_code(7000 + n),
                    },
                    format="json",
                ),
                201,
            )
            venture = ok(
                coordinator.post(
                    "/api/v1/ventures/",
                    {
                        "programme": world.programme.pk,
                        "title": name,
                        "themes": ["social_cohesion"],
                        "team": [{"person": person["id"], "role": "lead"}],
                    },
                    format="json",
                ),
                201,
            )
            applications[name] = ok(
                coordinator.post(
                    "/api/v1/applications/", {"call": call["id"], "venture": venture["id"]}, format="json"
                ),
                201,
            )["id"]

        # Not open yet: submission is refused and nothing moves.
        response = coordinator.post(f"/api/v1/applications/{applications['Orti sociali']}/submit/")
        assert response.status_code == 400 and "call" in response.json()

    # Submitted in this order while the call is open: the tie below goes to the earlier one.
    for minutes, name in enumerate(("Ciclofficina", "Orti sociali", "Sartoria solidale")):
        with time_machine.travel(OPENS + dt.timedelta(days=1, minutes=minutes), tick=False):
            assert ok(coordinator.post(f"/api/v1/applications/{applications[name]}/submit/"))["state"] == "submitted"

    with time_machine.travel(OPENS + dt.timedelta(days=5), tick=False):
        for name, pk in applications.items():
            checked = ok(
                coordinator.post(
                    f"/api/v1/applications/{pk}/check/",
                    {"answers": [{"item": plan_item, "answer": True}], "eligible": True},
                    format="json",
                )
            )
            assert checked["state"] == "eligible"
            for evaluator in ("evaluator", "evaluator2"):
                ok(
                    coordinator.post(
                        f"/api/v1/applications/{pk}/assign-evaluator/",
                        {"evaluator": getattr(world, evaluator).pk},
                        format="json",
                    ),
                    201,
                )

        # (impact, feasibility) per evaluator; weighted total = 2 x impact + feasibility.
        # Orti sociali 31 and 22 -> 26.5; Ciclofficina 27 and 26 -> 26.5; Sartoria 15 and 15.
        plan = {
            "Orti sociali": {"evaluator": (8, 15), "evaluator2": (6, 10)},
            "Ciclofficina": {"evaluator": (7, 13), "evaluator2": (7, 12)},
            "Sartoria solidale": {"evaluator": (5, 5), "evaluator2": (5, 5)},
        }
        for evaluator, client in evaluators.items():
            own = results(client.get("/api/v1/evaluations/", {"call": call["id"]}))
            assert len(own) == 3 and {e["evaluator"] for e in own} == {getattr(world, evaluator).pk}
            by_application = {e["application"]: e["id"] for e in own}
            for name, pk in applications.items():
                a, b = plan[name][evaluator]
                scored = ok(
                    client.post(
                        f"/api/v1/evaluations/{by_application[pk]}/score/",
                        {"scores": {str(impact): a, str(feasibility): b}, "comment": "ok"},
                        format="json",
                    )
                )
                assert scored["weighted_total"] == f"{2 * a + b:.3f}"
        # The call is still open: no ranking yet, and co-evaluators' scores stay hidden.
        response = coordinator.post(f"/api/v1/calls/{call['id']}/ranking/compute/")
        assert response.status_code == 400
        assert len(results(evaluators["evaluator"].get("/api/v1/evaluations/"))) == 3

    with time_machine.travel(CLOSES + dt.timedelta(days=1), tick=False):
        assert len(results(evaluators["evaluator"].get("/api/v1/evaluations/"))) == 6
        ranking = ok(coordinator.post(f"/api/v1/calls/{call['id']}/ranking/compute/"))
        assert [(row["venture_title"], row["rank"], row["score"]) for row in ranking] == [
            ("Ciclofficina", 1, "26.500"),
            ("Orti sociali", 2, "26.500"),
            ("Sartoria solidale", 3, "15.000"),
        ]
        assert ok(coordinator.get(f"/api/v1/calls/{call['id']}/ranking/")) == ranking

        outcome = ok(
            coordinator.post(f"/api/v1/calls/{call['id']}/decide/", {"starts_on": "2026-05-04"}, format="json")
        )
        assert outcome == {"admitted": 2, "waitlisted": 0, "rejected": 1}

        states = {
            row["venture_title"]: row["state"]
            for row in results(coordinator.get("/api/v1/applications/", {"call": call["id"], "ordering": "rank"}))
        }
        assert states == {"Ciclofficina": "admitted", "Orti sociali": "admitted", "Sartoria solidale": "rejected"}

        enrolments = results(coordinator.get("/api/v1/enrolments/", {"call": call["id"]}))
        assert sorted((e["venture_title"], e["starts_on"], e["ends_on"]) for e in enrolments) == [
            ("Ciclofficina", "2026-05-04", "2029-05-04"),
            ("Orti sociali", "2026-05-04", "2029-05-04"),
        ]

        # An accompaniment of 37 months is refused, naming the field; 36 months is the cap.
        enrolment = enrolments[0]
        response = coordinator.post(
            f"/api/v1/enrolments/{enrolment['id']}/dates/", {"ends_on": "2029-06-04"}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["ends_on"]
        assert Enrolment.objects.get(pk=enrolment["id"]).ends_on == dt.date(2029, 5, 4)

    assert Application.objects.filter(call_id=call["id"], enrolment__isnull=False).count() == 2
