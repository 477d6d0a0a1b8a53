"""Shared steps for the API tests: clients per role, and the services that bring the
``world`` fixture's application to a given point of the pipeline."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from incubator.path.models import Enrolment
from incubator.selection import services
from incubator.selection.models import Application, ApplicationState, Evaluation

ROLES = ("coordinator", "evaluator", "tutor", "participant", "admin", "anonymous")
ANONYMOUS = (401, 403)


def client_for(role: str, world, admin_user) -> APIClient:
    """A fresh client for ``role`` in ``world`` (``admin`` is the superuser; ``anonymous``
    is not logged in)."""
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(admin_user if role == "admin" else getattr(world, role))
    return client


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def ids(response) -> set[int]:
    return {row["id"] for row in results(response)}


def scores_for(call, *values) -> dict[str, object]:
    """{criterion id: value} in the call's criterion order, as a JSON body wants it."""
    pks = call.criteria.order_by("order", "id").values_list("pk", flat=True)
    return {str(pk): value for pk, value in zip(pks, values, strict=True)}


def submitted_and_checked(world, application: Application | None = None) -> Application:
    application = application or world.application
    services.application_submit(actor=world.coordinator, application=application)
    services.application_check(actor=world.coordinator, application=application, answers=[], eligible=True)
    application.refresh_from_db()
    return application


def under_evaluation(world, application: Application | None = None, evaluators=("evaluator",)) -> list[Evaluation]:
    application = submitted_and_checked(world, application)
    return [
        services.evaluator_assign(actor=world.coordinator, application=application, evaluator=getattr(world, name))
        for name in evaluators
    ]


def evaluated(world, values=(8, 15)) -> Evaluation:
    (evaluation,) = under_evaluation(world)
    services.evaluation_submit_scores(
        actor=world.evaluator,
        evaluation=evaluation,
        scores={int(k): v for k, v in scores_for(world.call, *values).items()},
    )
    evaluation.refresh_from_db()
    return evaluation


def ranked(world) -> Application:
    """The world's application evaluated (score 31 of 40, threshold 60 lowered to 20)
    and ranked first, after the call closed."""
    evaluated(world)
    call = world.call
    call.pass_threshold = Decimal("20")
    call.closes_at = timezone.now() - dt.timedelta(minutes=1)
    call.save(update_fields=["pass_threshold", "closes_at"])
    services.call_compute_ranking(actor=world.coordinator, call=call)
    world.application.refresh_from_db()
    assert world.application.rank == 1
    return world.application


def enrolled(world, starts_on=dt.date(2026, 3, 1)) -> Enrolment:
    application = ranked(world)
    services.application_decide(actor=world.coordinator, application=application, decision="admit", starts_on=starts_on)
    application.refresh_from_db()
    assert application.state == ApplicationState.ADMITTED
    return application.enrolment
