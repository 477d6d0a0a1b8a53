"""A call under evaluation: the ``world``'s call with several applications, each
submitted and found eligible, and helpers to assign and score them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from incubator import models as m
from incubator.selection import services
from incubator.selection.models import Application, Evaluation
from tests import factories as f


def page_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def eligible_application(world, title: str | None = None, person=None) -> Application:
    venture = f.VentureFactory(programme=world.programme, **({"title": title} if title else {}))
    f.TeamMemberFactory(venture=venture, **({"person": person} if person else {}))
    application = f.ApplicationFactory(call=world.call, venture=venture)
    services.application_submit(actor=world.coordinator, application=application)
    services.application_check(actor=world.coordinator, application=application, answers=[], eligible=True)
    application.refresh_from_db()
    return application


def make_eligible(world) -> Application:
    application = world.application
    services.application_submit(actor=world.coordinator, application=application)
    services.application_check(actor=world.coordinator, application=application, answers=[], eligible=True)
    application.refresh_from_db()
    return application


def assign(world, application, *evaluators) -> list[Evaluation]:
    return [
        services.evaluator_assign(actor=world.coordinator, application=application, evaluator=e) for e in evaluators
    ]


def criteria(world):
    return list(world.call.criteria.order_by("order", "id"))


def submit(evaluation: Evaluation, *values, comment: str = "") -> Evaluation:
    """Scores in criterion order (the world's: Innovation x2 max 10, Feasibility x1 max 20)."""
    call = evaluation.application.call
    scores = {c.pk: Decimal(str(v)) for c, v in zip(call.criteria.order_by("order", "id"), values, strict=True)}
    return services.evaluation_submit_scores(
        actor=evaluation.evaluator, evaluation=evaluation, scores=scores, comment=comment
    )


def close_call(call) -> None:
    """Moves the call's window into the past (the deadline after it), as after closing."""
    now = timezone.now()
    type(call).objects.filter(pk=call.pk).update(
        opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=1)
    )
    call.refresh_from_db()


def extra_evaluator(world, username: str) -> m.User:
    user = f.UserFactory(username=username)
    m.RoleAssignment.objects.create(user=user, programme=world.programme, role=m.Role.EVALUATOR)
    return user


@pytest.fixture
def blind_world(world):
    """The world's call evaluated blind, with recognisable identifying data on the team."""
    world.call.blind_review = True
    world.call.save(update_fields=["blind_review"])
    return world
