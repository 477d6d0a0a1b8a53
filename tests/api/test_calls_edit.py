"""Editing a call (PATCH ``calls/{id}/``) and closing it early (``calls/{id}/close/``):
coordinators of the programme only, through ``call_update`` / ``call_close_early``; an
open call's deadline is only ever extended by an edit, brought forward only by an
explicit, reasoned closure; another programme's call answers 404."""

import datetime as dt

import pytest
from django.utils import timezone

from incubator.models import AuditEvent
from incubator.selection.models import Call
from tests.api.helpers import ANONYMOUS, ROLES, client_for, ranked

pytestmark = pytest.mark.django_db


def is_open(call) -> bool:
    call = Call.objects.get(pk=call.pk)
    return call.opens_at <= timezone.now() < call.closes_at


def url(call, action: str = "") -> str:
    return f"/api/v1/calls/{call.pk}/{action + '/' if action else ''}"


@pytest.mark.parametrize("role", ROLES)
def test_edit_by_role(role, world, admin_user):
    response = client_for(role, world, admin_user).patch(url(world.call), {"title": "Avviso rettificato"})
    expected = {"coordinator": 200, "admin": 200, "anonymous": ANONYMOUS}.get(role, (403,))
    assert response.status_code in (expected if isinstance(expected, tuple) else (expected,)), response.content
    world.call.refresh_from_db()
    assert (world.call.title == "Avviso rettificato") == (role in ("coordinator", "admin"))


def test_an_open_calls_deadline_is_extended_not_brought_forward(world):
    client = client_for("coordinator", world, None)
    later = world.call.closes_at + dt.timedelta(days=7)
    response = client.patch(url(world.call), {"closes_at": later.isoformat(), "places": 4})
    assert response.status_code == 200, response.content
    assert response.json()["places"] == 4
    earlier = later - dt.timedelta(days=20)
    response = client.patch(url(world.call), {"closes_at": earlier.isoformat()})
    assert response.status_code == 400 and list(response.json()) == ["closes_at"]
    world.call.refresh_from_db()
    assert world.call.closes_at == later


def test_fields_that_may_no_longer_change_are_named(world):
    client = client_for("coordinator", world, None)
    # The call is open: who may apply is fixed.
    response = client.patch(url(world.call), {"themes": ["new_poverty"]})
    assert response.status_code == 400 and list(response.json()) == ["themes"]
    response = client.patch(url(world.call), {"places": -1})
    assert response.status_code == 400 and list(response.json()) == ["places"]


def test_closing_early_needs_a_reason_and_stops_submissions(world):
    client = client_for("coordinator", world, None)
    response = client.post(url(world.call, "close"), {"reason": ""})
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    assert is_open(world.call)
    response = client.post(url(world.call, "close"), {"reason": "Budget exhausted"})
    assert response.status_code == 200, response.content
    assert response.json()["is_open"] is False
    assert Call.objects.get(pk=world.call.pk).closes_at <= timezone.now()
    assert AuditEvent.objects.filter(verb="call.close_early", reason="Budget exhausted").exists()
    # A closed call cannot close again, and no application is submitted any more.
    response = client.post(url(world.call, "close"), {"reason": "Again"})
    assert response.status_code == 400 and list(response.json()) == ["closes_at"]
    response = client.post(f"/api/v1/applications/{world.application.pk}/submit/")
    assert response.status_code == 400


def test_after_the_ranking_only_labels_change(world):
    ranked(world)
    client = client_for("coordinator", world, None)
    assert client.patch(url(world.call), {"reference": "DD 9/2026"}).status_code == 200
    response = client.patch(url(world.call), {"pass_threshold": "10"})
    assert response.status_code == 400 and list(response.json()) == ["pass_threshold"]


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant"])
def test_others_cannot_close(role, world):
    response = client_for(role, world, None).post(url(world.call, "close"), {"reason": "No"})
    assert response.status_code in (403, 404)
    assert is_open(world.call)


def test_another_programmes_call_is_not_found(world, other):
    client = client_for("coordinator", world, None)
    assert client.patch(url(other.call), {"title": "Mine now"}).status_code == 404
    assert client.post(url(other.call, "close"), {"reason": "Mine now"}).status_code == 404
    other.call.refresh_from_db()
    assert other.call.title != "Mine now" and is_open(other.call)
